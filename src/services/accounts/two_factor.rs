//! Turning two-factor sign-in (TOTP) on and off. Enrolment shows a new
//! secret (as text, an `otpauth://` URI and a QR code drawn as SVG); the
//! first right code turns it on and yields ten one-time recovery codes,
//! shown once and stored as hashes. Turning it off takes a current code
//! or a recovery code.
use chrono::Utc;
use qrcode::{QrCode, render::svg};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db::audit::{self, Change},
    domain::second_factor::{
        self, CodeCheck, RECOVERY_CODES, SECRET_BYTES, normalize_recovery_code, recovery_code_text,
        secret_text,
    },
    entities::{recovery_code, user},
    error::{AppError, AppResult, ConflictCode},
    services::{
        Context,
        auth::{self, Caller, Factor, throttle, token_hash},
    },
};

/// A second factor being set up: what an authenticator app needs.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Enrolment {
    /// The shared secret in base32, to type into the app.
    pub secret: String,
    /// The same as an `otpauth://totp/…` URI, which the QR code holds.
    pub otpauth_uri: String,
    /// The QR code as an inline SVG element.
    pub qr_svg: String,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct CodeInput {
    /// The six-digit code the authenticator app shows now.
    pub code: String,
}

/// The codes that each sign in once when the authenticator is lost.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Turning two-factor sign-in off: a current code or a recovery code.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct TurnOff {
    pub code: Option<String>,
    pub recovery_code: Option<String>,
}

async fn account<C: ConnectionTrait>(db: &C, caller: &Caller) -> AppResult<user::Model> {
    user::Entity::find_by_id(caller.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)
}

fn already_on() -> AppError {
    AppError::conflict(
        ConflictCode::InvalidTransition,
        "Two-factor sign-in is already on; turn it off first to set up a new authenticator.",
    )
}

/// Starts (or starts again) enrolment with a new secret.
pub async fn start(ctx: &Context, caller: &Caller) -> AppResult<Enrolment> {
    let txn = ctx.begin().await?;
    let account = account(&txn, caller).await?;
    if account.totp_secret.is_some() {
        return Err(already_on());
    }
    let secret = secret_text(&rand::random::<[u8; SECRET_BYTES]>());
    let enrolment = enrolment(&secret, &account.email)?;
    let mut model: user::ActiveModel = account.into();
    model.totp_pending_secret = Set(Some(secret));
    model.update(&txn).await?;
    audit::record(
        &txn,
        Change::new(Some(caller.id), "user.totp_enrolment", "user", caller.id),
    )
    .await?;
    txn.commit().await?;
    Ok(enrolment)
}

/// The enrolment in progress, if one was started and not confirmed.
pub async fn pending<C: ConnectionTrait>(db: &C, caller: &Caller) -> AppResult<Option<Enrolment>> {
    let account = account(db, caller).await?;
    match (&account.totp_secret, &account.totp_pending_secret) {
        (None, Some(secret)) => Ok(Some(enrolment(secret, &account.email)?)),
        _ => Ok(None),
    }
}

fn enrolment(secret: &str, email: &str) -> AppResult<Enrolment> {
    let otpauth_uri = second_factor::generator(secret, email)
        .and_then(|totp| totp.to_url().map_err(|e| e.to_string()))
        .map_err(|e| anyhow::anyhow!("TOTP URI: {e}"))?;
    let qr = QrCode::new(otpauth_uri.as_bytes()).map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    let drawn = qr
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // An element for an HTML page: no XML declaration, a name for screen readers.
    let qr_svg = drawn
        .trim_start_matches(r#"<?xml version="1.0" standalone="yes"?>"#)
        .replacen(
            r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1""#,
            r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="QR code of the two-factor secret""#,
            1,
        );
    Ok(Enrolment {
        secret: secret.to_owned(),
        otpauth_uri,
        qr_svg,
    })
}

/// Turns two-factor sign-in on when `code` is the current code of the
/// pending secret; answers the recovery codes, shown this once. Codes are
/// checked at the real time, as the authenticator app and the sign-in do.
pub async fn confirm(ctx: &Context, caller: &Caller, code: &str) -> AppResult<RecoveryCodes> {
    let now = Utc::now();
    let txn = ctx.begin().await?;
    let account = account(&txn, caller).await?;
    if account.totp_secret.is_some() {
        return Err(already_on());
    }
    let Some(secret) = account.totp_pending_secret.clone() else {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            "Start the set-up first (POST /api/v1/me/2fa).",
        ));
    };
    let totp = second_factor::generator(&secret, &account.email)
        .map_err(|e| anyhow::anyhow!("user {}: {e}", account.id))?;
    let CodeCheck::Accepted(step) =
        second_factor::check_code(&totp, code, now.timestamp().max(0) as u64, None)
    else {
        return Err(AppError::field(
            "code",
            "is not the code your authenticator app shows now",
        ));
    };
    let turned_on = user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(secret.clone()))
        .col_expr(
            user::Column::TotpPendingSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::TotpLastStep, Expr::value(step as i64))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(account.id))
        .filter(user::Column::TotpPendingSecret.eq(secret))
        .exec(&txn)
        .await?;
    if turned_on.rows_affected != 1 {
        return Err(already_on());
    }
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(account.id))
        .exec(&txn)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| recovery_code_text(&rand::random()))
        .collect();
    recovery_code::Entity::insert_many(codes.iter().map(|code| recovery_code::ActiveModel {
        user_id: Set(account.id),
        code_hash: Set(token_hash(&normalize_recovery_code(code))),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        Change::new(Some(caller.id), "user.totp_on", "user", caller.id),
    )
    .await?;
    txn.commit().await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Turns two-factor sign-in off, given a current code or an unused
/// recovery code (wrong ones count toward the sign-in throttle, which
/// counts in real time, as the code does).
pub async fn turn_off(
    ctx: &Context,
    caller: &Caller,
    input: TurnOff,
    client_addr: &str,
) -> AppResult<()> {
    let (field, factor) = match Factor::from_fields(input.code, input.recovery_code) {
        Factor::None => {
            return Err(AppError::field(
                "code",
                "enter the code your authenticator app shows, or a recovery code",
            ));
        }
        factor @ Factor::Totp(_) => ("code", factor),
        factor @ Factor::RecoveryCode(_) => ("recovery_code", factor),
    };
    let account = account(&ctx.db, caller).await?;
    let Some(secret) = account.totp_secret.clone() else {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            "Two-factor sign-in is not on.",
        ));
    };
    let now = Utc::now();
    let attempt = throttle::reserve_attempt(&ctx.db, &account.email, client_addr, now).await?;
    let txn = ctx.begin().await?;
    if !auth::accept_factor(&txn, &account, &secret, &factor, now).await? {
        throttle::audit_failure(&txn, &account.email, client_addr, "wrong second factor").await?;
        txn.commit().await?;
        return Err(AppError::field(field, "is wrong or was already used"));
    }
    throttle::succeeded(&txn, attempt, now).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user::Column::TotpPendingSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(account.id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(account.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Change::new(Some(caller.id), "user.totp_off", "user", caller.id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
