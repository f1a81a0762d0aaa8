//! Invitational travel orders: vetting records gain a `kind` (`leahy`, the
//! approval's human-rights vetting, or `security`, the DoD screening an ITO
//! also needs); ITO revisions with their frozen contents; one counter row per
//! country and fiscal year that numbers them without gaps; and outbox
//! messages gain one optional attachment (the ITO's PDF).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VettingRecords {
    Table,
    StudentId,
    Kind,
    DecidedOn,
}

#[derive(DeriveIden)]
enum TravelOrders {
    Table,
    Id,
    NominationId,
    Number,
    BaseNumber,
    Revision,
    Contents,
    IssuedOn,
    IssuedBy,
    AmendReason,
    SupersededAt,
    RevokedOn,
    RevokedReason,
    RevokedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TravelOrderCounters {
    Table,
    CountryCode,
    FiscalYear,
    LastSeq,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    AttachmentName,
    AttachmentType,
    Attachment,
}

#[derive(DeriveIden)]
enum Nominations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Countries {
    Table,
    Code,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(VettingRecords::Table)
                    .add_column(string_len(VettingRecords::Kind, 16).default("leahy"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_vetting_records_student_kind")
                    .table(VettingRecords::Table)
                    .col(VettingRecords::StudentId)
                    .col(VettingRecords::Kind)
                    .col(VettingRecords::DecidedOn)
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        for column in [
            string_len_null(Outbox::AttachmentName, 200),
            string_len_null(Outbox::AttachmentType, 100),
            blob_null(Outbox::Attachment),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(TravelOrderCounters::Table)
                    .col(string_len(TravelOrderCounters::CountryCode, 2))
                    .col(integer(TravelOrderCounters::FiscalYear))
                    .col(integer(TravelOrderCounters::LastSeq))
                    .primary_key(
                        Index::create()
                            .col(TravelOrderCounters::CountryCode)
                            .col(TravelOrderCounters::FiscalYear),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TravelOrderCounters::Table, TravelOrderCounters::CountryCode)
                            .to(Countries::Table, Countries::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TravelOrders::Table)
                    .col(pk_auto(TravelOrders::Id))
                    .col(integer(TravelOrders::NominationId))
                    .col(string_len_uniq(TravelOrders::Number, 40))
                    .col(string_len(TravelOrders::BaseNumber, 32))
                    .col(integer(TravelOrders::Revision))
                    .col(json(TravelOrders::Contents))
                    .col(date(TravelOrders::IssuedOn))
                    .col(integer(TravelOrders::IssuedBy))
                    .col(text_null(TravelOrders::AmendReason))
                    .col(timestamp_with_time_zone_null(TravelOrders::SupersededAt))
                    .col(date_null(TravelOrders::RevokedOn))
                    .col(text_null(TravelOrders::RevokedReason))
                    .col(integer_null(TravelOrders::RevokedBy))
                    .col(timestamp_with_time_zone(TravelOrders::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TravelOrders::Table, TravelOrders::NominationId)
                            .to(Nominations::Table, Nominations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TravelOrders::Table, TravelOrders::IssuedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TravelOrders::Table, TravelOrders::RevokedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_travel_orders_nomination")
                    .table(TravelOrders::Table)
                    .col(TravelOrders::NominationId)
                    .col(TravelOrders::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TravelOrders::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TravelOrderCounters::Table).to_owned())
            .await?;
        for column in [
            Outbox::Attachment,
            Outbox::AttachmentType,
            Outbox::AttachmentName,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_vetting_records_student_kind")
                    .table(VettingRecords::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(VettingRecords::Table)
                    .drop_column(VettingRecords::Kind)
                    .to_owned(),
            )
            .await
    }
}
