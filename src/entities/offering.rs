use sea_orm::entity::prelude::*;

use crate::domain::offering_status::OfferingStatus;

/// A class of a course. `seats_taken` is changed only by conditional updates
/// (`… WHERE seats_taken < seats`), never read-modify-written.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offerings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub course_id: i32,
    pub start_date: Date,
    pub end_date: Date,
    pub seats: i32,
    pub seats_taken: i32,
    pub tuition_cents: i64,
    pub living_allowance_per_day_cents: i64,
    pub status: OfferingStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::course::Entity",
        from = "Column::CourseId",
        to = "super::course::Column::Id"
    )]
    Course,
}

impl Related<super::course::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Course.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
