//! One error type for the whole service, answered as RFC 9457
//! `application/problem+json`. Database and internal errors are logged with
//! their cause; the client gets a generic message.
use std::collections::BTreeMap;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use validator::{ValidationErrors, ValidationErrorsKind};

pub type AppResult<T> = Result<T, AppError>;

/// Field name → messages, as answered in a 422's `errors`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// The machine-readable `code` of every 409 (SPEC §3), of the 401 and 403
/// that ask for a second factor, and of the 410 of a dead link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictCode {
    CountrySuspended,
    InsufficientFunds,
    NoSeats,
    ChecksUnmet,
    InvalidTransition,
    Duplicate,
    Frozen,
    HasActiveNominations,
    OverCeiling,
    LineFull,
    TotpRequired,
    TokenInvalid,
}

impl ConflictCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CountrySuspended => "country_suspended",
            Self::InsufficientFunds => "insufficient_funds",
            Self::NoSeats => "no_seats",
            Self::ChecksUnmet => "checks_unmet",
            Self::InvalidTransition => "invalid_transition",
            Self::Duplicate => "duplicate",
            Self::Frozen => "frozen",
            Self::HasActiveNominations => "has_active_nominations",
            Self::OverCeiling => "over_ceiling",
            Self::LineFull => "line_full",
            Self::TotpRequired => "totp_required",
            Self::TokenInvalid => "token_invalid",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// 401: the password was right; the account's second factor is missing or wrong.
    #[error("second factor required")]
    SecondFactorRequired,
    /// 403: the account must turn on two-factor sign-in before anything else.
    #[error("two-factor enrolment required")]
    EnrolmentRequired,
    /// 410: a one-time link used, expired, superseded or never issued.
    #[error("link token invalid")]
    TokenInvalid,
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict {}: {detail}", code.as_str())]
    Conflict {
        code: ConflictCode,
        detail: String,
        /// Extra members merged into the problem document (e.g. the unmet checks).
        extra: Option<Value>,
    },
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("validation failed")]
    Validation(FieldErrors),
    /// A refused file (CSV import): every bad row, by physical line and field.
    #[error("invalid rows")]
    InvalidRows(Vec<RowError>),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503 with `Retry-After`: the service cannot answer now, through no
    /// fault of the request.
    #[error("unavailable: {0}")]
    Unavailable(Unavailable),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn conflict(code: ConflictCode, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
            extra: None,
        }
    }

    /// A 422 naming one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Self::Validation(errors)
    }

    /// Seconds a client should wait before trying again (`Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            Self::Unavailable(why) => Some(why.retry_after_secs()),
            _ => None,
        }
    }

    /// What an answer to this error carries besides status and body.
    pub fn annotation(&self) -> Annotation {
        Annotation {
            retry_after_secs: self.retry_after_secs(),
            contended: matches!(self, Self::Unavailable(Unavailable::Contention(_))),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::SecondFactorRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::EnrolmentRequired => StatusCode::FORBIDDEN,
            Self::TokenInvalid => StatusCode::GONE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) | Self::InvalidRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document (without status-line concerns such as headers).
    pub fn problem(&self) -> Value {
        let status = self.status();
        let (slug, detail) = match self {
            Self::BadRequest(d) => ("bad-request", d.clone()),
            Self::Unauthorized => (
                "unauthorized",
                "Missing, invalid or expired credentials.".into(),
            ),
            Self::Forbidden => ("forbidden", "Your role may not do this.".into()),
            Self::SecondFactorRequired => (
                "totp-required",
                "This account signs in with two factors: send `totp`, the code of its \
                 authenticator app, or one of its `recovery_code`s with the password."
                    .into(),
            ),
            Self::EnrolmentRequired => (
                "totp-required",
                "Turn on two-factor sign-in first: POST /api/v1/me/2fa, or the page /account/2fa."
                    .into(),
            ),
            Self::TokenInvalid => (
                "token-invalid",
                "This link was already used, has expired or was replaced by a newer one; \
                 ask for a new one."
                    .into(),
            ),
            Self::NotFound(what) => ("not-found", format!("{what} not found.")),
            Self::Conflict { code, detail, .. } => (code.as_str(), detail.clone()),
            Self::PayloadTooLarge(d) => ("payload-too-large", d.clone()),
            Self::Validation(_) => ("validation", "The request has invalid fields.".into()),
            Self::InvalidRows(rows) => (
                "invalid-rows",
                format!("The file has {} error(s); nothing was stored.", rows.len()),
            ),
            Self::TooManyRequests { retry_after_secs } => (
                "too-many-requests",
                format!("Too many attempts; retry in {retry_after_secs} seconds."),
            ),
            Self::Unavailable(why) => ("unavailable", why.detail().into()),
            Self::Internal(_) => (
                "internal",
                "An internal error occurred; it has been logged.".into(),
            ),
        };
        let mut body = json!({
            "type": format!("/problems/{slug}"),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": detail,
        });
        match self {
            Self::Conflict { code, extra, .. } => {
                body["code"] = json!(code.as_str());
                if let Some(Value::Object(extra)) = extra {
                    for (k, v) in extra {
                        body[k] = v.clone();
                    }
                }
            }
            Self::SecondFactorRequired | Self::EnrolmentRequired => {
                body["code"] = json!(ConflictCode::TotpRequired.as_str());
            }
            Self::TokenInvalid => body["code"] = json!(ConflictCode::TokenInvalid.as_str()),
            Self::Validation(errors) => body["errors"] = json!(errors),
            Self::InvalidRows(rows) => body["errors"] = json!(rows),
            _ => {}
        }
        body
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return Self::conflict(
                ConflictCode::Duplicate,
                "A record with the same key already exists.",
            );
        }
        match failure(&err) {
            Some(Failure::Unreachable) => Self::Unavailable(Unavailable::Database(err)),
            Some(Failure::Contention) => Self::Unavailable(Unavailable::Contention(err)),
            None => Self::Internal(err.into()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let err = self.surfaced();
        let status = err.status();
        err.log();
        let annotation = err.annotation();
        let mut response = (status, axum::Json(err.problem())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        annotation.apply(&mut response);
        response
    }
}

/// What an answer to an error carries besides status and body:
/// `Retry-After`, and the [`Contended`] mark of a transaction worth running
/// again.
#[derive(Clone, Copy, Debug)]
pub struct Annotation {
    retry_after_secs: Option<u64>,
    contended: bool,
}

impl Annotation {
    pub fn apply(self, response: &mut Response) {
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.contended {
            response.extensions_mut().insert(Contended);
        }
    }
}

impl AppError {
    /// An internal error caused by the database being out of reach (or a
    /// lost transaction) is that, whatever wrapped it on the way up.
    pub fn surfaced(self) -> Self {
        let Self::Internal(cause) = &self else {
            return self;
        };
        let Some(db) = cause.chain().find_map(|e| e.downcast_ref::<DbErr>()) else {
            return self;
        };
        match failure(db) {
            Some(Failure::Unreachable) => Self::Unavailable(Unavailable::Database(db.clone())),
            Some(Failure::Contention) => Self::Unavailable(Unavailable::Contention(db.clone())),
            None => self,
        }
    }

    /// Logs what the client is not told: internal errors and outages.
    pub fn log(&self) {
        match self {
            Self::Internal(err) => tracing::error!(error = %format!("{err:#}"), "internal error"),
            Self::Unavailable(why) => tracing::warn!(error = %why, "answered 503"),
            _ => {}
        }
    }
}

/// Why the service cannot answer now.
#[derive(Debug, thiserror::Error)]
pub enum Unavailable {
    /// The database cannot be reached, or not within the pool's timeout.
    #[error("database unreachable: {0}")]
    Database(DbErr),
    /// A deadlock or serialization failure rolled the write transaction
    /// back, and running it again did not get it through.
    #[error("transaction lost to a concurrent one: {0}")]
    Contention(DbErr),
    /// The request took longer than `IMET_REQUEST_TIMEOUT_SECS`.
    #[error("request timed out after {0} seconds")]
    Timeout(u64),
}

impl Unavailable {
    fn retry_after_secs(&self) -> u64 {
        match self {
            Self::Database(_) | Self::Timeout(_) => 5,
            Self::Contention(_) => 1,
        }
    }

    fn detail(&self) -> &'static str {
        match self {
            Self::Database(_) => "The database is out of reach; try again shortly.",
            Self::Contention(_) => "The change collided with concurrent ones; try again.",
            Self::Timeout(_) => "The request took too long and was abandoned; try again.",
        }
    }
}

/// Marks a response whose write transaction was rolled back by a deadlock
/// or serialization failure, so that the request may be run again.
#[derive(Clone, Copy, Debug)]
pub struct Contended;

/// The database failures that are not the request's fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection: refused, reset, closed, or not acquired in time.
    Unreachable,
    /// The transaction was rolled back to break a deadlock or a
    /// serialization conflict; running it again may succeed.
    Contention,
}

/// Classifies a database error; `None` for errors of the statement itself.
pub fn failure(err: &DbErr) -> Option<Failure> {
    match err {
        DbErr::ConnectionAcquire(_) => Some(Failure::Unreachable),
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_failure(e),
        DbErr::Conn(_) => Some(Failure::Unreachable),
        _ => None,
    }
}

fn sqlx_failure(err: &sqlx::Error) -> Option<Failure> {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Failure::Unreachable),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // PostgreSQL: serialization_failure, deadlock_detected.
            // SQLite: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT.
            Some("40001" | "40P01" | "5" | "6" | "517") => Some(Failure::Contention),
            // PostgreSQL: connection exceptions (class 08); the server
            // shutting down or starting up (57P01, 57P02, 57P03).
            Some(code) if code.starts_with("08") || code.starts_with("57P") => {
                Some(Failure::Unreachable)
            }
            _ => None,
        },
        _ => None,
    }
}

/// `validator` errors become a 422 of `field → messages`, nested fields dotted.
impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Validation(field_errors(&errors))
    }
}

/// `validator` errors as `field → messages`, nested fields dotted.
pub fn field_errors(errors: &ValidationErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    collect(errors, "", &mut out);
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let messages = out.entry(name).or_default();
                for e in list {
                    messages.push(
                        e.message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| describe_code(&e.code, &e.params)),
                    );
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &name, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{name}[{index}]"), out);
                }
            }
        }
    }
}

fn describe_code(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    let p = |k: &str| params.get(k).map(|v| v.to_string());
    match code {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            _ => "has an invalid length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        "email" => "must be a valid email address".into(),
        "required" => "is required".into(),
        other => format!("is invalid ({other})"),
    }
}

/// One refused row of a file: its physical line (the header is line 1), the
/// column and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}
