use sea_orm::entity::prelude::*;

use crate::domain::program::Program;

/// A reprogramming of funds between two countries' allocations.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allocation_transfers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub from_country: String,
    pub to_country: String,
    pub program: Program,
    pub fiscal_year: i32,
    pub amount_cents: i64,
    pub reason: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
