//! The mail outbox, for admins: what was sent, what waits, what failed.
use axum::{
    Json,
    extract::{Path, State},
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    error::{AppResult, Problem},
    mail::outbox::{self, OutboxStatus, OutboxView},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_outbox))
        .routes(routes!(retry_message))
}

#[derive(Deserialize, Validate, IntoParams)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: Option<OutboxStatus>,
}

/// Queued emails, newest first.
#[utoipa::path(get, path = "/outbox", tag = "mail", params(OutboxQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<OutboxView>), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_outbox(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<OutboxQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<OutboxView>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        outbox::list(&state.db, q.status, limit, cursor.as_ref()).await?,
    ))
}

/// Queue a `failed` email again, with its attempts reset.
#[utoipa::path(post, path = "/outbox/{id}/retry", tag = "mail", params(("id" = i32, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = OutboxView), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_message(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<i32>,
) -> AppResult<Json<OutboxView>> {
    Ok(Json(
        outbox::retry(&state.db, &state.mailer, &admin, id).await?,
    ))
}
