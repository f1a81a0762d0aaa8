//! Sign-in and sign-out pages. The password check and throttling are the
//! JSON API's ([`services::auth::check_credentials`]).
use std::net::SocketAddr;

use askama::Template;
use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    app::AppState,
    error::AppError,
    services::{auth, sessions},
    web::{
        error::{PageResult, render},
        format::wait_time,
        forms::{FormErrors, WebForm},
        layout::Layout,
        session::{Visitor, with_session_cookie},
    },
};

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    pub next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    next: String,
}

/// Where to go after signing in: only a path of this site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// `GET /login`. A browser without a session gets a visitor session here,
/// so the form has a CSRF token.
pub async fn login_form(
    State(state): State<AppState>,
    Visitor(session): Visitor,
    Query(query): Query<LoginQuery>,
) -> PageResult {
    let next = safe_next(query.next.as_deref().unwrap_or("/")).to_owned();
    match session {
        Some(session) if session.user.is_some() => Ok(Redirect::to(&next).into_response()),
        Some(session) => {
            let flash = sessions::take_flash(&state.db, &session).await?;
            Ok(login_page(
                &session.csrf_token,
                flash,
                FormErrors::default(),
                String::new(),
                next,
            ))
        }
        None => {
            let new = sessions::start(&state.db, None, state.config.token_ttl, None).await?;
            let page = login_page(
                &new.session.csrf_token,
                None,
                FormErrors::default(),
                String::new(),
                next,
            );
            Ok(with_session_cookie(&state, &new, page))
        }
    }
}

fn login_page(
    csrf_token: &str,
    flash: Option<String>,
    errors: FormErrors,
    email: String,
    next: String,
) -> Response {
    let page = LoginPage {
        layout: Layout {
            csrf_token: csrf_token.to_owned(),
            flash,
            ..Layout::bare("Sign in")
        }
        .with_errors(!errors.is_empty()),
        errors,
        email,
        next,
    };
    render(&page)
}

/// `POST /login`: on success a new session replaces the visitor's.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Visitor(session): Visitor,
    WebForm(form): WebForm<LoginForm>,
) -> PageResult {
    // The session layer lets no POST through without a session.
    let Some(visitor) = session else {
        return Err(AppError::Unauthorized.into());
    };
    let next = safe_next(&form.next).to_owned();
    let refused = |status: StatusCode, message: String| {
        let mut response = login_page(
            &visitor.csrf_token,
            None,
            FormErrors::form(message),
            form.email.clone(),
            next.clone(),
        );
        *response.status_mut() = status;
        response
    };
    match auth::check_credentials(
        &state.db,
        &form.email,
        &form.password,
        &addr.ip().to_string(),
    )
    .await
    {
        Ok(account) => {
            let user = auth::current_user(account, None)?;
            let new = sessions::start(&state.db, Some(user), state.config.token_ttl, None).await?;
            sessions::end(&state.db, visitor.id).await?;
            Ok(with_session_cookie(&state, &new, Redirect::to(&next)))
        }
        Err(AppError::Unauthorized) => Ok(refused(
            StatusCode::UNAUTHORIZED,
            "Enter a correct email address and password.".into(),
        )),
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            let mut response = refused(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-in attempts. Wait {} and try again.",
                    wait_time(retry_after_secs)
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /logout`: ends the session; the sign-in page says so.
pub async fn logout(State(state): State<AppState>, Visitor(session): Visitor) -> PageResult {
    if let Some(session) = session {
        sessions::end(&state.db, session.id).await?;
    }
    let new = sessions::start(
        &state.db,
        None,
        state.config.token_ttl,
        Some("You have signed out.".into()),
    )
    .await?;
    Ok(with_session_cookie(&state, &new, Redirect::to("/login")))
}
