//! Accounts people run themselves (SPEC §10): one-time links (invitation,
//! password reset), the reset requests each client address made, TOTP
//! second factors with their recovery codes, and where each session and
//! token signed in from and when it was last used.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TotpSecret,
    TotpPendingSecret,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum AccountLinks {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ResetRequests {
    Table,
    Id,
    Email,
    ClientAddr,
    RequestedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    ClientAddr,
    UserAgent,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum WebSessions {
    Table,
    ClientAddr,
    UserAgent,
    LastUsedAt,
    AwaitingCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            text_null(Users::TotpSecret),
            text_null(Users::TotpPendingSecret),
            big_integer_null(Users::TotpLastStep),
        ] {
            add_column(manager, Users::Table, column).await?;
        }
        for column in [
            string_len_null(ApiTokens::ClientAddr, 64),
            string_len_null(ApiTokens::UserAgent, 200),
            timestamp_with_time_zone_null(ApiTokens::LastUsedAt),
        ] {
            add_column(manager, ApiTokens::Table, column).await?;
        }
        for column in [
            string_len_null(WebSessions::ClientAddr, 64),
            string_len_null(WebSessions::UserAgent, 200),
            timestamp_with_time_zone_null(WebSessions::LastUsedAt),
            boolean(WebSessions::AwaitingCode).default(false).to_owned(),
        ] {
            add_column(manager, WebSessions::Table, column).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AccountLinks::Table)
                    .col(pk_auto(AccountLinks::Id))
                    .col(integer(AccountLinks::UserId))
                    .col(string_len(AccountLinks::Purpose, 16))
                    .col(string_len_uniq(AccountLinks::TokenHash, 64))
                    .col(timestamp_with_time_zone(AccountLinks::CreatedAt))
                    .col(timestamp_with_time_zone(AccountLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountLinks::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountLinks::Table, AccountLinks::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_links_user")
                    .table(AccountLinks::Table)
                    .col(AccountLinks::UserId)
                    .col(AccountLinks::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ResetRequests::Table)
                    .col(pk_auto(ResetRequests::Id))
                    .col(string(ResetRequests::Email))
                    .col(string_len(ResetRequests::ClientAddr, 64))
                    .col(timestamp_with_time_zone(ResetRequests::RequestedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reset_requests_client")
                    .table(ResetRequests::Table)
                    .col(ResetRequests::ClientAddr)
                    .col(ResetRequests::RequestedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(pk_auto(RecoveryCodes::Id))
                    .col(integer(RecoveryCodes::UserId))
                    .col(string_len(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RecoveryCodes::Table.into_iden(),
            ResetRequests::Table.into_iden(),
            AccountLinks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            WebSessions::AwaitingCode.into_iden(),
            WebSessions::LastUsedAt.into_iden(),
            WebSessions::UserAgent.into_iden(),
            WebSessions::ClientAddr.into_iden(),
        ] {
            drop_column(manager, WebSessions::Table, column).await?;
        }
        for column in [
            ApiTokens::LastUsedAt.into_iden(),
            ApiTokens::UserAgent.into_iden(),
            ApiTokens::ClientAddr.into_iden(),
        ] {
            drop_column(manager, ApiTokens::Table, column).await?;
        }
        for column in [
            Users::TotpLastStep.into_iden(),
            Users::TotpPendingSecret.into_iden(),
            Users::TotpSecret.into_iden(),
        ] {
            drop_column(manager, Users::Table, column).await?;
        }
        Ok(())
    }
}

async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    mut column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

async fn drop_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: DynIden,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}
