use sea_orm::entity::prelude::*;

use crate::domain::suspension::LegalBasis;

/// A country suspension: append-only; lifting sets `lifted_on` once.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "suspensions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub country_code: String,
    /// JSON array of program codes, or `["ALL"]`.
    pub programs: Json,
    /// JSON array of program codes exempt from an `ALL` suspension.
    pub exempt_programs: Json,
    pub legal_basis: LegalBasis,
    pub reason: String,
    pub effective_from: Date,
    pub lifted_on: Option<Date>,
    pub lift_reason: Option<String>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub lifted_by: Option<i32>,
    pub lifted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
