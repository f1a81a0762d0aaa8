//! sea-orm entities: one module per table, plain data. Rules live in
//! `domain/`, storage logic in `services/`.
pub mod api_token;
pub mod audit_log;
pub mod country;
pub mod english_test;
pub mod login_attempt;
pub mod prior_training;
pub mod student;
pub mod suspension;
pub mod user;
pub mod vetting_record;
