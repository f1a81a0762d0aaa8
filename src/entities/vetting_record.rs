use sea_orm::entity::prelude::*;

use crate::domain::vetting::{VettingKind, VettingStatus};

/// One vetting decision of a kind; per kind, the latest (by `decided_on`,
/// then id) counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vetting_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub student_id: i32,
    pub kind: VettingKind,
    pub status: VettingStatus,
    pub case_reference: String,
    pub decided_on: Date,
    pub recorded_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
