//! Black-box tests through HTTP, one module per capability.
mod approvals;
mod auth;
mod caching;
mod catalog;
#[path = "../common/mod.rs"]
mod common;
mod contract;
mod countries;
mod csv;
mod errors;
mod funding;
mod hardening;
mod helpers;
mod mail;
mod nominations;
mod ops;
mod smtp;
mod students;
mod suspensions;
mod users;
