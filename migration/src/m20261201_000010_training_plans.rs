//! Annual training plans: one per country and fiscal year, with lines of
//! courses and quantities by priority; nominations may name the line they
//! fill (`plan_line_id`), and each line counts the nominations filling it
//! (`taken`, moved only by conditional updates).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TrainingPlans {
    Table,
    Id,
    CountryCode,
    FiscalYear,
    Status,
    ReturnReason,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanLines {
    Table,
    Id,
    PlanId,
    CourseId,
    OfferingId,
    Quantity,
    Priority,
    Program,
    UnitCostCents,
    Taken,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Nominations {
    Table,
    PlanLineId,
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

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Offerings {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrainingPlans::Table)
                    .col(pk_auto(TrainingPlans::Id))
                    .col(string_len(TrainingPlans::CountryCode, 2))
                    .col(integer(TrainingPlans::FiscalYear))
                    .col(string_len(TrainingPlans::Status, 16))
                    .col(text_null(TrainingPlans::ReturnReason))
                    .col(timestamp_with_time_zone_null(TrainingPlans::SubmittedAt))
                    .col(timestamp_with_time_zone_null(TrainingPlans::DecidedAt))
                    .col(integer_null(TrainingPlans::DecidedBy))
                    .col(integer(TrainingPlans::CreatedBy))
                    .col(timestamp_with_time_zone(TrainingPlans::CreatedAt))
                    .col(timestamp_with_time_zone(TrainingPlans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingPlans::Table, TrainingPlans::CountryCode)
                            .to(Countries::Table, Countries::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingPlans::Table, TrainingPlans::DecidedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingPlans::Table, TrainingPlans::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_training_plans_country_fy")
                    .table(TrainingPlans::Table)
                    .col(TrainingPlans::CountryCode)
                    .col(TrainingPlans::FiscalYear)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanLines::Table)
                    .col(pk_auto(PlanLines::Id))
                    .col(integer(PlanLines::PlanId))
                    .col(integer(PlanLines::CourseId))
                    .col(integer_null(PlanLines::OfferingId))
                    .col(integer(PlanLines::Quantity))
                    .col(string_len(PlanLines::Priority, 1))
                    .col(string_len(PlanLines::Program, 16))
                    .col(big_integer(PlanLines::UnitCostCents))
                    .col(integer(PlanLines::Taken).default(0))
                    .col(timestamp_with_time_zone(PlanLines::CreatedAt))
                    .col(timestamp_with_time_zone(PlanLines::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLines::Table, PlanLines::PlanId)
                            .to(TrainingPlans::Table, TrainingPlans::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLines::Table, PlanLines::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLines::Table, PlanLines::OfferingId)
                            .to(Offerings::Table, Offerings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_lines_plan")
                    .table(PlanLines::Table)
                    .col(PlanLines::PlanId)
                    .col(PlanLines::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Nominations::Table)
                    .add_column(integer_null(Nominations::PlanLineId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_nominations_plan_line")
                    .table(Nominations::Table)
                    .col(Nominations::PlanLineId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_nominations_plan_line")
                    .table(Nominations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Nominations::Table)
                    .drop_column(Nominations::PlanLineId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(PlanLines::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TrainingPlans::Table).to_owned())
            .await
    }
}
