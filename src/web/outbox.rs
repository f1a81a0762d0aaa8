//! `/outbox` (admin): the emails queued, sent and failed, and retrying a
//! failed one — through `mail::outbox`, as `/api/v1/outbox` does.
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::{
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    mail::outbox::{self, OutboxStatus, OutboxView},
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query},
        forms::{Choice, NoFields, WebForm, choices},
        layout::Layout,
        session::AdminSignedIn,
    },
};

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent`, `failed`, or empty for all.
    #[serde(default)]
    pub status: String,
    pub cursor: Option<String>,
}

const STATUSES: [OutboxStatus; 4] = [
    OutboxStatus::Pending,
    OutboxStatus::Sending,
    OutboxStatus::Failed,
    OutboxStatus::Sent,
];

struct MessageRow {
    message: OutboxView,
    recipients: String,
    tag: Tag,
    /// Only a failed message can be retried.
    failed: bool,
}

#[derive(Template)]
#[template(path = "pages/outbox.html")]
struct OutboxPage {
    layout: Layout,
    query: OutboxQuery,
    statuses: Vec<Choice>,
    rows: Vec<MessageRow>,
    next_page: Option<String>,
}

/// `GET /outbox`: messages newest first, optionally of one status.
pub async fn list(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Query(query): Query<OutboxQuery>,
) -> PageResult {
    let status = STATUSES.into_iter().find(|s| s.as_str() == query.status);
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = outbox::list(&state.db, status, MAX_LIMIT, cursor.as_ref()).await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query("/outbox", &[("status", &query.status), ("cursor", &cursor)])
    });
    let rows = page
        .items
        .into_iter()
        .map(|message| MessageRow {
            recipients: message.recipients.join(", "),
            tag: Tag::outbox(&message.status),
            failed: message.status == OutboxStatus::Failed.as_str(),
            message,
        })
        .collect();
    let statuses = choices(
        std::iter::once(("", "Every message"))
            .chain(STATUSES.map(|s| (s.as_str(), Tag::outbox(s.as_str()).label))),
        &[query.status.as_str()],
    );
    Ok(render(&OutboxPage {
        layout: admin.layout(&state, "Mail outbox").await?,
        query,
        statuses,
        rows,
        next_page,
    }))
}

/// `POST /outbox/{id}/retry`: a failed message goes back in the queue.
pub async fn retry(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let message = outbox::retry(&state.db, &state.mailer, &admin.user, id).await?;
    admin
        .flash(
            &state,
            &format!("“{}” is queued to be sent again.", message.subject),
        )
        .await?;
    Ok(Redirect::to("/outbox?status=failed").into_response())
}
