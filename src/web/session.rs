//! The session cookie, the layer that resolves it (and gives every POST the
//! CSRF token its form must carry), and the extractors pages use to know who
//! is signed in.
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::{
    api::extract::{gated, must_enrol},
    app::AppState,
    domain::role::Role,
    error::AppError,
    services::{
        auth::Caller,
        sessions::{self, NewSession, Session},
    },
    web::{
        error::PageError,
        layout::{Layout, nav_items},
    },
};

pub const COOKIE_NAME: &str = "imet_session";

/// The form field every POST carries.
pub const CSRF_FIELD: &str = "csrf_token";

/// The value of the cookie `name` the request carries, if any and not empty.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_owned()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value for a new session: HttpOnly, SameSite=Lax, and
/// Secure when the service is reached over HTTPS. It lasts as long as the
/// browser; the database decides when the session expires.
pub fn session_cookie(state: &AppState, new: &NewSession) -> HeaderValue {
    let cookie = Cookie::build((COOKIE_NAME, new.cookie_id.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.base_url.starts_with("https://"))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("hex cookie value is a valid header")
}

/// The `Set-Cookie` value of the visitor forms' token (sign-in, forgotten
/// password, the pages of one-time links): never sent with another site's
/// request, and gone with the browser.
pub fn login_cookie(state: &AppState, token: &str) -> HeaderValue {
    let cookie = Cookie::build((LOGIN_COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.base_url.starts_with("https://"))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("hex cookie value is a valid header")
}

/// The sign-in form's token from the request's cookie, if it has one.
pub fn login_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, LOGIN_COOKIE)
}

/// Adds the cookie of a new session to a response.
pub fn with_session_cookie(
    state: &AppState,
    new: &NewSession,
    response: impl IntoResponse,
) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(state, new));
    response
}

/// The cookie of the visitor forms' CSRF token: a visitor has no session
/// (none is stored for anonymous requests), so the form's token is checked
/// against this cookie instead (a double-submit token).
pub const LOGIN_COOKIE: &str = "imet_login";

/// The forms of a visitor: the sign-in, and the forgotten-password and
/// one-time-link forms, which carry the visitor cookie's token even when
/// the browser is signed in.
const VISITOR_FORMS: [&str; 4] = [
    "/login",
    "/account/forgot",
    "/account/reset",
    "/account/setup",
];

/// The page that asks for the second factor's code after a right password:
/// the only one a session awaiting that code opens.
pub const CODE_PAGE: &str = "/login/code";

/// The CSRF token the form of a POST must carry, set by [`load`]. The form
/// extractors check it when they read the body, which happens after the
/// handler's sign-in and role checks: no body is read before them.
#[derive(Clone, Debug)]
pub struct ExpectedCsrf(String);

impl ExpectedCsrf {
    /// Accepts `sent` when it is this token, else the 403 page.
    pub fn check(&self, sent: Option<&str>) -> Result<(), PageError> {
        match sent {
            Some(sent) if same_token(&self.0, sent) => Ok(()),
            _ => Err(PageError::Csrf),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ExpectedCsrf {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(PageError::Csrf)
    }
}

/// Resolves the session cookie for every page and puts the [`Session`] in
/// the request (a session awaiting a sign-in code only on [`CODE_PAGE`]).
/// A POST gets the token its form must carry: the visitor cookie's on
/// [`VISITOR_FORMS`] (on `/login` only without a session), the session's
/// otherwise; a POST with neither is refused with the 403 page at once,
/// its body unread.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let session = match cookie_value(request.headers(), COOKIE_NAME) {
        Some(id) => match sessions::resolve(&state.db, &id).await {
            Ok(session) => session
                .filter(|s| s.user.is_some() || (s.awaiting_code.is_some() && path == CODE_PAGE)),
            Err(err) => return PageError::from(err).into_response(),
        },
        None => None,
    };
    if request.method() == Method::POST {
        let visitor_form = VISITOR_FORMS.contains(&path.as_str());
        let expected = match &session {
            Some(session) if path == "/login" || !visitor_form => Some(session.csrf_token.clone()),
            _ if visitor_form => cookie_value(request.headers(), LOGIN_COOKIE),
            _ => None,
        };
        let Some(expected) = expected else {
            return PageError::Csrf.into_response();
        };
        request.extensions_mut().insert(ExpectedCsrf(expected));
    }
    if let Some(session) = session {
        request.extensions_mut().insert(session);
    }
    next.run(request).await
}

/// Room for the parts of a file upload around the file itself.
pub const MULTIPART_ENVELOPE_BYTES: usize = 64 * 1024;

/// Compares in time independent of where the tokens differ.
fn same_token(expected: &str, sent: &str) -> bool {
    expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The signed-in session of the request, if the browser has one.
pub struct Visitor(pub Option<Session>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PageError> {
        Ok(Self(parts.extensions.get::<Session>().cloned()))
    }
}

/// A signed-in user; anyone else is sent to the sign-in page and back.
pub struct SignedIn {
    pub user: Caller,
    pub session: Session,
    /// The path of the page, for the navigation.
    pub path: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    /// Sends an account that must still turn on two-factor sign-in
    /// (`IMET_REQUIRE_2FA`) to its set-up; [`Enrolling`] lets it in.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Enrolling(signed_in) = Enrolling::from_request_parts(parts, state).await?;
        if must_enrol(state, &signed_in.user) {
            return Err(AppError::EnrolmentRequired.into());
        }
        Ok(signed_in)
    }
}

/// A signed-in user, even one who must still turn on two-factor sign-in:
/// for the set-up pages and signing out.
pub struct Enrolling(pub SignedIn);

impl FromRequestParts<AppState> for Enrolling {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PageError> {
        let session = parts.extensions.get::<Session>().cloned();
        match session.and_then(|s| s.user.clone().map(|u| (u, s))) {
            Some((user, session)) => Ok(Self(SignedIn {
                user,
                session,
                path: parts.uri.path().to_owned(),
            })),
            None => {
                // Only a page can be returned to; a form post starts over at home.
                let next = if parts.method == Method::GET {
                    parts
                        .uri
                        .path_and_query()
                        .map_or("/".to_owned(), |p| p.as_str().to_owned())
                } else {
                    "/".to_owned()
                };
                Err(PageError::SignIn { next })
            }
        }
    }
}

impl SignedIn {
    /// The frame of a page titled `title`; takes the pending flash message.
    pub async fn layout(&self, state: &AppState, title: &str) -> Result<Layout, PageError> {
        Ok(Layout {
            title: title.to_owned(),
            has_errors: false,
            user_name: Some(self.user.name.clone()),
            role_label: Some(self.user.role.label()),
            nav: nav_items(&self.user, &self.path),
            csrf_token: self.session.csrf_token.clone(),
            flash: sessions::take_flash(&state.db, &self.session).await?,
        })
    }

    /// Leaves a message for the next page this user sees.
    pub async fn flash(&self, state: &AppState, message: &str) -> Result<(), PageError> {
        Ok(sessions::set_flash(&state.db, self.session.id, message).await?)
    }
}

gated!(
    /// A signed-in admin.
    AdminSignedIn(SignedIn): PageError,
    |s| s.user.role == Role::Admin
);
gated!(
    /// A signed-in program officer or admin.
    StaffSignedIn(SignedIn): PageError,
    |s| s.user.role.is_staff()
);
gated!(
    /// A signed-in country liaison or admin, who may nominate.
    NominatorSignedIn(SignedIn): PageError,
    |s| s.user.role.may_nominate()
);

#[cfg(test)]
mod tests {
    use super::same_token;

    #[test]
    fn tokens_must_match_exactly() {
        let cases = [
            ("abc123", "abc123", true),
            ("abc123", "abc124", false),
            ("abc123", "abc12", false),
            ("abc123", "", false),
            ("", "", true),
        ];
        for (expected, sent, same) in cases {
            assert_eq!(same_token(expected, sent), same, "{expected:?} {sent:?}");
        }
    }
}
