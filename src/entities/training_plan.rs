use sea_orm::entity::prelude::*;

use crate::domain::plan::PlanStatus;

/// A country's annual training plan for one fiscal year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub country_code: String,
    pub fiscal_year: i32,
    pub status: PlanStatus,
    /// Why a program officer returned the plan; kept until it is submitted again.
    pub return_reason: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    /// When it was last approved or returned, and by whom.
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
