//! Annual training plans (SPEC §7): a country's liaison (or an admin)
//! drafts and submits; program officers (and admins) approve, return and
//! reopen; everyone reads their own country's (staff every country's), and
//! the plan report shows the plan against the nominations filling it.
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    api::{
        extract::{CurrentUser, Nominator, Staff, ValidJson, ValidPath, ValidQuery},
        reports::wants_csv,
    },
    app::{AppState, csv_attachment},
    error::AppResult,
    services::plans::{
        self, LineChange, LineView, NewLine, NewPlan, PlanFilter, PlanReport, PlanSummary,
        PlanView, ReturnRequest,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan))
        .routes(routes!(add_plan_line))
        .routes(routes!(change_plan_line, remove_plan_line))
        .routes(routes!(submit_plan))
        .routes(routes!(approve_plan))
        .routes(routes!(return_plan))
        .routes(routes!(reopen_plan))
        .routes(routes!(plan_report))
}

/// Training plans, the latest fiscal year first; a liaison sees their own
/// country's only.
#[utoipa::path(get, path = "/plans", tag = "plans", params(PlanFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PlanSummary>)))]
async fn list_plans(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(filter): ValidQuery<PlanFilter>,
) -> AppResult<Json<Vec<PlanSummary>>> {
    Ok(Json(plans::list(&state.db, &user, &filter).await?))
}

/// Start a country's plan for a fiscal year, as a draft (a liaison for
/// their own country); a second plan for the same country and FY is 409
/// `duplicate`.
#[utoipa::path(post, path = "/plans", tag = "plans", request_body = NewPlan,
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 201, body = PlanView), (status = 409)))]
async fn create_plan(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewPlan>,
) -> AppResult<(StatusCode, Json<PlanView>)> {
    Ok((
        StatusCode::CREATED,
        Json(plans::create(&state, &user, body).await?),
    ))
}

/// A plan with its lines, the totals per program and priority, each
/// program's ceiling (its FY allocation) against the priority-A total, and
/// the PME share of the A total.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, body = PlanView)))]
async fn get_plan(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(plans::get(&state.db, &user, id).await?))
}

/// Add a line to a draft: an active course, optionally one of its classes
/// starting in the plan's FY (the line then costs the class's estimate per
/// student), or else `unit_cost_cents`. 409 `invalid_transition` unless
/// the plan is a draft.
#[utoipa::path(post, path = "/plans/{id}/lines", tag = "plans", params(("id" = i32, Path)), request_body = NewLine,
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 201, body = LineView), (status = 409)))]
async fn add_plan_line(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<NewLine>,
) -> AppResult<(StatusCode, Json<LineView>)> {
    let line = plans::add_line(&state, &user, id, body).await?;
    Ok((StatusCode::CREATED, Json(line)))
}

/// Change a draft's line. A line that nominations fill keeps its course,
/// class and program, and at least their number of places.
#[utoipa::path(patch, path = "/plans/{id}/lines/{line_id}", tag = "plans",
    params(("id" = i32, Path), ("line_id" = i32, Path)), request_body = LineChange,
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 200, body = LineView), (status = 409)))]
async fn change_plan_line(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    ValidPath((id, line_id)): ValidPath<(i32, i32)>,
    ValidJson(body): ValidJson<LineChange>,
) -> AppResult<Json<LineView>> {
    Ok(Json(
        plans::change_line(&state, &user, id, line_id, body).await?,
    ))
}

/// Remove a draft's line; 409 `has_active_nominations` while nominations
/// fill it.
#[utoipa::path(delete, path = "/plans/{id}/lines/{line_id}", tag = "plans",
    params(("id" = i32, Path), ("line_id" = i32, Path)),
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 204), (status = 409)))]
async fn remove_plan_line(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    ValidPath((id, line_id)): ValidPath<(i32, i32)>,
) -> AppResult<StatusCode> {
    plans::remove_line(&state, &user, id, line_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submit a draft for approval (lines naming a class are priced at its
/// estimate today); 409 `over_ceiling` with the program and the excess when
/// a program's priority-A lines exceed its allocation for the FY. Emails
/// the program officers.
#[utoipa::path(post, path = "/plans/{id}/submit", tag = "plans", params(("id" = i32, Path)),
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 200, body = PlanView), (status = 409)))]
async fn submit_plan(
    Nominator(user): Nominator,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(plans::submit(&state, &user, id).await?))
}

/// Approve a submitted plan; 409 `over_ceiling` as on submission. Emails
/// the country's liaisons.
#[utoipa::path(post, path = "/plans/{id}/approve", tag = "plans", params(("id" = i32, Path)),
    security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = PlanView), (status = 409)))]
async fn approve_plan(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(plans::approve(&state, &officer, id).await?))
}

/// Return a submitted plan to the country with a reason, which the
/// country's liaisons are emailed.
#[utoipa::path(post, path = "/plans/{id}/return", tag = "plans", params(("id" = i32, Path)),
    request_body = ReturnRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = PlanView), (status = 409)))]
async fn return_plan(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<ReturnRequest>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(plans::return_plan(&state, &officer, id, body).await?))
}

/// Take a plan back to draft: an approved one (program officers and
/// admins; nominations keep their lines), or a returned one (also the
/// country's liaisons); 403 for a liaison's approved plan.
#[utoipa::path(post, path = "/plans/{id}/reopen", tag = "plans", params(("id" = i32, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 403), (status = 409)))]
async fn reopen_plan(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(plans::reopen(&state, &user, id).await?))
}

/// The plan against its execution: per line, planned, nominated (active or
/// completed), approved and completed students, and the planned cost
/// against what those nominations commit; the country's nominations of the
/// FY that fill no line, as unplanned. JSON, or CSV with `Accept: text/csv`
/// (columns: line_id, nomination_id, masl_id, course_title, offering_id,
/// class_start, priority, program, planned, nominated, approved, completed,
/// planned_cents, committed_cents; one row per line, then one per unplanned
/// nomination).
#[utoipa::path(get, path = "/plans/{id}/report", tag = "plans", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The report; as CSV with `Accept: text/csv`",
               content((PlanReport = "application/json"), (String = "text/csv")))))]
async fn plan_report(
    user: CurrentUser,
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Response> {
    let report = plans::report(&state.db, &user, id).await?;
    if !wants_csv(&headers) {
        return Ok(Json(report).into_response());
    }
    let csv = plans::report_csv(&report)?;
    Ok(csv_attachment(
        &format!("plan-{}-fy{}.csv", report.country_code, report.fiscal_year),
        csv,
    ))
}
