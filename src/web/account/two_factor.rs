//! `/account/2fa`: turning two-factor sign-in on (secret, QR code, first
//! code, recovery codes shown once) and off. Open to an account that must
//! still enrol (`IMET_REQUIRE_2FA`), as the only pages it may see.
use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::{
    api::extract::{ClientAddr, must_enrol},
    app::AppState,
    services::accounts::two_factor::{self, Enrolment, TurnOff},
    web::{
        error::{PageResult, render, render_form},
        forms::{FormErrors, NoFields, WebForm},
        layout::Layout,
        session::{Enrolling, SignedIn},
    },
};

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub recovery_code: String,
}

const LABELS: &[(&str, &str)] = &[
    ("code", "Code from your authenticator app"),
    ("recovery_code", "Recovery code"),
];

#[derive(Template)]
#[template(path = "pages/account/two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    errors: FormErrors,
    on: bool,
    /// The enrolment in progress, if one was started.
    enrolment: Option<Enrolment>,
    /// The account may do nothing else until it enrols.
    required: bool,
}

async fn page(state: &AppState, signed_in: &SignedIn, errors: FormErrors) -> PageResult {
    let enrolment = two_factor::pending(&state.db, &signed_in.user).await?;
    let has_errors = !errors.is_empty();
    let page = TwoFactorPage {
        layout: signed_in
            .layout(state, "Two-factor sign-in")
            .await?
            .with_errors(has_errors),
        errors,
        on: signed_in.user.second_factor,
        enrolment,
        required: must_enrol(state, &signed_in.user),
    };
    render_form(&page, has_errors)
}

/// `GET /account/2fa`
pub async fn show(State(state): State<AppState>, Enrolling(signed_in): Enrolling) -> PageResult {
    page(&state, &signed_in, FormErrors::default()).await
}

/// `POST /account/2fa/start`: a new secret to scan.
pub async fn start(
    State(state): State<AppState>,
    Enrolling(signed_in): Enrolling,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    two_factor::start(&state, &signed_in.user).await?;
    Ok(Redirect::to("/account/2fa").into_response())
}

#[derive(Template)]
#[template(path = "pages/account/recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

/// `POST /account/2fa/confirm`: the first code turns it on; the recovery
/// codes are shown on this one answer and never again.
pub async fn confirm(
    State(state): State<AppState>,
    Enrolling(signed_in): Enrolling,
    WebForm(form): WebForm<CodeForm>,
) -> PageResult {
    match two_factor::confirm(&state, &signed_in.user, &form.code).await {
        Ok(codes) => {
            let page = RecoveryCodesPage {
                layout: signed_in.layout(&state, "Save your recovery codes").await?,
                codes: codes.recovery_codes,
            };
            Ok(render(&page))
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, LABELS)?;
            page(&state, &signed_in, errors).await
        }
    }
}

/// `POST /account/2fa/off`: a current code or a recovery code turns it off.
pub async fn turn_off(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ClientAddr(client): ClientAddr,
    WebForm(form): WebForm<CodeForm>,
) -> PageResult {
    let input = TurnOff {
        code: Some(form.code),
        recovery_code: Some(form.recovery_code),
    };
    match two_factor::turn_off(&state, &signed_in.user, input, &client).await {
        Ok(()) => {
            signed_in
                .flash(&state, "Two-factor sign-in is off.")
                .await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, LABELS)?;
            page(&state, &signed_in, errors).await
        }
    }
}
