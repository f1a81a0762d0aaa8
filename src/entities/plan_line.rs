use sea_orm::entity::prelude::*;

use crate::domain::{nomination::Priority, program::Program};

/// One line of a training plan: students planned for a course (and
/// optionally one class of it) at a priority, funded by a program.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub plan_id: i32,
    pub course_id: i32,
    pub offering_id: Option<i32>,
    pub quantity: i32,
    pub priority: Priority,
    pub program: Program,
    /// The class's estimated cost per student when the line names a class
    /// (as of the line's last change or the plan's submission), else the
    /// amount the liaison entered.
    pub unit_cost_cents: i64,
    /// Nominations filling the line (active or completed); moved only by
    /// conditional updates.
    pub taken: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
