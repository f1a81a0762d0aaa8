//! Guarded status changes with their history and audit records; seats and the allocation key.
use super::*;

use crate::{
    domain::{plan::fills_line, travel_order},
    services::plans,
};

/// The status `action` leads to from the nomination's own; 409
/// `invalid_transition` when the state machine forbids it.
pub(super) fn next_status(n: &nomination::Model, action: Action) -> AppResult<(Status, Status)> {
    let from: Status = n.status;
    transition(from, action, None)
        .map(|to| (from, to))
        .ok_or_else(|| invalid(from, action))
}

pub(super) fn invalid(status: Status, action: Action) -> AppError {
    AppError::conflict(
        ConflictCode::InvalidTransition,
        format!(
            "A {} nomination cannot be {}.",
            status.as_str(),
            past_tense(action)
        ),
    )
}

pub(super) fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Submit => "submitted",
        Action::Approve => "approved",
        Action::Reject => "rejected",
        Action::Waitlist => "waitlisted",
        Action::Promote => "promoted",
        Action::Withdraw => "withdrawn",
        Action::Complete => "completed",
        Action::Hold => "put on hold",
        Action::Release => "released",
    }
}

/// One status change, guarded: the row changes only if it still has the
/// status it was read with (so two concurrent decisions cannot both win),
/// and the history and audit log record it. A change that ends travel
/// (withdrawal, rejection, hold) revokes the travel order in force.
pub(super) struct StatusChange<'a> {
    pub(super) nomination: &'a nomination::Model,
    pub(super) action: Action,
    pub(super) to: Status,
    pub(super) actor: Option<i32>,
    pub(super) detail: Option<String>,
}

pub(super) async fn apply<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    change: StatusChange<'_>,
    extra: impl FnOnce(
        sea_orm::UpdateMany<nomination::Entity>,
    ) -> sea_orm::UpdateMany<nomination::Entity>,
) -> AppResult<nomination::Model> {
    Ok(apply_returning(db, state, change, extra).await?.0)
}

/// [`apply`], answering the history entry it wrote too.
pub(super) async fn apply_returning<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    change: StatusChange<'_>,
    extra: impl FnOnce(
        sea_orm::UpdateMany<nomination::Entity>,
    ) -> sea_orm::UpdateMany<nomination::Entity>,
) -> AppResult<(nomination::Model, EventView)> {
    let n = change.nomination;
    let now = Utc::now();
    let update = nomination::Entity::update_many()
        .col_expr(nomination::Column::Status, Expr::value(change.to.as_str()))
        .col_expr(nomination::Column::UpdatedAt, Expr::value(now))
        .filter(nomination::Column::Id.eq(n.id))
        .filter(nomination::Column::Status.eq(n.status));
    // The guarded update answers the changed row itself (RETURNING).
    let Some(after) = extra(update).exec_with_returning(db).await?.pop() else {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Nomination {} changed meanwhile; reload it and try again.",
                n.id
            ),
        ));
    };
    let event = nomination_event::ActiveModel {
        nomination_id: Set(n.id),
        actor_id: Set(change.actor),
        action: Set(change.action.as_str().to_owned()),
        from_status: Set(Some(n.status)),
        to_status: Set(change.to),
        detail: Set(change.detail),
        at: Set(now),
        ..Default::default()
    };
    let event = EventView::from(event.insert(db).await?);
    audit::record(
        db,
        Change::new(
            change.actor,
            &format!("nomination.{}", change.action.as_str()),
            "nomination",
            n.id,
        )
        .before(snapshot(
            &json!({"status": n.status, "committed_cents": n.committed_cents}),
        ))
        .after(snapshot(
            &json!({"status": after.status, "committed_cents": after.committed_cents}),
        )),
    )
    .await?;
    if let Some(line) = n.plan_line_id
        && fills_line(n.status)
        && !fills_line(change.to)
    {
        plans::release_line(db, line).await?;
    }
    if travel_order::revoked_by(change.to) {
        let reason = match &event.detail {
            Some(detail) => format!("nomination {}: {detail}", past_tense(change.action)),
            None => format!("nomination {}", past_tense(change.action)),
        };
        revoke_in_force(db, state, n, &reason, change.actor).await?;
    }
    Ok((after, event))
}

/// Commits the action's transaction, wakes the mail worker and answers the
/// nomination as GET shows it, read after the commit so that no lock is held
/// while it is read.
pub(super) async fn finish(
    state: &Context,
    txn: db::WriteTxn,
    id: i32,
) -> AppResult<NominationDetail> {
    state.commit(txn).await?;
    let n = nomination::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Nomination"))?;
    detail(&state.db, n).await
}

pub(super) fn allocation_key(n: &nomination::Model) -> AppResult<AllocationKey> {
    Ok(AllocationKey {
        country_code: n.country_code.clone(),
        program: n.program,
        fiscal_year: n.fiscal_year,
    })
}

/// Takes one seat, atomically; 409 `no_seats` when the class is full.
pub(super) async fn take_seat<C: ConnectionTrait>(
    db: &C,
    offering: &offering::Model,
) -> AppResult<()> {
    let taken = offering::Entity::update_many()
        .col_expr(
            offering::Column::SeatsTaken,
            Expr::col(offering::Column::SeatsTaken).add(1),
        )
        .filter(offering::Column::Id.eq(offering.id))
        .filter(Expr::col(offering::Column::SeatsTaken).lt(Expr::col(offering::Column::Seats)))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(AppError::conflict(
            ConflictCode::NoSeats,
            format!(
                "All {} seats of offering {} are taken.",
                offering.seats, offering.id
            ),
        ));
    }
    Ok(())
}

pub(super) async fn free_seat<C: ConnectionTrait>(db: &C, offering_id: i32) -> AppResult<()> {
    offering::Entity::update_many()
        .col_expr(
            offering::Column::SeatsTaken,
            Expr::col(offering::Column::SeatsTaken).sub(1),
        )
        .filter(offering::Column::Id.eq(offering_id))
        .filter(offering::Column::SeatsTaken.gt(0))
        .exec(db)
        .await?;
    Ok(())
}
