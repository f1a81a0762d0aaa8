use sea_orm::entity::prelude::*;

/// An edge of the prerequisite graph: `course_id` requires `prerequisite_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course_prerequisites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub prerequisite_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The course that must be completed first.
    #[sea_orm(
        belongs_to = "super::course::Entity",
        from = "Column::PrerequisiteId",
        to = "super::course::Column::Id"
    )]
    Prerequisite,
}

impl ActiveModelBehavior for ActiveModel {}
