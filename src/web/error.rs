//! The web side of [`AppError`]: the same errors, answered as friendly HTML
//! pages instead of problem documents. A page that is not signed in is sent
//! to the sign-in page; a form re-renders its field errors itself
//! ([`crate::web::forms`]) and only lands here for anything else.
use std::any::Any;

use askama::Template;
use axum::{
    http::{StatusCode, Uri, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use sea_orm::DbErr;

use crate::{error::AppError, web::layout::Layout};

pub type PageResult = Result<Response, PageError>;

#[derive(Debug)]
pub enum PageError {
    /// Any service error, shown as an error page for its status.
    App(AppError),
    /// Not signed in: go to the sign-in page, then back to `next`.
    SignIn { next: String },
    /// A POST without the session's CSRF token.
    Csrf,
}

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

impl From<DbErr> for PageError {
    fn from(err: DbErr) -> Self {
        Self::App(err.into())
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
    details: Vec<String>,
}

impl ErrorPage {
    fn response(
        status: StatusCode,
        heading: &str,
        message: String,
        details: Vec<String>,
    ) -> Response {
        let page = Self {
            layout: Layout::bare(heading),
            heading: heading.to_owned(),
            message,
            details,
        };
        (status, render(&page)).into_response()
    }
}

/// Renders a page that holds a form: 422 while the form has errors, else 200.
pub fn render_form(page: &impl Template, has_errors: bool) -> PageResult {
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(page)).into_response())
}

/// Renders a template, or a plain 500 if it cannot be (a bug, logged).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Sorry, there is a problem with the service.",
            )
                .into_response()
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = match self {
            Self::SignIn { next } => return sign_in_redirect(&next),
            Self::Csrf => {
                return ErrorPage::response(
                    StatusCode::FORBIDDEN,
                    "This form could not be accepted",
                    "The form had expired or did not come from this service. Go back, reload \
                     the page and try again."
                        .into(),
                    Vec::new(),
                );
            }
            Self::App(err) => err,
        };
        page(err)
    }
}

/// The error page of a service error, with the headers it calls for.
pub fn page(err: AppError) -> Response {
    let err = err.surfaced();
    err.log();
    let annotation = err.annotation();
    let mut response = page_body(err);
    annotation.apply(&mut response);
    response
}

fn page_body(err: AppError) -> Response {
    let status = err.status();
    match err {
        AppError::Unauthorized | AppError::SecondFactorRequired => sign_in_redirect("/"),
        AppError::EnrolmentRequired => Redirect::to("/account/2fa").into_response(),
        AppError::TokenInvalid => ErrorPage::response(
            status,
            "This link no longer works",
            "It was already used, has expired, or a newer link replaced it. Ask for a new \
                 one on the forgotten password page, or ask an administrator to send a new \
                 invitation."
                .into(),
            Vec::new(),
        ),
        AppError::Forbidden => ErrorPage::response(
            status,
            "You do not have permission to see this page",
            "Your role does not give access to it. If you think it should, ask an \
                 administrator."
                .into(),
            Vec::new(),
        ),
        AppError::NotFound(_) => not_found(),
        AppError::Conflict { detail, .. } => {
            ErrorPage::response(status, "This could not be done", detail, Vec::new())
        }
        AppError::Validation(fields) => ErrorPage::response(
            status,
            "This could not be done",
            "The request had invalid values:".into(),
            fields
                .into_iter()
                .flat_map(|(field, messages)| {
                    messages.into_iter().map(move |m| format!("{field}: {m}"))
                })
                .collect(),
        ),
        AppError::InvalidRows(rows) => ErrorPage::response(
            status,
            "The file was not accepted",
            "Nothing was stored. Correct these lines and upload it again:".into(),
            rows.into_iter()
                .map(|r| format!("line {}, {}: {}", r.line, r.field, r.message))
                .collect(),
        ),
        AppError::TooManyRequests { retry_after_secs } => ErrorPage::response(
            status,
            "Too many attempts",
            format!(
                "Wait {} and try again.",
                crate::web::format::wait_time(retry_after_secs)
            ),
            Vec::new(),
        ),
        AppError::BadRequest(detail) | AppError::PayloadTooLarge(detail) => {
            ErrorPage::response(status, "The request could not be read", detail, Vec::new())
        }
        AppError::Unavailable(_) => ErrorPage::response(
            status,
            "The service is briefly unavailable",
            "Nothing was lost. Wait a few seconds and try again.".into(),
            Vec::new(),
        ),
        AppError::Internal(_) => server_error(),
    }
}

fn sign_in_redirect(next: &str) -> Response {
    let target = if next == "/" {
        "/login".to_owned()
    } else {
        let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        format!("/login?next={encoded}")
    };
    Redirect::to(&target).into_response()
}

/// The 404 page: for a missing page, a missing record, and a record of
/// another country (which must look exactly like a missing one).
pub fn not_found() -> Response {
    ErrorPage::response(
        StatusCode::NOT_FOUND,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, the \
         record may not exist or may not be open to you."
            .into(),
        Vec::new(),
    )
}

fn server_error() -> Response {
    ErrorPage::response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        "Try again later. The problem has been logged.".into(),
        Vec::new(),
    )
}

/// A page handler panicked: log it and show the 500 page.
pub fn panic_page(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("page handler panicked");
    server_error()
}

/// The router's fallback: the JSON API keeps answering problem documents,
/// everything else gets the HTML 404 page.
pub async fn fallback(uri: Uri) -> Response {
    answer(&uri, AppError::not_found("Resource"))
}

/// An error met outside any handler (no route, a timeout): a problem
/// document under `/api`, the error page anywhere else.
pub fn answer(uri: &Uri, err: AppError) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        err.into_response()
    } else {
        page(err)
    }
}
