//! Black-box tests through HTTP, one module per capability.
mod auth;
mod countries;
mod errors;
mod helpers;
mod mail;
mod ops;
mod smtp;
mod users;
