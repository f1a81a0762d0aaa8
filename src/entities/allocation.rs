use sea_orm::entity::prelude::*;

use crate::domain::program::Program;

/// A country's grant allocation for one program and fiscal year.
/// `committed_cents` only moves through conditional updates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allocations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub country_code: String,
    pub program: Program,
    pub fiscal_year: i32,
    pub allocated_cents: i64,
    pub committed_cents: i64,
    /// A suspension of this program is in effect for the country.
    pub frozen: bool,
    /// The ≥ 90% committed alert was sent for the current crossing.
    pub alert_sent: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
