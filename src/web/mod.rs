//! Server-rendered pages for people in a browser: thin handlers that check
//! who is signed in, call the same services as the JSON API and render an
//! askama template from `templates/`.
//!
//! Adding a page: write a handler taking [`session::SignedIn`] (or
//! [`session::AdminSignedIn`]) and a view struct holding a [`layout::Layout`]
//! (built with `SignedIn::layout`), with a template under `templates/pages/`
//! that extends `base.html`; route it below; and list it in
//! [`layout::nav_items`] for the roles that may open it. Forms post
//! `csrf_token` (`layout.csrf_token`) and re-render with [`forms::FormErrors`].
use axum::{
    Router, middleware,
    routing::{get, post},
};
use tower_http::catch_panic::CatchPanicLayer;

use crate::app::AppState;

pub mod assets;
pub mod auth;
pub mod countries;
pub mod dashboard;
pub mod error;
pub mod format;
pub mod forms;
pub mod layout;
pub mod session;
pub mod users;

/// Every page route. Pages run behind the session layer (which also checks
/// the CSRF token of every POST); the stylesheet does not need a session.
pub fn router(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/users", get(users::list).post(users::create))
        .route("/users/new", get(users::new_form))
        .route("/users/{id}/active", post(users::set_active))
        .route(
            "/users/{id}/password",
            get(users::password_form).post(users::reset_password),
        )
        .route("/countries", get(countries::list).post(countries::create))
        .route("/countries/new", get(countries::new_form))
        .route(
            "/countries/{code}",
            get(countries::show).post(countries::update),
        )
        .route("/countries/{code}/edit", get(countries::edit_form))
        .layer(middleware::from_fn_with_state(state, session::load))
        .layer(CatchPanicLayer::custom(error::panic_page))
        .layer(middleware::from_fn(assets::security_headers));
    Router::new()
        .route("/static/app.css", get(assets::stylesheet))
        .merge(pages)
}
