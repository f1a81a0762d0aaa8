//! Black-box tests through HTTP, one module per capability.
mod accounts;
mod approvals;
mod auth;
mod authz;
mod caching;
mod catalog;
#[path = "../common/mod.rs"]
mod common;
mod contract;
mod countries;
mod crash;
mod csv;
mod ecl_exemptions;
mod errors;
mod faults;
mod funding;
mod hardening;
mod helpers;
mod mail;
mod nominations;
mod ops;
mod plans;
mod proxy;
mod smtp;
mod student_duties;
mod students;
mod suspensions;
mod training_report;
mod travel_orders;
mod users;
// The pages' HTTP client, for the pages of the authorization matrix.
#[allow(dead_code)]
#[path = "../browser/web_client.rs"]
mod web_client;
