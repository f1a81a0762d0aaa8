//! The daily job, run by the worker: applies suspensions that took effect or
//! were lifted today, withdraws on-hold nominations whose class started, and
//! warns liaisons of ECL scores that expire before an approved class starts.
//! Every step is idempotent, so several instances may run it.
use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::watch;

use crate::{
    db,
    domain::{nomination::Status, proficiency::valid_through, role::Role},
    entities::{course, nomination, offering, outbox, student, suspension},
    error::{AppError, AppResult},
    mail::{self, templates::EclExpiry},
    services::Context,
    services::{countries, nominations, students, suspensions},
};

/// What one run changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DailyReport {
    /// Nominations put on hold or released.
    pub holds_changed: usize,
    /// On-hold nominations withdrawn because their class started.
    pub withdrawn: usize,
    /// ECL expiry warnings queued (each nomination is warned once).
    pub ecl_warnings: usize,
}

/// Runs the daily job at start and then every `IMET_DAILY_JOB_MINUTES`
/// until `stop` turns `true`.
pub fn spawn(ctx: Context, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_daily(&ctx).await {
                Ok(report) => tracing::info!(?report, "daily job ran"),
                Err(err) => tracing::warn!(error = %err, "daily job failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(ctx.config.daily_job_interval) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}

/// Runs the daily job for today (UTC).
pub async fn run_daily(state: &Context) -> AppResult<DailyReport> {
    run_daily_on(state, Utc::now().date_naive()).await
}

/// Runs the daily job as of `day`.
pub async fn run_daily_on(state: &Context, day: NaiveDate) -> AppResult<DailyReport> {
    let mut report = DailyReport::default();
    let countries: Vec<String> = suspension::Entity::find()
        .select_only()
        .column(suspension::Column::CountryCode)
        .distinct()
        .into_tuple()
        .all(&state.db)
        .await?;
    for code in countries {
        let txn = db::write_txn(&state.db).await?;
        let affected = nominations::apply_suspensions(&txn, &code, None, day).await?;
        if !affected.is_empty() {
            report.holds_changed += affected.len();
            announce_due(&txn, state, &code, day, affected).await?;
        }
        txn.commit().await?;
    }
    report.withdrawn = nominations::withdraw_started_holds(state, day).await?;
    report.ecl_warnings = warn_ecl_expiry(state, day).await?;
    if report.holds_changed + report.ecl_warnings > 0 {
        state.mailer.wake();
    }
    Ok(report)
}

/// Emails what a suspension falling due on `day` changed: the one that took
/// effect or ended that day (else the country's latest).
async fn announce_due(
    txn: &sea_orm::DatabaseTransaction,
    state: &Context,
    code: &str,
    day: NaiveDate,
    affected: Vec<nominations::AffectedNomination>,
) -> AppResult<()> {
    let history = suspensions::history(txn, code).await?;
    let (suspension, change) = history
        .iter()
        .rev()
        .find_map(|s| {
            if s.row.lifted_on == Some(day) {
                Some((s, "ended"))
            } else if s.row.effective_from == day {
                Some((s, "took effect"))
            } else {
                None
            }
        })
        .or_else(|| history.last().map(|s| (s, "applied")))
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "holds changed in {code} without a suspension"
            ))
        })?;
    let country = countries::find(txn, code).await?;
    suspensions::notify(txn, state, &country, &suspension.view(), change, affected).await
}

/// Queues, once per nomination, a warning to the country's liaisons when the
/// student's latest ECL score stops being valid before an approved class
/// that requires one starts. The database picks the candidates (approved,
/// class ahead, course with an ECL minimum, not warned yet); each warning is
/// queued in a short transaction of its own.
async fn warn_ecl_expiry(state: &Context, today: NaiveDate) -> AppResult<usize> {
    let warned = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::DedupeKey)
        .filter(outbox::Column::DedupeKey.starts_with(ECL_EXPIRY_KEY))
        .into_tuple::<Option<String>>()
        .all(&state.db)
        .await?;
    let warned: HashSet<String> = warned.into_iter().flatten().collect();
    let mut queued = 0;
    let mut after = 0;
    // A page of candidates at a time, so memory stays flat however many there are.
    loop {
        let candidates = nomination::Entity::find()
            .find_also_related(student::Entity)
            .find_also(nomination::Entity, offering::Entity)
            .find_also(offering::Entity, course::Entity)
            .filter(nomination::Column::Status.eq(Status::Approved.as_str()))
            .filter(nomination::Column::Id.gt(after))
            .filter(offering::Column::StartDate.gt(today))
            .filter(course::Column::EclMin.is_not_null())
            .order_by_asc(nomination::Column::Id)
            .limit(CANDIDATES_PER_PAGE)
            .all(&state.db)
            .await?;
        let Some((last, ..)) = candidates.last() else {
            return Ok(queued);
        };
        after = last.id;
        for (n, student, class, course) in candidates {
            queued += warn_if_expiring(state, &warned, n, student, class, course).await?;
        }
    }
}

/// Candidates of [`warn_ecl_expiry`] read at once.
const CANDIDATES_PER_PAGE: u64 = 500;

/// Queues the ECL expiry warning of one candidate when it is due; answers
/// how many were queued (0 or 1).
async fn warn_if_expiring(
    state: &Context,
    warned: &HashSet<String>,
    n: nomination::Model,
    student: Option<student::Model>,
    class: Option<offering::Model>,
    course: Option<course::Model>,
) -> AppResult<usize> {
    let key = format!("{ECL_EXPIRY_KEY}{}", n.id);
    if warned.contains(&key) {
        return Ok(0);
    }
    let (Some(student), Some(class), Some(course)) = (student, class, course) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "nomination {} without its student, class or course",
            n.id
        )));
    };
    let (Some(ecl), _) = students::latest_scores(&state.db, n.student_id).await? else {
        return Ok(0);
    };
    let Some(score) = ecl.score else {
        return Ok(0);
    };
    let expires = valid_through(ecl.taken_on, state.config.validity.ecl);
    if expires >= class.start_date {
        return Ok(0);
    }
    let country = countries::find(&state.db, &n.country_code).await?;
    let email = EclExpiry {
        n: nominations::mail_facts(
            n.id,
            &student,
            &country,
            (&course.masl_id, &course.title),
            &class,
        ),
        score,
        taken_on: ecl.taken_on,
        valid_through: expires,
    };
    let recipients =
        nominations::role_emails(&state.db, Role::CountryLiaison, Some(&n.country_code)).await?;
    let txn = db::write_txn(&state.db).await?;
    let queued = mail::enqueue_once(&txn, &state.config, &key, recipients, &email).await?;
    txn.commit().await?;
    Ok(usize::from(queued))
}

/// The outbox key of a nomination's ECL expiry warning, before its id.
const ECL_EXPIRY_KEY: &str = "ecl_expiry:nomination:";
