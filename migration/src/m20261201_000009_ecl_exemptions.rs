//! ECL exemptions (SPEC §7): per fiscal year, the countries whose students
//! meet a course's ECL minimum without a score, each with a note. One row
//! per fiscal year and country; removing an exemption marks the row removed
//! (nothing is hard-deleted), and putting it back restores that row.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EclExemptions {
    Table,
    FiscalYear,
    CountryCode,
    Note,
    CreatedBy,
    CreatedAt,
    UpdatedBy,
    UpdatedAt,
    RemovedBy,
    RemovedAt,
}

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EclExemptions::Table)
                    .col(integer(EclExemptions::FiscalYear))
                    .col(string_len(EclExemptions::CountryCode, 2))
                    .col(text(EclExemptions::Note))
                    .col(integer(EclExemptions::CreatedBy))
                    .col(timestamp_with_time_zone(EclExemptions::CreatedAt))
                    .col(integer(EclExemptions::UpdatedBy))
                    .col(timestamp_with_time_zone(EclExemptions::UpdatedAt))
                    .col(integer_null(EclExemptions::RemovedBy))
                    .col(timestamp_with_time_zone_null(EclExemptions::RemovedAt))
                    // The english check looks a country up by fiscal year and
                    // code; a year's list reads in code order.
                    .primary_key(
                        Index::create()
                            .col(EclExemptions::FiscalYear)
                            .col(EclExemptions::CountryCode),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EclExemptions::Table, EclExemptions::CountryCode)
                            .to(Countries::Table, Countries::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EclExemptions::Table, EclExemptions::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EclExemptions::Table, EclExemptions::UpdatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EclExemptions::Table, EclExemptions::RemovedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EclExemptions::Table).to_owned())
            .await
    }
}
