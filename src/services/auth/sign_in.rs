//! The one sign-in of every client (API token or web session): the
//! password, then the second factor of an account that has one. Unknown
//! email, wrong password and deactivated account all answer the same 401;
//! throttled callers get 429 before anything is checked. Every attempt is
//! recorded for throttling, and audited.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::json;

use crate::{
    db::{
        self,
        audit::{self, Change},
    },
    domain::second_factor::{self, CodeCheck, normalize_recovery_code},
    entities::{recovery_code, user},
    error::{AppError, AppResult},
    services::{
        auth::{
            SignInFrom, issue_token,
            passwords::verify_password,
            throttle::{self, audit_failure, reserve_attempt},
            token_hash,
        },
        users::UserView,
    },
};

/// What a sign-in sends besides the password.
#[derive(Clone, Debug, Default)]
pub enum Factor {
    #[default]
    None,
    /// The code of the account's authenticator app.
    Totp(String),
    /// One of the account's one-time recovery codes.
    RecoveryCode(String),
}

impl Factor {
    /// The factor of a request's optional `totp` and `recovery_code`.
    pub fn from_fields(totp: Option<String>, recovery_code: Option<String>) -> Self {
        match (totp, recovery_code) {
            (Some(code), _) if !code.trim().is_empty() => Self::Totp(code),
            (_, Some(code)) if !code.trim().is_empty() => Self::RecoveryCode(code),
            _ => Self::None,
        }
    }

    fn name(&self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Totp(_) => Some("totp"),
            Self::RecoveryCode(_) => Some("recovery_code"),
        }
    }
}

/// A right password.
pub enum Checked {
    /// Signed in.
    Done(user::Model),
    /// The account has a second factor and none was sent: ask for it
    /// ([`check_code`]); the attempt counted neither way.
    CodeNeeded(user::Model),
}

pub struct LoginOutcome {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// The JSON API's sign-in: password and, for an account with a second
/// factor, its code in the same request (401 `totp_required` without).
pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    factor: Factor,
    from: &SignInFrom,
    token_ttl: Duration,
) -> AppResult<LoginOutcome> {
    let account = match check_credentials(db, email, password, factor, &from.client_addr).await? {
        Checked::Done(account) => account,
        Checked::CodeNeeded(_) => return Err(AppError::SecondFactorRequired),
    };
    let (token, expires_at) = issue_token(db, account.id, token_ttl, from).await?;
    Ok(LoginOutcome {
        token,
        expires_at,
        user: UserView::from(account),
    })
}

/// Checks email and password, and `factor` when the account has a second
/// factor.
pub async fn check_credentials(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    factor: Factor,
    client_addr: &str,
) -> AppResult<Checked> {
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
        .unwrap_or_default();
    let password_ok = verify_password(password.to_owned(), hash).await;
    let Some(account) = account.filter(|u| password_ok && u.active) else {
        let txn = db::write_txn(db).await?;
        audit_failure(&txn, &email, client_addr, "wrong credentials").await?;
        txn.commit().await?;
        return Err(AppError::Unauthorized);
    };
    if account.totp_secret.is_some() && matches!(factor, Factor::None) {
        throttle::withdraw(db, attempt).await?;
        return Ok(Checked::CodeNeeded(account));
    }
    finish(db, account, attempt, factor, client_addr, now)
        .await
        .map(Checked::Done)
}

/// The second step of a web sign-in whose password was right: the code of
/// `user_id`'s second factor, throttled like a password.
pub async fn check_code(
    db: &DatabaseConnection,
    user_id: i32,
    factor: Factor,
    client_addr: &str,
) -> AppResult<user::Model> {
    let account = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.active && u.totp_secret.is_some())
        .ok_or(AppError::Unauthorized)?;
    let now = Utc::now();
    let attempt = reserve_attempt(db, &account.email, client_addr, now).await?;
    finish(db, account, attempt, factor, client_addr, now).await
}

/// Accepts the second factor (if the account has one) and records the
/// sign-in, or records a failure and answers 401 `totp_required`.
async fn finish(
    db: &DatabaseConnection,
    account: user::Model,
    attempt: i32,
    factor: Factor,
    client_addr: &str,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let txn = db::write_txn(db).await?;
    let used = match &account.totp_secret {
        None => None,
        Some(secret) => {
            if !accept_factor(&txn, &account, secret, &factor, now).await? {
                audit_failure(&txn, &account.email, client_addr, "wrong second factor").await?;
                txn.commit().await?;
                return Err(AppError::SecondFactorRequired);
            }
            factor.name()
        }
    };
    throttle::succeeded(&txn, attempt, now).await?;
    audit::record(
        &txn,
        Change::new(Some(account.id), "auth.sign_in", "user", account.id).after(Some(json!({
            "email": account.email,
            "client": client_addr,
            "second_factor": used,
        }))),
    )
    .await?;
    txn.commit().await?;
    Ok(account)
}

/// Whether `factor` proves the account's second factor, using it up: a
/// TOTP code's time step is never accepted again (the conditional update
/// makes two parallel uses of one code accept one), a recovery code works once.
pub async fn accept_factor<C: ConnectionTrait>(
    db: &C,
    account: &user::Model,
    secret: &str,
    factor: &Factor,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    match factor {
        Factor::None => Ok(false),
        Factor::Totp(code) => {
            let totp = second_factor::generator(secret, &account.email)
                .map_err(|e| anyhow::anyhow!("user {}: {e}", account.id))?;
            let last = account.totp_last_step.map(|s| s.max(0) as u64);
            let unix = now.timestamp().max(0) as u64;
            let CodeCheck::Accepted(step) = second_factor::check_code(&totp, code, unix, last)
            else {
                return Ok(false);
            };
            let step = step as i64;
            let taken = user::Entity::update_many()
                .col_expr(user::Column::TotpLastStep, Expr::value(step))
                .filter(user::Column::Id.eq(account.id))
                .filter(
                    Condition::any()
                        .add(user::Column::TotpLastStep.is_null())
                        .add(user::Column::TotpLastStep.lt(step)),
                )
                .exec(db)
                .await?;
            Ok(taken.rows_affected == 1)
        }
        Factor::RecoveryCode(code) => {
            let used = recovery_code::Entity::update_many()
                .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
                .filter(recovery_code::Column::UserId.eq(account.id))
                .filter(
                    recovery_code::Column::CodeHash.eq(token_hash(&normalize_recovery_code(code))),
                )
                .filter(recovery_code::Column::UsedAt.is_null())
                .exec(db)
                .await?;
            Ok(used.rows_affected == 1)
        }
    }
}
