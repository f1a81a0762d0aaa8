//! Web sign-in sessions: the cookie holds a random id, the table only its
//! SHA-256, with the CSRF token, a pending flash message and an expiry.
//! A session without a user is a visitor's (the sign-in form's CSRF token).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebSessions {
    Table,
    Id,
    IdHash,
    UserId,
    CsrfToken,
    Flash,
    CreatedAt,
    ExpiresAt,
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
                    .table(WebSessions::Table)
                    .col(pk_auto(WebSessions::Id))
                    .col(string_len_uniq(WebSessions::IdHash, 64))
                    .col(integer_null(WebSessions::UserId))
                    .col(string_len(WebSessions::CsrfToken, 64))
                    .col(text_null(WebSessions::Flash))
                    .col(timestamp_with_time_zone(WebSessions::CreatedAt))
                    .col(timestamp_with_time_zone(WebSessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebSessions::Table, WebSessions::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_web_sessions_user", WebSessions::UserId),
            ("idx_web_sessions_expires", WebSessions::ExpiresAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(WebSessions::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebSessions::Table).to_owned())
            .await
    }
}
