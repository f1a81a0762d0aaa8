use sea_orm::entity::prelude::*;

use crate::domain::vetting::VettingStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "students")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub country_code: String,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub rank: String,
    pub grade: String,
    pub service: String,
    pub email: Option<String>,
    /// Status of the latest vetting record (kept with each new record, for filtering).
    pub vetting_status: Option<VettingStatus>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
