//! ECL exemptions: everyone reads the list (a liaison their own country's
//! rows), admins put and remove a country per fiscal year.
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, CurrentUser, ValidJson, ValidPath, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    error::AppResult,
    services::ecl_exemptions::{self, EclExemptionView, ExemptionNote},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_exemptions))
        .routes(routes!(put_exemption, delete_exemption))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExemptionQuery {
    /// Only this fiscal year's exemptions.
    #[validate(range(min = 2000, max = 2100, message = "must be between 2000 and 2100"))]
    #[param(minimum = 2000, maximum = 2100)]
    pub fiscal_year: Option<i32>,
}

/// Countries exempt from ECL testing, by fiscal year and country code: a
/// student of an exempt country meets a course's ECL minimum without a
/// score in classes starting that fiscal year. A liaison sees only their
/// country.
#[utoipa::path(get, path = "/ecl-exemptions", tag = "ecl_exemptions", params(ExemptionQuery, PageQuery),
    security(("bearer" = [])), responses((status = 200, body = Page<EclExemptionView>)))]
async fn list_exemptions(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<ExemptionQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<EclExemptionView>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        ecl_exemptions::list(&state.db, &user, q.fiscal_year, limit, cursor.as_ref()).await?,
    ))
}

/// Exempt a country from ECL testing in a fiscal year, with a note, or
/// change the note (admin): 201 when new, 200 when changed.
#[utoipa::path(put, path = "/ecl-exemptions/{fiscal_year}/{country}", tag = "ecl_exemptions",
    params(("fiscal_year" = i32, Path, minimum = 2000, maximum = 2100), ("country" = String, Path)),
    request_body = ExemptionNote, security(("bearer" = ["admin"])),
    responses((status = 200, body = EclExemptionView), (status = 201, body = EclExemptionView)))]
async fn put_exemption(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath((fiscal_year, country)): ValidPath<(i32, String)>,
    ValidJson(body): ValidJson<ExemptionNote>,
) -> AppResult<(StatusCode, Json<EclExemptionView>)> {
    let outcome = ecl_exemptions::put(&state, &admin, fiscal_year, &country, body).await?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome.exemption)))
}

/// End a country's exemption from ECL testing in a fiscal year (admin).
#[utoipa::path(delete, path = "/ecl-exemptions/{fiscal_year}/{country}", tag = "ecl_exemptions",
    params(("fiscal_year" = i32, Path, minimum = 2000, maximum = 2100), ("country" = String, Path)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "The country is no longer exempt.")))]
async fn delete_exemption(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath((fiscal_year, country)): ValidPath<(i32, String)>,
) -> AppResult<StatusCode> {
    ecl_exemptions::delete(&state, &admin, fiscal_year, &country).await?;
    Ok(StatusCode::NO_CONTENT)
}
