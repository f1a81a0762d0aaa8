//! Server-rendered pages for people in a browser: thin handlers that check
//! who is signed in, call the same services as the JSON API and render an
//! askama template from `templates/`.
//!
//! Adding a page: write a handler taking [`session::SignedIn`] (or
//! [`session::StaffSignedIn`], [`session::NominatorSignedIn`],
//! [`session::AdminSignedIn`]) and a view struct holding a [`layout::Layout`]
//! (built with `SignedIn::layout`), with a template under `templates/pages/`
//! that extends `base.html`; route it below; and list it in
//! [`layout::nav_items`] for the roles that may open it. Forms post
//! `csrf_token` (`layout.csrf_token`) and re-render with [`forms::FormErrors`].
use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
};
use tower_http::catch_panic::CatchPanicLayer;

use crate::{app::AppState, services::catalog_csv::MAX_IMPORT_BYTES};

pub mod assets;
pub mod auth;
pub mod catalog_csv;
pub mod countries;
pub mod courses;
pub mod dashboard;
pub mod error;
pub mod format;
pub mod forms;
pub mod funding;
pub mod layout;
pub mod nominations;
pub mod offerings;
pub mod outbox;
pub mod session;
pub mod students;
pub mod suspensions;
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
        .route("/countries/{code}/suspensions", post(suspensions::impose))
        .route(
            "/countries/{code}/suspensions/new",
            get(suspensions::impose_form),
        )
        .route(
            "/countries/{code}/suspensions/{id}/lift",
            get(suspensions::lift_form).post(suspensions::lift),
        )
        .route("/courses", get(courses::list).post(courses::create))
        .route("/courses/new", get(courses::new_form))
        .route(
            "/courses/import",
            get(catalog_csv::import_form)
                .post(catalog_csv::import)
                .layer(DefaultBodyLimit::max(
                    MAX_IMPORT_BYTES + session::MULTIPART_ENVELOPE_BYTES,
                )),
        )
        .route("/courses/export", get(catalog_csv::export))
        .route(
            "/courses/{masl_id}",
            get(courses::show).post(courses::update),
        )
        .route("/courses/{masl_id}/edit", get(courses::edit_form))
        .route("/courses/{masl_id}/offerings", post(offerings::create))
        .route("/courses/{masl_id}/offerings/new", get(offerings::new_form))
        .route("/offerings/{id}", post(offerings::update))
        .route("/offerings/{id}/edit", get(offerings::edit_form))
        .route("/students", get(students::list).post(students::create))
        .route("/students/new", get(students::new_form))
        .route("/students/{id}", get(students::show).post(students::update))
        .route("/students/{id}/edit", get(students::edit_form))
        .route("/students/{id}/tests", post(students::add_test))
        .route("/students/{id}/vetting", post(students::add_vetting))
        .route(
            "/nominations",
            get(nominations::list).post(nominations::create),
        )
        .route("/nominations/new", get(nominations::new_form))
        .route("/nominations/{id}", get(nominations::show))
        .route("/nominations/{id}/submit", post(nominations::submit))
        .route("/nominations/{id}/approve", post(nominations::approve))
        .route("/nominations/{id}/reject", post(nominations::reject))
        .route("/nominations/{id}/waitlist", post(nominations::waitlist))
        .route("/nominations/{id}/withdraw", post(nominations::withdraw))
        .route("/nominations/{id}/complete", post(nominations::complete))
        .route("/nominations/{id}/waivers", post(nominations::waive))
        .route("/funding", get(funding::show))
        .route("/funding/report.csv", get(funding::report_csv))
        .route("/funding/allocations", post(funding::set_allocation))
        .route("/funding/transfers", post(funding::transfer))
        .route("/outbox", get(outbox::list))
        .route("/outbox/{id}/retry", post(outbox::retry))
        .layer(middleware::from_fn_with_state(state, session::load))
        .layer(CatchPanicLayer::custom(error::panic_page));
    Router::new()
        .route("/static/app.css", get(assets::stylesheet))
        .merge(pages)
}
