//! Stored first answers for requests carrying an `Idempotency-Key`: the same
//! user sending the same key within 24 hours gets the first status and body
//! again; the same key with another body is refused (422).
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    entities::idempotency_key,
    error::{AppError, AppResult},
};

/// How long an answer is replayed.
pub const REPLAY_WINDOW: Duration = Duration::hours(24);

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 200;

/// A stored answer.
pub struct Replay {
    pub status: u16,
    pub body: Value,
}

/// Fingerprint of a request body.
pub fn fingerprint(body: &Value) -> String {
    hex::encode(Sha256::digest(body.to_string().as_bytes()))
}

/// Checks a key's form; 422 naming the header when unusable.
pub fn check_key(key: &str) -> AppResult<()> {
    if key.trim().is_empty() || key.len() > MAX_KEY_LEN {
        return Err(AppError::field(
            "Idempotency-Key",
            format!("must be 1 to {MAX_KEY_LEN} characters"),
        ));
    }
    Ok(())
}

/// The stored answer for `(user, key)`, if any and recent: `Err` (422) when
/// it was stored for another body. An expired one is forgotten.
pub async fn lookup<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    key: &str,
    fingerprint: &str,
) -> AppResult<Option<Replay>> {
    let Some(stored) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(user_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if stored.created_at < Utc::now() - REPLAY_WINDOW {
        idempotency_key::Entity::delete_by_id(stored.id)
            .exec(db)
            .await?;
        return Ok(None);
    }
    if stored.request_hash != fingerprint {
        return Err(AppError::field(
            "Idempotency-Key",
            "was already used with a different request body",
        ));
    }
    Ok(Some(Replay {
        status: stored.status_code as u16,
        body: stored.response,
    }))
}

/// Stores the first answer, in the transaction of its effect.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    key: &str,
    fingerprint: &str,
    status: u16,
    body: &Value,
) -> AppResult<()> {
    idempotency_key::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        request_hash: Set(fingerprint.to_owned()),
        status_code: Set(i32::from(status)),
        response: Set(body.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
