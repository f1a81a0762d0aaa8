//! Sign in and out with bearer tokens; who am I.
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{ClientAddr, CurrentUser, ValidJson},
    app::AppState,
    error::AppResult,
    services::{
        auth,
        users::{self, UserView},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Opaque bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// Exchange email and password for a bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "Wrong email or password, or the account is inactive."),
              (status = 429)))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ValidJson(body): ValidJson<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    let outcome = auth::login(
        &state.db,
        &body.email,
        &body.password,
        &client,
        state.config.token_ttl,
    )
    .await?;
    Ok(Json(LoginResponse {
        token: outcome.token,
        expires_at: outcome.expires_at,
        user: outcome.user,
    }))
}

/// Revoke the token used for this request.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204)))]
async fn logout(State(state): State<AppState>, user: CurrentUser) -> AppResult<StatusCode> {
    if let Some(token_id) = user.token_id {
        auth::revoke_token(&state.db, &user, token_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView)))]
async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<UserView>> {
    Ok(Json(users::get(&state.db, user.id).await?))
}
