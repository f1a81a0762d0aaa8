//! Country suspensions, students and their records (English tests, prior
//! training, Leahy vetting).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Countries {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Suspensions {
    Table,
    Id,
    CountryCode,
    Programs,
    ExemptPrograms,
    LegalBasis,
    Reason,
    EffectiveFrom,
    LiftedOn,
    LiftReason,
    CreatedBy,
    CreatedAt,
    LiftedBy,
    LiftedAt,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
    CountryCode,
    GivenNames,
    FamilyName,
    DateOfBirth,
    Rank,
    Grade,
    Service,
    Email,
    VettingStatus,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EnglishTests {
    Table,
    Id,
    StudentId,
    Kind,
    Score,
    Listening,
    Speaking,
    TakenOn,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PriorTraining {
    Table,
    Id,
    StudentId,
    MaslId,
    CompletedOn,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VettingRecords {
    Table,
    Id,
    StudentId,
    Status,
    CaseReference,
    DecidedOn,
    RecordedBy,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Suspensions::Table)
                    .col(pk_auto(Suspensions::Id))
                    .col(string_len(Suspensions::CountryCode, 2))
                    .col(json(Suspensions::Programs))
                    .col(json(Suspensions::ExemptPrograms))
                    .col(string_len(Suspensions::LegalBasis, 32))
                    .col(text(Suspensions::Reason))
                    .col(date(Suspensions::EffectiveFrom))
                    .col(date_null(Suspensions::LiftedOn))
                    .col(text_null(Suspensions::LiftReason))
                    .col(integer(Suspensions::CreatedBy))
                    .col(timestamp_with_time_zone(Suspensions::CreatedAt))
                    .col(integer_null(Suspensions::LiftedBy))
                    .col(timestamp_with_time_zone_null(Suspensions::LiftedAt))
                    .foreign_key(&mut fk(
                        (Suspensions::Table, Suspensions::CountryCode),
                        (Countries::Table, Countries::Code),
                    ))
                    .foreign_key(&mut fk(
                        (Suspensions::Table, Suspensions::CreatedBy),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Suspensions::Table, Suspensions::LiftedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suspensions_country")
                    .table(Suspensions::Table)
                    .col(Suspensions::CountryCode)
                    .col(Suspensions::EffectiveFrom)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Students::Table)
                    .col(pk_auto(Students::Id))
                    .col(string_len(Students::CountryCode, 2))
                    .col(string(Students::GivenNames))
                    .col(string(Students::FamilyName))
                    .col(date(Students::DateOfBirth))
                    .col(string(Students::Rank))
                    .col(string_len(Students::Grade, 8))
                    .col(string(Students::Service))
                    .col(string_null(Students::Email))
                    .col(string_len_null(Students::VettingStatus, 16))
                    .col(timestamp_with_time_zone(Students::CreatedAt))
                    .col(timestamp_with_time_zone(Students::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Students::Table, Students::CountryCode),
                        (Countries::Table, Countries::Code),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_students_country_name",
                vec![Students::CountryCode, Students::FamilyName, Students::Id],
            ),
            (
                "idx_students_name",
                vec![Students::FamilyName, Students::Id],
            ),
            ("idx_students_vetting", vec![Students::VettingStatus]),
        ] {
            let mut index = Index::create().name(name).table(Students::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(EnglishTests::Table)
                    .col(pk_auto(EnglishTests::Id))
                    .col(integer(EnglishTests::StudentId))
                    .col(string_len(EnglishTests::Kind, 8))
                    .col(integer_null(EnglishTests::Score))
                    .col(string_len_null(EnglishTests::Listening, 4))
                    .col(string_len_null(EnglishTests::Speaking, 4))
                    .col(date(EnglishTests::TakenOn))
                    .col(integer(EnglishTests::RecordedBy))
                    .col(timestamp_with_time_zone(EnglishTests::CreatedAt))
                    .foreign_key(&mut fk(
                        (EnglishTests::Table, EnglishTests::StudentId),
                        (Students::Table, Students::Id),
                    ))
                    .foreign_key(&mut fk(
                        (EnglishTests::Table, EnglishTests::RecordedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_english_tests_student")
                    .table(EnglishTests::Table)
                    .col(EnglishTests::StudentId)
                    .col(EnglishTests::Kind)
                    .col(EnglishTests::TakenOn)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PriorTraining::Table)
                    .col(pk_auto(PriorTraining::Id))
                    .col(integer(PriorTraining::StudentId))
                    .col(string_len(PriorTraining::MaslId, 7))
                    .col(date(PriorTraining::CompletedOn))
                    .col(integer(PriorTraining::RecordedBy))
                    .col(timestamp_with_time_zone(PriorTraining::CreatedAt))
                    .foreign_key(&mut fk(
                        (PriorTraining::Table, PriorTraining::StudentId),
                        (Students::Table, Students::Id),
                    ))
                    .foreign_key(&mut fk(
                        (PriorTraining::Table, PriorTraining::RecordedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_prior_training_student")
                    .table(PriorTraining::Table)
                    .col(PriorTraining::StudentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VettingRecords::Table)
                    .col(pk_auto(VettingRecords::Id))
                    .col(integer(VettingRecords::StudentId))
                    .col(string_len(VettingRecords::Status, 16))
                    .col(string(VettingRecords::CaseReference))
                    .col(date(VettingRecords::DecidedOn))
                    .col(integer(VettingRecords::RecordedBy))
                    .col(timestamp_with_time_zone(VettingRecords::CreatedAt))
                    .foreign_key(&mut fk(
                        (VettingRecords::Table, VettingRecords::StudentId),
                        (Students::Table, Students::Id),
                    ))
                    .foreign_key(&mut fk(
                        (VettingRecords::Table, VettingRecords::RecordedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_vetting_records_student")
                    .table(VettingRecords::Table)
                    .col(VettingRecords::StudentId)
                    .col(VettingRecords::DecidedOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            VettingRecords::Table.into_iden(),
            PriorTraining::Table.into_iden(),
            EnglishTests::Table.into_iden(),
            Students::Table.into_iden(),
            Suspensions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
