//! One module per capability. Services own transactions: they combine the
//! rules of `domain/` with storage, and every mutation writes the audit log.
pub mod allocations;
pub mod audit;
pub mod auth;
pub mod catalog_csv;
pub mod countries;
pub mod courses;
pub mod funding_chart;
pub mod funding_report;
pub mod idempotency;
pub mod nominations;
pub mod offerings;
pub mod pagination;
pub mod read_cache;
pub mod sessions;
pub mod students;
pub mod suspensions;
pub mod users;
