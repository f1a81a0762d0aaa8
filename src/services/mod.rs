//! One module per capability. Services own transactions: they combine the
//! rules of `domain/` with storage, and every mutation writes the audit log.
//! They take an [`Actor`](crate::domain::actor::Actor) for who acts, and a
//! connection (for reads) or a [`Context`] (for work that commits and mails).
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    clock::Clock,
    config::Config,
    db::{self, WriteTxn},
    error::AppResult,
    mail::Mailer,
};

pub mod accounts;
pub mod allocations;
pub mod auth;
pub mod catalog_csv;
pub mod countries;
pub mod courses;
pub mod csv_out;
pub mod ecl_exemptions;
pub mod funding_chart;
pub mod funding_report;
pub mod idempotency;
pub mod nominations;
pub mod offerings;
pub mod plans;
pub mod read_cache;
pub mod sessions;
pub mod students;
pub mod suspensions;
pub mod training_report;
pub mod users;

/// What a service that commits needs: the database, the mail worker's bell
/// (rung after a commit that queued email), the settings and the clock.
#[derive(Clone)]
pub struct Context {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub config: Arc<Config>,
    pub clock: Clock,
}

impl Context {
    /// Opens the one kind of write transaction (see [`db::write_txn`]).
    pub async fn begin(&self) -> AppResult<WriteTxn> {
        Ok(db::write_txn(&self.db).await?)
    }

    /// Commits `txn`, then wakes the mail worker for what it queued.
    pub async fn commit(&self, txn: WriteTxn) -> AppResult<()> {
        txn.commit().await?;
        self.mailer.wake();
        Ok(())
    }
}
