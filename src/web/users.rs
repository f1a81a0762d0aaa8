//! `/users` (admin): the accounts, creating one, deactivating and
//! reactivating, resetting a password — through `services::users`.
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    domain::{password::PASSWORD_HINT, role::Role},
    error::FieldErrors,
    services::{
        accounts::links,
        countries,
        users::{self, NewUser, UserFilter, UserPatch, UserView},
    },
    web::{
        error::{PageResult, render},
        forms::{FormErrors, NoFields, WebForm, validate_into},
        layout::Layout,
        session::{AdminSignedIn, SignedIn},
    },
};

#[derive(Deserialize)]
pub struct ListQuery {
    pub cursor: Option<String>,
}

/// A user as the list shows it.
struct UserRow {
    user: UserView,
    role_label: &'static str,
    /// The signed-in admin's own account cannot be deactivated.
    is_self: bool,
}

#[derive(Template)]
#[template(path = "pages/users/list.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<UserRow>,
    next_cursor: Option<String>,
}

/// `GET /users`
pub async fn list(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = users::list(&state.db, UserFilter::default(), MAX_LIMIT, cursor.as_ref()).await?;
    let rows = page
        .items
        .into_iter()
        .map(|user| UserRow {
            role_label: user.role.label(),
            is_self: user.id == admin.user.id,
            user,
        })
        .collect();
    Ok(render(&UsersPage {
        layout: admin.layout(&state, "Users").await?,
        rows,
        next_cursor: page.next_cursor,
    }))
}

/// The create-user form as typed (kept when it is shown again with errors).
#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub country_code: String,
    #[serde(default)]
    pub password: String,
}

const USER_LABELS: &[(&str, &str)] = &[
    ("name", "Full name"),
    ("email", "Email address"),
    ("role", "Role"),
    ("country_code", "Country"),
    ("password", "Password"),
];

#[derive(Template)]
#[template(path = "pages/users/new.html")]
struct NewUserPage {
    layout: Layout,
    errors: FormErrors,
    form: UserForm,
    roles: Vec<(&'static str, &'static str)>,
    /// Code and name of every country, for a liaison.
    countries: Vec<(String, String)>,
    password_hint: String,
}

async fn new_user_page(
    state: &AppState,
    admin: &SignedIn,
    form: UserForm,
    errors: FormErrors,
) -> PageResult {
    let countries = countries::list(&state.db, &admin.user, None, MAX_LIMIT, None)
        .await?
        .items
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let has_errors = !errors.is_empty();
    let page = NewUserPage {
        layout: admin
            .layout(state, "Create a user")
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        form,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        countries,
        password_hint: format!("Leave it empty to send an invitation instead. {PASSWORD_HINT}"),
    };
    render_form(&page, has_errors)
}

/// `GET /users/new`
pub async fn new_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
) -> PageResult {
    new_user_page(&state, &admin, UserForm::default(), FormErrors::default()).await
}

/// `POST /users`: the same checks as `POST /api/v1/users`.
pub async fn create(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    WebForm(form): WebForm<UserForm>,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let role = form.role.parse::<Role>().ok();
    if role.is_none() {
        errors.insert("role".into(), vec!["must be chosen".into()]);
    }
    let new = NewUser {
        email: form.email.clone(),
        name: form.name.clone(),
        role: role.unwrap_or(Role::ProgramOfficer),
        country_code: Some(form.country_code.clone()).filter(|c| !c.is_empty()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
    };
    validate_into(&new, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, USER_LABELS);
        return new_user_page(&state, &admin, form, errors).await;
    }
    match users::create(&state, Some(&admin.user), new).await {
        Ok(created) => {
            admin
                .flash(
                    &state,
                    &if form.password.is_empty() {
                        format!(
                            "Account created for {}. An invitation to choose a password is on its way.",
                            created.email
                        )
                    } else {
                        format!("Account created for {}.", created.email)
                    },
                )
                .await?;
            Ok(Redirect::to("/users").into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, USER_LABELS)?;
            new_user_page(&state, &admin, form, errors).await
        }
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    pub active: bool,
}

/// `POST /users/{id}/active`: deactivate (signs the user out everywhere) or reactivate.
pub async fn set_active(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActiveForm>,
) -> PageResult {
    let patch = UserPatch {
        active: Some(form.active),
        ..Default::default()
    };
    let user = users::update(&state.db, &admin.user, id, patch).await?;
    let message = if user.active {
        format!("{} can sign in again.", user.email)
    } else {
        format!("{} is deactivated and signed out.", user.email)
    };
    admin.flash(&state, &message).await?;
    Ok(Redirect::to("/users").into_response())
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    pub password: String,
}

const PASSWORD_LABELS: &[(&str, &str)] = &[("password", "New password")];

#[derive(Template)]
#[template(path = "pages/users/password.html")]
struct PasswordPage {
    layout: Layout,
    errors: FormErrors,
    user: UserView,
    password_hint: &'static str,
}

async fn password_page(
    state: &AppState,
    admin: &SignedIn,
    id: i32,
    errors: FormErrors,
) -> Result<Response, crate::web::error::PageError> {
    let user = users::get(&state.db, id).await?;
    let has_errors = !errors.is_empty();
    let page = PasswordPage {
        layout: admin
            .layout(state, "Reset password")
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        user,
        password_hint: PASSWORD_HINT,
    };
    render_form(&page, has_errors)
}

/// `GET /users/{id}/password`
pub async fn password_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    password_page(&state, &admin, id, FormErrors::default()).await
}

/// `POST /users/{id}/password`: sets a new password and signs the user out everywhere.
pub async fn reset_password(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<PasswordForm>,
) -> PageResult {
    let patch = UserPatch {
        password: Some(form.password),
        ..Default::default()
    };
    let mut errors = FieldErrors::new();
    validate_into(&patch, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, PASSWORD_LABELS);
        return password_page(&state, &admin, id, errors).await;
    }
    match users::update(&state.db, &admin.user, id, patch).await {
        Ok(user) => {
            admin
                .flash(&state, &format!("New password set for {}.", user.email))
                .await?;
            Ok(Redirect::to("/users").into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, PASSWORD_LABELS)?;
            password_page(&state, &admin, id, errors).await
        }
    }
}

/// `POST /users/{id}/invite`: emails a fresh invitation link; older links die.
pub async fn invite(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    links::invite(&state, &admin.user, id).await?;
    let user = users::get(&state.db, id).await?;
    admin
        .flash(
            &state,
            &format!("A new invitation is on its way to {}.", user.email),
        )
        .await?;
    Ok(Redirect::to("/users").into_response())
}
