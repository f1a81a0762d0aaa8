//! Nominations: liaisons create and submit for their students; program
//! officers decide. Every answer is the whole nomination with its checks.
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    api::extract::{CurrentUser, Nominator, Staff, ValidJson, ValidPath, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    error::AppResult,
    services::nominations::{
        self, NewNomination, NominationDetail, NominationFilter, NominationView, ReasonRequest,
        WaiverRequest,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_nominations, create_nomination))
        .routes(routes!(get_nomination))
        .routes(routes!(submit))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(waitlist))
        .routes(routes!(withdraw))
        .routes(routes!(complete))
        .routes(routes!(waive))
}

/// Nominations in id order; a liaison sees only their country's.
#[utoipa::path(get, path = "/nominations", tag = "nominations", params(NominationFilter, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<NominationView>)))]
async fn list_nominations(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(filter): ValidQuery<NominationFilter>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<NominationView>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        nominations::list(&state.db, &user, filter, limit, cursor.as_ref()).await?,
    ))
}

/// Create a nomination (a liaison for their country's students, or an
/// admin); `"submit": true` submits it too. With an `Idempotency-Key`
/// header, a repeated request answers the first status and body.
#[utoipa::path(post, path = "/nominations", tag = "nominations", request_body = NewNomination,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 h")),
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 201, body = NominationDetail), (status = 404),
              (status = 409)))]
async fn create_nomination(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<NewNomination>,
) -> AppResult<Response> {
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    Ok(match key {
        Some(key) => {
            let (status, body) = nominations::create_idempotent(&state, &user, &key, body).await?;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
            (status, Json(body)).into_response()
        }
        None => (
            StatusCode::CREATED,
            Json(nominations::create(&state, &user, body).await?),
        )
            .into_response(),
    })
}

/// A nomination with its checks, estimated cost, waivers and history.
#[utoipa::path(get, path = "/nominations/{id}", tag = "nominations", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, body = NominationDetail)))]
async fn get_nomination(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::get(&state.db, &user, id).await?))
}

/// Submit a draft (its liaison, or an admin).
#[utoipa::path(post, path = "/nominations/{id}/submit", tag = "nominations", params(("id" = i32, Path)),
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 200, body = NominationDetail),
              (status = 409)))]
async fn submit(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::submit(&state, &user, id).await?))
}

/// Approve: checks again, takes a seat and commits the cost in one
/// transaction (409 `checks_unmet`, then `no_seats`, then `insufficient_funds`).
#[utoipa::path(post, path = "/nominations/{id}/approve", tag = "nominations", params(("id" = i32, Path)),
    security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = NominationDetail),
              (status = 409)))]
async fn approve(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::approve(&state, &officer, id).await?))
}

/// Reject, with a reason.
#[utoipa::path(post, path = "/nominations/{id}/reject", tag = "nominations", params(("id" = i32, Path)),
    request_body = ReasonRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = NominationDetail), (status = 409)))]
async fn reject(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<ReasonRequest>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::reject(&state, &officer, id, body).await?))
}

/// Put on the waitlist (priority, then submission time).
#[utoipa::path(post, path = "/nominations/{id}/waitlist", tag = "nominations", params(("id" = i32, Path)),
    security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = NominationDetail), (status = 409)))]
async fn waitlist(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::waitlist(&state, &officer, id).await?))
}

/// Withdraw, with a reason (its liaison, an officer or an admin).
#[utoipa::path(post, path = "/nominations/{id}/withdraw", tag = "nominations", params(("id" = i32, Path)),
    request_body = ReasonRequest, security(("bearer" = [])),
    responses((status = 200, body = NominationDetail), (status = 409)))]
async fn withdraw(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<ReasonRequest>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::withdraw(&state, &user, id, body).await?))
}

/// Mark an approved nomination completed, after the class's end date.
#[utoipa::path(post, path = "/nominations/{id}/complete", tag = "nominations", params(("id" = i32, Path)),
    security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = NominationDetail), (status = 409)))]
async fn complete(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::complete(&state, &officer, id).await?))
}

/// Waive `english`, `prerequisites` or `country_eligible`, with a justification.
#[utoipa::path(post, path = "/nominations/{id}/waivers", tag = "nominations", params(("id" = i32, Path)),
    request_body = WaiverRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = NominationDetail), (status = 409)))]
async fn waive(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<WaiverRequest>,
) -> AppResult<Json<NominationDetail>> {
    Ok(Json(nominations::waive(&state, &officer, id, body).await?))
}
