//! Moving a plan through its statuses: the liaison submits a draft, a
//! program officer approves or returns it, and a plan goes back to draft by
//! reopening. Submission and approval hold the priority-A lines to each
//! program's allocation.
use super::*;

use crate::{
    domain::{money::Cents, role::Role},
    mail::{self, templates::PlanStatusChanged},
    services::nominations::role_emails,
};

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReturnRequest {
    /// Why the plan goes back to the country; shown on the plan and emailed.
    #[validate(
        length(max = 4000),
        custom(function = "crate::domain::text::non_blank")
    )]
    pub reason: String,
}

/// Submits a draft for approval, with the class-priced lines at today's
/// estimates; 409 `over_ceiling` when its A lines exceed an allocation.
pub async fn submit(state: &Context, caller: &Actor, id: i32) -> AppResult<PlanView> {
    let txn = state.begin().await?;
    let plan = find_visible(&txn, caller, id).await?;
    let to = allowed(caller, &plan, PlanAction::Submit)?;
    let now = state.clock.now();
    let after = guarded_update(&txn, state, &plan, to, |u| {
        u.col_expr(training_plan::Column::SubmittedAt, Expr::value(now))
            .col_expr(
                training_plan::Column::ReturnReason,
                Expr::value(Option::<String>::None),
            )
    })
    .await?;
    reprice_class_lines(&txn, state, &after).await?;
    within_ceilings(&txn, &after).await?;
    finish(&txn, state, caller, PlanAction::Submit, &plan, &after, None).await?;
    let view = view(&txn, after).await?;
    state.commit(txn).await?;
    Ok(view)
}

/// Approves a submitted plan whose A lines fit each program's allocation.
pub async fn approve(state: &Context, caller: &Actor, id: i32) -> AppResult<PlanView> {
    decide(state, caller, id, PlanAction::Approve, None).await
}

/// Returns a submitted plan to the country with a reason.
pub async fn return_plan(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: ReturnRequest,
) -> AppResult<PlanView> {
    decide(
        state,
        caller,
        id,
        PlanAction::Return,
        Some(request.reason.trim().to_owned()),
    )
    .await
}

/// Takes an approved plan (an officer) or a returned one (its drafters)
/// back to draft.
pub async fn reopen(state: &Context, caller: &Actor, id: i32) -> AppResult<PlanView> {
    let txn = state.begin().await?;
    let plan = find_visible(&txn, caller, id).await?;
    let to = allowed(caller, &plan, PlanAction::Reopen)?;
    let after = guarded_update(&txn, state, &plan, to, |u| u).await?;
    finish(&txn, state, caller, PlanAction::Reopen, &plan, &after, None).await?;
    let view = view(&txn, after).await?;
    state.commit(txn).await?;
    Ok(view)
}

async fn decide(
    state: &Context,
    caller: &Actor,
    id: i32,
    action: PlanAction,
    reason: Option<String>,
) -> AppResult<PlanView> {
    let txn = state.begin().await?;
    let plan = find_visible(&txn, caller, id).await?;
    let to = allowed(caller, &plan, action)?;
    let now = state.clock.now();
    let stored_reason = reason.clone();
    let after = guarded_update(&txn, state, &plan, to, |u| {
        u.col_expr(training_plan::Column::DecidedAt, Expr::value(now))
            .col_expr(training_plan::Column::DecidedBy, Expr::value(caller.id))
            .col_expr(
                training_plan::Column::ReturnReason,
                Expr::value(stored_reason),
            )
    })
    .await?;
    if action == PlanAction::Approve {
        within_ceilings(&txn, &after).await?;
    }
    finish(&txn, state, caller, action, &plan, &after, reason).await?;
    let view = view(&txn, after).await?;
    state.commit(txn).await?;
    Ok(view)
}

/// 409 `over_ceiling` naming the first program whose A lines exceed its
/// allocation for the plan's FY, with the excess (and every such program).
async fn within_ceilings<C: ConnectionTrait>(db: &C, plan: &training_plan::Model) -> AppResult<()> {
    let figures = PlanLines::load(db, plan.id).await?.figures()?;
    let allocated = ceilings_of(db, plan).await?;
    let over = plan::excesses(&figures, |p| allocated.get(&p).copied());
    let Some(first) = over.first() else {
        return Ok(());
    };
    let detail = over
        .iter()
        .map(|e| {
            format!(
                "{} priority A totals {}, {} over its FY{} allocation of {}",
                e.program,
                Cents(e.a_total_cents),
                Cents(e.excess_cents),
                plan.fiscal_year,
                Cents(e.ceiling_cents)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(AppError::Conflict {
        code: ConflictCode::OverCeiling,
        detail: format!("{detail}."),
        extra: Some(json!({
            "program": first.program,
            "excess_cents": first.excess_cents,
            "over": over.iter().map(|e| json!({
                "program": e.program,
                "a_total_cents": e.a_total_cents,
                "allocated_cents": e.ceiling_cents,
                "excess_cents": e.excess_cents,
            })).collect::<Vec<_>>(),
        })),
    })
}

/// Prices the lines naming a class at the class's estimate today (tuition
/// or allowance may have changed since the line was written).
async fn reprice_class_lines<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    plan: &training_plan::Model,
) -> AppResult<()> {
    let loaded = PlanLines::load(db, plan.id).await?;
    for line in &loaded.lines {
        let Some(class) = line.offering_id.and_then(|o| loaded.classes.get(&o)) else {
            continue;
        };
        let unit = lines::class_unit_cost(db, plan, class).await?;
        if unit != line.unit_cost_cents {
            plan_line::Entity::update_many()
                .col_expr(plan_line::Column::UnitCostCents, Expr::value(unit))
                .col_expr(plan_line::Column::UpdatedAt, Expr::value(state.clock.now()))
                .filter(plan_line::Column::Id.eq(line.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Audits the change and emails who must act or know: the program officers
/// of a submission, the country's liaisons of the rest.
async fn finish<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    caller: &Actor,
    action: PlanAction,
    before: &training_plan::Model,
    after: &training_plan::Model,
    reason: Option<String>,
) -> AppResult<()> {
    record(
        db,
        caller,
        &format!("training_plan.{}", action.as_str()),
        after.id,
        Some(plan_snapshot(before)),
        Some(plan_snapshot(after)),
    )
    .await?;
    let recipients = match action {
        PlanAction::Submit => role_emails(db, Role::ProgramOfficer, None).await?,
        _ => role_emails(db, Role::CountryLiaison, Some(&after.country_code)).await?,
    };
    let figures = PlanLines::load(db, after.id).await?.figures()?;
    let share = plan::pme_share(&figures);
    let country = crate::services::countries::find(db, &after.country_code).await?;
    let email = PlanStatusChanged {
        plan_id: after.id,
        country: format!("{} ({})", country.name, country.code),
        fiscal_year: after.fiscal_year,
        action: action.past_tense(),
        status: after.status.label(),
        reason,
        a_total: Cents(share.a_total_cents).to_string(),
        pme_share: share.text,
    };
    mail::enqueue(db, &state.config, recipients, &email).await?;
    Ok(())
}
