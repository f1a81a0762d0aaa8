//! Accounts: create, update (role, country, active, password reset), list.
//! Never hard-deleted: deactivation signs the user out everywhere.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    config::Config,
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::{account_link::LinkPurpose, password::check_length},
    domain::{
        country_code::CountryCode,
        role::{Role, check_role_country},
    },
    entities::{country, user},
    error::{AppError, AppResult, ConflictCode},
    mail::{
        self,
        templates::{OneTimeLink, Welcome},
    },
    services::Context,
    services::{accounts, auth},
};

/// A user as the API shows it (never the password hash).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub country_code: Option<String>,
    pub active: bool,
    /// `false` until an invited person has chosen a password.
    pub password_set: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<user::Model> for UserView {
    fn from(u: user::Model) -> Self {
        Self {
            password_set: !u.password_hash.is_empty(),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            country_code: u.country_code,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewUser {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    pub email: String,
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    pub name: String,
    pub role: Role,
    pub country_code: Option<String>,
    /// The first password (the password rule applies). Without one, the
    /// welcome email carries a one-time link to choose it (an invitation).
    #[validate(custom(function = "password_length"))]
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct UserPatch {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    pub name: Option<String>,
    pub role: Option<Role>,
    /// The country of a liaison; ignored (cleared) when the role becomes staff.
    pub country_code: Option<String>,
    pub active: Option<bool>,
    /// A new password (admin reset; the password rule applies); signs the
    /// user out everywhere.
    #[validate(custom(function = "password_length"))]
    pub password: Option<String>,
}

/// The length part of the password rule, checked with the other fields;
/// the rest needs the account's email ([`accounts::password_rule`]).
fn password_length(password: &str) -> Result<(), validator::ValidationError> {
    check_length(password)
        .map_err(|e| validator::ValidationError::new("password").with_message(e.into()))
}

/// Checks that a liaison's country exists; returns it.
async fn resolve_country<C: ConnectionTrait>(
    db: &C,
    role: Role,
    code: Option<&str>,
) -> AppResult<Option<country::Model>> {
    let country = match code {
        Some(raw) => {
            let code = CountryCode::parse(raw).map_err(|e| AppError::field("country_code", e))?;
            let country = country::Entity::find_by_id(code.as_str())
                .one(db)
                .await?
                .ok_or_else(|| {
                    AppError::field("country_code", format!("no country `{code}` is registered"))
                })?;
            Some(country)
        }
        None => None,
    };
    check_role_country(role, country.as_ref().map(|c| c.code.as_str()))
        .map_err(|e| AppError::field("country_code", e))?;
    Ok(country)
}

/// Creates an account and queues its welcome email, with a one-time link to
/// choose a password when none is given. `actor` is `None` for the
/// bootstrap admin and the CLI. `new` must have been validated
/// (`Validate`), as the JSON extractor does.
pub async fn create(state: &Context, actor: Option<&Actor>, new: NewUser) -> AppResult<UserView> {
    let email = new.email.trim().to_lowercase();
    let password_hash = match new.password {
        Some(password) => {
            accounts::password_rule("password", &password, &email)?;
            auth::hash_password(password).await?
        }
        // No password verifies against an empty hash.
        None => String::new(),
    };
    let invited = password_hash.is_empty();
    let txn = state.begin().await?;
    let country = resolve_country(&txn, new.role, new.country_code.as_deref()).await?;
    if user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!("A user with email {email} already exists."),
        ));
    }
    let now = state.clock.now();
    let created = user::ActiveModel {
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        role: Set(new.role),
        country_code: Set(country.as_ref().map(|c| c.code.clone())),
        password_hash: Set(password_hash),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let view = UserView::from(created);
    audit::record(
        &txn,
        Change::new(actor.map(|a| a.id), "user.create", "user", view.id).after(snapshot(&view)),
    )
    .await?;
    let setup = if invited {
        let link = accounts::links::issue(
            &txn,
            &state.config,
            actor.map(|a| a.id),
            view.id,
            LinkPurpose::Invitation,
            now,
        )
        .await?;
        Some(link)
    } else {
        None
    };
    queue_welcome(&txn, &state.config, &view, country.as_ref(), setup).await?;
    state.commit(txn).await?;
    Ok(view)
}

/// Queues the welcome email of `user` (a liaison of `country`), with the
/// link of an invitation when `setup` holds one.
pub async fn queue_welcome<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    user: &UserView,
    country: Option<&country::Model>,
    setup: Option<OneTimeLink>,
) -> AppResult<()> {
    let welcome = Welcome {
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role,
        country: country.map(|c| format!("{} ({})", c.name, c.code)),
        setup,
    };
    mail::enqueue(db, config, vec![user.email.clone()], &welcome).await
}

/// Applies an admin's changes to an account.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    patch: UserPatch,
) -> AppResult<UserView> {
    if actor.id == id {
        if patch.active == Some(false) {
            return Err(AppError::field(
                "active",
                "you cannot deactivate your own account",
            ));
        }
        if patch.role.is_some_and(|r| r != Role::Admin) {
            return Err(AppError::field(
                "role",
                "you cannot remove your own admin role",
            ));
        }
    }
    let new_hash = match patch.password.clone() {
        Some(pw) => {
            let account = get(db, id).await?;
            accounts::password_rule("password", &pw, &account.email)?;
            Some(auth::hash_password(pw).await?)
        }
        None => None,
    };
    let txn = db::write_txn(db).await?;
    let existing = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("User"))?;
    let before = UserView::from(existing.clone());
    let role = patch.role.unwrap_or(existing.role);
    let country_input = if role.needs_country() {
        patch
            .country_code
            .as_deref()
            .or(existing.country_code.as_deref())
    } else {
        patch.country_code.as_deref()
    };
    let country_code = resolve_country(&txn, role, country_input)
        .await?
        .map(|c| c.code);

    let deactivated = existing.active && patch.active == Some(false);
    let mut model: user::ActiveModel = existing.into();
    if let Some(name) = patch.name {
        model.name = Set(name.trim().to_owned());
    }
    model.role = Set(role);
    model.country_code = Set(country_code);
    if let Some(active) = patch.active {
        model.active = Set(active);
    }
    if let Some(hash) = &new_hash {
        model.password_hash = Set(hash.clone());
    }
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    if deactivated || new_hash.is_some() {
        auth::revoke_all_sign_ins(&txn, id, None).await?;
    }
    let view = UserView::from(updated);
    audit::record(
        &txn,
        Change::new(
            Some(actor.id),
            if new_hash.is_some() {
                "user.update_password"
            } else {
                "user.update"
            },
            "user",
            id,
        )
        .before(snapshot(&before))
        .after(snapshot(&view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<UserView> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(UserView::from)
        .ok_or_else(|| AppError::not_found("User"))
}

/// Filters of the user list, as its query string names them.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    #[param(inline)]
    pub role: Option<Role>,
    pub country: Option<String>,
    pub active: Option<bool>,
}

/// Users in id order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: UserFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<UserView>> {
    let mut query = user::Entity::find().order_by_asc(user::Column::Id);
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(code) = filter.country {
        query = query.filter(user::Column::CountryCode.eq(code.to_ascii_uppercase()));
    }
    if let Some(active) = filter.active {
        query = query.filter(user::Column::Active.eq(active));
    }
    if let Some(cursor) = cursor {
        query = query.filter(user::Column::Id.gt(cursor.int()?));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |u| Cursor::from_int(u.id),
        UserView::from,
    ))
}

/// Creates the first admin from `IMET_ADMIN_EMAIL`/`IMET_ADMIN_PASSWORD` when
/// no user exists yet. Returns whether one was created.
pub async fn bootstrap_admin(state: &Context, email: &str, password: &str) -> AppResult<bool> {
    if user::Entity::find().count(&state.db).await? > 0 {
        return Ok(false);
    }
    let admin = NewUser {
        email: email.to_owned(),
        name: "Administrator".into(),
        role: Role::Admin,
        country_code: None,
        password: Some(password.to_owned()),
    };
    admin.validate()?;
    create(state, None, admin).await?;
    Ok(true)
}
