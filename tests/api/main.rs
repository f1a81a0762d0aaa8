//! Black-box tests through HTTP, one module per capability.
mod auth;
mod countries;
mod errors;
mod helpers;
mod ops;
mod students;
mod suspensions;
mod users;
