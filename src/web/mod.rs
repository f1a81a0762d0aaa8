//! Server-rendered pages for people in a browser: thin handlers that check
//! who is signed in, call the same services as the JSON API and render an
//! askama template from `templates/`.
//!
//! Adding a page: write a handler taking [`session::SignedIn`] (or
//! [`session::StaffSignedIn`], [`session::NominatorSignedIn`],
//! [`session::AdminSignedIn`]) and a view struct holding a [`layout::Layout`]
//! (built with `SignedIn::layout`), with a template under `templates/pages/`
//! that extends `base.html`; route it in `pages`; and list it in
//! [`layout::nav_items`] for the roles that may open it. Forms post
//! `csrf_token` (`layout.csrf_token`) and re-render with [`forms::FormErrors`].
use axum::{
    Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    middleware,
    routing::{self, MethodRouter},
};
use tower_http::catch_panic::CatchPanicLayer;

use crate::{app::AppState, services::catalog_csv::MAX_IMPORT_BYTES};

pub mod account;
pub mod assets;
pub mod auth;
pub mod catalog_csv;
pub mod countries;
pub mod courses;
pub mod dashboard;
pub mod ecl_exemptions;
pub mod error;
pub mod format;
pub mod forms;
pub mod funding;
pub mod layout;
pub mod nominations;
pub mod offerings;
pub mod outbox;
pub mod plans;
pub mod reports;
pub mod session;
pub mod students;
pub mod suspensions;
pub mod users;

/// A route the web router serves: one method on one path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageRoute {
    pub method: &'static str,
    pub path: &'static str,
}

/// A router being built that writes down each route it is given, so the
/// served routes can be listed ([`routes`]); axum itself can't list them.
struct Pages {
    router: Router<AppState>,
    table: Vec<PageRoute>,
}

impl Pages {
    fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.route("GET", path, routing::get(handler))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.route("POST", path, routing::post(handler))
    }

    fn route(
        mut self,
        method: &'static str,
        path: &'static str,
        to: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, to);
        self.table.push(PageRoute { method, path });
        self
    }
}

/// The pages, behind the session layer (which gives every POST the CSRF
/// token its form must carry).
fn pages() -> Pages {
    Pages::new()
        .get("/", dashboard::show)
        .get("/login", auth::login_form)
        .post("/login", auth::login)
        .get("/login/code", auth::code_form)
        .post("/login/code", auth::code)
        .post("/logout", auth::logout)
        .get("/account", account::show)
        .post("/account/password", account::change_password)
        .post("/account/sessions/{id}/end", account::end_sign_in)
        .post("/account/sessions/end-all", account::end_all)
        .get("/account/2fa", account::two_factor::show)
        .post("/account/2fa/start", account::two_factor::start)
        .post("/account/2fa/confirm", account::two_factor::confirm)
        .post("/account/2fa/off", account::two_factor::turn_off)
        .get("/account/forgot", account::links::forgot_form)
        .post("/account/forgot", account::links::forgot)
        .get("/account/setup", account::links::link_form)
        .post("/account/setup", account::links::set_password)
        .get("/account/reset", account::links::link_form)
        .post("/account/reset", account::links::set_password)
        .get("/users", users::list)
        .post("/users", users::create)
        .get("/users/new", users::new_form)
        .post("/users/{id}/active", users::set_active)
        .get("/users/{id}/password", users::password_form)
        .post("/users/{id}/password", users::reset_password)
        .post("/users/{id}/invite", users::invite)
        .get("/countries", countries::list)
        .post("/countries", countries::create)
        .get("/countries/new", countries::new_form)
        .get("/countries/{code}", countries::show)
        .post("/countries/{code}", countries::update)
        .get("/countries/{code}/edit", countries::edit_form)
        .post("/countries/{code}/suspensions", suspensions::impose)
        .get(
            "/countries/{code}/suspensions/new",
            suspensions::impose_form,
        )
        .get(
            "/countries/{code}/suspensions/{id}/lift",
            suspensions::lift_form,
        )
        .post("/countries/{code}/suspensions/{id}/lift", suspensions::lift)
        .get("/courses", courses::list)
        .post("/courses", courses::create)
        .get("/courses/new", courses::new_form)
        .get("/courses/import", catalog_csv::import_form)
        .post(
            "/courses/import",
            catalog_csv::import.layer(DefaultBodyLimit::max(
                MAX_IMPORT_BYTES + session::MULTIPART_ENVELOPE_BYTES,
            )),
        )
        .get("/courses/export", catalog_csv::export)
        .get("/courses/{masl_id}", courses::show)
        .post("/courses/{masl_id}", courses::update)
        .get("/courses/{masl_id}/edit", courses::edit_form)
        .post("/courses/{masl_id}/offerings", offerings::create)
        .get("/courses/{masl_id}/offerings/new", offerings::new_form)
        .post("/offerings/{id}", offerings::update)
        .get("/offerings/{id}/edit", offerings::edit_form)
        .get("/students", students::list)
        .post("/students", students::create)
        .get("/students/new", students::new_form)
        .get("/students/{id}", students::show)
        .post("/students/{id}", students::update)
        .get("/students/{id}/edit", students::edit_form)
        .post("/students/{id}/tests", students::add_test)
        .post("/students/{id}/vetting", students::add_vetting)
        .get("/nominations", nominations::list)
        .post("/nominations", nominations::create)
        .get("/nominations/new", nominations::new_form)
        .get("/nominations/{id}", nominations::show)
        .post("/nominations/{id}/submit", nominations::submit)
        .post("/nominations/{id}/approve", nominations::approve)
        .post("/nominations/{id}/reject", nominations::reject)
        .post("/nominations/{id}/waitlist", nominations::waitlist)
        .post("/nominations/{id}/withdraw", nominations::withdraw)
        .post("/nominations/{id}/complete", nominations::complete)
        .post("/nominations/{id}/waivers", nominations::waive)
        .get("/nominations/{id}/ito.pdf", nominations::travel_order_pdf)
        .post("/nominations/{id}/ito", nominations::issue_travel_order)
        .post(
            "/nominations/{id}/ito/amend",
            nominations::amend_travel_order,
        )
        .post(
            "/nominations/{id}/ito/revoke",
            nominations::revoke_travel_order,
        )
        .get("/funding", funding::show)
        .get("/funding/report.csv", funding::report_csv)
        .post("/funding/allocations", funding::set_allocation)
        .post("/funding/transfers", funding::transfer)
        .get("/plans", plans::list)
        .post("/plans", plans::create)
        .get("/plans/{id}", plans::show)
        .post("/plans/{id}/lines", plans::add_line)
        .get("/plans/{id}/lines/{line_id}", plans::edit_line)
        .post("/plans/{id}/lines/{line_id}", plans::change_line)
        .post("/plans/{id}/lines/{line_id}/remove", plans::remove_line)
        .post("/plans/{id}/submit", plans::submit)
        .post("/plans/{id}/approve", plans::approve)
        .post("/plans/{id}/return", plans::return_plan)
        .post("/plans/{id}/reopen", plans::reopen)
        .get("/plans/{id}/report", plans::report)
        .get("/plans/{id}/report.csv", plans::report_csv)
        .get("/reports/training", reports::training)
        .get("/reports/training.csv", reports::training_csv)
        .get("/ecl-exemptions", ecl_exemptions::list)
        .post("/ecl-exemptions", ecl_exemptions::put)
        .post(
            "/ecl-exemptions/{fiscal_year}/{country}/remove",
            ecl_exemptions::remove,
        )
        .get("/outbox", outbox::list)
        .post("/outbox/{id}/retry", outbox::retry)
}

/// What needs no session: the stylesheet.
fn assets() -> Pages {
    Pages::new().get("/static/app.css", assets::stylesheet)
}

/// Every route the web router serves, pages and assets.
pub fn routes() -> Vec<PageRoute> {
    let mut table = pages().table;
    table.extend(assets().table);
    table
}

/// Every page route, and the stylesheet.
pub fn router(state: AppState) -> Router<AppState> {
    let pages = pages()
        .router
        .layer(middleware::from_fn_with_state(state, session::load))
        .layer(CatchPanicLayer::custom(error::panic_page));
    assets().router.merge(pages)
}
