//! The mail outbox, for admins: what was sent, what waits, what failed.
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, ValidPath, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    error::AppResult,
    mail::outbox::{self, OutboxStatus, OutboxView},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_outbox))
        .routes(routes!(retry_message))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `failed`.
    #[param(inline)]
    pub status: Option<OutboxStatus>,
}

/// Queued emails, newest first.
#[utoipa::path(get, path = "/outbox", tag = "mail", params(OutboxQuery, PageQuery), security(("bearer" = ["admin"])),
    responses((status = 200, body = Page<OutboxView>)))]
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
    security(("bearer" = ["admin"])),
    responses((status = 200, body = OutboxView), (status = 409)))]
async fn retry_message(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<OutboxView>> {
    Ok(Json(
        outbox::retry(&state.db, &state.mailer, &admin, id).await?,
    ))
}
