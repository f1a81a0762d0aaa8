//! Invitational travel orders of approved nominations: program officers and
//! admins issue, amend and revoke them; staff and the country's liaisons
//! read them, as JSON or as the printable PDF.
use axum::{Json, extract::State, http::StatusCode, response::Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    api::extract::{CurrentUser, Staff, ValidJson, ValidPath},
    app::{AppState, pdf_inline},
    error::AppResult,
    services::nominations::{self, AmendRequest, IssueRequest, ReasonRequest, TravelOrderView},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current, issue))
        .routes(routes!(revisions))
        .routes(routes!(pdf))
        .routes(routes!(amend))
        .routes(routes!(revoke))
}

/// Issue the travel order of an approved nomination whose class has not
/// started. Needs, on the day: cleared and valid Leahy vetting and security
/// screening (never waivable), English passed or waived, the country
/// eligible or its `country_eligible` waiver, and the entitlements equal to
/// the committed cost; otherwise 409 `checks_unmet` with `unmet`.
#[utoipa::path(post, path = "/nominations/{id}/ito", tag = "travel_orders", params(("id" = i32, Path)),
    request_body = IssueRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 201, body = TravelOrderView), (status = 409)))]
async fn issue(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<IssueRequest>,
) -> AppResult<(StatusCode, Json<TravelOrderView>)> {
    let issued = nominations::issue_travel_order(&state, &officer, id, body).await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// The nomination's latest travel order: in force, or revoked; 404 when
/// none was issued.
#[utoipa::path(get, path = "/nominations/{id}/ito", tag = "travel_orders", params(("id" = i32, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = TravelOrderView)))]
async fn current(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<TravelOrderView>> {
    let current = nominations::current_travel_order(&state.db, &user, id).await?;
    Ok(Json(current.into()))
}

/// Every revision of the nomination's travel orders, the latest first.
#[utoipa::path(get, path = "/nominations/{id}/itos", tag = "travel_orders", params(("id" = i32, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TravelOrderView>)))]
async fn revisions(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<Vec<TravelOrderView>>> {
    let all = nominations::travel_orders(&state.db, &user, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// The latest travel order as a one-page PDF; `REVOKED` across a revoked one.
#[utoipa::path(get, path = "/nominations/{id}/ito.pdf", tag = "travel_orders", params(("id" = i32, Path)),
    security(("bearer" = [])),
    responses((status = 200, description = "The order as a PDF document", content_type = "application/pdf", body = String)))]
async fn pdf(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Response> {
    let (filename, bytes) = nominations::travel_order_pdf(&state.db, &user, id).await?;
    Ok(pdf_inline(&filename, bytes))
}

/// Amend the order in force, with a reason: the next revision
/// (`{number}-A{n}`) from today's data, under the same conditions as an
/// issue; it supersedes the one before.
#[utoipa::path(post, path = "/nominations/{id}/ito/amend", tag = "travel_orders", params(("id" = i32, Path)),
    request_body = AmendRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 201, body = TravelOrderView), (status = 409)))]
async fn amend(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<AmendRequest>,
) -> AppResult<(StatusCode, Json<TravelOrderView>)> {
    let amended = nominations::amend_travel_order(&state, &officer, id, body).await?;
    Ok((StatusCode::CREATED, Json(amended.into())))
}

/// Revoke the order in force by hand, with a reason (withdrawal, rejection
/// and holds revoke it by themselves).
#[utoipa::path(post, path = "/nominations/{id}/ito/revoke", tag = "travel_orders", params(("id" = i32, Path)),
    request_body = ReasonRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = TravelOrderView), (status = 409)))]
async fn revoke(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<ReasonRequest>,
) -> AppResult<Json<TravelOrderView>> {
    let revoked = nominations::revoke_travel_order(&state, &officer, id, body).await?;
    Ok(Json(revoked.into()))
}
