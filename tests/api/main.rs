//! Black-box tests through HTTP, one module per capability.
mod auth;
#[path = "../common/mod.rs"]
mod common;
mod countries;
mod errors;
mod helpers;
mod ops;
mod users;
