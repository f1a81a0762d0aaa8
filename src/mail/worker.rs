//! The background sender. It claims due messages in batches, sends each
//! batch concurrently, and records every outcome:
//!
//! - accepted → `sent`;
//! - refused for good (a 5xx reply, an unusable address) → `failed` at once;
//! - anything else (server down, timeout, 4xx) → `pending` again after a
//!   backoff that starts at `IMET_MAIL_RETRY_BASE_SECS` (5 s), doubles per
//!   attempt with ±25% jitter and is capped at one hour; the
//!   [`MAX_ATTEMPTS`]th failed attempt (after about two and a half hours of
//!   failures) parks the message as `failed`.
//!
//! It wakes when a service queues a message ([`Mailer::wake`]), when the next
//! retry falls due, and at least every `IMET_MAIL_POLL_SECS` to pick up
//! messages queued by other instances. On shutdown it finishes the batch in
//! hand; a claim left unfinished by a crash expires after [`LEASE`] and the
//! message is due again.
//!
//! [`Mailer::wake`]: crate::mail::Mailer::wake
use std::{sync::Arc, time::Duration};

use chrono::Utc;
use tokio::{
    sync::{Semaphore, watch},
    task::JoinSet,
};

use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    entities::outbox as outbox_row,
    mail::{
        Mailer,
        outbox::{self, Outcome},
        transport::{POOL_SIZE, SendError},
    },
};

/// Attempts before a message is parked as `failed`.
pub const MAX_ATTEMPTS: i32 = 12;
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How long a claim lasts; longer than [`SEND_TIMEOUT`], so a live worker
/// always records its outcome before another may take the message.
pub const LEASE: Duration = Duration::from_secs(300);
/// The longest one delivery may take, all SMTP commands included.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// Messages claimed (and their outcomes recorded) at once: two for each
/// pooled SMTP connection, so no connection idles while a batch finishes.
const BATCH: u64 = 2 * POOL_SIZE as u64;
/// Shortest sleep between two rounds, so a busy queue is never spun on.
const MIN_SLEEP: Duration = Duration::from_millis(20);

/// The wait before the next attempt of a message that has failed `attempts`
/// times (≥ 1): `base × 2^(attempts−1)`, scaled by `jitter` ∈ [0, 1) to
/// 75%–125% of that, never over [`MAX_BACKOFF`].
pub fn backoff(base: Duration, attempts: i32, jitter: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let nominal = base.saturating_mul(2u32.saturating_pow(exponent));
    nominal
        .mul_f64(0.75 + 0.5 * jitter.clamp(0.0, 1.0))
        .min(MAX_BACKOFF)
}

/// What the worker works with.
#[derive(Clone)]
struct Shared {
    db: DatabaseConnection,
    config: Arc<Config>,
    mailer: Mailer,
}

/// Starts the worker; it runs until `stop` turns `true`, then finishes the
/// batch in hand and returns.
pub fn spawn(
    db: DatabaseConnection,
    config: Arc<Config>,
    mailer: Mailer,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    metrics::describe_gauge!(
        "imet_mail_queue_depth",
        "Emails waiting for delivery (pending or being sent)"
    );
    metrics::describe_counter!("imet_mail_sent_total", "Emails delivered");
    metrics::describe_counter!(
        "imet_mail_failed_total",
        "Emails parked as failed (refused for good or out of attempts)"
    );
    metrics::describe_histogram!(
        "imet_mail_delivery_seconds",
        metrics::Unit::Seconds,
        "Time from queueing an email to its delivery"
    );
    tokio::spawn(run(Shared { db, config, mailer }, stop))
}

async fn run(state: Shared, mut stop: watch::Receiver<bool>) {
    tracing::info!("mail worker started");
    let poll = state.config.mail_poll_interval;
    loop {
        if let Err(err) = deliver_due(&state, &stop).await {
            tracing::warn!(error = %err, "mail worker: database error");
        }
        let wait = match outbox::next_due(&state.db).await {
            Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(poll),
            Ok(None) => poll,
            Err(err) => {
                tracing::warn!(error = %err, "mail worker: database error");
                poll
            }
        };
        tokio::select! {
            () = state.mailer.woken() => {}
            () = tokio::time::sleep(wait.max(MIN_SLEEP)) => {}
            // A dropped sender means the server is gone: stop as well.
            changed = stop.changed() => if changed.is_err() { break },
        }
        if *stop.borrow() {
            break;
        }
    }
    tracing::info!("mail worker stopped");
}

/// Delivers batches until nothing is due (or the worker is told to stop).
async fn deliver_due(state: &Shared, stop: &watch::Receiver<bool>) -> Result<(), sea_orm::DbErr> {
    let connections = Arc::new(Semaphore::new(POOL_SIZE as usize));
    loop {
        let now = Utc::now();
        let lease =
            chrono::Duration::from_std(LEASE).unwrap_or_else(|_| chrono::Duration::minutes(5));
        let batch = outbox::claim(&state.db, now, now + lease, BATCH).await?;
        let claimed = batch.len();
        let mut sends = JoinSet::new();
        for message in batch {
            let state = state.clone();
            let connections = connections.clone();
            sends.spawn(async move {
                // As many sends at once as the SMTP pool has connections.
                let _connection = connections.acquire_owned().await;
                let outcome = deliver(&state, &message).await;
                (message, outcome)
            });
        }
        let mut outcomes = Vec::with_capacity(claimed);
        while let Some(done) = sends.join_next().await {
            match done {
                Ok(outcome) => outcomes.push(outcome),
                Err(err) => tracing::error!(error = %err, "mail worker: delivery task failed"),
            }
        }
        let lost = outbox::record(&state.db, outcomes, Utc::now()).await?;
        if lost > 0 {
            tracing::warn!(
                lost,
                "email claims were lost before their outcomes were recorded"
            );
        }
        if (claimed as u64) < BATCH || *stop.borrow() {
            break;
        }
    }
    if let Ok(depth) = outbox::queue_depth(&state.db).await {
        metrics::gauge!("imet_mail_queue_depth").set(depth as f64);
    }
    Ok(())
}

/// Sends one claimed message and decides what becomes of it.
async fn deliver(state: &Shared, message: &outbox_row::Model) -> Outcome {
    let result =
        match tokio::time::timeout(SEND_TIMEOUT, state.mailer.transport().send(message)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "no answer within {} seconds",
                SEND_TIMEOUT.as_secs()
            ))),
        };
    let now = Utc::now();
    let attempts = message.attempts + 1;
    let outcome = match result {
        Ok(()) => Outcome::Sent,
        Err(SendError::Permanent(error)) => Outcome::Failed(error),
        Err(SendError::Transient(error)) if attempts >= MAX_ATTEMPTS => Outcome::Failed(error),
        Err(SendError::Transient(error)) => {
            let wait = backoff(
                state.config.mail_retry_base,
                attempts,
                rand::random::<f64>(),
            );
            let wait =
                chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(1));
            Outcome::Retry(now + wait, error)
        }
    };
    match &outcome {
        Outcome::Sent => {
            metrics::counter!("imet_mail_sent_total").increment(1);
            let latency = (now - message.created_at).to_std().unwrap_or_default();
            metrics::histogram!("imet_mail_delivery_seconds").record(latency.as_secs_f64());
            tracing::info!(id = message.id, event = %message.event, attempts, "email sent");
        }
        Outcome::Retry(at, error) => {
            tracing::warn!(id = message.id, attempts, %error, next_attempt_at = %at, "email not sent; will retry");
        }
        Outcome::Failed(error) => {
            metrics::counter!("imet_mail_failed_total").increment(1);
            tracing::error!(id = message.id, attempts, %error, "email failed; parked for an admin");
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_short_doubles_and_is_capped() {
        let base = Duration::from_secs(5);
        // jitter 0.5 is the nominal schedule.
        let cases = [
            (1, 0.5, 5.0),
            (2, 0.5, 10.0),
            (3, 0.5, 20.0),
            (4, 0.5, 40.0),
            (5, 0.5, 80.0),
            (6, 0.5, 160.0),
            (9, 0.5, 1280.0),
            (10, 0.5, 2560.0),
            (11, 0.5, 3600.0),
            (12, 0.5, 3600.0),
            (1000, 0.5, 3600.0),
            // Jitter spreads each wait over 75%–125% of the nominal value.
            (1, 0.0, 3.75),
            (1, 1.0, 6.25),
            (4, 0.0, 30.0),
            (4, 1.0, 50.0),
            // Out-of-range input stays sensible.
            (0, 0.5, 5.0),
            (-3, 0.5, 5.0),
            (3, 7.0, 25.0),
        ];
        for (attempts, jitter, secs) in cases {
            let got = backoff(base, attempts, jitter).as_secs_f64();
            assert!(
                (got - secs).abs() < 1e-6,
                "attempt {attempts}, jitter {jitter}: {got} ≠ {secs}"
            );
        }
    }

    #[test]
    fn retries_resume_within_minutes_and_park_within_hours() {
        let base = Duration::from_secs(5);
        let waits: Vec<Duration> = (1..MAX_ATTEMPTS).map(|n| backoff(base, n, 0.5)).collect();
        // The first five retries come within two and a half minutes of the first failure.
        let first_five: Duration = waits[..5].iter().sum();
        assert!(first_five <= Duration::from_secs(155), "{first_five:?}");
        // Parked after roughly two and a half hours of failures, never less than two.
        let total: Duration = waits.iter().sum();
        assert!(
            (Duration::from_secs(2 * 3600)..Duration::from_secs(3 * 3600)).contains(&total),
            "{total:?}"
        );
        // A shortened base shortens the whole schedule (tests use it).
        assert_eq!(
            backoff(Duration::from_millis(200), 3, 0.5),
            Duration::from_millis(800)
        );
    }
}
