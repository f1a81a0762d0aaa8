//! What every request and response passes through, whatever route answers:
//! control characters in the path or query string refused (SPEC §8), and the
//! security and caching headers.
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use percent_encoding::percent_decode_str;

use crate::{
    app::AppState,
    domain::text::control_char_error,
    error::AppError,
    web::{
        error::answer,
        session::{COOKIE_NAME, cookie_value},
    },
};

/// Pages load nothing from elsewhere and are never framed.
const PAGE_POLICY: &str =
    "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The API explorer styles its widgets inline and shows inline images; its
/// scripts still come only from this service.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     frame-ancestors 'none'; base-uri 'none'";

/// A path segment or query parameter holding a control character answers
/// 422 naming it (a problem document under `/api`, else the error page),
/// before any handler or database sees it.
pub async fn reject_control_chars(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    if let Some(err) = path_error(uri.path(), template.as_deref())
        .or_else(|| query_error(uri.query().unwrap_or("")))
    {
        return answer(uri, err);
    }
    next.run(request).await
}

/// The first path segment with a control character, named by its parameter
/// in the route template when there is one.
fn path_error(path: &str, template: Option<&str>) -> Option<AppError> {
    let names: Vec<&str> = template.map_or_else(Vec::new, |t| t.split('/').collect());
    path.split('/').enumerate().find_map(|(i, segment)| {
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        let message = control_char_error(&decoded, false)?;
        let name = names
            .get(i)
            .and_then(|n| n.strip_prefix('{'))
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or("path");
        Some(AppError::field(name, message))
    })
}

/// The first query parameter whose name or value has a control character.
fn query_error(query: &str) -> Option<AppError> {
    form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        control_char_error(&name, false)
            .or_else(|| control_char_error(&value, false))
            .map(|message| AppError::field(&name.replace(|c: char| c.is_control(), "?"), message))
    })
}

/// On every response: no MIME sniffing and no referrer beyond this site; on
/// HTML a content security policy that runs no inline script and forbids
/// framing; `no-store` when the request was authenticated (a bearer token or
/// a session cookie); HSTS when the service is reached over HTTPS.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let authenticated = is_authenticated(request.headers());
    let docs = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if is_html {
        let policy = if docs { DOCS_POLICY } else { PAGE_POLICY };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
    }
    if authenticated {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.base_url.starts_with("https://") {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

fn is_authenticated(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION) || cookie_value(headers, COOKIE_NAME).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_named_by_their_parameter() {
        let cases = [
            (
                "/api/v1/countries/PK",
                Some("/api/v1/countries/{code}"),
                None,
            ),
            (
                "/api/v1/countries/%00",
                Some("/api/v1/countries/{code}"),
                Some("code"),
            ),
            (
                "/countries/P%0AK/edit",
                Some("/countries/{code}/edit"),
                Some("code"),
            ),
            ("/no/such/%C2%88", None, Some("path")),
            ("/students/%E2%80%8B", Some("/students/{id}"), None),
        ];
        for (path, template, field) in cases {
            let named = path_error(path, template).map(|e| match e {
                AppError::Validation(fields) => fields.into_keys().next().unwrap_or_default(),
                other => panic!("{other:?}"),
            });
            assert_eq!(named.as_deref(), field, "{path}");
        }
    }

    #[test]
    fn query_parameters_are_named() {
        let cases = [
            ("q=Ali&limit=5", None),
            ("q=%00", Some("q")),
            ("status=approved&q=a%0Db", Some("q")),
            ("na%01me=x", Some("na?me")),
            ("q=caf%C3%A9+au+lait", None),
        ];
        for (query, field) in cases {
            let named = query_error(query).map(|e| match e {
                AppError::Validation(fields) => fields.into_keys().next().unwrap_or_default(),
                other => panic!("{other:?}"),
            });
            assert_eq!(named.as_deref(), field, "{query}");
        }
    }
}
