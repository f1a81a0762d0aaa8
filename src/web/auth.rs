//! Sign-in and sign-out pages. The password check and throttling are the
//! JSON API's ([`services::auth::check_credentials`]).
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    api::extract::ClientAddr,
    app::AppState,
    error::AppError,
    services::{auth, sessions},
    web::{
        error::{PageError, PageResult, render},
        format::wait_time,
        forms::{FormErrors, NoFields, WebForm},
        layout::Layout,
        session::{SignedIn, Visitor, login_cookie, login_token, with_session_cookie},
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
    let flash = query
        .signed_out
        .is_some()
        .then(|| "You have signed out.".to_owned());
    let (token, fresh) = match login_token(&headers) {
        Some(token) => (token, false),
        None => (hex::encode(rand::random::<[u8; 32]>()), true),
    };
    let mut page = login_page(&token, flash, FormErrors::default(), String::new(), next);
    if fresh {
        page.headers_mut()
            .append(header::SET_COOKIE, login_cookie(&state, &token));
    }
    Ok(page)
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
/// sign-in form.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> PageResult {
    // The session layer and the form extractor checked it against this cookie.
    let token = login_token(&headers).ok_or(PageError::Csrf)?;
    let next = safe_next(&form.next).to_owned();
    let refused = |status: StatusCode, message: String| {
        let mut response = login_page(
            &token,
            None,
            FormErrors::form(message),
            form.email.clone(),
            next.clone(),
        );
        *response.status_mut() = status;
        response
    };
    match auth::check_credentials(&state.db, &form.email, &form.password, &client).await {
        Ok(account) => {
            let user = auth::current_user(account, None)?;
            let new = sessions::start(&state.db, user, state.config.token_ttl).await?;
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
pub async fn logout(
    State(state): State<AppState>,
    signed_in: SignedIn,
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
