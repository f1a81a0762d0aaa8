use sea_orm::entity::prelude::*;

use crate::domain::nomination::Status;

/// One step in a nomination's history.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nomination_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub nomination_id: i32,
    pub actor_id: Option<i32>,
    /// `create`, or the action of the change (`submit`, `approve`, …).
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub detail: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
