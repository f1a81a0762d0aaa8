//! The course catalog: courses, their prerequisites, and offerings (classes).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    MaslId,
    Title,
    School,
    Location,
    Description,
    Category,
    EclMin,
    OpiMinListening,
    OpiMinSpeaking,
    EImet,
    Audience,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CoursePrerequisites {
    Table,
    CourseId,
    PrerequisiteId,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    Id,
    CourseId,
    StartDate,
    EndDate,
    Seats,
    SeatsTaken,
    TuitionCents,
    LivingAllowancePerDayCents,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Courses::Table)
                    .col(pk_auto(Courses::Id))
                    .col(string_len_uniq(Courses::MaslId, 7))
                    .col(string(Courses::Title))
                    .col(string(Courses::School))
                    .col(string(Courses::Location))
                    .col(text(Courses::Description))
                    .col(string_len(Courses::Category, 32))
                    .col(integer_null(Courses::EclMin))
                    .col(string_len_null(Courses::OpiMinListening, 2))
                    .col(string_len_null(Courses::OpiMinSpeaking, 2))
                    .col(boolean(Courses::EImet))
                    .col(string_len(Courses::Audience, 64))
                    .col(boolean(Courses::Active))
                    .col(timestamp_with_time_zone(Courses::CreatedAt))
                    .col(timestamp_with_time_zone(Courses::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_courses_category", Courses::Category),
            ("idx_courses_e_imet", Courses::EImet),
            ("idx_courses_ecl_min", Courses::EclMin),
            ("idx_courses_active", Courses::Active),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Courses::Table)
                        .col(col)
                        .col(Courses::MaslId)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CoursePrerequisites::Table)
                    .col(integer(CoursePrerequisites::CourseId))
                    .col(integer(CoursePrerequisites::PrerequisiteId))
                    .primary_key(
                        Index::create()
                            .col(CoursePrerequisites::CourseId)
                            .col(CoursePrerequisites::PrerequisiteId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoursePrerequisites::Table, CoursePrerequisites::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CoursePrerequisites::Table,
                                CoursePrerequisites::PrerequisiteId,
                            )
                            .to(Courses::Table, Courses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_course_prerequisites_prerequisite")
                    .table(CoursePrerequisites::Table)
                    .col(CoursePrerequisites::PrerequisiteId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Offerings::Table)
                    .col(pk_auto(Offerings::Id))
                    .col(integer(Offerings::CourseId))
                    .col(date(Offerings::StartDate))
                    .col(date(Offerings::EndDate))
                    .col(integer(Offerings::Seats))
                    .col(integer(Offerings::SeatsTaken).default(0))
                    .col(big_integer(Offerings::TuitionCents))
                    .col(big_integer(Offerings::LivingAllowancePerDayCents))
                    .col(string_len(Offerings::Status, 16))
                    .col(timestamp_with_time_zone(Offerings::CreatedAt))
                    .col(timestamp_with_time_zone(Offerings::UpdatedAt))
                    // The last line of defence against an over-filled class.
                    .check(Expr::col(Offerings::SeatsTaken).gte(0))
                    .check(Expr::col(Offerings::SeatsTaken).lte(Expr::col(Offerings::Seats)))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Offerings::Table, Offerings::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_offerings_course_start",
                [Offerings::CourseId, Offerings::StartDate, Offerings::Id],
            ),
            (
                "idx_offerings_status_start",
                [Offerings::Status, Offerings::StartDate, Offerings::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Offerings::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_offerings_start")
                    .table(Offerings::Table)
                    .col(Offerings::StartDate)
                    .col(Offerings::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Offerings::Table.into_iden(),
            CoursePrerequisites::Table.into_iden(),
            Courses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
