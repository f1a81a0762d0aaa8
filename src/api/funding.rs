//! Funding: allocations per country × program × fiscal year, transfers
//! between countries (program officers and admins), and the funding report.
//! A liaison reads only their own country's rows.
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::{
        extract::{CurrentUser, Staff, ValidJson, ValidPath, ValidQuery},
        reports::{ReportQuery, wants_csv},
    },
    app::AppState,
    app::csv_attachment,
    db::pagination::{Page, PageQuery},
    error::{AppError, AppResult},
    services::{
        allocations::{
            self, AllocationAmount, AllocationFilter, AllocationKey, AllocationView, NewTransfer,
            TransferOutcome,
        },
        funding_report::{self, FundingReport},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_allocations))
        .routes(routes!(set_allocation))
        .routes(routes!(create_transfer))
        .routes(routes!(funding_report))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllocationQuery {
    #[validate(range(min = 2000, max = 2100, message = "must be between 2000 and 2100"))]
    #[param(minimum = 2000, maximum = 2100)]
    pub fiscal_year: Option<i32>,
    /// Country code; a liaison's list holds only their own country whatever this says.
    pub country: Option<String>,
    /// `IMET` or `FMF`.
    pub program: Option<String>,
}

/// Allocations in fiscal year, country and program order, with what is
/// committed and available; a liaison sees only their country's.
#[utoipa::path(get, path = "/allocations", tag = "funding", params(AllocationQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<AllocationView>)))]
async fn list_allocations(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<AllocationQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<AllocationView>>> {
    let (limit, cursor) = page.params()?;
    let filter = AllocationFilter {
        fiscal_year: q.fiscal_year,
        country: q.country,
        program: q
            .program
            .as_deref()
            .map(allocations::funding_program)
            .transpose()?,
    };
    Ok(Json(
        allocations::list(&state.db, &user, filter, limit, cursor.as_ref()).await?,
    ))
}

/// Set a country's allocation for a program (IMET or FMF) and fiscal year
/// (program officer or admin): 201 when created (frozen while a suspension of
/// the program is in effect), 200 when changed; 409 `insufficient_funds`
/// below what is committed.
#[utoipa::path(put, path = "/allocations/{country}/{program}/{fiscal_year}", tag = "funding",
    params(("country" = String, Path), ("program" = String, Path, description = "IMET or FMF"),
           ("fiscal_year" = i32, Path)),
    request_body = AllocationAmount, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = AllocationView), (status = 201, body = AllocationView),
              (status = 409)))]
async fn set_allocation(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath((country, program, fy)): ValidPath<(String, String, String)>,
    ValidJson(body): ValidJson<AllocationAmount>,
) -> AppResult<(StatusCode, Json<AllocationView>)> {
    let fy: i32 = fy
        .parse()
        .map_err(|_| AppError::field("fiscal_year", "must be a year such as 2026"))?;
    let key = AllocationKey::new(&country, &program, fy)?;
    let outcome = allocations::set(&state, &officer, &key, body.allocated_cents).await?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome.allocation)))
}

/// Move allocated funds between two countries' allocations of one program
/// and fiscal year, with a reason (program officer or admin). The target is
/// created when missing. 409 `insufficient_funds` beyond what is available,
/// `frozen` out of or into a frozen allocation.
#[utoipa::path(post, path = "/allocations/transfers", tag = "funding", request_body = NewTransfer,
    security(("bearer" = ["admin", "program_officer"])),
    responses((status = 201, body = TransferOutcome),
              (status = 409)))]
async fn create_transfer(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewTransfer>,
) -> AppResult<(StatusCode, Json<TransferOutcome>)> {
    let outcome = allocations::transfer(&state, &officer, body).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// The funding report of a fiscal year, per country: allocated, committed,
/// available, PME share of committed (flagged below 50%) and lapsed funds.
/// JSON, or CSV with `Accept: text/csv` (columns: fiscal_year, country_code,
/// country_name, allocated_cents, committed_cents, available_cents,
/// pme_committed_cents, pme_share_percent, pme_share_below_50, lapsed_cents).
/// A liaison's report holds only their country.
#[utoipa::path(get, path = "/reports/funding", tag = "funding", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, description = "The report; as CSV with `Accept: text/csv`",
               content((FundingReport = "application/json"), (String = "text/csv")))))]
async fn funding_report(
    user: CurrentUser,
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidQuery(q): ValidQuery<ReportQuery>,
) -> AppResult<Response> {
    let today = state.clock.today();
    let fy = q.chosen(today);
    let report = funding_report::build(&state.db, &user, fy, today).await?;
    if !wants_csv(&headers) {
        return Ok(Json(report).into_response());
    }
    let csv = funding_report::to_csv(&report)?;
    Ok(csv_attachment(&format!("funding-fy{fy}.csv"), csv))
}
