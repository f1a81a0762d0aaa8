use crate::domain::named::named_enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One queued email, rendered when it was queued. `status` is `pending`,
/// `sending` (claimed by a worker until `claimed_until`), `sent` or `failed`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub event: String,
    /// Stored as a JSON array of addresses.
    pub recipients: Recipients,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    #[sea_orm(unique)]
    pub message_id: String,
    #[sea_orm(unique)]
    pub dedupe_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// One optional attachment (an ITO's PDF), stored with the message so
    /// that every retry sends it.
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment: Option<Vec<u8>>,
}

named_enum! {
    /// Where a message is in its life.
    pub enum OutboxStatus: "an outbox status" {
        /// Waiting for its next attempt (`next_attempt_at`).
        Pending = "pending",
        /// Claimed by a worker until `claimed_until`; due again if that passes.
        Sending = "sending",
        /// Accepted by the mail server (or written as a file).
        Sent = "sent",
        /// Refused for good, or out of attempts: waits for an admin's retry.
        Failed = "failed",
    }
}

/// The addresses of one message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Recipients(pub Vec<String>);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
