//! Black-box tests through HTTP, one module per capability.
mod approvals;
mod auth;
mod caching;
mod catalog;
#[path = "../common/mod.rs"]
mod common;
mod countries;
mod crash;
mod csv;
mod errors;
mod faults;
mod funding;
mod helpers;
mod mail;
mod nominations;
mod ops;
mod proxy;
mod smtp;
mod students;
mod suspensions;
mod users;
