//! Nominations filling plan lines: a nomination naming a line takes one of
//! its places by a conditional update (so concurrent nominations never
//! over-fill it, on either database), and gives it back when it is
//! withdrawn or rejected.
use super::*;

use sea_orm::sea_query::ExprTrait;

use crate::domain::plan::{LineTerms, NominationTerms, line_admits};

/// A plan line with its plan.
pub struct PlannedLine {
    pub line: plan_line::Model,
    pub plan: training_plan::Model,
}

/// The line `id`, with its plan; 422 naming `plan_line_id` when there is
/// none.
pub async fn find_line<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<PlannedLine> {
    let missing = || AppError::field("plan_line_id", format!("no plan line {id}"));
    let line = plan_line::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let plan = training_plan::Entity::find_by_id(line.plan_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    Ok(PlannedLine { line, plan })
}

/// Takes one place of the line for a new nomination of `terms`: 422 naming
/// `plan_line_id` when the line doesn't admit it, 409 `line_full` when
/// every place is taken.
pub async fn take_line<C: ConnectionTrait>(
    db: &C,
    planned: &PlannedLine,
    terms: NominationTerms<'_>,
) -> AppResult<()> {
    let PlannedLine { line, plan } = planned;
    let line_terms = LineTerms {
        plan_status: plan.status,
        country_code: &plan.country_code,
        fiscal_year: plan.fiscal_year,
        course_id: line.course_id,
        offering_id: line.offering_id,
        program: line.program,
    };
    line_admits(line_terms, terms)
        .map_err(|why| AppError::field("plan_line_id", format!("plan line {} {why}", line.id)))?;
    let taken = plan_line::Entity::update_many()
        .col_expr(
            plan_line::Column::Taken,
            Expr::col(plan_line::Column::Taken).add(1),
        )
        .filter(plan_line::Column::Id.eq(line.id))
        .filter(Expr::col(plan_line::Column::Taken).lt(Expr::col(plan_line::Column::Quantity)))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(AppError::Conflict {
            code: ConflictCode::LineFull,
            detail: format!(
                "All {} places of plan line {} are taken.",
                line.quantity, line.id
            ),
            extra: Some(json!({"plan_line_id": line.id, "quantity": line.quantity})),
        });
    }
    Ok(())
}

/// Gives back the place a nomination held on its line.
pub async fn release_line<C: ConnectionTrait>(db: &C, line_id: i32) -> AppResult<()> {
    plan_line::Entity::update_many()
        .col_expr(
            plan_line::Column::Taken,
            Expr::col(plan_line::Column::Taken).sub(1),
        )
        .filter(plan_line::Column::Id.eq(line_id))
        .filter(plan_line::Column::Taken.gt(0))
        .exec(db)
        .await?;
    Ok(())
}
