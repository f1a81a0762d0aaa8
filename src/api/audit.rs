//! The audit trail, for admins and program officers.
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Staff, ValidQuery},
    app::AppState,
    db::audit::{self, AuditEntry},
    db::pagination::{Page, PageQuery},
    error::AppResult,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entity kind, e.g. `user`, `country`.
    pub entity: Option<String>,
    /// Entity id (with `entity`).
    pub id: Option<String>,
}

/// Recorded changes, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery, PageQuery), security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = Page<AuditEntry>)))]
async fn list_audit(
    Staff(_staff): Staff,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<AuditQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<AuditEntry>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        audit::list(
            &state.db,
            q.entity.as_deref(),
            q.id.as_deref(),
            limit,
            cursor.as_ref(),
        )
        .await?,
    ))
}
