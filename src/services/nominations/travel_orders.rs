//! Invitational travel orders (SPEC §6): issue, amend and revoke, each in
//! one transaction that locks the nomination, re-checks what the order
//! needs on the day, numbers it from the country's counter row and queues
//! the email with the PDF.
use super::*;

use crate::{
    domain::{
        cost::entitlements,
        travel_order::{
            self, MAX_REMARKS, OrderContents, OrderCourse, OrderStudent, report_by,
            revision_number, unmet_for_issue,
        },
    },
    entities::{travel_order as order, travel_order_counter as counter},
    mail::templates::{Attachment, TravelOrderIssued, TravelOrderRevoked},
    pdf,
};

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct IssueRequest {
    /// Printed on the order; at most 1,000 characters.
    #[validate(length(max = MAX_REMARKS))]
    pub remarks: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AmendRequest {
    /// Why the order is amended; printed on the new revision.
    #[validate(length(max = 1000), custom(function = "non_blank"))]
    pub reason: String,
    /// Printed on the new revision; at most 1,000 characters.
    #[validate(length(max = MAX_REMARKS))]
    pub remarks: Option<String>,
}

/// Issues the nomination's travel order (revision 0) with the next number
/// of its country and fiscal year.
pub async fn issue_travel_order(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: IssueRequest,
) -> AppResult<order::Model> {
    let txn = state.begin().await?;
    let (n, facts) = lock_for_order(&txn, caller, id).await?;
    if let Some(current) = in_force(&txn, n.id).await? {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Travel order {} is in force; amend it instead.",
                current.number
            ),
        ));
    }
    let contents = order_contents(&txn, state, caller, &n, &facts, request.remarks).await?;
    let seq = next_number(&txn, &n.country_code, n.fiscal_year).await?;
    let base = travel_order::number(&n.country_code, n.fiscal_year, seq);
    let issued = insert(&txn, state, caller, &n, &base, 0, None, contents).await?;
    record(&txn, Some(caller.id), "travel_order.issue", None, &issued).await?;
    send_issued(&txn, state, &n, &facts, &issued).await?;
    state.commit(txn).await?;
    Ok(issued)
}

/// Issues the next revision of the order in force from today's data,
/// superseding it.
pub async fn amend_travel_order(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: AmendRequest,
) -> AppResult<order::Model> {
    let txn = state.begin().await?;
    let (n, facts) = lock_for_order(&txn, caller, id).await?;
    let current = in_force(&txn, n.id)
        .await?
        .ok_or_else(|| no_order_in_force(n.id))?;
    let contents = order_contents(&txn, state, caller, &n, &facts, request.remarks).await?;
    let superseded = order::Entity::update_many()
        .col_expr(order::Column::SupersededAt, Expr::value(state.clock.now()))
        .filter(order::Column::Id.eq(current.id))
        .filter(order::Column::SupersededAt.is_null())
        .filter(order::Column::RevokedOn.is_null())
        .exec(&txn)
        .await?;
    if superseded.rows_affected != 1 {
        return Err(no_order_in_force(n.id));
    }
    let amended = insert(
        &txn,
        state,
        caller,
        &n,
        &current.base_number,
        current.revision + 1,
        Some(request.reason.trim().to_owned()),
        contents,
    )
    .await?;
    record(
        &txn,
        Some(caller.id),
        "travel_order.amend",
        Some(&current),
        &amended,
    )
    .await?;
    send_issued(&txn, state, &n, &facts, &amended).await?;
    state.commit(txn).await?;
    Ok(amended)
}

/// Revokes the order in force by hand, with a reason.
pub async fn revoke_travel_order(
    state: &Context,
    caller: &Actor,
    id: i32,
    request: ReasonRequest,
) -> AppResult<order::Model> {
    let txn = state.begin().await?;
    let n = lock_nomination(&txn, caller, id).await?;
    let revoked = revoke_in_force(&txn, state, &n, request.reason.trim(), Some(caller.id))
        .await?
        .ok_or_else(|| no_order_in_force(n.id))?;
    state.commit(txn).await?;
    Ok(revoked)
}

/// Revokes the nomination's order in force, if any, in the transaction of
/// the change that ends it (withdrawal, hold), and emails its recipients
/// the reason. Answers the revoked revision.
pub(super) async fn revoke_in_force<C: ConnectionTrait>(
    txn: &C,
    state: &Context,
    n: &nomination::Model,
    reason: &str,
    actor: Option<i32>,
) -> AppResult<Option<order::Model>> {
    let Some(current) = in_force(txn, n.id).await? else {
        return Ok(None);
    };
    let student = student_of(txn, n).await?;
    let facts = &Facts::load(txn, student, find_offering(txn, n.offering_id).await?, None).await?;
    let Some(revoked) = order::Entity::update_many()
        .col_expr(order::Column::RevokedOn, Expr::value(state.clock.today()))
        .col_expr(order::Column::RevokedReason, Expr::value(reason))
        .col_expr(order::Column::RevokedBy, Expr::value(actor))
        .filter(order::Column::Id.eq(current.id))
        .filter(order::Column::SupersededAt.is_null())
        .filter(order::Column::RevokedOn.is_null())
        .exec_with_returning(txn)
        .await?
        .pop()
    else {
        return Ok(None);
    };
    record(txn, actor, "travel_order.revoke", Some(&current), &revoked).await?;
    let email = TravelOrderRevoked {
        n: facts.facts_for_mail(n.id),
        number: revoked.number.clone(),
        reason: reason.to_owned(),
    };
    mail::enqueue(
        txn,
        &state.config,
        order_recipients(txn, n, facts).await?,
        &email,
    )
    .await?;
    Ok(Some(revoked))
}

/// The revision in force: neither superseded nor revoked.
pub(super) async fn in_force<C: ConnectionTrait>(
    db: &C,
    nomination_id: i32,
) -> AppResult<Option<order::Model>> {
    Ok(order::Entity::find()
        .filter(order::Column::NominationId.eq(nomination_id))
        .filter(order::Column::SupersededAt.is_null())
        .filter(order::Column::RevokedOn.is_null())
        .one(db)
        .await?)
}

fn no_order_in_force(id: i32) -> AppError {
    AppError::conflict(
        ConflictCode::InvalidTransition,
        format!("Nomination {id} has no travel order in force."),
    )
}

/// Locks the nomination, so that its orders change one at a time and a
/// withdrawal waits for an issue or sees it.
async fn lock_nomination<C: ConnectionTrait>(
    txn: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<nomination::Model> {
    nomination::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .filter(|n| caller.sees_country(&n.country_code))
        .ok_or_else(|| AppError::not_found("Nomination"))
}

/// [`lock_nomination`] with the facts an order is made of, refusing a
/// nomination that can't get one: not approved.
async fn lock_for_order<C: ConnectionTrait>(
    txn: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<(nomination::Model, Facts)> {
    let n = lock_nomination(txn, caller, id).await?;
    if n.status != Status::Approved {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "A {} nomination gets no travel order; an approved one does.",
                n.status.as_str()
            ),
        ));
    }
    let student = student_of(txn, &n).await?;
    let offering = find_offering(txn, n.offering_id).await?;
    let facts = Facts::load(txn, student, offering, Some(n.id)).await?;
    Ok((n, facts))
}

/// What an order of `n` says today, or 409 `checks_unmet` naming what it
/// lacks (a started class answers `invalid_transition`).
async fn order_contents<C: ConnectionTrait>(
    txn: &C,
    state: &Context,
    caller: &Actor,
    n: &nomination::Model,
    facts: &Facts,
    remarks: Option<String>,
) -> AppResult<OrderContents> {
    let today = state.clock.today();
    let start = facts.offering.start_date;
    if start <= today {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!("The class started on {start}; its travel orders can't change."),
        ));
    }
    let entitled =
        entitlements(facts.prices(), start, facts.offering.end_date).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "cost of offering {} overflows",
                facts.offering.id
            ))
        })?;
    let funds = if entitled.total_cents == n.committed_cents {
        Ok(format!("{} committed", Cents(n.committed_cents)))
    } else {
        Err(format!(
            "the entitlements total {} but {} is committed: the class's or the country's prices changed after approval",
            Cents(entitled.total_cents),
            Cents(n.committed_cents)
        ))
    };
    let checks = vec![
        eligibility_check(facts, n.program, today),
        english_check_of(txn, state, facts, today).await?,
        vetting_check(txn, state, facts, VettingKind::Leahy).await?,
        vetting_check(txn, state, facts, VettingKind::Security).await?,
        Check::from_result(CheckName::Funds, funds, false),
    ];
    let unmet = unmet_for_issue(&checks);
    if !unmet.is_empty() {
        return Err(checks_unmet("No travel order without", &unmet, &checks));
    }
    let issuer = user::Entity::find_by_id(caller.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user {} is gone", caller.id)))?;
    let s = &facts.student;
    Ok(OrderContents {
        issued_by: issuer.name,
        student: OrderStudent {
            name: format!("{} {}", s.given_names, s.family_name),
            rank: s.rank.clone(),
            grade: s.grade.clone(),
            service: s.service.clone(),
            date_of_birth: s.date_of_birth,
            country_code: facts.country.code.clone(),
            country_name: facts.country.name.clone(),
        },
        course: OrderCourse {
            masl_id: facts.course.masl_id.clone(),
            title: facts.course.title.clone(),
            school: facts.course.school.clone(),
            location: facts.course.location.clone(),
        },
        start_date: start,
        end_date: facts.offering.end_date,
        report_by: report_by(start),
        program: n.program,
        fiscal_year: n.fiscal_year,
        entitlements: entitled,
        dependents_authorized: false,
        remarks: remarks
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
    })
}

/// The next sequence number of the country and fiscal year. The counter
/// row stays locked until the transaction ends, so concurrent issues take
/// numbers one after the other, and a rolled-back issue gives its number
/// back: no gaps, no duplicates.
async fn next_number<C: ConnectionTrait>(
    txn: &C,
    country: &str,
    fiscal_year: i32,
) -> AppResult<i32> {
    let bump = || {
        counter::Entity::update_many()
            .col_expr(
                counter::Column::LastSeq,
                Expr::col(counter::Column::LastSeq).add(1),
            )
            .filter(counter::Column::CountryCode.eq(country))
            .filter(counter::Column::FiscalYear.eq(fiscal_year))
            .exec_with_returning(txn)
    };
    if let Some(row) = bump().await?.pop() {
        return Ok(row.last_seq);
    }
    counter::Entity::insert(counter::ActiveModel {
        country_code: Set(country.to_owned()),
        fiscal_year: Set(fiscal_year),
        last_seq: Set(0),
    })
    .on_conflict_do_nothing_on([counter::Column::CountryCode, counter::Column::FiscalYear])
    .exec_without_returning(txn)
    .await?;
    bump().await?.pop().map(|row| row.last_seq).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the travel order counter of {country} FY{fiscal_year} is missing"
        ))
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert<C: ConnectionTrait>(
    txn: &C,
    state: &Context,
    caller: &Actor,
    n: &nomination::Model,
    base: &str,
    revision: i32,
    amend_reason: Option<String>,
    contents: OrderContents,
) -> AppResult<order::Model> {
    Ok(order::ActiveModel {
        nomination_id: Set(n.id),
        number: Set(revision_number(base, revision)),
        base_number: Set(base.to_owned()),
        revision: Set(revision),
        contents: Set(order::Contents(contents)),
        issued_on: Set(state.clock.today()),
        issued_by: Set(caller.id),
        amend_reason: Set(amend_reason),
        superseded_at: Set(None),
        revoked_on: Set(None),
        revoked_reason: Set(None),
        revoked_by: Set(None),
        created_at: Set(state.clock.now()),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

async fn record<C: ConnectionTrait>(
    txn: &C,
    actor: Option<i32>,
    action: &str,
    before: Option<&order::Model>,
    after: &order::Model,
) -> AppResult<()> {
    let summary = |o: &order::Model| {
        json!({
            "number": o.number,
            "nomination_id": o.nomination_id,
            "revision": o.revision,
            "amend_reason": o.amend_reason,
            "superseded_at": o.superseded_at,
            "revoked_on": o.revoked_on,
            "revoked_reason": o.revoked_reason,
            "total_cents": o.contents.0.entitlements.total_cents,
        })
    };
    let mut change = Change::new(actor, action, "travel_order", after.id);
    if let Some(before) = before {
        change = change.before(snapshot(&summary(before)));
    }
    audit::record(txn, change.after(snapshot(&summary(after)))).await?;
    Ok(())
}

/// The country's liaisons, and the student when an email is on file.
async fn order_recipients<C: ConnectionTrait>(
    db: &C,
    n: &nomination::Model,
    facts: &Facts,
) -> AppResult<Vec<String>> {
    let mut recipients = liaison_emails(db, &n.country_code).await?;
    recipients.extend(facts.student.email.clone());
    Ok(recipients)
}

async fn send_issued<C: ConnectionTrait>(
    txn: &C,
    state: &Context,
    n: &nomination::Model,
    facts: &Facts,
    issued: &order::Model,
) -> AppResult<()> {
    let email = TravelOrderIssued {
        n: facts.facts_for_mail(n.id),
        number: issued.number.clone(),
        revision: issued.revision,
        reason: issued.amend_reason.clone(),
        total: Cents(issued.contents.0.entitlements.total_cents).to_string(),
        pdf: Attachment {
            filename: format!("{}.pdf", issued.number),
            content_type: "application/pdf",
            data: render_pdf(issued)?,
        },
    };
    mail::enqueue(
        txn,
        &state.config,
        order_recipients(txn, n, facts).await?,
        &email,
    )
    .await
}

/// The PDF of one revision.
pub fn render_pdf(o: &order::Model) -> AppResult<Vec<u8>> {
    let previous = (o.revision > 0).then(|| revision_number(&o.base_number, o.revision - 1));
    let amends = previous
        .as_deref()
        .map(|p| (p, o.amend_reason.as_deref().unwrap_or("")));
    let revoked = o
        .revoked_on
        .map(|on| (on, o.revoked_reason.as_deref().unwrap_or("")));
    pdf::travel_order(&pdf::TravelOrder {
        number: &o.number,
        revision: o.revision,
        issued_on: o.issued_on,
        amends,
        revoked,
        contents: &o.contents.0,
    })
    .map_err(AppError::Internal)
}
