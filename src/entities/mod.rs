//! sea-orm entities: one module per table, plain data. Rules live in
//! `domain/`, storage logic in `services/`.
pub mod allocation;
pub mod allocation_transfer;
pub mod api_token;
pub mod audit_log;
pub mod country;
pub mod course;
pub mod course_prerequisite;
pub mod ecl_exemption;
pub mod english_test;
pub mod idempotency_key;
pub mod login_attempt;
pub mod nomination;
pub mod nomination_event;
pub mod offering;
pub mod outbox;
pub mod plan_line;
pub mod prior_training;
pub mod student;
pub mod suspension;
pub mod training_plan;
pub mod travel_order;
pub mod travel_order_counter;
pub mod user;
pub mod vetting_record;
pub mod waiver;
pub mod web_session;
