//! sea-orm entities: one module per table, plain data. Rules live in
//! `domain/`, storage logic in `services/`.
pub mod api_token;
pub mod audit_log;
pub mod country;
pub mod login_attempt;
pub mod user;
pub mod web_session;
