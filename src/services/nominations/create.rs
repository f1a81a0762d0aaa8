//! Creating nominations (with an idempotency key) and previewing their checks.
use sea_orm::sea_query::LockType;

use super::*;

use crate::{domain::plan::NominationTerms, services::plans};

/// Creates a nomination (a liaison for their country's students, or an
/// admin), as a draft or — with `submit` — submitted at once.
pub async fn create(
    state: &Context,
    caller: &Actor,
    new: NewNomination,
) -> AppResult<NominationDetail> {
    let txn = state.begin().await?;
    let created = create_in(&txn, state, caller, new).await?;
    let detail = detail(&txn, created).await?;
    state.commit(txn).await?;
    Ok(detail)
}

/// What a nomination would look like if submitted now: its checks and
/// estimated cost, computed without storing anything (the nominate form
/// shows them before the liaison submits).
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub estimated_cost_cents: i64,
    pub fiscal_year: i32,
    pub checks: Vec<Check>,
}

pub async fn preview(
    state: &Context,
    caller: &Actor,
    student_id: i32,
    offering_id: i32,
    program: Program,
) -> AppResult<Preview> {
    let db = &state.db;
    let student = students::find_visible(db, caller, student_id).await?;
    let offering = offering::Entity::find_by_id(offering_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("offering_id", format!("no offering {offering_id}")))?;
    let facts = Facts::load(db, student, offering, None).await?;
    let checks = run_checks(db, state, &facts, program, state.clock.today()).await?;
    Ok(Preview {
        estimated_cost_cents: facts.cost()?,
        fiscal_year: fiscal_year(facts.offering.start_date),
        checks,
    })
}

/// [`create`] with an `Idempotency-Key`: the first answer (201 and the
/// nomination) is stored in the transaction that creates it, and replayed for
/// the same user and key. Returns the status and body to answer.
pub async fn create_idempotent(
    state: &Context,
    caller: &Actor,
    key: &str,
    new: NewNomination,
) -> AppResult<(u16, serde_json::Value)> {
    idempotency::check_key(key)?;
    let fingerprint = idempotency::fingerprint(&json!(new));
    for attempt in 0..2 {
        let txn = state.begin().await?;
        if let Some(replay) = idempotency::lookup(&txn, caller.id, key, &fingerprint).await? {
            txn.commit().await?;
            return Ok((replay.status, replay.body));
        }
        let stored = async {
            let created = create_in(&txn, state, caller, new.clone()).await?;
            let body = json!(detail(&txn, created).await?);
            idempotency::store(&txn, caller.id, key, &fingerprint, 201, &body).await?;
            Ok(body)
        }
        .await;
        match stored {
            Ok(body) => {
                state.commit(txn).await?;
                return Ok((201, body));
            }
            // A concurrent request with the same key may have won the race:
            // roll back and look again, to replay its answer.
            Err(AppError::Conflict {
                code: ConflictCode::Duplicate,
                ..
            }) if attempt == 0 => continue,
            Err(other) => return Err(other),
        }
    }
    Err(AppError::conflict(
        ConflictCode::Duplicate,
        "A request with this Idempotency-Key is still in progress; retry.",
    ))
}

/// [`create`] inside the caller's transaction (the idempotent API stores its
/// answer in the same transaction).
pub async fn create_in(
    txn: &DatabaseTransaction,
    state: &Context,
    caller: &Actor,
    new: NewNomination,
) -> AppResult<nomination::Model> {
    let today = state.clock.today();
    let student = students::lock_visible(txn, caller, new.student_id, LockType::Share).await?;
    let offering = offering::Entity::find_by_id(new.offering_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            AppError::field("offering_id", format!("no offering {}", new.offering_id))
        })?;
    let line = match new.plan_line_id {
        Some(id) => Some(plans::find_line(txn, id).await?),
        None => None,
    };
    let program = new
        .program
        .or(line.as_ref().map(|l| l.line.program))
        .unwrap_or(Program::Imet);
    let priority = match (&line, new.priority) {
        (Some(l), Some(asked)) if asked != l.line.priority => {
            return Err(AppError::field(
                "priority",
                format!(
                    "a nomination on plan line {} takes the line's priority {}",
                    l.line.id, l.line.priority
                ),
            ));
        }
        (Some(l), _) => l.line.priority,
        (None, asked) => asked.unwrap_or_default(),
    };
    let facts = Facts::load(txn, student, offering, None).await?;
    let duplicate = nomination::Entity::find()
        .filter(nomination::Column::StudentId.eq(facts.student.id))
        .filter(nomination::Column::OfferingId.eq(facts.offering.id))
        .filter(nomination::Column::Status.is_in(active_statuses()))
        .one(txn)
        .await?;
    if let Some(existing) = duplicate {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!(
                "Nomination {} of this student for this offering is still active.",
                existing.id
            ),
        ));
    }
    if new.submit {
        submission_blockers(&facts, program, today)?;
    } else {
        // A draft may wait out a suspension (or a waiver), not the rest.
        audience(&facts).map_err(|e| AppError::field("student_id", e))?;
    }
    let checks = run_checks(txn, state, &facts, program, today).await?;
    if let Some(planned) = &line {
        let terms = NominationTerms {
            country_code: &facts.country.code,
            fiscal_year: fiscal_year(facts.offering.start_date),
            course_id: facts.course.id,
            offering_id: facts.offering.id,
            program,
        };
        plans::take_line(txn, planned, terms).await?;
    }
    let now = state.clock.now();
    let status = if new.submit {
        Status::Submitted
    } else {
        Status::Draft
    };
    let created = nomination::ActiveModel {
        student_id: Set(facts.student.id),
        offering_id: Set(facts.offering.id),
        country_code: Set(facts.country.code.clone()),
        program: Set(program),
        priority: Set(priority),
        status: Set(status),
        held_from: Set(None),
        estimated_cost_cents: Set(facts.cost()?),
        committed_cents: Set(0),
        fiscal_year: Set(fiscal_year(facts.offering.start_date)),
        checks: Set(nomination::Checks(checks)),
        checks_at: Set(Some(now)),
        submitted_at: Set(new.submit.then_some(now)),
        decided_at: Set(None),
        reason: Set(None),
        withdrawal_cause: Set(None),
        penalty_cents: Set(0),
        plan_line_id: Set(line.as_ref().map(|l| l.line.id)),
        created_by: Set(caller.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    nomination_event::ActiveModel {
        nomination_id: Set(created.id),
        actor_id: Set(Some(caller.id)),
        action: Set(if new.submit { "submit" } else { "create" }.to_owned()),
        from_status: Set(None),
        to_status: Set(status),
        detail: Set(None),
        at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        Change::new(Some(caller.id), "nomination.create", "nomination", created.id).after(snapshot(&json!({"status": status.as_str(), "student_id": created.student_id, "offering_id": created.offering_id}))),
    )
    .await?;
    if new.submit {
        notify_submitted(txn, state, &facts, &created).await?;
    }
    Ok(created)
}
