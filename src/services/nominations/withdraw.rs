//! Withdrawal (by the liaison, or when a class is cancelled) and the waitlist's promotion.
use super::*;

/// Withdraws an active nomination, with a reason. An approved one frees its
/// seat (promoting the head of the waitlist) and releases its commitment,
/// except the late-cancellation penalty of a liaison's late withdrawal.
pub async fn withdraw(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: ReasonRequest,
) -> AppResult<NominationDetail> {
    let cause = if caller.role.is_staff() {
        WithdrawalCause::Program
    } else {
        WithdrawalCause::Liaison
    };
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let txn = state.begin().await?;
    withdraw_in(
        &txn,
        state,
        &n,
        &facts,
        cause,
        request.reason.trim(),
        Some(caller.id),
    )
    .await?;
    finish(state, txn, id).await
}

pub(super) async fn withdraw_in(
    txn: &DatabaseTransaction,
    state: &Context,
    n: &nomination::Model,
    facts: &Facts,
    cause: WithdrawalCause,
    reason: &str,
    actor: Option<i32>,
) -> AppResult<()> {
    let (from, to) = next_status(n, Action::Withdraw)?;
    let today = state.clock.today();
    let held_seat =
        from == Status::Approved || n.held_from == Some(Status::Approved) && from == Status::OnHold;
    let mut promoted = None;
    if held_seat {
        free_seat(txn, n.offering_id).await?;
        // The class has not started: the freed seat goes to the waitlist.
        if facts.offering.start_date > today && cause != WithdrawalCause::Cancellation {
            promoted = promote_head(txn, state, n.offering_id, actor).await?;
        }
    }
    let penalty = withdrawal_penalty(Withdrawal {
        cause,
        was_approved: from == Status::Approved,
        start_date: facts.offering.start_date,
        today,
        promoted_waitlisted: promoted.is_some(),
        tuition_cents: facts.offering.tuition_cents,
    })
    .clamp(0, n.committed_cents);
    let release = n.committed_cents - penalty;
    let withdrawn = apply(
        txn,
        state,
        StatusChange {
            nomination: n,
            action: Action::Withdraw,
            to,
            actor,
            detail: Some(format!("{} ({})", reason, cause.as_str())),
        },
        |u| {
            u.col_expr(nomination::Column::Reason, Expr::value(reason))
                .col_expr(
                    nomination::Column::WithdrawalCause,
                    Expr::value(cause.as_str()),
                )
                .col_expr(nomination::Column::PenaltyCents, Expr::value(penalty))
                .col_expr(nomination::Column::CommittedCents, Expr::value(penalty))
                .col_expr(
                    nomination::Column::HeldFrom,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    nomination::Column::DecidedAt,
                    Expr::value(state.clock.now()),
                )
        },
    )
    .await?;
    if release > 0 {
        let key = allocation_key(&withdrawn)?;
        allocations::release(txn, &key, release).await?;
        allocations::after_change(txn, &state.config, &key).await?;
    }
    let mut recipients = liaison_emails(txn, &n.country_code).await?;
    recipients.extend(officer_emails(txn).await?);
    let email = NominationWithdrawn {
        n: facts.facts_for_mail(n.id),
        cause: match cause {
            WithdrawalCause::Liaison => "by the country liaison",
            WithdrawalCause::Program => "by the program office",
            WithdrawalCause::Suspension => "the class started while the country was suspended",
            WithdrawalCause::Cancellation => "the class was cancelled",
        }
        .to_owned(),
        reason: reason.to_owned(),
        penalty: (penalty > 0).then(|| Cents(penalty).to_string()),
    };
    mail::enqueue(txn, &state.config, recipients, &email).await
}

/// Moves the head of an offering's waitlist (priority, then submission
/// time; not on hold) back to `submitted` and tells its liaison and the
/// officers. Returns the promoted nomination's id.
pub async fn promote_head(
    txn: &DatabaseTransaction,
    state: &Context,
    offering_id: i32,
    actor: Option<i32>,
) -> AppResult<Option<i32>> {
    let waitlisted = nomination::Entity::find()
        .filter(nomination::Column::OfferingId.eq(offering_id))
        .filter(nomination::Column::Status.eq(Status::Waitlisted.as_str()))
        .all(txn)
        .await?;
    let mut head = None;
    for n in waitlisted {
        let key = waitlist_key(n.priority, n.submitted_at, n.id);
        if head.as_ref().is_none_or(|(best, _)| key < *best) {
            head = Some((key, n));
        }
    }
    let Some((_, head)) = head else {
        return Ok(None);
    };
    let promoted = apply(
        txn,
        state,
        StatusChange {
            nomination: &head,
            action: Action::Promote,
            to: Status::Submitted,
            actor,
            detail: Some("a seat freed".into()),
        },
        |u| u,
    )
    .await?;
    let student = student_of(txn, &promoted).await?;
    let facts = Facts::load(txn, student, find_offering(txn, offering_id).await?, None).await?;
    let mut recipients = liaison_emails(txn, &promoted.country_code).await?;
    recipients.extend(officer_emails(txn).await?);
    mail::enqueue(
        txn,
        &state.config,
        recipients,
        &WaitlistPromoted {
            n: facts.facts_for_mail(promoted.id),
        },
    )
    .await?;
    Ok(Some(promoted.id))
}

/// Withdraws every active nomination of a cancelled offering, with full
/// release and no penalty; runs in the cancellation's transaction. It locks
/// them all (in id order) before it frees their seats and money, so it takes
/// its locks in an approval's order: nomination, class, allocation.
pub async fn withdraw_for_cancellation(
    txn: &DatabaseTransaction,
    state: &Context,
    offering_id: i32,
    actor: &Actor,
) -> AppResult<usize> {
    let active = nomination::Entity::find()
        .filter(nomination::Column::OfferingId.eq(offering_id))
        .filter(nomination::Column::Status.is_in(active_statuses()))
        .order_by_asc(nomination::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?;
    let count = active.len();
    let offering = find_offering(txn, offering_id).await?;
    for n in active {
        let student = student_of(txn, &n).await?;
        let facts = Facts::load(txn, student, offering.clone(), Some(n.id)).await?;
        withdraw_in(
            txn,
            state,
            &n,
            &facts,
            WithdrawalCause::Cancellation,
            "the class was cancelled",
            Some(actor.id),
        )
        .await?;
    }
    Ok(count)
}

/// Whether an offering has nominations whose money is committed in its
/// fiscal year (approved, on hold from approved, or completed).
pub async fn has_commitments<C: ConnectionTrait>(db: &C, offering_id: i32) -> AppResult<bool> {
    Ok(nomination::Entity::find()
        .filter(nomination::Column::OfferingId.eq(offering_id))
        .filter(nomination::Column::CommittedCents.gt(0))
        .one(db)
        .await?
        .is_some())
}
