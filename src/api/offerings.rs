//! Offerings (classes): everyone signed in reads; admins schedule and edit.
use axum::{Json, extract::State, http::StatusCode};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, CurrentUser, ValidJson, ValidPath, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    domain::{masl::MaslId, offering_status::OfferingStatus},
    error::{AppError, AppResult},
    services::offerings::{self, NewOffering, OfferingFilter, OfferingPatch, OfferingView},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_offerings))
        .routes(routes!(create_offering))
        .routes(routes!(get_offering, update_offering))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferingQuery {
    /// MASL id of the course.
    pub course: Option<String>,
    /// Classes starting on or after this date.
    pub from: Option<NaiveDate>,
    /// Classes starting on or before this date.
    pub to: Option<NaiveDate>,
    #[param(inline)]
    pub status: Option<OfferingStatus>,
}

/// Classes in start-date order.
#[utoipa::path(get, path = "/offerings", tag = "catalog", params(OfferingQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<OfferingView>)))]
async fn list_offerings(
    _user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<OfferingQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<OfferingView>>> {
    let (limit, cursor) = page.params()?;
    let course = q
        .course
        .as_deref()
        .map(MaslId::parse)
        .transpose()
        .map_err(|e| AppError::field("course", e))?;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && to < from
    {
        return Err(AppError::field("to", "must be on or after `from`"));
    }
    let filter = OfferingFilter {
        course,
        course_text: None,
        from: q.from,
        to: q.to,
        status: q.status,
    };
    Ok(Json(
        offerings::list(&state.db, filter, limit, cursor.as_ref()).await?,
    ))
}

/// Schedule a class of a course (admin).
#[utoipa::path(post, path = "/courses/{masl_id}/offerings", tag = "catalog", params(("masl_id" = String, Path)),
    request_body = NewOffering, security(("bearer" = ["admin"])),
    responses((status = 201, body = OfferingView),
              (status = 409)))]
async fn create_offering(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(masl_id): ValidPath<String>,
    ValidJson(body): ValidJson<NewOffering>,
) -> AppResult<(StatusCode, Json<OfferingView>)> {
    let offering = offerings::create(&state.db, &admin, &masl_id, body).await?;
    Ok((StatusCode::CREATED, Json(offering)))
}

/// One class, with seats taken and available.
#[utoipa::path(get, path = "/offerings/{id}", tag = "catalog", params(("id" = i32, Path)),
    security(("bearer" = [])), responses((status = 200, body = OfferingView)))]
async fn get_offering(
    _user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<OfferingView>> {
    Ok(Json(offerings::get(&state.db, id).await?))
}

/// Change dates, seats, costs or status (admin). Seats never go below those
/// taken (409 `no_seats`); a cancelled class is final (409 `invalid_transition`).
#[utoipa::path(patch, path = "/offerings/{id}", tag = "catalog", params(("id" = i32, Path)),
    request_body = OfferingPatch, security(("bearer" = ["admin"])),
    responses((status = 200, body = OfferingView),
              (status = 409)))]
async fn update_offering(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<OfferingPatch>,
) -> AppResult<Json<OfferingView>> {
    Ok(Json(offerings::update(&state, &admin, id, body).await?))
}
