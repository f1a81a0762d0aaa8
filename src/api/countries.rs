//! Countries: everyone reads (a liaison only their own), admins write.
use axum::{Json, extract::State, http::StatusCode};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, CurrentUser, Staff, ValidJson, ValidPath, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    domain::program::Program,
    error::AppResult,
    services::{
        countries::{self, CountryDetail, CountryPatch, CountryView, NewCountry},
        suspensions::{self, Eligibility, LiftRequest, NewSuspension, SuspensionView},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_countries, create_country))
        .routes(routes!(get_country, update_country))
        .routes(routes!(impose_suspension))
        .routes(routes!(lift_suspension))
        .routes(routes!(country_eligibility))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountryQuery {
    pub active: Option<bool>,
}

/// Countries in code order; a liaison sees only their own.
#[utoipa::path(get, path = "/countries", tag = "countries", params(CountryQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CountryView>)))]
async fn list_countries(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<CountryQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<CountryView>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        countries::list(&state.db, &user, q.active, limit, cursor.as_ref()).await?,
    ))
}

/// Register a country (admin).
#[utoipa::path(post, path = "/countries", tag = "countries", request_body = NewCountry, security(("bearer" = ["admin"])),
    responses((status = 201, body = CountryView),
              (status = 409)))]
async fn create_country(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewCountry>,
) -> AppResult<(StatusCode, Json<CountryView>)> {
    let country = countries::create(&state.db, &admin, body).await?;
    Ok((StatusCode::CREATED, Json(country)))
}

/// One country with today's status per program and its suspension history;
/// another country's answers 404 to a liaison.
#[utoipa::path(get, path = "/countries/{code}", tag = "countries", params(("code" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = CountryDetail)))]
async fn get_country(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(code): ValidPath<String>,
) -> AppResult<Json<CountryDetail>> {
    Ok(Json(
        countries::detail(&state.db, &user, &code, state.clock.today()).await?,
    ))
}

/// Update name, travel estimate or active flag (admin).
#[utoipa::path(patch, path = "/countries/{code}", tag = "countries", params(("code" = String, Path)),
    request_body = CountryPatch, security(("bearer" = ["admin"])),
    responses((status = 200, body = CountryView)))]
async fn update_country(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(code): ValidPath<String>,
    ValidJson(body): ValidJson<CountryPatch>,
) -> AppResult<Json<CountryView>> {
    Ok(Json(
        countries::update(&state.db, &admin, &code, body).await?,
    ))
}

/// Impose a suspension (program officer or admin).
#[utoipa::path(post, path = "/countries/{code}/suspensions", tag = "countries", params(("code" = String, Path)),
    request_body = NewSuspension, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 201, body = SuspensionView)))]
async fn impose_suspension(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(code): ValidPath<String>,
    ValidJson(body): ValidJson<NewSuspension>,
) -> AppResult<(StatusCode, Json<SuspensionView>)> {
    let suspension = suspensions::impose(&state, &officer, &code, body).await?;
    Ok((StatusCode::CREATED, Json(suspension)))
}

/// Lift a suspension, once (program officer or admin).
#[utoipa::path(post, path = "/countries/{code}/suspensions/{id}/lift", tag = "countries",
    params(("code" = String, Path), ("id" = i32, Path)), request_body = LiftRequest, security(("bearer" = ["admin", "program_officer"])),
    responses((status = 200, body = SuspensionView),
              (status = 409)))]
async fn lift_suspension(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath((code, id)): ValidPath<(String, i32)>,
    ValidJson(body): ValidJson<LiftRequest>,
) -> AppResult<Json<SuspensionView>> {
    Ok(Json(
        suspensions::lift(&state, &officer, &code, id, body).await?,
    ))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// `IMET` (default), `E-IMET`, `FMF` or `CSF`.
    #[param(inline)]
    pub program: Option<Program>,
    /// The day to answer for (default today, UTC).
    pub on: Option<NaiveDate>,
}

/// Whether the country is eligible for a program on a day, and which
/// suspensions block it.
#[utoipa::path(get, path = "/countries/{code}/eligibility", tag = "countries",
    params(("code" = String, Path), EligibilityQuery), security(("bearer" = [])),
    responses((status = 200, body = Eligibility)))]
async fn country_eligibility(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(code): ValidPath<String>,
    ValidQuery(q): ValidQuery<EligibilityQuery>,
) -> AppResult<Json<Eligibility>> {
    let on = q.on.unwrap_or_else(|| state.clock.today());
    let program = q.program.unwrap_or(Program::Imet);
    Ok(Json(
        suspensions::eligibility(&state.db, &user, &code, program, on).await?,
    ))
}
