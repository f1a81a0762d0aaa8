//! One module per capability. Services own transactions: they combine the
//! rules of `domain/` with storage, and every mutation writes the audit log.
pub mod audit;
pub mod auth;
pub mod countries;
pub mod pagination;
pub mod sessions;
pub mod users;
