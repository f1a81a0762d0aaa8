//! The session cookie, the layer that resolves it (and refuses any POST
//! without the session's CSRF token), and the extractors pages use to know
//! who is signed in.
use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::{
    api::extract::gated,
    app::{AppState, JSON_BODY_LIMIT},
    domain::role::Role,
    error::AppError,
    services::{
        auth::Caller,
        catalog_csv::MAX_IMPORT_BYTES,
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

fn cookie_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_owned()).ok())
        .find(|c| c.name() == COOKIE_NAME)
        .map(|c| c.value().to_owned())
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

/// Resolves the session cookie for every page and puts the [`Session`] in
/// the request. A POST must carry the session's CSRF token in its form
/// body, or it is refused with a 403 page before any handler runs.
pub async fn load(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let session = match cookie_id(request.headers()) {
        Some(id) => match sessions::resolve(&state.db, &id).await {
            Ok(session) => session,
            Err(err) => return PageError::from(err).into_response(),
        },
        None => None,
    };
    let mut request = if request.method() == Method::POST {
        let (parts, body) = request.into_parts();
        let multipart = is_multipart(&parts.headers);
        // A file upload may be as large as a CSV import; any other form as a JSON body.
        let limit = if multipart {
            MAX_IMPORT_BYTES + MULTIPART_ENVELOPE_BYTES
        } else {
            JSON_BODY_LIMIT
        };
        let Ok(bytes) = to_bytes(body, limit).await else {
            return PageError::from(AppError::PayloadTooLarge("The form is too large.".into()))
                .into_response();
        };
        let sent = if multipart {
            multipart_token(&parts.headers, bytes.clone()).await
        } else {
            form_urlencoded::parse(&bytes)
                .find(|(name, _)| name == CSRF_FIELD)
                .map(|(_, value)| value.into_owned())
        };
        let valid =
            matches!((&session, sent), (Some(s), Some(sent)) if same_token(&s.csrf_token, &sent));
        if !valid {
            return PageError::Csrf.into_response();
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        request
    };
    if let Some(session) = session {
        request.extensions_mut().insert(session);
    }
    next.run(request).await
}

/// Room for the parts of a file upload around the file itself.
pub const MULTIPART_ENVELOPE_BYTES: usize = 64 * 1024;

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// The CSRF token of a `multipart/form-data` body (a file upload form).
async fn multipart_token(headers: &HeaderMap, bytes: Bytes) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let boundary = multer::parse_boundary(content_type).ok()?;
    let mut multipart = multer::Multipart::new(Body::from(bytes).into_data_stream(), boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// Compares in time independent of where the tokens differ.
fn same_token(expected: &str, sent: &str) -> bool {
    expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The session of the request, if the browser has one (signed in or not).
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

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PageError> {
        let session = parts.extensions.get::<Session>().cloned();
        match session.and_then(|s| s.user.clone().map(|u| (u, s))) {
            Some((user, session)) => Ok(Self {
                user,
                session,
                path: parts.uri.path().to_owned(),
            }),
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
