//! The stylesheet, compiled into the binary.
use axum::{http::header, response::IntoResponse};

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
