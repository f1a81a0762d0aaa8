//! Passwords, bearer tokens and login throttling, shared by the JSON API and
//! the web sign-in. Tokens and login attempts live in the database, so several
//! instances agree on them.
use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, prelude::*, sea_query::Expr,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::{
    db::{
        self,
        audit::{self, Change},
    },
    domain::{actor::Actor, country_code::CountryCode},
    entities::{api_token, login_attempt, user},
    error::{AppError, AppResult},
    services::{read_cache::ReadCache, sessions, users::UserView},
};

/// Failed logins for one account within [`THROTTLE_WINDOW`] before it is locked (SPEC §3).
pub const ACCOUNT_FAILURE_LIMIT: usize = 5;
/// Failed logins from one client address within [`THROTTLE_WINDOW`] before it is locked.
pub const CLIENT_FAILURE_LIMIT: usize = 20;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);

/// Password hashes computed at once. Each argon2id run holds a 19 MiB
/// buffer: a burst of sign-ins waits here instead of growing memory.
const CONCURRENT_HASHES: usize = 2;
static HASHING: Semaphore = Semaphore::const_new(CONCURRENT_HASHES);

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let _turn = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// Verifies a password against a stored hash on a blocking thread.
pub async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_turn) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so an unknown
/// email costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no such account, no such password")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

pub struct LoginOutcome {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// Checks credentials and issues a bearer token (the JSON API's sign-in).
pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    client_addr: &str,
    token_ttl: Duration,
) -> AppResult<LoginOutcome> {
    let account = check_credentials(db, email, password, client_addr).await?;
    let (token, expires_at) = issue_token(db, account.id, token_ttl).await?;
    Ok(LoginOutcome {
        token,
        expires_at,
        user: UserView::from(account),
    })
}

/// The one password check of every sign-in (API token or web session).
/// Unknown email, wrong password and deactivated account all answer the same
/// 401. Throttled callers get 429 before their password is even looked at.
/// Every attempt is recorded for throttling, and audited.
pub async fn check_credentials(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    client_addr: &str,
) -> AppResult<user::Model> {
    let email = email.trim().to_lowercase();
    let now = Utc::now();
    let attempt = reserve_attempt(db, &email, client_addr, now).await?;

    let account = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?;
    let hash = account
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let password_ok = verify_password(password.to_owned(), hash).await;
    let account = account.filter(|u| password_ok && u.active);

    let txn = db::write_txn(db).await?;
    let Some(account) = account else {
        audit_failure(&txn, &email, client_addr, "wrong credentials").await?;
        txn.commit().await?;
        return Err(AppError::Unauthorized);
    };
    login_attempt::Entity::update_many()
        .col_expr(login_attempt::Column::Succeeded, Expr::value(true))
        .filter(login_attempt::Column::Id.eq(attempt))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Change::new(Some(account.id), "auth.sign_in", "user", account.id)
            .after(Some(json!({"email": email, "client": client_addr}))),
    )
    .await?;
    // Attempts older than the window no longer matter to anyone.
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::AttemptedAt.lt(now - Duration::days(1)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(account)
}

/// Records the attempt as a failure before its password is checked, or
/// answers 429, in one step that parallel attempts take one at a time: of
/// any number of simultaneous wrong passwords for one account, at most
/// [`ACCOUNT_FAILURE_LIMIT`] get to be checked. A correct password turns its
/// attempt into a success afterwards. Returns the attempt's id.
async fn reserve_attempt(
    db: &DatabaseConnection,
    email: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let txn = db::write_txn(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // SQLite runs one write transaction at a time already.
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SIGN_IN_LOCK})"))
            .await?;
    }
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

/// The advisory lock that orders sign-in attempts on PostgreSQL.
const SIGN_IN_LOCK: i64 = 0x1_3e70_516e;

async fn audit_failure<C: ConnectionTrait>(
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

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a random opaque token for `user_id`; only its hash is stored.
pub async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    ttl: Duration,
) -> AppResult<(String, DateTime<Utc>)> {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let now = Utc::now();
    let expires_at = now + ttl;
    api_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, expires_at))
}

/// A signed-in account: who acts, and how they are shown and signed in.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub email: String,
    pub name: String,
    /// The bearer token of this request; `None` when signed in through a web session.
    pub token_id: Option<i32>,
}

impl std::ops::Deref for Caller {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The callers of recently seen bearer tokens, with each token's expiry.
pub type Callers = ReadCache<String, (Caller, DateTime<Utc>)>;

/// Resolves a bearer token to its active, unexpired, unrevoked user, in one
/// query, or from `callers` when no write has committed since it was read
/// (SQLite): revocation, deactivation and a password reset take effect on
/// the very next request.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    callers: &Callers,
    token: &str,
) -> AppResult<Caller> {
    let hash = token_hash(token);
    let now = Utc::now();
    if let Some((caller, expires_at)) = callers.get(&hash) {
        return if expires_at > now {
            Ok(caller)
        } else {
            Err(AppError::Unauthorized)
        };
    }
    let start = callers.start();
    let (found, account) = api_token::Entity::find()
        .find_also_related(user::Entity)
        .filter(api_token::Column::TokenHash.eq(&hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let caller = current_user(account.ok_or(AppError::Unauthorized)?, Some(found.id))?;
    callers.put(hash, start, (caller.clone(), found.expires_at));
    Ok(caller)
}

/// The caller behind an active account; `token_id` is the bearer token the
/// request came with (`None` for a web session).
pub fn current_user(account: user::Model, token_id: Option<i32>) -> AppResult<Caller> {
    let unreadable = |e: String| anyhow::anyhow!("user {}: {e}", account.id);
    let country = account
        .country_code
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .map_err(unreadable)?;
    Ok(Caller {
        actor: Actor {
            id: account.id,
            role: account.role,
            country,
        },
        email: account.email,
        name: account.name,
        token_id,
    })
}

/// Revokes one token (the API's sign-out), audited, in a write transaction
/// so that no copy of its caller outlives it.
pub async fn revoke_token(db: &DatabaseConnection, actor: &Actor, token_id: i32) -> AppResult<()> {
    let txn = db::write_txn(db).await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(token_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Change::new(Some(actor.id), "api_token.revoke", "api_token", token_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Signs a user out everywhere (deactivation, password reset): revokes every
/// live bearer token and ends every web session.
pub async fn revoke_all_sign_ins<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    sessions::end_all(db, user_id).await
}
