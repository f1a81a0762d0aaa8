//! The audit log: every mutation records who did what to which entity, with
//! the entity before and after, in the same transaction as the change.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    prelude::*,
};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    db::pagination::{Cursor, Page},
    entities::audit_log,
    error::AppResult,
};

/// One change to record.
pub struct Change<'a> {
    /// The user who made it; `None` for the system (daily jobs, bootstrap).
    pub actor: Option<i32>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Change<'a> {
    /// `action` (`entity.verb`) on `entity` `entity_id` by the user `actor`
    /// (`None`: the system), with nothing recorded before or after yet.
    pub fn new(
        actor: Option<i32>,
        action: &'a str,
        entity: &'a str,
        entity_id: impl ToString,
    ) -> Self {
        Self {
            actor,
            action,
            entity,
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
        }
    }

    /// The entity as it was, as [`snapshot`] gives it.
    pub fn before(self, before: Option<Value>) -> Self {
        Self { before, ..self }
    }

    /// The entity as it is now, as [`snapshot`] gives it.
    pub fn after(self, after: Option<Value>) -> Self {
        Self { after, ..self }
    }
}

/// Writes one audit record on `db`, which should be the transaction making the change.
pub async fn record<C: ConnectionTrait>(db: &C, change: Change<'_>) -> Result<(), DbErr> {
    let row = audit_log::ActiveModel {
        actor_id: Set(change.actor),
        action: Set(change.action.to_owned()),
        entity: Set(change.entity.to_owned()),
        entity_id: Set(change.entity_id),
        before: Set(change.before),
        after: Set(change.after),
        at: Set(Utc::now()),
        ..Default::default()
    };
    audit_log::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Serializes a view for the audit log.
pub fn snapshot<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i32,
    pub actor_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub at: DateTime<Utc>,
}

/// Newest first, optionally for one entity (and one id of it).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    entity: Option<&str>,
    entity_id: Option<&str>,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<AuditEntry>> {
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(entity) = entity {
        query = query.filter(audit_log::Column::Entity.eq(entity));
    }
    if let Some(id) = entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(id));
    }
    if let Some(cursor) = cursor {
        query = query.filter(audit_log::Column::Id.lt(cursor.int()?));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |r| Cursor::from_int(r.id),
        |r| AuditEntry {
            id: r.id,
            actor_id: r.actor_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            at: r.at,
        },
    ))
}
