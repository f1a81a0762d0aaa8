//! The course catalog: everyone signed in reads and searches; admins write,
//! import and (like everyone) export CSV.
use axum::{
    Json,
    extract::{DefaultBodyLimit, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Admin, CsvBody, CurrentUser, ValidJson, ValidPath, ValidQuery},
    app::csv_attachment,
    app::{AppState, CatalogPage},
    db::pagination::{Page, PageQuery},
    domain::{course::Category, masl::Agency},
    error::AppResult,
    services::{
        catalog_csv::{self, ImportSummary, MAX_IMPORT_BYTES},
        courses::{self, CourseFilter, CoursePatch, CourseView, NewCourse},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    let import = OpenApiRouter::new()
        .routes(routes!(import_courses))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES));
    OpenApiRouter::new()
        .routes(routes!(list_courses, create_course))
        .routes(routes!(export_courses))
        .routes(routes!(get_course, update_course))
        .merge(import)
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseQuery {
    /// MASL id prefix, or part of the title or school; any case.
    pub q: Option<String>,
    #[param(inline)]
    pub category: Option<Category>,
    #[param(inline)]
    pub agency: Option<Agency>,
    pub e_imet: Option<bool>,
    /// Only courses a student with this ECL score may take (no minimum, or a
    /// minimum at most this).
    #[validate(range(min = 0, max = 100, message = "must be between 0 and 100"))]
    #[param(minimum = 0, maximum = 100)]
    pub ecl_max: Option<i32>,
    /// `true`: active courses only; `false`: archived only; absent: both.
    pub active: Option<bool>,
}

/// Search the catalog, in MASL id order. The answer carries an `ETag`; a
/// request whose `If-None-Match` names it is answered 304.
#[utoipa::path(get, path = "/courses", tag = "catalog", params(CourseQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CourseView>), (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`")))]
async fn list_courses(
    _user: CurrentUser,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    ValidQuery(q): ValidQuery<CourseQuery>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Response> {
    let key = raw.unwrap_or_default();
    let page = match state.catalog_pages.get(&key) {
        Some(page) => page,
        None => {
            let start = state.catalog_pages.start();
            let (limit, cursor) = page.params()?;
            let filter = CourseFilter {
                q: q.q,
                category: q.category,
                agency: q.agency,
                e_imet: q.e_imet,
                ecl_max: q.ecl_max,
                active: q.active,
            };
            let listed = courses::list(&state.db, filter, limit, cursor.as_ref()).await?;
            let page = CatalogPage::of(&listed)?;
            state.catalog_pages.put(key, start, page.clone());
            page
        }
    };
    Ok(page.answer(&headers))
}

/// Add a course to the catalog (admin).
#[utoipa::path(post, path = "/courses", tag = "catalog", request_body = NewCourse, security(("bearer" = ["admin"])),
    responses((status = 201, body = CourseView),
              (status = 409)))]
async fn create_course(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewCourse>,
) -> AppResult<(StatusCode, Json<CourseView>)> {
    let course = courses::create(&state.db, &admin, body).await?;
    Ok((StatusCode::CREATED, Json(course)))
}

/// One course.
#[utoipa::path(get, path = "/courses/{masl_id}", tag = "catalog", params(("masl_id" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = CourseView)))]
async fn get_course(
    _user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(masl_id): ValidPath<String>,
) -> AppResult<Json<CourseView>> {
    Ok(Json(courses::get(&state.db, &masl_id).await?))
}

/// Change a course, or archive it with `active: false` (admin).
#[utoipa::path(patch, path = "/courses/{masl_id}", tag = "catalog", params(("masl_id" = String, Path)),
    request_body = CoursePatch, security(("bearer" = ["admin"])),
    responses((status = 200, body = CourseView)))]
async fn update_course(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(masl_id): ValidPath<String>,
    ValidJson(body): ValidJson<CoursePatch>,
) -> AppResult<Json<CourseView>> {
    Ok(Json(
        courses::update(&state.db, &admin, &masl_id, body).await?,
    ))
}

/// Import courses from CSV (admin): upserts by MASL id, all or nothing.
/// At most 10 MiB.
#[utoipa::path(post, path = "/courses/import", tag = "catalog",
    request_body(content = String, content_type = "text/csv"), security(("bearer" = ["admin"])),
    responses((status = 200, body = ImportSummary),
              (status = 422, description = "Invalid fields, or every bad row by line and field; nothing stored")))]
async fn import_courses(
    Admin(admin): Admin,
    State(state): State<AppState>,
    CsvBody(body): CsvBody,
) -> AppResult<Json<ImportSummary>> {
    Ok(Json(catalog_csv::import(&state.db, &admin, &body).await?))
}

/// Every course as CSV, in MASL id order (the import format).
#[utoipa::path(get, path = "/courses/export", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = String, content_type = "text/csv")))]
async fn export_courses(
    _user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<impl IntoResponse> {
    let csv = catalog_csv::export(&state.db).await?;
    Ok(csv_attachment("courses.csv", csv))
}
