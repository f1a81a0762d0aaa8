//! The authorization matrix: every route the application serves, JSON API
//! (as `/api/openapi.json` lists it) and pages (as `imet::web::routes` lists
//! them), asked by each kind of caller, answers what its role gate says.
//!
//! The records are of country PK; "own" is PK's liaison, "other" JO's. An
//! allowed caller sends an empty body (`{}` or an empty form), so the answer
//! is whatever the handler makes of it: anything but 401, 403, 404 or the
//! sign-in page. A caller expecting 404 sends a valid body: a bad one is
//! refused before the record is looked up, for a hidden record as for a
//! missing one. Rows run in order; signing out comes last (the API's
//! sign-out, then, signed in again, signing out everywhere).
use std::collections::{BTreeMap, BTreeSet};

use imet::{domain::fiscal_year::fiscal_year, web};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    approvals::act,
    helpers::{PASSWORD, TestApp, spawn_app},
    nominations::world,
    travel_orders::vet,
    web_client::{Page, WebClient},
};

/// What a caller gets from a route's gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gate {
    /// Let through: any answer but 401, 403, 404, the sign-in page or a 5xx.
    Pass,
    /// 401: no credentials (API).
    Anon,
    /// 303 to the sign-in page (pages).
    Login,
    /// 403: the role may not.
    Deny,
    /// 404: another country's record.
    Hide,
}
use Gate::*;

/// method, path template, and the gate for: anonymous, admin, program
/// officer, liaison of the record's country, liaison of another country.
type Row = (&'static str, &'static str, [Gate; 5]);

#[rustfmt::skip]
const API: &[Row] = &[
    //                                                              anonymous admin officer own   other
    ("POST",  "/api/v1/auth/login",                                [Pass, Pass, Pass, Pass, Pass]),
    ("GET",   "/api/v1/me",                                        [Anon, Pass, Pass, Pass, Pass]),
    ("GET",   "/api/v1/users",                                     [Anon, Pass, Deny, Deny, Deny]),
    ("POST",  "/api/v1/users",                                     [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/users/{id}",                                [Anon, Pass, Deny, Deny, Deny]),
    ("PATCH", "/api/v1/users/{id}",                                [Anon, Pass, Deny, Deny, Deny]),
    ("POST",  "/api/v1/users/{id}/invite",                         [Anon, Pass, Deny, Deny, Deny]),
    // Anyone may ask for a reset link or use one (an empty body is a 422).
    ("POST",  "/api/v1/auth/forgot",                               [Pass, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/auth/reset",                                [Pass, Pass, Pass, Pass, Pass]),
    // One's own account, whatever the role.
    ("POST",  "/api/v1/me/password",                               [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/me/2fa",                                    [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/me/2fa/confirm",                            [Anon, Pass, Pass, Pass, Pass]),
    ("DELETE","/api/v1/me/2fa",                                    [Anon, Pass, Pass, Pass, Pass]),
    ("GET",   "/api/v1/me/sessions",                               [Anon, Pass, Pass, Pass, Pass]),
    // A spare token of the admin's: anyone else's is not found.
    ("DELETE","/api/v1/me/sessions/{id}",                          [Anon, Pass, Hide, Hide, Hide]),
    ("GET",   "/api/v1/countries",                                 [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/countries",                                 [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/countries/{code}",                          [Anon, Pass, Pass, Pass, Hide]),
    ("PATCH", "/api/v1/countries/{code}",                          [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/countries/{code}/eligibility",              [Anon, Pass, Pass, Pass, Hide]),
    ("POST",  "/api/v1/countries/{code}/suspensions",              [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/countries/{code}/suspensions/{id}/lift",    [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/courses",                                   [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/courses",                                   [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/courses/export",                            [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/courses/import",                            [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/courses/{masl_id}",                         [Anon, Pass, Pass, Pass, Pass]),
    ("PATCH", "/api/v1/courses/{masl_id}",                         [Anon, Pass, Deny, Deny, Deny]),
    ("POST",  "/api/v1/courses/{masl_id}/offerings",               [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/offerings",                                 [Anon, Pass, Pass, Pass, Pass]),
    ("GET",   "/api/v1/offerings/{id}",                            [Anon, Pass, Pass, Pass, Pass]),
    ("PATCH", "/api/v1/offerings/{id}",                            [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/students",                                  [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/students",                                  [Anon, Pass, Deny, Pass, Pass]),
    ("GET",   "/api/v1/students/{id}",                             [Anon, Pass, Pass, Pass, Hide]),
    ("PATCH", "/api/v1/students/{id}",                             [Anon, Pass, Deny, Pass, Hide]),
    ("POST",  "/api/v1/students/{id}/tests",                       [Anon, Pass, Deny, Pass, Hide]),
    ("POST",  "/api/v1/students/{id}/training",                    [Anon, Pass, Deny, Pass, Hide]),
    ("POST",  "/api/v1/students/{id}/vetting",                     [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/nominations",                               [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/nominations",                               [Anon, Pass, Deny, Pass, Pass]),
    ("GET",   "/api/v1/nominations/{id}",                          [Anon, Pass, Pass, Pass, Hide]),
    ("POST",  "/api/v1/nominations/{id}/submit",                   [Anon, Pass, Deny, Pass, Hide]),
    ("POST",  "/api/v1/nominations/{id}/approve",                  [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/nominations/{id}/reject",                   [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/nominations/{id}/waitlist",                 [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/nominations/{id}/withdraw",                 [Anon, Pass, Pass, Pass, Hide]),
    ("POST",  "/api/v1/nominations/{id}/complete",                 [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/nominations/{id}/waivers",                  [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/nominations/{id}/ito",                      [Anon, Pass, Pass, Pass, Hide]),
    ("POST",  "/api/v1/nominations/{id}/ito",                      [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/nominations/{id}/itos",                     [Anon, Pass, Pass, Pass, Hide]),
    ("GET",   "/api/v1/nominations/{id}/ito.pdf",                  [Anon, Pass, Pass, Pass, Hide]),
    ("POST",  "/api/v1/nominations/{id}/ito/amend",                [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/nominations/{id}/ito/revoke",               [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/plans",                                     [Anon, Pass, Pass, Pass, Pass]),
    ("POST",  "/api/v1/plans",                                     [Anon, Pass, Deny, Pass, Pass]),
    ("GET",   "/api/v1/plans/{id}",                                [Anon, Pass, Pass, Pass, Hide]),
    ("GET",   "/api/v1/plans/{id}/report",                         [Anon, Pass, Pass, Pass, Hide]),
    // The plan is a draft whose line the matrix's nomination fills: the
    // line can change but not be removed.
    ("POST",  "/api/v1/plans/{id}/lines",                          [Anon, Pass, Deny, Pass, Hide]),
    ("PATCH", "/api/v1/plans/{id}/lines/{line_id}",                [Anon, Pass, Deny, Pass, Hide]),
    ("DELETE","/api/v1/plans/{id}/lines/{line_id}",                [Anon, Pass, Deny, Pass, Hide]),
    ("POST",  "/api/v1/plans/{id}/submit",                         [Anon, Pass, Deny, Pass, Hide]),
    ("POST",  "/api/v1/plans/{id}/approve",                        [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/plans/{id}/return",                         [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/plans/{id}/reopen",                         [Anon, Pass, Pass, Pass, Hide]),
    ("GET",   "/api/v1/allocations",                               [Anon, Pass, Pass, Pass, Pass]),
    ("PUT",   "/api/v1/allocations/{country}/{program}/{fiscal_year}", [Anon, Pass, Pass, Deny, Deny]),
    ("POST",  "/api/v1/allocations/transfers",                     [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/reports/funding",                           [Anon, Pass, Pass, Pass, Pass]),
    ("GET",   "/api/v1/reports/training",                          [Anon, Pass, Pass, Pass, Pass]),
    ("GET",   "/api/v1/ecl-exemptions",                            [Anon, Pass, Pass, Pass, Pass]),
    ("PUT",   "/api/v1/ecl-exemptions/{fiscal_year}/{country}",    [Anon, Pass, Deny, Deny, Deny]),
    ("DELETE", "/api/v1/ecl-exemptions/{fiscal_year}/{country}",   [Anon, Pass, Deny, Deny, Deny]),
    ("GET",   "/api/v1/audit",                                     [Anon, Pass, Pass, Deny, Deny]),
    ("GET",   "/api/v1/outbox",                                    [Anon, Pass, Deny, Deny, Deny]),
    ("POST",  "/api/v1/outbox/{id}/retry",                         [Anon, Pass, Deny, Deny, Deny]),
    ("POST",  "/api/v1/auth/logout",                               [Anon, Pass, Pass, Pass, Pass]),
    // Signed in again after the sign-out.
    ("DELETE","/api/v1/me/sessions",                               [Anon, Pass, Pass, Pass, Pass]),
];

/// The rows that end the callers' sign-ins: each caller signs in again
/// after them.
const SIGNING_OUT: &[&str] = &["/api/v1/auth/logout", "/logout"];

#[rustfmt::skip]
const PAGES: &[Row] = &[
    //                                                              anonymous admin officer own   other
    ("GET",   "/static/app.css",                                   [Pass,  Pass, Pass, Pass, Pass]),
    ("GET",   "/login",                                            [Pass,  Pass, Pass, Pass, Pass]),
    // An empty sign-in form is no credentials.
    ("POST",  "/login",                                            [Anon,  Anon, Anon, Anon, Anon]),
    ("GET",   "/account",                                          [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/account/password",                                 [Deny,  Pass, Pass, Pass, Pass]),
    ("GET",   "/account/2fa",                                      [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/account/2fa/start",                                [Deny,  Pass, Pass, Pass, Pass]),
    ("POST",  "/account/2fa/confirm",                              [Deny,  Pass, Pass, Pass, Pass]),
    ("POST",  "/account/2fa/off",                                  [Deny,  Pass, Pass, Pass, Pass]),
    // A spare token of the admin's: anyone else's is not found.
    ("POST",  "/account/sessions/{id}/end",                        [Deny,  Pass, Hide, Hide, Hide]),
    ("GET",   "/",                                                 [Login, Pass, Pass, Pass, Pass]),
    // No sign-in awaits a code: back to the sign-in page (a visitor's post
    // has no session to carry a CSRF token).
    ("GET",   "/login/code",                                       [Login, Login, Login, Login, Login]),
    ("POST",  "/login/code",                                       [Deny,  Login, Login, Login, Login]),
    // A visitor's forms; a link's pages without a live token say it no longer works (410).
    ("GET",   "/account/forgot",                                   [Pass,  Pass, Pass, Pass, Pass]),
    ("POST",  "/account/forgot",                                   [Pass,  Pass, Pass, Pass, Pass]),
    ("GET",   "/account/setup",                                    [Pass,  Pass, Pass, Pass, Pass]),
    ("POST",  "/account/setup",                                    [Pass,  Pass, Pass, Pass, Pass]),
    ("GET",   "/account/reset",                                    [Pass,  Pass, Pass, Pass, Pass]),
    ("POST",  "/account/reset",                                    [Pass,  Pass, Pass, Pass, Pass]),
    ("GET",   "/users",                                            [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/users",                                            [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/users/new",                                        [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/users/{id}/active",                                [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/users/{id}/password",                              [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/users/{id}/password",                              [Deny,  Pass, Deny, Deny, Deny]),
    ("POST",  "/users/{id}/invite",                                [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/countries",                                        [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/countries",                                        [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/countries/new",                                    [Login, Pass, Deny, Deny, Deny]),
    ("GET",   "/countries/{code}",                                 [Login, Pass, Pass, Pass, Hide]),
    ("POST",  "/countries/{code}",                                 [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/countries/{code}/edit",                            [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/countries/{code}/suspensions",                     [Deny,  Pass, Pass, Deny, Deny]),
    ("GET",   "/countries/{code}/suspensions/new",                 [Login, Pass, Pass, Deny, Deny]),
    ("GET",   "/countries/{code}/suspensions/{id}/lift",           [Login, Pass, Pass, Deny, Deny]),
    ("POST",  "/countries/{code}/suspensions/{id}/lift",           [Deny,  Pass, Pass, Deny, Deny]),
    ("GET",   "/courses",                                          [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/courses",                                          [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/courses/new",                                      [Login, Pass, Deny, Deny, Deny]),
    ("GET",   "/courses/import",                                   [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/courses/import",                                   [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/courses/export",                                   [Login, Pass, Pass, Pass, Pass]),
    ("GET",   "/courses/{masl_id}",                                [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/courses/{masl_id}",                                [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/courses/{masl_id}/edit",                           [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/courses/{masl_id}/offerings",                      [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/courses/{masl_id}/offerings/new",                  [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/offerings/{id}",                                   [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/offerings/{id}/edit",                              [Login, Pass, Deny, Deny, Deny]),
    ("GET",   "/students",                                         [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/students",                                         [Deny,  Pass, Deny, Pass, Pass]),
    ("GET",   "/students/new",                                     [Login, Pass, Deny, Pass, Pass]),
    ("GET",   "/students/{id}",                                    [Login, Pass, Pass, Pass, Hide]),
    ("POST",  "/students/{id}",                                    [Deny,  Pass, Deny, Pass, Hide]),
    ("GET",   "/students/{id}/edit",                               [Login, Pass, Deny, Pass, Hide]),
    ("POST",  "/students/{id}/tests",                              [Deny,  Pass, Deny, Pass, Hide]),
    ("POST",  "/students/{id}/vetting",                            [Deny,  Pass, Pass, Deny, Deny]),
    ("GET",   "/nominations",                                      [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/nominations",                                      [Deny,  Pass, Deny, Pass, Pass]),
    ("GET",   "/nominations/new",                                  [Login, Pass, Deny, Pass, Pass]),
    ("GET",   "/nominations/{id}",                                 [Login, Pass, Pass, Pass, Hide]),
    ("POST",  "/nominations/{id}/submit",                          [Deny,  Pass, Deny, Pass, Hide]),
    ("POST",  "/nominations/{id}/approve",                         [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/nominations/{id}/reject",                          [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/nominations/{id}/waitlist",                        [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/nominations/{id}/withdraw",                        [Deny,  Pass, Pass, Pass, Hide]),
    ("POST",  "/nominations/{id}/complete",                        [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/nominations/{id}/waivers",                         [Deny,  Pass, Pass, Deny, Deny]),
    ("GET",   "/nominations/{id}/ito.pdf",                         [Login, Pass, Pass, Pass, Hide]),
    ("POST",  "/nominations/{id}/ito",                             [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/nominations/{id}/ito/amend",                       [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/nominations/{id}/ito/revoke",                      [Deny,  Pass, Pass, Deny, Deny]),
    ("GET",   "/funding",                                          [Login, Pass, Pass, Pass, Pass]),
    ("GET",   "/funding/report.csv",                               [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/funding/allocations",                              [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/funding/transfers",                                [Deny,  Pass, Pass, Deny, Deny]),
    ("GET",   "/plans",                                            [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/plans",                                            [Deny,  Pass, Deny, Pass, Pass]),
    ("GET",   "/plans/{id}",                                       [Login, Pass, Pass, Pass, Hide]),
    ("GET",   "/plans/{id}/report",                                [Login, Pass, Pass, Pass, Hide]),
    ("GET",   "/plans/{id}/report.csv",                            [Login, Pass, Pass, Pass, Hide]),
    // The plan is approved: its line forms answer that only a draft's lines change.
    ("GET",   "/plans/{id}/lines/{line_id}",                       [Login, Pass, Deny, Pass, Hide]),
    ("POST",  "/plans/{id}/lines",                                 [Deny,  Pass, Deny, Pass, Hide]),
    ("POST",  "/plans/{id}/lines/{line_id}",                       [Deny,  Pass, Deny, Pass, Hide]),
    ("POST",  "/plans/{id}/lines/{line_id}/remove",                [Deny,  Pass, Deny, Pass, Hide]),
    ("POST",  "/plans/{id}/submit",                                [Deny,  Pass, Deny, Pass, Hide]),
    ("POST",  "/plans/{id}/approve",                               [Deny,  Pass, Pass, Deny, Deny]),
    ("POST",  "/plans/{id}/return",                                [Deny,  Pass, Pass, Deny, Deny]),
    // Last: the admin reopens the approved plan; reopening the draft is then
    // refused as a transition (the plans API test has the liaison's 403).
    ("POST",  "/plans/{id}/reopen",                                [Deny,  Pass, Pass, Pass, Hide]),
    ("GET",   "/reports/training",                                 [Login, Pass, Pass, Pass, Pass]),
    ("GET",   "/reports/training.csv",                             [Login, Pass, Pass, Pass, Pass]),
    ("GET",   "/ecl-exemptions",                                   [Login, Pass, Pass, Pass, Pass]),
    ("POST",  "/ecl-exemptions",                                   [Deny,  Pass, Deny, Deny, Deny]),
    ("POST",  "/ecl-exemptions/{fiscal_year}/{country}/remove",    [Deny,  Pass, Deny, Deny, Deny]),
    ("GET",   "/outbox",                                           [Login, Pass, Deny, Deny, Deny]),
    ("POST",  "/outbox/{id}/retry",                                [Deny,  Pass, Deny, Deny, Deny]),
    // Signing out ends on the sign-in page.
    ("POST",  "/logout",                                           [Deny,  Login, Login, Login, Login]),
    // Signed in again after the sign-out.
    ("POST",  "/account/sessions/end-all",                         [Deny,  Login, Login, Login, Login]),
];

const CALLERS: [&str; 5] = [
    "anonymous",
    "admin",
    "officer",
    "own liaison",
    "other liaison",
];

/// The routes of `table` as (method, path) pairs.
fn listed(table: &[Row]) -> BTreeSet<(String, String)> {
    table
        .iter()
        .map(|(method, path, _)| ((*method).to_owned(), (*path).to_owned()))
        .collect()
}

/// Fails naming every served route without a row, and every row for a
/// route no longer served.
fn same_routes(what: &str, served: BTreeSet<(String, String)>, table: &[Row]) {
    let listed = listed(table);
    let missing: Vec<_> = served.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "{what}: routes served without a row in the matrix: {missing:?}; rows for routes not served: {stale:?}"
    );
}

/// The records the rows' paths name, all of country PK.
struct Records(BTreeMap<&'static str, String>);

impl Records {
    /// `template` with its parameters replaced; `{id}` by the record of the
    /// resource it follows.
    fn path(&self, template: &str) -> String {
        let mut path = String::new();
        let mut resource = "";
        for segment in template.split('/').skip(1) {
            let value = match segment {
                "{id}" => &self.0[resource],
                "{line_id}" => &self.0["lines"],
                "{code}" | "{country}" => "PK",
                "{program}" => "IMET",
                "{masl_id}" => "B100001",
                "{fiscal_year}" => &self.0["fiscal_year"],
                plain => {
                    resource = plain;
                    plain
                }
            };
            path.push('/');
            path.push_str(value);
        }
        path
    }
}

/// A valid body for the JSON routes whose record lookup comes after the
/// body is read; `{}` for the others.
fn valid_body(template: &str) -> Value {
    match template {
        "/api/v1/students/{id}/tests" => {
            json!({"kind": "ECL", "score": 80, "taken_on": "2026-01-15"})
        }
        "/api/v1/students/{id}/training" => {
            json!({"masl_id": "B100001", "completed_on": "2024-06-30"})
        }
        "/api/v1/nominations/{id}/withdraw" => json!({"reason": "Matrix"}),
        "/api/v1/plans/{id}/lines" => {
            json!({"masl_id": "B100001", "quantity": 1, "priority": "C", "program": "IMET", "unit_cost_cents": 100})
        }
        _ => json!({}),
    }
}

/// Puts PK on the ECL exemption list of `fy`.
async fn exempt_pk(app: &TestApp, admin: &str, fy: i32) {
    let answer = app
        .put(
            admin,
            &format!("/api/v1/ecl-exemptions/{fy}/PK"),
            json!({"note": "Matrix"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

/// The id of the sign-in of `token`, as `GET /me/sessions` lists it.
async fn current_sign_in(app: &TestApp, token: &str) -> String {
    let listed = app.get(token, "/api/v1/me/sessions").await;
    listed
        .body
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["current"] == true)
        .expect("the current sign-in")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Signs `client` in as `email` (or not, for `None`) and opens a page with
/// a form, for the CSRF token every POST carries.
async fn sign_in_for_forms(client: &mut WebClient, email: Option<&str>) {
    if let Some(email) = email {
        client.sign_in(email, PASSWORD).await;
    }
    client.get("/login").await;
    if email.is_some() {
        client.get("/").await;
    }
}

/// Whether `status` (and, for a redirect, `location`) is what `gate` says.
fn answers(gate: Gate, status: StatusCode, location: &str) -> bool {
    let to_sign_in = status == StatusCode::SEE_OTHER && location.starts_with("/login");
    match gate {
        Pass => {
            !to_sign_in && !status.is_server_error() && ![401, 403, 404].contains(&status.as_u16())
        }
        Anon => status == StatusCode::UNAUTHORIZED,
        Login => to_sign_in,
        Deny => status == StatusCode::FORBIDDEN,
        Hide => status == StatusCode::NOT_FOUND,
    }
}

#[tokio::test]
async fn every_route_answers_each_caller_as_its_gate_says() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;

    // The routes served, against the rows of the matrix.
    let spec = app.get(&c.admin, "/api/openapi.json").await.body;
    let served_api = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .expect("operations")
                .keys()
                .filter(|key| ["get", "post", "put", "patch", "delete"].contains(&key.as_str()))
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    same_routes("API", served_api, API);
    let served_pages = web::routes()
        .into_iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    same_routes("pages", served_pages, PAGES);

    // One record of each kind, of PK: the nomination is approved, with its
    // travel order issued.
    let fy = fiscal_year(w.start);
    let allocation = app
        .put(
            &c.officer,
            &format!("/api/v1/allocations/PK/IMET/{fy}"),
            json!({"allocated_cents": 100_000_000}),
        )
        .await;
    assert!(allocation.status.is_success(), "{}", allocation.body);
    // PK's plan of the FY, approved so that the nomination fills its line,
    // then reopened: a draft whose line has a nomination.
    let plan = app
        .post(
            &c.liaison_pk,
            "/api/v1/plans",
            json!({"country_code": "PK", "fiscal_year": fy}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.body);
    let plan = plan.body["id"].as_i64().expect("plan id");
    let line = app
        .post(
            &c.liaison_pk,
            &format!("/api/v1/plans/{plan}/lines"),
            json!({"masl_id": "B100001", "offering_id": w.offering, "quantity": 5, "priority": "A", "program": "IMET"}),
        )
        .await;
    assert_eq!(line.status, StatusCode::CREATED, "{}", line.body);
    for (token, action) in [(&c.liaison_pk, "submit"), (&c.officer, "approve")] {
        let moved = app
            .post(token, &format!("/api/v1/plans/{plan}/{action}"), json!({}))
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    }
    let nomination = app
        .post(
            &c.liaison_pk,
            "/api/v1/nominations",
            json!({"student_id": w.student, "offering_id": w.offering, "submit": true, "plan_line_id": line.body["id"]}),
        )
        .await;
    assert_eq!(
        nomination.status,
        StatusCode::CREATED,
        "{}",
        nomination.body
    );
    let id = nomination.body["id"].as_i64().expect("id");
    let approved = act(&app, &c.officer, id, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let reopened = app
        .post(
            &c.officer,
            &format!("/api/v1/plans/{plan}/reopen"),
            json!({}),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    vet(&app, &c.officer, w.student, "security", "cleared").await;
    let order = act(&app, &c.officer, id, "ito", json!({})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let suspension = app
        .post(
            &c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["FMF"], "legal_basis": "other", "reason": "Matrix",
                   "effective_from": "2099-01-01"}),
        )
        .await;
    assert_eq!(
        suspension.status,
        StatusCode::CREATED,
        "{}",
        suspension.body
    );
    // PK's exemption, for the admin's DELETE to remove.
    exempt_pk(&app, &c.admin, fy).await;
    // A user nobody signs in as, whom the admin's empty forms may change.
    let (spare, _) = app
        .user(&c.admin, "spare@test.example", "program_officer", None)
        .await;
    let outbox = app.get(&c.admin, "/api/v1/outbox").await;
    // A spare sign-in of the admin's, for the admin to end.
    let spare_sign_in = current_sign_in(&app, &app.admin().await).await;
    let mut records = Records(BTreeMap::from([
        ("users", spare.to_string()),
        ("students", w.student.to_string()),
        ("nominations", id.to_string()),
        ("offerings", w.offering.to_string()),
        ("suspensions", suspension.body["id"].to_string()),
        ("outbox", outbox.body["items"][0]["id"].to_string()),
        ("fiscal_year", fy.to_string()),
        ("plans", plan.to_string()),
        ("lines", line.body["id"].to_string()),
        ("sessions", spare_sign_in),
    ]));

    let mut wrong = Vec::new();
    let emails = [
        None,
        Some(crate::helpers::ADMIN_EMAIL),
        Some("officer@test.example"),
        Some("liaison.pk@test.example"),
        Some("liaison.jo@test.example"),
    ];
    let mut tokens = [
        None,
        Some(c.admin.clone()),
        Some(c.officer.clone()),
        Some(c.liaison_pk.clone()),
        Some(c.liaison_jo.clone()),
    ];
    for (method, template, gates) in API {
        let path = records.path(template);
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        for ((gate, token), caller) in gates.iter().zip(&tokens).zip(CALLERS) {
            let body = match (&method, gate) {
                (&Method::GET, _) => None,
                (_, Hide) => Some(valid_body(template)),
                _ => Some(json!({})),
            };
            let answer = app
                .call(method.clone(), &path, token.as_deref(), body)
                .await;
            if !answers(*gate, answer.status, "") {
                wrong.push(format!(
                    "{method} {path} as {caller}: {gate:?} expected, got {} {}",
                    answer.status, answer.body
                ));
            }
        }
        if SIGNING_OUT.contains(template) {
            for (token, email) in tokens.iter_mut().zip(emails) {
                if let Some(email) = email {
                    *token = Some(app.login(email, PASSWORD).await);
                }
            }
        }
    }

    // The pages' training plan, made after the API rows (which move plans
    // through their statuses, and sign out), so that it is approved when the
    // page rows start: PK's for the next fiscal year, with one priority-B line.
    let liaison = app.login("liaison.pk@test.example", PASSWORD).await;
    let officer = app.login("officer@test.example", PASSWORD).await;
    let plan = app
        .post(
            &liaison,
            "/api/v1/plans",
            json!({"country_code": "PK", "fiscal_year": fy + 1}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.body);
    let plan_id = plan.body["id"].as_i64().expect("plan id");
    let line = app
        .post(
            &liaison,
            &format!("/api/v1/plans/{plan_id}/lines"),
            json!({"masl_id": "B100001", "quantity": 2, "priority": "B", "program": "IMET",
                   "unit_cost_cents": 3_000_000}),
        )
        .await;
    assert_eq!(line.status, StatusCode::CREATED, "{}", line.body);
    for (token, step) in [(&liaison, "submit"), (&officer, "approve")] {
        let moved = app
            .post(token, &format!("/api/v1/plans/{plan_id}/{step}"), json!({}))
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{step}: {}", moved.body);
    }
    records.0.insert("plans", plan_id.to_string());
    records.0.insert("lines", line.body["id"].to_string());

    // Another spare sign-in of the admin's: the API rows ended the first.
    let spare_sign_in = current_sign_in(&app, &app.admin().await).await;
    records.0.insert("sessions", spare_sign_in);

    let mut clients = Vec::new();
    for email in emails {
        let mut client = WebClient::new(&app);
        sign_in_for_forms(&mut client, email).await;
        clients.push(client);
    }
    // The API's DELETE removed it (and signing out ended the admin's token);
    // the page's button removes it again.
    exempt_pk(&app, &app.admin().await, fy).await;
    for (method, template, gates) in PAGES {
        let path = records.path(template);
        for ((gate, client), caller) in gates.iter().zip(clients.iter_mut()).zip(CALLERS) {
            let page: Page = match *method {
                "GET" => client.get(&path).await,
                _ => client.post_with_token(&path, &[]).await,
            };
            if !answers(*gate, page.status, page.location()) {
                wrong.push(format!(
                    "{method} {path} as {caller}: {gate:?} expected, got {} {}",
                    page.status,
                    page.location()
                ));
            }
        }
        if SIGNING_OUT.contains(template) {
            for (client, email) in clients.iter_mut().zip(emails) {
                sign_in_for_forms(client, email).await;
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
