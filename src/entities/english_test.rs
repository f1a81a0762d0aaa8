use sea_orm::entity::prelude::*;

/// An English test result: `ECL` (score) or `OPI` (listening, speaking ILR levels).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "english_tests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub student_id: i32,
    pub kind: String,
    pub score: Option<i32>,
    pub listening: Option<String>,
    pub speaking: Option<String>,
    pub taken_on: Date,
    pub recorded_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
