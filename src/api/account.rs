//! The caller's own account: password, two-factor sign-in, sign-ins.
use axum::{Json, extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    api::extract::{ClientAddr, CurrentUser, Enrolling, ValidJson, ValidPath},
    app::AppState,
    error::AppResult,
    services::{
        accounts::{
            password::{self, PasswordChange},
            sign_ins::{self, SignInView},
            two_factor::{self, CodeInput, Enrolment, RecoveryCodes, TurnOff},
        },
        auth::SignIn,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(start_2fa, turn_off_2fa))
        .routes(routes!(confirm_2fa))
        .routes(routes!(list_sessions, end_all_sessions))
        .routes(routes!(end_session))
}

/// Change your password. Every other session and token of the account ends.
#[utoipa::path(post, path = "/me/password", tag = "account", request_body = PasswordChange,
    security(("bearer" = [])),
    responses((status = 204, description = "Changed; other sign-ins ended."),
              (status = 429)))]
async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    ValidJson(body): ValidJson<PasswordChange>,
) -> AppResult<StatusCode> {
    password::change(&state, &user, body, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start turning on two-factor sign-in: a new secret for an authenticator
/// app, as text, `otpauth://` URI and QR code (SVG).
#[utoipa::path(post, path = "/me/2fa", tag = "account", security(("bearer" = [])),
    responses((status = 201, body = Enrolment),
              (status = 409, description = "Two-factor sign-in is already on (`invalid_transition`).")))]
async fn start_2fa(
    State(state): State<AppState>,
    user: Enrolling,
) -> AppResult<(StatusCode, Json<Enrolment>)> {
    Ok((
        StatusCode::CREATED,
        Json(two_factor::start(&state, &user).await?),
    ))
}

/// Turn on two-factor sign-in with the first code the app shows. Answers
/// ten one-time recovery codes, shown only this once.
#[utoipa::path(post, path = "/me/2fa/confirm", tag = "account", request_body = CodeInput,
    security(("bearer" = [])),
    responses((status = 200, body = RecoveryCodes),
              (status = 409, description = "No set-up was started, or it is already on (`invalid_transition`).")))]
async fn confirm_2fa(
    State(state): State<AppState>,
    user: Enrolling,
    ValidJson(body): ValidJson<CodeInput>,
) -> AppResult<Json<RecoveryCodes>> {
    Ok(Json(two_factor::confirm(&state, &user, &body.code).await?))
}

/// Turn off two-factor sign-in, with a current `code` or a `recovery_code`.
#[utoipa::path(delete, path = "/me/2fa", tag = "account", request_body = TurnOff,
    security(("bearer" = [])),
    responses((status = 204, description = "Turned off."),
              (status = 409, description = "Two-factor sign-in is not on (`invalid_transition`)."),
              (status = 429)))]
async fn turn_off_2fa(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    ValidJson(body): ValidJson<TurnOff>,
) -> AppResult<StatusCode> {
    two_factor::turn_off(&state, &user, body, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your live web sessions and API tokens, the most recent first.
#[utoipa::path(get, path = "/me/sessions", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Vec<SignInView>)))]
async fn list_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<SignInView>>> {
    Ok(Json(sign_ins::list(&state.db, &user).await?))
}

/// Sign out everywhere: every session and token of the account ends, this
/// one too.
#[utoipa::path(delete, path = "/me/sessions", tag = "account", security(("bearer" = [])),
    responses((status = 204, description = "Signed out everywhere.")))]
async fn end_all_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<StatusCode> {
    sign_ins::end_all(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End one of your sessions or tokens (`web-<n>` or `api-<n>`).
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "account", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204, description = "Ended.")))]
async fn end_session(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<String>,
) -> AppResult<StatusCode> {
    let which: SignIn = id.parse()?;
    sign_ins::revoke(&state, &user, which).await?;
    Ok(StatusCode::NO_CONTENT)
}
