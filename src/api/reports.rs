//! Reports: the training report of a fiscal year, and what every report
//! shares — the fiscal year asked for and the choice between JSON and CSV.
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{CurrentUser, ValidQuery},
    app::{AppState, csv_attachment},
    domain::fiscal_year::fiscal_year,
    error::AppResult,
    services::training_report::{self, TrainingReport},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(training_report))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Default: the current fiscal year.
    #[validate(range(min = 2000, max = 2100, message = "must be between 2000 and 2100"))]
    #[param(minimum = 2000, maximum = 2100)]
    pub fiscal_year: Option<i32>,
}

impl ReportQuery {
    /// The fiscal year asked for, or the one `today` is in.
    pub fn chosen(&self, today: NaiveDate) -> i32 {
        self.fiscal_year.unwrap_or_else(|| fiscal_year(today))
    }
}

/// Whether `Accept` names `text/csv` (with any parameters).
pub fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
        })
}

/// The training report of a fiscal year: per country, each class starting
/// that year with approved or completed nominations, one line per funding
/// program, with its students and their committed cost; subtotals per
/// country and per program, and the grand total. JSON, or CSV with
/// `Accept: text/csv` (columns: fiscal_year, country_code, country_name,
/// program, masl_id, course_title, school, location, start_date, end_date,
/// students, total_cost_cents). A liaison's report holds only their country.
#[utoipa::path(get, path = "/reports/training", tag = "reports", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, description = "The report; as CSV with `Accept: text/csv`",
               content((TrainingReport = "application/json"), (String = "text/csv")))))]
async fn training_report(
    user: CurrentUser,
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidQuery(q): ValidQuery<ReportQuery>,
) -> AppResult<Response> {
    let fy = q.chosen(state.clock.today());
    let report = training_report::build(&state.db, &user, fy).await?;
    if !wants_csv(&headers) {
        return Ok(Json(report).into_response());
    }
    let csv = training_report::to_csv(&report)?;
    Ok(csv_attachment(&format!("training-fy{fy}.csv"), csv))
}
