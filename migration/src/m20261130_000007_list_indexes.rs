//! Indexes for the nomination list: every filter it offers, each ending in
//! the list's order (`id`), so a page at any depth is a range read of an
//! index, on SQLite (whose indexes end in the rowid anyway) and PostgreSQL.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum Nominations {
    Table,
    Id,
    CountryCode,
    Status,
}

/// (name, columns before `id`).
const INDEXES: [(&str, &[Nominations]); 3] = [
    (
        "idx_nominations_country_status_id",
        &[Nominations::CountryCode, Nominations::Status],
    ),
    ("idx_nominations_country_id", &[Nominations::CountryCode]),
    ("idx_nominations_status_id", &[Nominations::Status]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create()
                .name(name)
                .table(Nominations::Table)
                .to_owned();
            for column in columns {
                index.col(*column);
            }
            index.col(Nominations::Id);
            manager.create_index(index).await?;
        }
        // Served by the first of the new ones.
        manager
            .drop_index(
                Index::drop()
                    .name("idx_nominations_country_status")
                    .table(Nominations::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_nominations_country_status")
                    .table(Nominations::Table)
                    .col(Nominations::CountryCode)
                    .col(Nominations::Status)
                    .to_owned(),
            )
            .await?;
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Nominations::Table)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
