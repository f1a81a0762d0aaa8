//! Sign-in (with its second step, the code of an account with two-factor
//! sign-in on) and sign-out. The checks and throttling are the JSON API's
//! ([`services::auth::check_credentials`], [`services::auth::check_code`]).
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    api::extract::Client,
    app::AppState,
    error::AppError,
    services::{
        auth::{self, Checked, Factor},
        sessions::{self, Session},
    },
    web::{
        error::{PageError, PageResult, render},
        format::wait_time,
        forms::{FormErrors, NoFields, WebForm},
        layout::Layout,
        session::{CODE_PAGE, Enrolling, Visitor, login_cookie, login_token, with_session_cookie},
    },
};

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    pub next: Option<String>,
    /// Set by sign-out, to say so.
    pub signed_out: Option<String>,
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

/// Where to go after signing in: a path of this site, starting with exactly
/// one `/`, in printable ASCII without `\` (SPEC §8); anything else is `/`.
fn safe_next(next: &str) -> &str {
    let path_only = next.starts_with('/') && !next.starts_with("//");
    let printable = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if path_only && printable { next } else { "/" }
}

/// `GET /login`. Nothing is stored for a visitor: the form's CSRF token is
/// the sign-in cookie's, set here when the browser has none.
pub async fn login_form(
    State(state): State<AppState>,
    Visitor(session): Visitor,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> PageResult {
    let next = safe_next(query.next.as_deref().unwrap_or("/")).to_owned();
    if session.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let flash = query.signed_out.as_deref().map(|why| {
        match why {
            "password" => "Your password is set. Sign in with it.",
            "everywhere" => "You have signed out everywhere.",
            _ => "You have signed out.",
        }
        .to_owned()
    });
    let (token, cookie) = visitor_token(&state, &headers);
    Ok(with_cookie(
        login_page(&token, flash, FormErrors::default(), String::new(), next),
        cookie,
    ))
}

/// The CSRF token of a visitor's form, and the cookie to set when the
/// browser has none yet.
pub fn visitor_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match login_token(headers) {
        Some(token) => (token, None),
        None => {
            let token = auth::random_token();
            let cookie = login_cookie(state, &token);
            (token, Some(cookie))
        }
    }
}

/// Adds the visitor cookie, if any, to a page.
pub fn with_cookie(mut page: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        page.headers_mut().append(header::SET_COOKIE, cookie);
    }
    page
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

/// `POST /login`: on success a new session starts (a fresh id, so a planted
/// one never gains rights) and the sign-in cookie's token stays for the next
/// sign-in form. A right password for an account with two-factor sign-in
/// starts a session that only awaits the code, on [`CODE_PAGE`].
pub async fn login(
    State(state): State<AppState>,
    Client(from): Client,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> PageResult {
    // The session layer and the form extractor checked it against this cookie.
    let token = login_token(&headers).ok_or(PageError::Csrf)?;
    let next = safe_next(&form.next).to_owned();
    let refused = |err: AppError| {
        refusal(err, |message| {
            login_page(
                &token,
                None,
                FormErrors::form(message),
                form.email.clone(),
                next.clone(),
            )
        })
    };
    let checked = match auth::check_credentials(
        &state.db,
        &form.email,
        &form.password,
        Factor::None,
        &from.client_addr,
    )
    .await
    {
        Ok(checked) => checked,
        Err(err) => return refused(err),
    };
    match checked {
        Checked::Done(account) => {
            let user = auth::current_user(account, None)?;
            let new = sessions::start(&state.db, user, state.config.token_ttl, &from).await?;
            Ok(with_session_cookie(&state, &new, Redirect::to(&next)))
        }
        Checked::CodeNeeded(account) => {
            let new = sessions::start_awaiting_code(&state.db, account.id, &from).await?;
            let target = format!("{CODE_PAGE}?next={}", urlencode(&next));
            Ok(with_session_cookie(&state, &new, Redirect::to(&target)))
        }
    }
}

/// The page of a refused sign-in step: 401 with the form again, or 429
/// saying how long to wait; any other error as its error page.
fn refusal(err: AppError, page: impl Fn(String) -> Response) -> PageResult {
    let (status, message, wait) = match err {
        AppError::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            "Enter a correct email address and password.".to_owned(),
            None,
        ),
        AppError::SecondFactorRequired => (
            StatusCode::UNAUTHORIZED,
            "Enter the code your authenticator app shows now, or an unused recovery code."
                .to_owned(),
            None,
        ),
        AppError::TooManyRequests { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-in attempts. Wait {} and try again.",
                wait_time(retry_after_secs)
            ),
            Some(retry_after_secs),
        ),
        other => return Err(other.into()),
    };
    let mut response = page(message);
    *response.status_mut() = status;
    if let Some(secs) = wait {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(response)
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub recovery_code: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Template)]
#[template(path = "pages/login_code.html")]
struct CodePage {
    layout: Layout,
    errors: FormErrors,
    next: String,
}

fn code_page(session: &Session, errors: FormErrors, next: String) -> Response {
    render(&CodePage {
        layout: Layout {
            csrf_token: session.csrf_token.clone(),
            ..Layout::bare("Enter your sign-in code")
        }
        .with_errors(!errors.is_empty()),
        errors,
        next,
    })
}

/// The session of a sign-in awaiting its code, or the sign-in page.
fn awaiting(session: Option<Session>) -> Result<(Session, i32), PageError> {
    session
        .and_then(|s| s.awaiting_code.map(|user| (s, user)))
        .ok_or(PageError::SignIn {
            next: "/".to_owned(),
        })
}

/// `GET /login/code`: the second step of signing in.
pub async fn code_form(Visitor(session): Visitor, Query(query): Query<LoginQuery>) -> PageResult {
    let (session, _) = awaiting(session)?;
    let next = safe_next(query.next.as_deref().unwrap_or("/")).to_owned();
    Ok(code_page(&session, FormErrors::default(), next))
}

/// `POST /login/code`: a right code ends the waiting session and starts a
/// signed-in one with a fresh id; wrong codes count toward the throttle.
pub async fn code(
    State(state): State<AppState>,
    Visitor(session): Visitor,
    Client(from): Client,
    WebForm(form): WebForm<CodeForm>,
) -> PageResult {
    let (session, user_id) = awaiting(session)?;
    let next = safe_next(&form.next).to_owned();
    let factor = Factor::from_fields(Some(form.code), Some(form.recovery_code));
    let account = match auth::check_code(&state.db, user_id, factor, &from.client_addr).await {
        Ok(account) => account,
        Err(err) => {
            return refusal(err, |message| {
                code_page(&session, FormErrors::form(message), next.clone())
            });
        }
    };
    sessions::discard(&state.db, session.id).await?;
    let user = auth::current_user(account, None)?;
    let new = sessions::start(&state.db, user, state.config.token_ttl, &from).await?;
    Ok(with_session_cookie(&state, &new, Redirect::to(&next)))
}

/// `POST /logout`: ends the session; the sign-in page says so.
pub async fn logout(
    State(state): State<AppState>,
    Enrolling(signed_in): Enrolling,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    sessions::sign_out(&state.db, &signed_in.user, signed_in.session.id).await?;
    Ok(Redirect::to("/login?signed_out=yes").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        let cases = [
            ("/", "/"),
            ("/users", "/users"),
            (
                "/nominations?status=submitted&page=2",
                "/nominations?status=submitted&page=2",
            ),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("\\\\evil.example", "/"),
            ("/\t/evil.example", "/"),
            ("/\r\n", "/"),
            ("/ /evil.example", "/"),
            ("https://evil.example", "/"),
            ("evil.example", "/"),
            ("/caf\u{e9}", "/"),
            ("", "/"),
        ];
        for (next, followed) in cases {
            assert_eq!(safe_next(next), followed, "{next:?}");
        }
    }
}
