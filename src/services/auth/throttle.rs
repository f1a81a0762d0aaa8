//! Sign-in throttling (SPEC §3, §8): every password or second-factor check
//! is an attempt recorded before it is made; too many failures for one
//! account or from one client address answer 429. Attempts live in the
//! database, so several instances agree on them.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, prelude::*, sea_query::Expr,
};
use serde_json::json;

use crate::{
    db::{
        self,
        audit::{self, Change},
    },
    entities::login_attempt,
    error::{AppError, AppResult},
};

/// Failed sign-ins for one account within [`THROTTLE_WINDOW`] before it is locked (SPEC §3).
pub const ACCOUNT_FAILURE_LIMIT: usize = 5;
/// Failed sign-ins from one client address within [`THROTTLE_WINDOW`] before it is locked.
pub const CLIENT_FAILURE_LIMIT: usize = 20;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);

/// The lock that orders sign-in attempts.
const SIGN_IN_LOCK: i64 = 0x1_3e70_516e;

/// Records an attempt as a failure before its secret is checked, or
/// answers 429, in one step that parallel attempts take one at a time: of
/// any number of simultaneous wrong passwords for one account, at most
/// [`ACCOUNT_FAILURE_LIMIT`] get to be checked. [`succeeded`] turns the
/// attempt into a success afterwards. Returns the attempt's id.
pub async fn reserve_attempt(
    db: &DatabaseConnection,
    email: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let txn = db::write_txn(db).await?;
    txn.serialize_on(SIGN_IN_LOCK).await?;
    if let Err(throttled) = check_throttle(&txn, email, client_addr, now).await {
        if matches!(throttled, AppError::TooManyRequests { .. }) {
            audit_failure(&txn, email, client_addr, "throttled").await?;
            txn.commit().await?;
        }
        return Err(throttled);
    }
    let attempt = login_attempt::ActiveModel {
        email: Set(email.to_owned()),
        client_addr: Set(client_addr.to_owned()),
        succeeded: Set(false),
        attempted_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(attempt.id)
}

/// Turns a reserved attempt into a success, and forgets attempts too old to
/// matter to anyone.
pub async fn succeeded<C: ConnectionTrait>(
    db: &C,
    attempt: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    login_attempt::Entity::update_many()
        .col_expr(login_attempt::Column::Succeeded, Expr::value(true))
        .filter(login_attempt::Column::Id.eq(attempt))
        .exec(db)
        .await?;
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::AttemptedAt.lt(now - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(())
}

/// Withdraws a reserved attempt that proved the password but has still to
/// send its second factor: neither a failure nor a success.
pub async fn withdraw<C: ConnectionTrait>(db: &C, attempt: i32) -> AppResult<()> {
    login_attempt::Entity::delete_by_id(attempt)
        .exec(db)
        .await?;
    Ok(())
}

/// Audits a refused sign-in (the attempt itself stays a failure).
pub async fn audit_failure<C: ConnectionTrait>(
    db: &C,
    email: &str,
    client_addr: &str,
    reason: &str,
) -> AppResult<()> {
    audit::record(
        db,
        Change::new(None, "auth.sign_in_failed", "user", email).after(Some(
            json!({"email": email, "client": client_addr, "reason": reason}),
        )),
    )
    .await?;
    Ok(())
}

/// 429 when the account has [`ACCOUNT_FAILURE_LIMIT`] failures since its last
/// success within the window, or the client address [`CLIENT_FAILURE_LIMIT`].
async fn check_throttle<C: ConnectionTrait>(
    db: &C,
    email: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let window_start = now - THROTTLE_WINDOW;
    let last_success = login_attempt::Entity::find()
        .filter(login_attempt::Column::Email.eq(email))
        .filter(login_attempt::Column::Succeeded.eq(true))
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .one(db)
        .await?
        .map(|a| a.attempted_at);
    let since = last_success.map_or(window_start, |s| s.max(window_start));

    let account_failures = failures(
        db,
        login_attempt::Column::Email.eq(email),
        since,
        ACCOUNT_FAILURE_LIMIT,
    )
    .await?;
    let client_failures = failures(
        db,
        login_attempt::Column::ClientAddr.eq(client_addr),
        window_start,
        CLIENT_FAILURE_LIMIT,
    )
    .await?;
    let retry_after = [
        (account_failures, ACCOUNT_FAILURE_LIMIT),
        (client_failures, CLIENT_FAILURE_LIMIT),
    ]
    .into_iter()
    .filter(|(times, limit)| times.len() >= *limit)
    // The window passes when the oldest of the last `limit` failures leaves it.
    .map(|(times, limit)| times[limit - 1] + THROTTLE_WINDOW - now)
    .max();
    match retry_after {
        Some(wait) => Err(AppError::TooManyRequests {
            retry_after_secs: (wait.num_milliseconds().max(0) as u64)
                .div_ceil(1000)
                .max(1),
        }),
        None => Ok(()),
    }
}

/// Times of the newest `limit` failures matching `who` after `since`, newest first.
async fn failures<C: ConnectionTrait>(
    db: &C,
    who: sea_orm::sea_query::SimpleExpr,
    since: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<DateTime<Utc>>> {
    Ok(login_attempt::Entity::find()
        .filter(who)
        .filter(login_attempt::Column::Succeeded.eq(false))
        .filter(login_attempt::Column::AttemptedAt.gt(since))
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .limit(limit as u64)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.attempted_at)
        .collect())
}
