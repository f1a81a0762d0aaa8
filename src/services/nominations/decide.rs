//! Submission and the officer's decisions: approve, reject, waitlist, complete.
use super::*;

/// Submits a draft (its liaison, or an admin).
pub async fn submit(state: &Context, caller: &Actor, id: i32) -> AppResult<NominationDetail> {
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let (_, to) = next_status(&n, Action::Submit)?;
    let program: Program = n.program;
    let today = state.clock.today();
    submission_blockers(&facts, program, today)?;
    let checks = run_checks(&state.db, state, &facts, program, today).await?;
    let cost = facts.cost()?;
    let email = submitted_email(&state.db, state, &facts, n.id, n.priority, cost).await?;
    let now = state.clock.now();
    let txn = state.begin().await?;
    apply(
        &txn,
        state,
        StatusChange {
            nomination: &n,
            action: Action::Submit,
            to,
            actor: Some(caller.id),
            detail: None,
        },
        |u| {
            u.col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
                .col_expr(nomination::Column::ChecksAt, Expr::value(now))
                .col_expr(nomination::Column::SubmittedAt, Expr::value(now))
                .col_expr(nomination::Column::EstimatedCostCents, Expr::value(cost))
        },
    )
    .await?;
    email.write(&txn).await?;
    finish(state, txn, id).await
}

/// Approves a submitted nomination. Its facts are read and its checks run
/// before any lock is taken, and its emails rendered; then ONE short
/// transaction makes the guarded status change, writes the history, audit
/// and outbox rows, and last takes a seat (409 `no_seats`) and commits the
/// cost (409 `insufficient_funds`) with conditional updates of the two hot
/// rows, right before COMMIT. The answer is built from what is in hand.
pub async fn approve(state: &Context, caller: &Actor, id: i32) -> AppResult<NominationDetail> {
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let (_, to) = next_status(&n, Action::Approve)?;
    let program: Program = n.program;
    let today = state.clock.today();
    let checks = run_checks(&state.db, state, &facts, program, today).await?;
    let unmet = unmet_for_approval(&checks);
    if !unmet.is_empty() {
        return refuse_unmet(state, &n, checks, &unmet).await;
    }
    let cost = facts.cost()?;
    let email = decision_email(&state.db, state, &facts, &n, "approved", None).await?;
    let mut history = events_of(&state.db, n.id).await?;

    let now = state.clock.now();
    let txn = state.begin().await?;
    let (approved, event) = apply_returning(
        &txn,
        state,
        StatusChange {
            nomination: &n,
            action: Action::Approve,
            to,
            actor: Some(caller.id),
            detail: None,
        },
        |u| {
            u.col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
                .col_expr(nomination::Column::ChecksAt, Expr::value(now))
                .col_expr(nomination::Column::DecidedAt, Expr::value(now))
                .col_expr(nomination::Column::EstimatedCostCents, Expr::value(cost))
                .col_expr(nomination::Column::CommittedCents, Expr::value(cost))
        },
    )
    .await?;
    email.write(&txn).await?;
    take_seat(&txn, &facts.offering).await?;
    let key = allocation_key(&approved)?;
    let allocation =
        allocations::commit(&txn, &key, cost, facts.waived(CheckName::CountryEligible)).await?;
    allocations::alert_if_crossed(&txn, &state.config, &key, &allocation).await?;
    state.commit(txn).await?;

    history.push(event);
    let course = (facts.course.masl_id.as_str(), facts.course.title.as_str());
    Ok(NominationDetail {
        nomination: view_with(approved, &facts.student, &facts.offering, course)?,
        waivers: facts.waivers,
        history,
    })
}

/// Rejects a submitted nomination, with a reason.
pub async fn reject(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: ReasonRequest,
) -> AppResult<NominationDetail> {
    decide(
        state,
        caller,
        id,
        Action::Reject,
        Some(request.reason.trim().to_owned()),
    )
    .await
}

/// Puts a submitted nomination on the waitlist.
pub async fn waitlist(state: &Context, caller: &Actor, id: i32) -> AppResult<NominationDetail> {
    decide(state, caller, id, Action::Waitlist, None).await
}

pub(super) async fn decide(
    state: &Context,
    caller: &Actor,
    id: i32,
    action: Action,
    reason: Option<String>,
) -> AppResult<NominationDetail> {
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let (_, to) = next_status(&n, action)?;
    let email = decision_email(
        &state.db,
        state,
        &facts,
        &n,
        past_tense(action),
        reason.clone(),
    )
    .await?;
    let now = state.clock.now();
    let stored_reason = reason.clone();
    let txn = state.begin().await?;
    apply(
        &txn,
        state,
        StatusChange {
            nomination: &n,
            action,
            to,
            actor: Some(caller.id),
            detail: reason,
        },
        |u| {
            u.col_expr(nomination::Column::DecidedAt, Expr::value(now))
                .col_expr(nomination::Column::Reason, Expr::value(stored_reason))
        },
    )
    .await?;
    email.write(&txn).await?;
    finish(state, txn, id).await
}

/// Marks an approved nomination completed, after the class's end date; it
/// then counts as prior training.
pub async fn complete(state: &Context, caller: &Actor, id: i32) -> AppResult<NominationDetail> {
    let owned = state.begin().await?;
    let txn = &owned;
    let (n, facts) = load_for_action(txn, caller, id).await?;
    let (_, to) = next_status(&n, Action::Complete)?;
    let today = state.clock.today();
    if today <= facts.offering.end_date {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "The class ends on {}; it can be completed after that.",
                facts.offering.end_date
            ),
        ));
    }
    apply(
        txn,
        state,
        StatusChange {
            nomination: &n,
            action: Action::Complete,
            to,
            actor: Some(caller.id),
            detail: None,
        },
        |u| u,
    )
    .await?;
    finish(state, owned, id).await
}
