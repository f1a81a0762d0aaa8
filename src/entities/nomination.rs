use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{
    checks::Check,
    cost::WithdrawalCause,
    nomination::{Priority, Status},
    program::Program,
};

/// A nomination of one student to one offering.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "nominations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub student_id: i32,
    pub offering_id: i32,
    pub country_code: String,
    pub program: Program,
    pub priority: Priority,
    pub status: Status,
    /// The status an `on_hold` nomination returns to.
    pub held_from: Option<Status>,
    pub estimated_cost_cents: i64,
    /// Cents committed to the allocation now (cost when approved, penalty after a late withdrawal).
    pub committed_cents: i64,
    pub fiscal_year: i32,
    /// The last computed checks, stored as JSON.
    pub checks: Checks,
    pub checks_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    /// Reason of a rejection or withdrawal.
    pub reason: Option<String>,
    pub withdrawal_cause: Option<WithdrawalCause>,
    pub penalty_cents: i64,
    /// The line of the country's approved training plan this nomination fills.
    pub plan_line_id: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A nomination's checks as last computed; a row whose checks cannot be
/// read is an error, never an empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Checks(pub Vec<Check>);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::student::Entity",
        from = "Column::StudentId",
        to = "super::student::Column::Id"
    )]
    Student,
    #[sea_orm(
        belongs_to = "super::offering::Entity",
        from = "Column::OfferingId",
        to = "super::offering::Column::Id"
    )]
    Offering,
}

impl Related<super::student::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Student.def()
    }
}

impl Related<super::offering::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offering.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
