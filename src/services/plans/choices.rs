//! The plan lines a nomination may name: the lines of the approved plans
//! the caller sees (a liaison their own country's), read in one query.
use sea_orm::{FromQueryResult, JoinType, QuerySelect, RelationDef};

use super::*;

/// A line of an approved plan, as a nominate form offers it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct LineChoice {
    pub line_id: i32,
    pub plan_id: i32,
    pub country_code: String,
    pub fiscal_year: i32,
    pub masl_id: String,
    pub course_title: String,
    pub offering_id: Option<i32>,
    pub priority: Priority,
    pub program: Program,
    pub quantity: i32,
    /// Nominations filling the line (active or completed).
    pub taken: i32,
}

/// Every line of the approved plans `caller` sees, by country, the latest
/// fiscal year first, then in line order.
pub async fn approved_lines<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
) -> AppResult<Vec<LineChoice>> {
    let of_plan: RelationDef = plan_line::Entity::belongs_to(training_plan::Entity)
        .from(plan_line::Column::PlanId)
        .to(training_plan::Column::Id)
        .into();
    let of_course: RelationDef = plan_line::Entity::belongs_to(course::Entity)
        .from(plan_line::Column::CourseId)
        .to(course::Column::Id)
        .into();
    let mut query = plan_line::Entity::find()
        .select_only()
        .column_as(plan_line::Column::Id, "line_id")
        .column(plan_line::Column::PlanId)
        .column(training_plan::Column::CountryCode)
        .column(training_plan::Column::FiscalYear)
        .column(course::Column::MaslId)
        .column_as(course::Column::Title, "course_title")
        .column(plan_line::Column::OfferingId)
        .column(plan_line::Column::Priority)
        .column(plan_line::Column::Program)
        .column(plan_line::Column::Quantity)
        .column(plan_line::Column::Taken)
        .join(JoinType::InnerJoin, of_plan)
        .join(JoinType::InnerJoin, of_course)
        .filter(training_plan::Column::Status.eq(PlanStatus::Approved))
        .order_by_asc(training_plan::Column::CountryCode)
        .order_by_desc(training_plan::Column::FiscalYear)
        .order_by_asc(plan_line::Column::Id);
    if let Some(code) = caller.country_scope() {
        query = query.filter(training_plan::Column::CountryCode.eq(code));
    }
    Ok(query.into_model::<LineChoice>().all(db).await?)
}
