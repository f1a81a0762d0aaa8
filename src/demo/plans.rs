//! Demo training plans, drafted by the demo liaisons and decided by the
//! officer: Pakistan's for the fiscal year of its next engineer class,
//! approved, with a nomination filling one line; Pakistan's for the year
//! after, a draft whose FMF priority A lines exceed the allocation;
//! Jordan's, returned with a reason; the Philippines', awaiting a decision.
use chrono::NaiveDate;
use sea_orm::EntityTrait;

use crate::{
    domain::{fiscal_year::fiscal_year, nomination::Priority, program::Program},
    entities::offering,
    error::{AppError, AppResult},
    services::Context,
    services::{
        nominations::{self, NewNomination},
        plans::{self, NewLine, NewPlan, ReturnRequest},
    },
};

use super::nominations::{caller, next_class};

/// A line of a course: for one class of it, or at an entered cost per student.
fn line(
    masl_id: &str,
    offering_id: Option<i32>,
    quantity: i32,
    priority: Priority,
    program: Program,
    unit_cost_dollars: Option<i64>,
) -> NewLine {
    NewLine {
        masl_id: masl_id.into(),
        offering_id,
        quantity,
        priority,
        program,
        unit_cost_cents: unit_cost_dollars.map(|d| d * 100),
    }
}

/// `students` are the demo students' ids in the order of `people::STUDENTS`.
pub async fn seed(state: &Context, students: &[i32], today: NaiveDate) -> AppResult<()> {
    use {Priority::*, Program::*};
    let officer = caller(state, "officer@imet.example").await?;
    let pk = caller(state, "liaison.pk@imet.example").await?;
    let jo = caller(state, "liaison.jo@imet.example").await?;
    let ph = caller(state, "liaison.ph@imet.example").await?;
    let Some(&raza) = students.first() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "unexpected demo students"
        )));
    };
    let engineers = next_class(state, "B151027", today).await?;
    let start = offering::Entity::find_by_id(engineers)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("the engineer class"))?
        .start_date;
    let fy = fiscal_year(start);
    let new_plan = |country: &str, fiscal_year| NewPlan {
        country_code: country.into(),
        fiscal_year,
    };
    // Pakistan: approved, and a student nominated on the engineer line.
    let plan = plans::create(state, &pk, new_plan("PK", fy)).await?;
    let engineer_line = plans::add_line(
        state,
        &pk,
        plan.id,
        line("B151027", Some(engineers), 2, A, Imet, None),
    )
    .await?;
    for new in [
        line("B171807", None, 1, A, Imet, Some(95_000)),
        line("B309027", None, 2, B, Imet, Some(40_000)),
    ] {
        plans::add_line(state, &pk, plan.id, new).await?;
    }
    plans::submit(state, &pk, plan.id).await?;
    plans::approve(state, &officer, plan.id).await?;
    let nomination = NewNomination {
        student_id: raza,
        offering_id: engineers,
        program: None,
        priority: None,
        plan_line_id: Some(engineer_line.id),
        submit: true,
    };
    nominations::create(state, &pk, nomination).await?;

    // Pakistan's next year: a draft, its FMF priority A lines over the allocation.
    let draft = plans::create(state, &pk, new_plan("PK", fy + 1)).await?;
    for new in [
        line("B172001", None, 20, A, Fmf, Some(150_000)),
        line("B171850", None, 4, B, Imet, Some(20_000)),
    ] {
        plans::add_line(state, &pk, draft.id, new).await?;
    }

    // Jordan: returned, with the reason.
    let returned = plans::create(state, &jo, new_plan("JO", fy)).await?;
    plans::add_line(
        state,
        &jo,
        returned.id,
        line("B162520", None, 3, A, Imet, Some(35_000)),
    )
    .await?;
    plans::submit(state, &jo, returned.id).await?;
    let reason = "Professional military education is below half of the priority A \
                  lines: add the staff college (B171807), or explain why not this year.";
    plans::return_plan(
        state,
        &officer,
        returned.id,
        ReturnRequest {
            reason: reason.into(),
        },
    )
    .await?;

    // The Philippines: submitted, awaiting a decision.
    let submitted = plans::create(state, &ph, new_plan("PH", fy)).await?;
    plans::add_line(
        state,
        &ph,
        submitted.id,
        line("B171850", None, 2, A, Imet, Some(18_000)),
    )
    .await?;
    plans::submit(state, &ph, submitted.id).await?;
    Ok(())
}
