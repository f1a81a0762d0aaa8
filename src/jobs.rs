//! The daily job, run beside the mail worker: applies suspensions that took effect or
//! were lifted today, withdraws on-hold nominations whose class started, and
//! warns liaisons of ECL scores that expire before an approved class starts.
//! Every step is idempotent, so several instances may run it.
use chrono::NaiveDate;
use tokio::sync::watch;

use crate::{
    error::{AppError, AppResult},
    services::{Context, nominations, suspensions},
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

/// How soon a daily job the database could not serve runs again.
const RETRY_SOON: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the daily job at start and then every `IMET_DAILY_JOB_MINUTES`
/// until `stop` turns `true`.
pub fn spawn(ctx: Context, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let interval = ctx.config.daily_job_interval;
            let wait = match run_daily(&ctx).await.map_err(AppError::surfaced) {
                Ok(report) => {
                    tracing::info!(?report, "daily job ran");
                    interval
                }
                // The database out of reach, or a lost transaction: soon again.
                Err(AppError::Unavailable(why)) => {
                    tracing::warn!(error = %why, "daily job could not run");
                    interval.min(RETRY_SOON)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "daily job failed");
                    interval
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}

/// Runs the daily job for today (UTC).
pub async fn run_daily(ctx: &Context) -> AppResult<DailyReport> {
    run_daily_on(ctx, ctx.clock.today()).await
}

/// Runs the daily job as of `day`.
pub async fn run_daily_on(ctx: &Context, day: NaiveDate) -> AppResult<DailyReport> {
    let report = DailyReport {
        holds_changed: suspensions::apply_due(ctx, day).await?,
        withdrawn: nominations::withdraw_started_holds(ctx, day).await?,
        ecl_warnings: nominations::warn_ecl_expiry(ctx, day).await?,
    };
    Ok(report)
}
