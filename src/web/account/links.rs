//! The pages a visitor without a session opens: the forgotten-password
//! form, and the pages of one-time links (`/account/setup` of an
//! invitation, `/account/reset` of a reset) where a password is chosen.
//! Their forms carry the visitor cookie's CSRF token, as the sign-in does.
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::{
    api::extract::ClientAddr,
    app::AppState,
    domain::{account_link::LinkPurpose, password::PASSWORD_HINT},
    error::AppError,
    services::accounts::links::{self, LinkFor},
    web::{
        auth::{visitor_token, with_cookie},
        error::{PageError, PageResult, render_form},
        forms::{FormErrors, WebForm},
        layout::Layout,
    },
};

#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    pub email: String,
}

#[derive(Template)]
#[template(path = "pages/account/forgot.html")]
struct ForgotPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    sent: bool,
}

/// The form (422 while it has errors), or the answer once sent.
fn forgot_page(token: &str, errors: FormErrors, email: String, sent: bool) -> PageResult {
    let title = if sent {
        "Check your email"
    } else {
        "Reset your password"
    };
    let has_errors = !errors.is_empty();
    let page = ForgotPage {
        layout: Layout {
            csrf_token: token.to_owned(),
            ..Layout::bare(title)
        }
        .with_errors(has_errors),
        errors,
        email,
        sent,
    };
    render_form(&page, has_errors)
}

/// `GET /account/forgot`
pub async fn forgot_form(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (token, cookie) = visitor_token(&state, &headers);
    Ok(with_cookie(
        forgot_page(&token, FormErrors::default(), String::new(), false)?,
        cookie,
    ))
}

/// `POST /account/forgot`: the same page whether or not the account exists.
pub async fn forgot(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    WebForm(form): WebForm<ForgotForm>,
) -> PageResult {
    let (token, cookie) = visitor_token(&state, &headers);
    let page = match links::forgot(&state, &form.email, &client).await {
        Ok(()) => forgot_page(&token, FormErrors::default(), form.email, true)?,
        Err(err) => {
            let errors = FormErrors::from_error(err, &[("email", "Email address")])?;
            forgot_page(&token, errors, form.email, false)?
        }
    };
    Ok(with_cookie(page, cookie))
}

#[derive(Deserialize, Default)]
pub struct LinkQuery {
    #[serde(default)]
    pub token: String,
}

#[derive(Deserialize, Default)]
pub struct SetPasswordForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Template)]
#[template(path = "pages/account/set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    errors: FormErrors,
    link: LinkFor,
    invitation: bool,
    /// Where the form posts: the page the link opened.
    action: &'static str,
    token: String,
    password_hint: &'static str,
}

/// The form (422 while it has errors), never cached: it holds a live token.
fn set_password_page(csrf: &str, link: LinkFor, token: String, errors: FormErrors) -> PageResult {
    let invitation = link.purpose == LinkPurpose::Invitation;
    let title = if invitation {
        "Choose your password"
    } else {
        "Choose a new password"
    };
    let has_errors = !errors.is_empty();
    let page = SetPasswordPage {
        layout: Layout {
            csrf_token: csrf.to_owned(),
            ..Layout::bare(title)
        }
        .with_errors(has_errors),
        errors,
        action: link.purpose.page(),
        invitation,
        link,
        token,
        password_hint: PASSWORD_HINT,
    };
    let mut page = render_form(&page, has_errors)?;
    page.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(page)
}

/// `GET /account/setup?token=…` and `GET /account/reset?token=…`: the form
/// to choose a password, or the page saying the link no longer works (410).
pub async fn link_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LinkQuery>,
) -> PageResult {
    let link = links::peek(&state.db, &query.token, state.clock.now()).await?;
    let (csrf, cookie) = visitor_token(&state, &headers);
    Ok(with_cookie(
        set_password_page(&csrf, link, query.token, FormErrors::default())?,
        cookie,
    ))
}

/// `POST /account/setup` and `POST /account/reset`: sets the password,
/// uses the link up and signs the account out everywhere; then sign in.
pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    WebForm(form): WebForm<SetPasswordForm>,
) -> PageResult {
    match links::redeem(&state, &form.token, &form.password).await {
        Ok(_) => Ok(Redirect::to("/login?signed_out=password").into_response()),
        Err(AppError::Validation(fields)) => {
            let link = links::peek(&state.db, &form.token, state.clock.now()).await?;
            let (csrf, cookie) = visitor_token(&state, &headers);
            let errors = FormErrors::from_fields(fields, &[("password", "Password")]);
            Ok(with_cookie(
                set_password_page(&csrf, link, form.token, errors)?,
                cookie,
            ))
        }
        Err(err) => Err(PageError::from(err)),
    }
}
