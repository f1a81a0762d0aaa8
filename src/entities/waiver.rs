use sea_orm::entity::prelude::*;

use crate::domain::checks::CheckName;

/// A program officer's waiver of one check of one nomination.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waivers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub nomination_id: i32,
    pub check_name: CheckName,
    pub justification: String,
    pub granted_by: i32,
    pub granted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
