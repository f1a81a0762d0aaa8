//! The stylesheet, compiled into the binary, and the headers every page gets.
use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

const STYLESHEET: &str = include_str!("../../static/app.css");

/// The stylesheet's address in pages; the version makes each release fetch it anew.
pub const STYLESHEET_URL: &str = concat!("/static/app.css?v=", env!("CARGO_PKG_VERSION"));

/// `GET /static/app.css`. Cached for a day; pages link it with a version
/// query so a new release is fetched at once.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        STYLESHEET,
    )
}

/// Pages load nothing from elsewhere and are never framed.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
