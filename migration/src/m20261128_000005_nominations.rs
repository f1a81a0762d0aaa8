//! Nominations with their history and waivers, allocations and transfers,
//! and stored idempotent answers.
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
enum Students {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Nominations {
    Table,
    Id,
    StudentId,
    OfferingId,
    CountryCode,
    Program,
    Priority,
    Status,
    HeldFrom,
    EstimatedCostCents,
    CommittedCents,
    FiscalYear,
    Checks,
    ChecksAt,
    SubmittedAt,
    DecidedAt,
    Reason,
    WithdrawalCause,
    PenaltyCents,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NominationEvents {
    Table,
    Id,
    NominationId,
    ActorId,
    Action,
    FromStatus,
    ToStatus,
    Detail,
    At,
}

#[derive(DeriveIden)]
enum Waivers {
    Table,
    Id,
    NominationId,
    CheckName,
    Justification,
    GrantedBy,
    GrantedAt,
}

#[derive(DeriveIden)]
enum Allocations {
    Table,
    Id,
    CountryCode,
    Program,
    FiscalYear,
    AllocatedCents,
    CommittedCents,
    Frozen,
    AlertSent,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AllocationTransfers {
    Table,
    Id,
    FromCountry,
    ToCountry,
    Program,
    FiscalYear,
    AmountCents,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    UserId,
    Key,
    RequestHash,
    StatusCode,
    Response,
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

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create().name(name).table(table).to_owned();
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Nominations::Table)
                    .col(pk_auto(Nominations::Id))
                    .col(integer(Nominations::StudentId))
                    .col(integer(Nominations::OfferingId))
                    .col(string_len(Nominations::CountryCode, 2))
                    .col(string_len(Nominations::Program, 8))
                    .col(string_len(Nominations::Priority, 1))
                    .col(string_len(Nominations::Status, 16))
                    .col(string_len_null(Nominations::HeldFrom, 16))
                    .col(big_integer(Nominations::EstimatedCostCents))
                    .col(big_integer(Nominations::CommittedCents).default(0))
                    .col(integer(Nominations::FiscalYear))
                    .col(json(Nominations::Checks))
                    .col(timestamp_with_time_zone_null(Nominations::ChecksAt))
                    .col(timestamp_with_time_zone_null(Nominations::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Nominations::DecidedAt))
                    .col(text_null(Nominations::Reason))
                    .col(string_len_null(Nominations::WithdrawalCause, 16))
                    .col(big_integer(Nominations::PenaltyCents).default(0))
                    .col(integer(Nominations::CreatedBy))
                    .col(timestamp_with_time_zone(Nominations::CreatedAt))
                    .col(timestamp_with_time_zone(Nominations::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Nominations::Table, Nominations::StudentId),
                        (Students::Table, Students::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Nominations::Table, Nominations::OfferingId),
                        (Offerings::Table, Offerings::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Nominations::Table, Nominations::CountryCode),
                        (Countries::Table, Countries::Code),
                    ))
                    .foreign_key(&mut fk(
                        (Nominations::Table, Nominations::CreatedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        use Nominations as N;
        index(
            manager,
            "idx_nominations_offering_status",
            N::Table,
            vec![N::OfferingId.into_iden(), N::Status.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_nominations_country_status",
            N::Table,
            vec![N::CountryCode.into_iden(), N::Status.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_nominations_status_submitted",
            N::Table,
            vec![
                N::Status.into_iden(),
                N::SubmittedAt.into_iden(),
                N::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_nominations_student",
            N::Table,
            vec![N::StudentId.into_iden(), N::OfferingId.into_iden()],
            false,
        )
        .await?;
        // At most one active nomination of a student for an offering, on both databases.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_nominations_active ON nominations (student_id, offering_id) \
                 WHERE status IN ('draft', 'submitted', 'waitlisted', 'approved', 'on_hold')",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NominationEvents::Table)
                    .col(pk_auto(NominationEvents::Id))
                    .col(integer(NominationEvents::NominationId))
                    .col(integer_null(NominationEvents::ActorId))
                    .col(string_len(NominationEvents::Action, 32))
                    .col(string_len_null(NominationEvents::FromStatus, 16))
                    .col(string_len(NominationEvents::ToStatus, 16))
                    .col(text_null(NominationEvents::Detail))
                    .col(timestamp_with_time_zone(NominationEvents::At))
                    .foreign_key(&mut fk(
                        (NominationEvents::Table, NominationEvents::NominationId),
                        (Nominations::Table, Nominations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_nomination_events_nomination",
            NominationEvents::Table,
            vec![
                NominationEvents::NominationId.into_iden(),
                NominationEvents::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Waivers::Table)
                    .col(pk_auto(Waivers::Id))
                    .col(integer(Waivers::NominationId))
                    .col(string_len(Waivers::CheckName, 32))
                    .col(text(Waivers::Justification))
                    .col(integer(Waivers::GrantedBy))
                    .col(timestamp_with_time_zone(Waivers::GrantedAt))
                    .foreign_key(&mut fk(
                        (Waivers::Table, Waivers::NominationId),
                        (Nominations::Table, Nominations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Waivers::Table, Waivers::GrantedBy),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_waivers_nomination_check",
            Waivers::Table,
            vec![
                Waivers::NominationId.into_iden(),
                Waivers::CheckName.into_iden(),
            ],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Allocations::Table)
                    .col(pk_auto(Allocations::Id))
                    .col(string_len(Allocations::CountryCode, 2))
                    .col(string_len(Allocations::Program, 8))
                    .col(integer(Allocations::FiscalYear))
                    .col(big_integer(Allocations::AllocatedCents))
                    .col(big_integer(Allocations::CommittedCents).default(0))
                    .col(boolean(Allocations::Frozen).default(false))
                    .col(boolean(Allocations::AlertSent).default(false))
                    .col(timestamp_with_time_zone(Allocations::CreatedAt))
                    .col(timestamp_with_time_zone(Allocations::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Allocations::Table, Allocations::CountryCode),
                        (Countries::Table, Countries::Code),
                    ))
                    .check(
                        Expr::col(Allocations::CommittedCents)
                            .lte(Expr::col(Allocations::AllocatedCents)),
                    )
                    .check(Expr::col(Allocations::CommittedCents).gte(0))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_allocations_country_program_fy",
            Allocations::Table,
            vec![
                Allocations::CountryCode.into_iden(),
                Allocations::Program.into_iden(),
                Allocations::FiscalYear.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_allocations_fy",
            Allocations::Table,
            vec![
                Allocations::FiscalYear.into_iden(),
                Allocations::CountryCode.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AllocationTransfers::Table)
                    .col(pk_auto(AllocationTransfers::Id))
                    .col(string_len(AllocationTransfers::FromCountry, 2))
                    .col(string_len(AllocationTransfers::ToCountry, 2))
                    .col(string_len(AllocationTransfers::Program, 8))
                    .col(integer(AllocationTransfers::FiscalYear))
                    .col(big_integer(AllocationTransfers::AmountCents))
                    .col(text(AllocationTransfers::Reason))
                    .col(integer(AllocationTransfers::CreatedBy))
                    .col(timestamp_with_time_zone(AllocationTransfers::CreatedAt))
                    .foreign_key(&mut fk(
                        (AllocationTransfers::Table, AllocationTransfers::FromCountry),
                        (Countries::Table, Countries::Code),
                    ))
                    .foreign_key(&mut fk(
                        (AllocationTransfers::Table, AllocationTransfers::ToCountry),
                        (Countries::Table, Countries::Code),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(pk_auto(IdempotencyKeys::Id))
                    .col(integer(IdempotencyKeys::UserId))
                    .col(string_len(IdempotencyKeys::Key, 200))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(integer(IdempotencyKeys::StatusCode))
                    .col(json(IdempotencyKeys::Response))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .foreign_key(&mut fk(
                        (IdempotencyKeys::Table, IdempotencyKeys::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_idempotency_user_key",
            IdempotencyKeys::Table,
            vec![
                IdempotencyKeys::UserId.into_iden(),
                IdempotencyKeys::Key.into_iden(),
            ],
            true,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            AllocationTransfers::Table.into_iden(),
            Allocations::Table.into_iden(),
            Waivers::Table.into_iden(),
            NominationEvents::Table.into_iden(),
            Nominations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
