//! Countries: everyone reads (a liaison only their own), admins write.
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, CurrentUser, ValidJson, ValidQuery},
    app::AppState,
    error::{AppResult, Problem},
    services::{
        countries::{self, CountryPatch, CountryView, NewCountry},
        pagination::{Page, page_params},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_countries, create_country))
        .routes(routes!(get_country, update_country))
}

#[derive(Deserialize, Validate, IntoParams)]
pub struct CountryQuery {
    pub active: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Countries in code order; a liaison sees only their own.
#[utoipa::path(get, path = "/countries", tag = "countries", params(CountryQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CountryView>)))]
async fn list_countries(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<CountryQuery>,
) -> AppResult<Json<Page<CountryView>>> {
    let (limit, cursor) = page_params(q.limit, q.cursor.as_deref())?;
    Ok(Json(
        countries::list(&state.db, &user, q.active, limit, cursor.as_ref()).await?,
    ))
}

/// Register a country (admin).
#[utoipa::path(post, path = "/countries", tag = "countries", request_body = NewCountry, security(("bearer" = [])),
    responses((status = 201, body = CountryView), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_country(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewCountry>,
) -> AppResult<(StatusCode, Json<CountryView>)> {
    let country = countries::create(&state.db, admin.id, body).await?;
    Ok((StatusCode::CREATED, Json(country)))
}

/// One country; another country's answers 404 to a liaison.
#[utoipa::path(get, path = "/countries/{code}", tag = "countries", params(("code" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = CountryView), (status = 404, body = Problem)))]
async fn get_country(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<CountryView>> {
    Ok(Json(countries::get_visible(&state.db, &user, &code).await?))
}

/// Update name, travel estimate or active flag (admin).
#[utoipa::path(patch, path = "/countries/{code}", tag = "countries", params(("code" = String, Path)),
    request_body = CountryPatch, security(("bearer" = [])),
    responses((status = 200, body = CountryView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn update_country(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(code): Path<String>,
    ValidJson(body): ValidJson<CountryPatch>,
) -> AppResult<Json<CountryView>> {
    Ok(Json(
        countries::update(&state.db, admin.id, &code, body).await?,
    ))
}
