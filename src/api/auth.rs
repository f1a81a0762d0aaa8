//! Sign in and out with bearer tokens, with a second factor where the
//! account has one; who am I; a forgotten password and its one-time link.
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use validator::Validate;

use crate::{
    api::extract::{Client, ClientAddr, Enrolling, ValidJson},
    app::AppState,
    error::AppResult,
    services::{
        accounts::links,
        auth::{self, Factor},
        users::{self, UserView},
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The code of the account's authenticator app, when it has two-factor
    /// sign-in on.
    pub totp: Option<String>,
    /// Instead of `totp`: one of the account's unused recovery codes.
    pub recovery_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Opaque bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// Exchange email and password (and the second factor's code, when the
/// account has two-factor sign-in on) for a bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse),
              (status = 401, description = "Wrong email or password, or the account is inactive; or, with `code: totp_required`, the password was right and the account's `totp` or a `recovery_code` is missing, wrong or already used."),
              (status = 429)))]
async fn login(
    State(state): State<AppState>,
    Client(from): Client,
    ValidJson(body): ValidJson<LoginRequest>,
) -> AppResult<Json<LoginResponse>> {
    let outcome = auth::login(
        &state.db,
        &body.email,
        &body.password,
        Factor::from_fields(body.totp, body.recovery_code),
        &from,
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
async fn logout(State(state): State<AppState>, user: Enrolling) -> AppResult<StatusCode> {
    if let Some(token_id) = user.token_id() {
        auth::revoke_token(&state.db, &user, token_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView)))]
async fn me(State(state): State<AppState>, user: Enrolling) -> AppResult<Json<UserView>> {
    Ok(Json(users::get(&state.db, user.id).await?))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ForgotRequest {
    pub email: String,
}

/// Ask for a password reset link. The answer is the same, in the same
/// time, whether or not the account exists; an existing active account is
/// emailed a one-time link valid for an hour (at most 3 an hour per
/// account, and 20 requests an hour per client address are acted on).
#[utoipa::path(post, path = "/auth/forgot", tag = "auth", request_body = ForgotRequest,
    responses((status = 202, description = "If an account exists for the email, a link was sent to it.")))]
async fn forgot_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ValidJson(body): ValidJson<ForgotRequest>,
) -> AppResult<StatusCode> {
    links::forgot(&state, &body.email, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ResetRequest {
    /// The token of a reset or invitation link.
    pub token: String,
    /// The new password (the password rule applies).
    pub password: String,
}

/// Choose a password with the token of a reset or invitation link. The
/// link is used up and the account is signed out everywhere.
#[utoipa::path(post, path = "/auth/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 200, body = UserView),
              (status = 410, description = "The token was used, has expired, was replaced or never issued (`code: token_invalid`).")))]
async fn reset_password(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<ResetRequest>,
) -> AppResult<Json<UserView>> {
    Ok(Json(
        links::redeem(&state, &body.token, &body.password).await?,
    ))
}
