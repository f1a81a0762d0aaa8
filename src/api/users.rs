//! User administration (admin only).
use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    api::extract::{Admin, ValidJson, ValidPath, ValidQuery},
    app::AppState,
    db::pagination::{Page, PageQuery},
    error::AppResult,
    services::{
        accounts::links,
        users::{self, NewUser, UserFilter, UserPatch, UserView},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(invite_user))
}

/// List users in id order.
#[utoipa::path(get, path = "/users", tag = "users", params(UserFilter, PageQuery), security(("bearer" = ["admin"])),
    responses((status = 200, body = Page<UserView>)))]
async fn list_users(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    ValidQuery(filter): ValidQuery<UserFilter>,
    ValidQuery(page): ValidQuery<PageQuery>,
) -> AppResult<Json<Page<UserView>>> {
    let (limit, cursor) = page.params()?;
    Ok(Json(
        users::list(&state.db, filter, limit, cursor.as_ref()).await?,
    ))
}

/// Create an account; a liaison needs a `country_code`. Without a
/// `password`, the welcome email carries a one-time link (72 hours) to
/// choose one.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser, security(("bearer" = ["admin"])),
    responses((status = 201, body = UserView),
              (status = 409)))]
async fn create_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidJson(body): ValidJson<NewUser>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let user = users::create(&state, Some(&admin), body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// One user.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i32, Path)), security(("bearer" = ["admin"])),
    responses((status = 200, body = UserView)))]
async fn get_user(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<Json<UserView>> {
    Ok(Json(users::get(&state.db, id).await?))
}

/// Change role, country, active flag or password. Deactivating or resetting
/// the password revokes the user's tokens.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = i32, Path)), request_body = UserPatch,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = UserView)))]
async fn update_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
    ValidJson(body): ValidJson<UserPatch>,
) -> AppResult<Json<UserView>> {
    Ok(Json(users::update(&state.db, &admin, id, body).await?))
}

/// Email the account a fresh invitation: a one-time link (72 hours) to
/// choose a password. Its earlier links stop working.
#[utoipa::path(post, path = "/users/{id}/invite", tag = "users", params(("id" = i32, Path)),
    security(("bearer" = ["admin"])),
    responses((status = 202, description = "The invitation is queued."),
              (status = 409, description = "The account is deactivated (`invalid_transition`).")))]
async fn invite_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    ValidPath(id): ValidPath<i32>,
) -> AppResult<StatusCode> {
    links::invite(&state, &admin, id).await?;
    Ok(StatusCode::ACCEPTED)
}
