//! Suspensions put nominations on hold and release them; holds whose class started are withdrawn.
use super::*;

/// Returns an on-hold nomination to the status it was held from.
pub(super) async fn release_hold<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    n: &nomination::Model,
    actor: Option<i32>,
    why: &str,
) -> AppResult<Status> {
    let from = n.status;
    let to = transition(from, Action::Release, n.held_from)
        .ok_or_else(|| invalid(from, Action::Release))?;
    apply(
        db,
        state,
        StatusChange {
            nomination: n,
            action: Action::Release,
            to,
            actor,
            detail: Some(why.to_owned()),
        },
        |u| {
            u.col_expr(
                nomination::Column::HeldFrom,
                Expr::value(Option::<String>::None),
            )
        },
    )
    .await?;
    Ok(to)
}

/// A nomination whose status a suspension changed, for the emails.
pub use crate::mail::templates::AffectedNomination;

/// Puts on hold the country's submitted, waitlisted and approved nominations
/// that a suspension in effect on `today` blocks (unless waived), revoking
/// their travel orders, and releases on-hold ones nothing blocks any more
/// (a release issues no order again). Idempotent; returns what changed.
pub async fn apply_suspensions(
    txn: &DatabaseTransaction,
    state: &Context,
    country: &str,
    actor: Option<i32>,
    today: NaiveDate,
) -> AppResult<Vec<AffectedNomination>> {
    let history = suspensions::history(txn, country).await?;
    let candidates = nomination::Entity::find()
        .filter(nomination::Column::CountryCode.eq(country))
        .filter(nomination::Column::Status.is_in([
            Status::Submitted.as_str(),
            Status::Waitlisted.as_str(),
            Status::Approved.as_str(),
            Status::OnHold.as_str(),
        ]))
        .order_by_asc(nomination::Column::Id)
        .all(txn)
        .await?;
    let mut affected = Vec::new();
    for n in candidates {
        let offering = find_offering(txn, n.offering_id).await?;
        let course = offering_course(txn, &offering).await?;
        let program: Program = n.program;
        let deps = dependencies(program, course.e_imet);
        let blocked = history
            .iter()
            .any(|s| deps.iter().any(|p| s.terms.blocks(*p, today)));
        let waived = waivers_of(txn, n.id)
            .await?
            .iter()
            .any(|w| w.check == CheckName::CountryEligible);
        let status: Status = n.status;
        let to = if blocked && !waived && status.can_be_held() {
            apply(
                txn,
                state,
                StatusChange {
                    nomination: &n,
                    action: Action::Hold,
                    to: Status::OnHold,
                    actor,
                    detail: Some("suspension in effect".into()),
                },
                |u| u.col_expr(nomination::Column::HeldFrom, Expr::value(status.as_str())),
            )
            .await?;
            Status::OnHold
        } else if status == Status::OnHold && (!blocked || waived) {
            release_hold(txn, state, &n, actor, "suspension lifted").await?
        } else {
            continue;
        };
        let student = student_of(txn, &n).await?;
        affected.push(AffectedNomination {
            id: n.id,
            student: student_name(&student),
            course: format!("{} {}", course.masl_id, course.title),
            start_date: offering.start_date,
            from: status.label().to_owned(),
            to: to.label().to_owned(),
        });
    }
    allocations::refresh_frozen(txn, country, actor, today).await?;
    Ok(affected)
}

/// Withdraws, without penalty, every on-hold nomination whose class has
/// started by `today` (cause `suspension`). Returns how many.
pub async fn withdraw_started_holds(state: &Context, today: NaiveDate) -> AppResult<usize> {
    // Only the held nominations whose class has started, found by the
    // database; each is withdrawn in a short transaction of its own.
    let started: Vec<(
        nomination::Model,
        Option<student::Model>,
        Option<offering::Model>,
    )> = nomination::Entity::find()
        .find_also_related(student::Entity)
        .find_also(nomination::Entity, offering::Entity)
        .filter(nomination::Column::Status.eq(Status::OnHold.as_str()))
        .filter(offering::Column::StartDate.lte(today))
        .all(&state.db)
        .await?;
    let mut count = 0;
    for (n, student, offering) in started {
        let (Some(student), Some(offering)) = (student, offering) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "nomination {} without its student or class",
                n.id
            )));
        };
        let facts = Facts::load(&state.db, student, offering, Some(n.id)).await?;
        let txn = state.begin().await?;
        let withdrawn = withdraw_in(
            &txn,
            state,
            &n,
            &facts,
            WithdrawalCause::Suspension,
            "the class started while the country was suspended",
            None,
        )
        .await;
        match withdrawn {
            Ok(()) => {
                txn.commit().await?;
                count += 1;
            }
            // Changed meanwhile (released, withdrawn): nothing left to do.
            Err(AppError::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    if count > 0 {
        state.mailer.wake();
    }
    Ok(count)
}
