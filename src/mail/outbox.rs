//! The outbox table: queueing a message in the caller's transaction, the
//! admin's list and retry, and the worker's claims and outcomes.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, TryInsertResult,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::entities::outbox::OutboxStatus;
use crate::entities::outbox::Recipients;
use crate::{
    config::Config,
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    entities::outbox,
    error::{AppError, AppResult, ConflictCode},
    mail::{
        Mailer,
        templates::{CLEARED_BODY, Email, WITH_ONE_TIME_LINKS},
    },
};

/// A queued email as admins see it (without its bodies).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i32,
    pub event: String,
    pub recipients: Vec<String>,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub message_id: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<outbox::Model> for OutboxView {
    fn from(m: outbox::Model) -> Self {
        Self {
            id: m.id,
            event: m.event,
            recipients: m.recipients.0,
            subject: m.subject,
            status: m.status.as_str().to_owned(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            message_id: m.message_id,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// Queues `email` to `recipients` on `db`, which must be the transaction of
/// the change that causes it. Nothing is queued when no recipient is left
/// after trimming and removing duplicates.
pub async fn enqueue<C: ConnectionTrait, E: Email>(
    db: &C,
    config: &Config,
    recipients: Vec<String>,
    email: &E,
) -> AppResult<()> {
    insert(db, config, None, recipients, email).await?;
    Ok(())
}

/// Like [`enqueue`], but at most once for `key` (e.g. `ecl_expiry:nomination:42`):
/// returns `false`, queueing nothing, when a message with that key exists.
pub async fn enqueue_once<C: ConnectionTrait, E: Email>(
    db: &C,
    config: &Config,
    key: &str,
    recipients: Vec<String>,
    email: &E,
) -> AppResult<bool> {
    insert(db, config, Some(key), recipients, email).await
}

async fn insert<C: ConnectionTrait, E: Email>(
    db: &C,
    config: &Config,
    key: Option<&str>,
    recipients: Vec<String>,
    email: &E,
) -> AppResult<bool> {
    prepare(config, key, recipients, email)?.write(db).await
}

/// An email rendered and ready to be queued (or nothing, when it has no
/// recipient): rendering happens before the transaction that queues it, so
/// that transaction stays short.
pub struct Prepared(Option<outbox::ActiveModel>);

/// Renders `email` for `recipients` (trimmed, each once); nothing when no
/// recipient is left.
pub fn prepare<E: Email>(
    config: &Config,
    key: Option<&str>,
    recipients: Vec<String>,
    email: &E,
) -> AppResult<Prepared> {
    let recipients = distinct_addresses(recipients);
    if recipients.is_empty() {
        return Ok(Prepared(None));
    }
    let rendered = email
        .render(&config.base_url)
        .map_err(|e| anyhow::anyhow!("rendering the {} email: {e}", E::EVENT))?;
    let now = Utc::now();
    let attachment = email.attachment();
    Ok(Prepared(Some(outbox::ActiveModel {
        event: Set(E::EVENT.to_owned()),
        recipients: Set(Recipients(recipients)),
        subject: Set(rendered.subject),
        text_body: Set(rendered.text),
        html_body: Set(rendered.html),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        message_id: Set(new_message_id(&config.base_url)),
        dedupe_key: Set(key.map(str::to_owned)),
        created_at: Set(now),
        sent_at: Set(None),
        attachment_name: Set(attachment.map(|a| a.filename.clone())),
        attachment_type: Set(attachment.map(|a| a.content_type.to_owned())),
        attachment: Set(attachment.map(|a| a.data.clone())),
        ..Default::default()
    })))
}

impl Prepared {
    /// Queues the message on `db`, which must be the transaction of the
    /// change that causes it; `false` when it had no recipient or its
    /// dedupe key was already used.
    pub async fn write<C: ConnectionTrait>(self, db: &C) -> AppResult<bool> {
        let Some(row) = self.0 else {
            return Ok(false);
        };
        let inserted = outbox::Entity::insert(row)
            .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
            .exec_without_returning(db)
            .await?;
        Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
    }
}

/// Trimmed addresses, each once (compared without case), in the given order.
fn distinct_addresses(recipients: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(recipients.len());
    for address in recipients {
        let address = address.trim();
        if !address.is_empty() && !out.iter().any(|a| a.eq_ignore_ascii_case(address)) {
            out.push(address.to_owned());
        }
    }
    out
}

/// A Message-ID fixed when the message is queued, so that a message sent
/// again after a crash can be recognized by the receiving side.
fn new_message_id(base_url: &str) -> String {
    format!(
        "<outbox-{}@{}>",
        hex::encode(rand::random::<[u8; 16]>()),
        url_host(base_url)
    )
}

/// The host of `IMET_BASE_URL` (`localhost` when it has none).
fn url_host(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.find(']') {
        Some(end) if host.starts_with('[') => &host[..=end],
        _ => host.split(':').next().unwrap_or(""),
    };
    if host.is_empty() { "localhost" } else { host }
}

/// Messages newest first, optionally of one status.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    status: Option<OutboxStatus>,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<OutboxView>> {
    let mut query = outbox::Entity::find().order_by_desc(outbox::Column::Id);
    if let Some(status) = status {
        query = query.filter(outbox::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = cursor {
        query = query.filter(outbox::Column::Id.lt(cursor.int()?));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |m| Cursor::from_int(m.id),
        OutboxView::from,
    ))
}

/// Puts a `failed` message back in the queue with its attempts reset
/// (anything else answers 409 `invalid_transition`), then wakes the worker.
pub async fn retry(
    db: &DatabaseConnection,
    mailer: &Mailer,
    actor: &Actor,
    id: i32,
) -> AppResult<OutboxView> {
    let txn = db::write_txn(db).await?;
    let existing = outbox::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Message"))?;
    if existing.status != OutboxStatus::Failed {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Only a failed message can be retried; this one is {}.",
                existing.status.as_str()
            ),
        ));
    }
    let before = OutboxView::from(existing);
    // Conditional, so two admins retrying at once queue it once.
    let requeued = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(OutboxStatus::Pending.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(OutboxStatus::Failed.as_str()))
        .exec(&txn)
        .await?;
    if requeued.rows_affected != 1 {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            "The message was retried meanwhile.",
        ));
    }
    let view = outbox::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .map(OutboxView::from)
        .ok_or_else(|| AppError::not_found("Message"))?;
    audit::record(
        &txn,
        Change::new(Some(actor.id), "outbox.retry", "outbox", id)
            .before(snapshot(&before))
            .after(snapshot(&view)),
    )
    .await?;
    txn.commit().await?;
    mailer.wake();
    Ok(view)
}

/// Due at `now`: pending and its time has come, or claimed by a worker whose
/// lease ran out (it crashed or was stopped mid-send).
fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
                .add(outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(outbox::Column::Status.eq(OutboxStatus::Sending.as_str()))
                .add(outbox::Column::ClaimedUntil.lte(now)),
        )
}

/// Claims up to `limit` due messages for one worker until `lease_until`, in
/// one statement: a conditional update of the first due rows that answers
/// the rows it changed. On PostgreSQL the candidates are locked with
/// `FOR UPDATE SKIP LOCKED`, so concurrent workers take different rows; on
/// SQLite the write transaction is exclusive. The update only changes rows
/// still due, so a message is never claimed twice.
pub(crate) async fn claim(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut due_first = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(due(now))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        due_first = due_first.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let txn = db::write_txn(db).await?;
    let mut claimed = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(OutboxStatus::Sending.as_str()),
        )
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(lease_until))
        .filter(outbox::Column::Id.in_subquery(due_first.into_query()))
        .filter(due(now))
        .exec_with_returning(&txn)
        .await?;
    txn.commit().await?;
    claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
    Ok(claimed)
}

/// What became of one attempt.
pub(crate) enum Outcome {
    Sent,
    /// Try again at the given time.
    Retry(DateTime<Utc>, String),
    /// Parked as `failed`.
    Failed(String),
}

/// Records the outcomes of one batch of attempts, in one transaction: the
/// delivered messages in one statement, the others one by one. A message
/// whose claim was lost (it is no longer `sending`) is left as it is;
/// answers how many were.
pub(crate) async fn record(
    db: &DatabaseConnection,
    outcomes: Vec<(outbox::Model, Outcome)>,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let still_claimed = || outbox::Column::Status.eq(OutboxStatus::Sending.as_str());
    let txn = db::write_txn(db).await?;
    let mut recorded = 0;
    let mut attempted = outcomes.len() as u64;
    let mut sent = Vec::new();
    let mut to_clear = Vec::new();
    for (message, outcome) in outcomes {
        let attempts = message.attempts + 1;
        let update = outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::value(attempts))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        let update = match outcome {
            Outcome::Sent => {
                sent.push(message.id);
                if WITH_ONE_TIME_LINKS.contains(&message.event.as_str()) {
                    to_clear.push(message.id);
                }
                continue;
            }
            Outcome::Retry(at, error) => update
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Pending.as_str()),
                )
                .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
                .col_expr(outbox::Column::LastError, Expr::value(error)),
            Outcome::Failed(error) => update
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Failed.as_str()),
                )
                .col_expr(outbox::Column::LastError, Expr::value(error)),
        };
        recorded += update
            .filter(outbox::Column::Id.eq(message.id))
            .filter(still_claimed())
            .exec(&txn)
            .await?
            .rows_affected;
    }
    if !sent.is_empty() {
        recorded += outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                outbox::Column::Status,
                Expr::value(OutboxStatus::Sent.as_str()),
            )
            .col_expr(outbox::Column::SentAt, Expr::value(now))
            .filter(outbox::Column::Id.is_in(sent))
            .filter(still_claimed())
            .exec(&txn)
            .await?
            .rows_affected;
    }
    if !to_clear.is_empty() {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::TextBody, Expr::value(CLEARED_BODY))
            .col_expr(outbox::Column::HtmlBody, Expr::value(CLEARED_BODY))
            .filter(outbox::Column::Id.is_in(to_clear))
            .filter(outbox::Column::Status.eq(OutboxStatus::Sent.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    attempted -= recorded;
    Ok(attempted as usize)
}

/// Messages not yet delivered nor parked (`pending` and `sending`).
pub(crate) async fn queue_depth(db: &DatabaseConnection) -> Result<u64, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::Status.is_in([
            OutboxStatus::Pending.as_str(),
            OutboxStatus::Sending.as_str(),
        ]))
        .count(db)
        .await
}

/// When the next message falls due: the earliest pending attempt or claim expiry.
pub(crate) async fn next_due(db: &DatabaseConnection) -> Result<Option<DateTime<Utc>>, DbErr> {
    let pending = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::NextAttemptAt)
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    let lease = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::ClaimedUntil)
        .filter(outbox::Column::Status.eq(OutboxStatus::Sending.as_str()))
        .order_by_asc(outbox::Column::ClaimedUntil)
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten();
    Ok(pending.into_iter().chain(lease).min())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_host_comes_from_the_base_url() {
        let cases = [
            ("https://imet.example.org", "imet.example.org"),
            ("https://imet.example.org:8443/app/", "imet.example.org"),
            ("http://127.0.0.1:8080", "127.0.0.1"),
            ("http://user:pw@mail.example.org/x", "mail.example.org"),
            ("http://[::1]:8080/", "[::1]"),
            ("imet.example.org", "imet.example.org"),
            ("", "localhost"),
        ];
        for (url, host) in cases {
            assert_eq!(url_host(url), host, "{url}");
        }
        let id = new_message_id("https://imet.example.org");
        assert!(id.starts_with("<outbox-") && id.ends_with("@imet.example.org>"));
        assert_ne!(id, new_message_id("https://imet.example.org"));
    }

    #[test]
    fn recipients_are_trimmed_and_distinct() {
        let cases = [
            (
                vec![" a@x.org ", "A@x.org", "b@x.org"],
                vec!["a@x.org", "b@x.org"],
            ),
            (vec!["", "  "], vec![]),
            (vec!["b@x.org", "a@x.org"], vec!["b@x.org", "a@x.org"]),
        ];
        for (input, expected) in cases {
            let input: Vec<String> = input.into_iter().map(Into::into).collect();
            assert_eq!(distinct_addresses(input.clone()), expected, "{input:?}");
        }
    }
}
