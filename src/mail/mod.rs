//! Email notifications through a transactional outbox.
//!
//! A service that causes an email renders it and writes it to the `outbox`
//! table **in the same transaction as the change**, so the message exists if
//! and only if the change committed. After committing, it wakes the worker,
//! which claims due messages (safely when several instances share one
//! database), sends them over SMTP (or writes `.eml` files when no SMTP server
//! is configured), and retries failures with backoff until they are parked as
//! `failed` for an admin to retry.
//!
//! Every service that sends email follows one pattern: it takes a
//! `services::Context` (for the database, the base URL of links and the wake
//! handle), and
//!
//! ```text
//! let txn = db::write_txn(&ctx.db).await?;
//! // … the change, and its audit record …
//! mail::enqueue(&txn, &ctx.config, recipients, &templates::Welcome { … }).await?;
//! txn.commit().await?;
//! ctx.mailer.wake();
//! ```
//!
//! Emails that must go out at most once for a subject (say, once per
//! nomination) use [`outbox::enqueue_once`] with a key instead.
use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::Config;

pub mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::{enqueue, enqueue_once};

/// The handle services use to wake the mail worker after they commit, and the
/// transport the worker sends with. Holds no state that matters: the queue is
/// the `outbox` table, and the worker also polls it, so messages queued by
/// other instances are delivered too.
#[derive(Clone)]
pub struct Mailer {
    wake: Arc<Notify>,
    transport: Arc<transport::Transport>,
}

impl Mailer {
    /// Builds the transport `config` names (SMTP or `.eml` files).
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            wake: Arc::new(Notify::new()),
            transport: Arc::new(transport::Transport::from_config(config)?),
        })
    }

    /// Tells the worker that a message was queued. Call it after the commit.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves at the next [`Mailer::wake`] (or at once if one is pending).
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    pub(crate) fn transport(&self) -> &transport::Transport {
        &self.transport
    }
}
