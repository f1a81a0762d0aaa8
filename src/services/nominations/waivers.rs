//! Waivers of unmet checks, granted by officers with a justification.
use super::*;

/// Grants a waiver (program officer or admin). A `country_eligible` waiver
/// is for a draft or on-hold nomination, and releases an on-hold one at once.
pub async fn waive(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: WaiverRequest,
) -> AppResult<NominationDetail> {
    let owned = state.begin().await?;
    let txn = &owned;
    let (n, facts) = load_for_action(txn, caller, id).await?;
    let status = n.status;
    if !request.check.waivable_on(status) {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "A {} waiver cannot be granted on a {} nomination.",
                request.check,
                status.as_str()
            ),
        ));
    }
    if facts.waived(request.check) {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!(
                "The {} check of nomination {id} is already waived.",
                request.check
            ),
        ));
    }
    let granted = waiver::ActiveModel {
        nomination_id: Set(n.id),
        check_name: Set(request.check),
        justification: Set(request.justification.trim().to_owned()),
        granted_by: Set(caller.id),
        granted_at: Set(state.clock.now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        Change::new(Some(caller.id), "nomination.waiver", "nomination", n.id).after(snapshot(
            &json!({"check": request.check, "justification": request.justification.trim()}),
        )),
    )
    .await?;
    let mut facts = facts;
    facts.waivers.push(WaiverView {
        id: granted.id,
        check: request.check,
        justification: granted.justification,
        granted_by: granted.granted_by,
        granted_at: granted.granted_at,
    });
    let program: Program = n.program;
    let today = state.clock.today();
    let checks = run_checks(txn, state, &facts, program, today).await?;
    let now = state.clock.now();
    nomination::Entity::update_many()
        .col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
        .col_expr(nomination::Column::ChecksAt, Expr::value(now))
        .filter(nomination::Column::Id.eq(n.id))
        .exec(txn)
        .await?;
    if request.check == CheckName::CountryEligible && status == Status::OnHold {
        release_hold(
            txn,
            state,
            &n,
            Some(caller.id),
            "national-security exception",
        )
        .await?;
    }
    finish(state, owned, id).await
}
