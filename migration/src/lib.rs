//! Database schema, as an ordered list of migrations that run at `serve` start
//! and with `imet migrate`. Every migration works on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m20261128_000001_foundation;
mod m20261128_000002_catalog;
mod m20261128_000003_outbox;
mod m20261128_000004_eligibility;
mod m20261128_000005_nominations;
mod m20261128_000006_web_sessions;
mod m20261130_000007_list_indexes;
mod m20261201_000008_travel_orders;
mod m20261201_000009_ecl_exemptions;
mod m20261201_000010_training_plans;
mod m20261201_000011_accounts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_foundation::Migration),
            Box::new(m20261128_000002_catalog::Migration),
            Box::new(m20261128_000003_outbox::Migration),
            Box::new(m20261128_000004_eligibility::Migration),
            Box::new(m20261128_000005_nominations::Migration),
            Box::new(m20261128_000006_web_sessions::Migration),
            Box::new(m20261130_000007_list_indexes::Migration),
            Box::new(m20261201_000008_travel_orders::Migration),
            Box::new(m20261201_000009_ecl_exemptions::Migration),
            Box::new(m20261201_000010_training_plans::Migration),
            Box::new(m20261201_000011_accounts::Migration),
        ]
    }
}
