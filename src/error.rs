//! One error type for the whole service, answered as RFC 9457
//! `application/problem+json`. Database and internal errors are logged with
//! their cause; the client gets a generic message.
use std::collections::BTreeMap;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use validator::{ValidationErrors, ValidationErrorsKind};

pub type AppResult<T> = Result<T, AppError>;

/// Field name → messages, as answered in a 422's `errors`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// The machine-readable `code` of every 409 (SPEC §3).
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

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation(_) | Self::InvalidRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
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
            Self::Validation(errors) => body["errors"] = json!(errors),
            Self::InvalidRows(rows) => body["errors"] = json!(rows),
            _ => {}
        }
        body
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::conflict(
                ConflictCode::Duplicate,
                "A record with the same key already exists.",
            ),
            _ => Self::Internal(err.into()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Self::Internal(err) = &self {
            tracing::error!(error = %format!("{err:#}"), "internal error");
        }
        let mut response = (status, axum::Json(self.problem())).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Self::TooManyRequests { retry_after_secs } = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
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
