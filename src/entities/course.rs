use sea_orm::entity::prelude::*;

use crate::domain::course::Category;

/// A catalog entry. `audience` holds the audience names joined with `;` in
/// a fixed order; the OPI minimum is both levels or neither.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub masl_id: String,
    pub title: String,
    pub school: String,
    pub location: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub category: Category,
    pub ecl_min: Option<i32>,
    pub opi_min_listening: Option<String>,
    pub opi_min_speaking: Option<String>,
    pub e_imet: bool,
    pub audience: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
