//! Students and their records. Liaisons work on their own country's
//! students, admins on all; program officers read every student and record
//! vetting only (separation of duties, SPEC §8).
use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    api::extract::{CurrentUser, Staff, ValidJson, ValidPath, ValidQuery, gated},
    app::AppState,
    db::pagination::{Page, PageQuery},
    error::{AppError, AppResult},
    services::students::{
        self, NewStudent, NewTest, NewTraining, NewVetting, StudentDetail, StudentFilter,
        StudentPatch, StudentView,
    },
};

gated!(
    /// Who keeps students, their tests and training: a liaison or an admin
    /// (`Role::may_keep_student_records`).
    RecordKeeper(CurrentUser): AppError,
    |user| user.role.may_keep_student_records()
);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_students, create_student))
        .routes(routes!(get_student, update_student))
        .routes(routes!(add_test))
        .routes(routes!(add_training))
        .routes(routes!(add_vetting))
}

/// Students by family name; a liaison sees only their country's.
#[utoipa::path(get, path = "/students", tag = "students", params(StudentFilter, PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<StudentView>)))]
async fn list_students(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidQuery(filter): ValidQuery<StudentFilter>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<StudentView>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        students::list(&state.db, &user, filter, limit, cursor.as_ref()).await?,
    ))
}

/// Register a student (a liaison: of their own country; or an admin).
#[utoipa::path(post, path = "/students", tag = "students", request_body = NewStudent, security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 201, body = StudentDetail), (status = 404)))]
async fn create_student(
    RecordKeeper(user): RecordKeeper,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewStudent>,
) -> AppResult<(StatusCode, Json<StudentDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(students::create(&state.db, &user, body).await?),
    ))
}

/// A student with tests, training and vetting.
#[utoipa::path(get, path = "/students/{id}", tag = "students", params(("id" = i32, Path)), security(("bearer" = [])),
    responses((status = 200, body = StudentDetail)))]
async fn get_student(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<StudentDetail>> {
    Ok(Json(students::get(&state.db, &user, id).await?))
}

/// Update a student; a liaison cannot move one to another country, and
/// nobody while the student has an active nomination (409).
#[utoipa::path(patch, path = "/students/{id}", tag = "students", params(("id" = i32, Path)), request_body = StudentPatch,
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 200, body = StudentDetail), (status = 409)))]
async fn update_student(
    RecordKeeper(user): RecordKeeper,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<StudentPatch>,
) -> AppResult<Json<StudentDetail>> {
    Ok(Json(students::update(&state.db, &user, id, body).await?))
}

/// Record an English test: `{"kind":"ECL","score":82,"taken_on":…}` or
/// `{"kind":"OPI","listening":"2+","speaking":"2","taken_on":…}`.
#[utoipa::path(post, path = "/students/{id}/tests", tag = "students", params(("id" = i32, Path)), request_body = NewTest,
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 201, body = StudentDetail)))]
async fn add_test(
    RecordKeeper(user): RecordKeeper,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<NewTest>,
) -> AppResult<(StatusCode, Json<StudentDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(students::add_test(&state.db, &user, id, body).await?),
    ))
}

/// Record prior training: a catalog course completed before.
#[utoipa::path(post, path = "/students/{id}/training", tag = "students", params(("id" = i32, Path)), request_body = NewTraining,
    security(("bearer" = ["admin", "country_liaison"])),
    responses((status = 201, body = StudentDetail)))]
async fn add_training(
    RecordKeeper(user): RecordKeeper,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<NewTraining>,
) -> AppResult<(StatusCode, Json<StudentDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(students::add_training(&state.db, &user, id, body).await?),
    ))
}

/// Record a Leahy vetting decision (program officer or admin).
#[utoipa::path(post, path = "/students/{id}/vetting", tag = "students", params(("id" = i32, Path)), request_body = NewVetting,
    security(("bearer" = ["admin", "program_officer"])),
    responses((status = 201, body = StudentDetail)))]
async fn add_vetting(
    Staff(officer): Staff,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<NewVetting>,
) -> AppResult<(StatusCode, Json<StudentDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(students::add_vetting(&state.db, &officer, id, body).await?),
    ))
}
