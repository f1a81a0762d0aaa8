//! `/account`: the signed-in person's own account — their password, their
//! two-factor sign-in ([`two_factor`]) and where they are signed in — and
//! the visitor pages of a forgotten password and of one-time links ([`links`]).
pub mod links;
pub mod two_factor;

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::{
    api::extract::ClientAddr,
    app::AppState,
    domain::password::PASSWORD_HINT,
    services::{
        accounts::{
            password::{self, PasswordChange},
            sign_ins::{self, SignInKind, SignInView},
        },
        auth::SignIn,
    },
    web::{
        error::{PageResult, render_form},
        format::moment,
        forms::{FormErrors, NoFields, WebForm},
        layout::Layout,
        session::SignedIn,
    },
};

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

const PASSWORD_LABELS: &[(&str, &str)] = &[
    ("current_password", "Current password"),
    ("new_password", "New password"),
];

/// A sign-in as the account page lists it.
struct SignInRow {
    view: SignInView,
    kind: &'static str,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "pages/account/index.html")]
struct AccountPage {
    layout: Layout,
    errors: FormErrors,
    name: String,
    email: String,
    role: &'static str,
    second_factor: bool,
    sign_ins: Vec<SignInRow>,
    password_hint: &'static str,
}

async fn account_page(state: &AppState, signed_in: &SignedIn, errors: FormErrors) -> PageResult {
    let sign_ins = sign_ins::list(&state.db, &signed_in.user)
        .await?
        .into_iter()
        .map(|view| SignInRow {
            kind: match view.kind {
                SignInKind::Web => "Browser",
                SignInKind::Api => "API token",
            },
            created: moment(view.created_at),
            last_used: view.last_used_at.map(moment).unwrap_or_default(),
            view,
        })
        .collect();
    let has_errors = !errors.is_empty();
    let user = &signed_in.user;
    let page = AccountPage {
        layout: signed_in
            .layout(state, "Your account")
            .await?
            .with_errors(has_errors),
        errors,
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role.label(),
        second_factor: user.second_factor,
        sign_ins,
        password_hint: PASSWORD_HINT,
    };
    render_form(&page, has_errors)
}

/// `GET /account`
pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> PageResult {
    account_page(&state, &signed_in, FormErrors::default()).await
}

/// `POST /account/password`: the current password, then a new one; every
/// other sign-in of the account ends.
pub async fn change_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ClientAddr(client): ClientAddr,
    WebForm(form): WebForm<PasswordForm>,
) -> PageResult {
    let change = PasswordChange {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match password::change(&state, &signed_in.user, change, &client).await {
        Ok(()) => {
            signed_in
                .flash(
                    &state,
                    "Your password is changed. You were signed out everywhere else.",
                )
                .await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, PASSWORD_LABELS)?;
            account_page(&state, &signed_in, errors).await
        }
    }
}

/// `POST /account/sessions/{id}/end`: ends one of the person's sign-ins.
pub async fn end_sign_in(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let which: SignIn = id.parse()?;
    sign_ins::revoke(&state, &signed_in.user, which).await?;
    if signed_in.user.signed_in == Some(which) {
        return Ok(Redirect::to("/login?signed_out=yes").into_response());
    }
    signed_in.flash(&state, "That sign-in has ended.").await?;
    Ok(Redirect::to("/account").into_response())
}

/// `POST /account/sessions/end-all`: signs the person out everywhere, here too.
pub async fn end_all(
    State(state): State<AppState>,
    signed_in: SignedIn,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    sign_ins::end_all(&state, &signed_in.user).await?;
    Ok(Redirect::to("/login?signed_out=everywhere").into_response())
}
