//! One-time links to choose a password: the invitation sent with the
//! welcome email, and the reset a person asks for. A link's token is 256
//! random bits, only its SHA-256 is stored, it works once, a newer link of
//! the account replaces it, and both its issue and its use are audited.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, prelude::*, sea_query::Expr,
};
use serde_json::json;

use crate::{
    config::Config,
    db::audit::{self, Change},
    domain::{
        account_link::{LinkPurpose, RESET_WINDOW, RESETS_PER_ACCOUNT, RESETS_PER_CLIENT},
        actor::Actor,
    },
    entities::{account_link, country, reset_request, user},
    error::{AppError, AppResult, ConflictCode},
    mail::{
        self,
        templates::{OneTimeLink, PasswordReset},
    },
    services::{
        Context,
        accounts::password_rule,
        auth::{self, random_token, token_hash},
        users::{self, UserView},
    },
};

/// Issues a link of `purpose` for `user_id` in `db`'s transaction,
/// replacing the account's unused links; audited.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    actor: Option<i32>,
    user_id: i32,
    purpose: LinkPurpose,
    now: DateTime<Utc>,
) -> AppResult<OneTimeLink> {
    supersede(db, user_id, now).await?;
    let token = random_token();
    let expires_at = now + purpose.lifetime();
    let link = account_link::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        Change::new(actor, "account_link.issue", "user", user_id).after(Some(json!({
            "link": link.id,
            "purpose": purpose,
            "expires_at": expires_at,
        }))),
    )
    .await?;
    Ok(OneTimeLink {
        url: format!(
            "{}{}?token={token}",
            config.base_url.trim_end_matches('/'),
            purpose.page()
        ),
        expires: expires_at.format("%-d %b %Y at %H:%M UTC").to_string(),
    })
}

/// Ends every unused link of the account.
async fn supersede<C: ConnectionTrait>(db: &C, user_id: i32, now: DateTime<Utc>) -> AppResult<()> {
    account_link::Entity::update_many()
        .col_expr(account_link::Column::UsedAt, Expr::value(now))
        .filter(account_link::Column::UserId.eq(user_id))
        .filter(account_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// `POST /users/{id}/invite`: emails the account a fresh invitation link;
/// its earlier links stop working.
pub async fn invite(ctx: &Context, actor: &Actor, user_id: i32) -> AppResult<()> {
    let txn = ctx.begin().await?;
    // Locked: two invitations at once leave one live link.
    let account = user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("User"))?;
    if !account.active {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            "The account is deactivated: reactivate it before inviting its owner.",
        ));
    }
    let now = ctx.clock.now();
    let link = issue(
        &txn,
        &ctx.config,
        Some(actor.id),
        user_id,
        LinkPurpose::Invitation,
        now,
    )
    .await?;
    let country = match &account.country_code {
        Some(code) => country::Entity::find_by_id(code.as_str()).one(&txn).await?,
        None => None,
    };
    let user = UserView::from(account);
    users::queue_welcome(&txn, &ctx.config, &user, country.as_ref(), Some(link)).await?;
    ctx.commit(txn).await
}

/// `POST /auth/forgot` and the forgotten-password page: the same answer,
/// in the same time, whether or not the account exists. The request is
/// counted against the client address; past [`RESETS_PER_CLIENT`] an hour
/// it is answered the same and does nothing. Looking the account up, the
/// per-account limit, the link and its email happen after the answer.
pub async fn forgot(ctx: &Context, email: &str, client_addr: &str) -> AppResult<()> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::field("email", "must be filled in"));
    }
    if email.chars().count() > MAX_EMAIL_LEN {
        return Err(AppError::field(
            "email",
            format!("must be at most {MAX_EMAIL_LEN} characters"),
        ));
    }
    let now = ctx.clock.now();
    let txn = ctx.begin().await?;
    // Parallel requests count one at a time.
    txn.serialize_on(RESET_LOCK).await?;
    let recent = reset_request::Entity::find()
        .filter(reset_request::Column::ClientAddr.eq(client_addr))
        .filter(reset_request::Column::RequestedAt.gt(now - RESET_WINDOW))
        .count(&txn)
        .await?;
    if recent >= RESETS_PER_CLIENT {
        tracing::info!(
            client = client_addr,
            "password reset requests over the limit"
        );
        return Ok(());
    }
    reset_request::Entity::delete_many()
        .filter(reset_request::Column::RequestedAt.lt(now - RESET_WINDOW))
        .exec(&txn)
        .await?;
    reset_request::ActiveModel {
        email: Set(email.clone()),
        client_addr: Set(client_addr.to_owned()),
        requested_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if let Err(err) = send_reset(&ctx, &email, now).await {
            tracing::error!(error = %err, "password reset email not queued");
        }
    });
    Ok(())
}

/// The longest email address an account can have.
const MAX_EMAIL_LEN: usize = 254;

/// The lock that orders reset requests.
const RESET_LOCK: i64 = 0x1_3e70_5e5e;

/// Queues the reset link of the active account of `email`, if there is
/// one and it has had fewer than [`RESETS_PER_ACCOUNT`] in the last hour.
/// The account's row is locked first, so parallel requests count its links
/// one at a time.
async fn send_reset(ctx: &Context, email: &str, now: DateTime<Utc>) -> AppResult<()> {
    let txn = ctx.begin().await?;
    let Some(account) = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .filter(user::Column::Active.eq(true))
        .lock_exclusive()
        .one(&txn)
        .await?
    else {
        return Ok(());
    };
    let sent = account_link::Entity::find()
        .filter(account_link::Column::UserId.eq(account.id))
        .filter(account_link::Column::Purpose.eq(LinkPurpose::Reset))
        .filter(account_link::Column::CreatedAt.gt(now - RESET_WINDOW))
        .count(&txn)
        .await?;
    if sent >= RESETS_PER_ACCOUNT {
        tracing::info!(user = account.id, "password reset limit reached");
        return Ok(());
    }
    let link = issue(&txn, &ctx.config, None, account.id, LinkPurpose::Reset, now).await?;
    let reset = PasswordReset {
        name: account.name.clone(),
        link,
    };
    mail::enqueue(&txn, &ctx.config, vec![account.email], &reset).await?;
    ctx.commit(txn).await
}

/// Whom a live link is for, as its page greets them.
#[derive(Clone, Debug)]
pub struct LinkFor {
    pub purpose: LinkPurpose,
    pub name: String,
    pub email: String,
}

/// The unused, unexpired link of `token` and its active account, or 410.
async fn live<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<(account_link::Model, user::Model)> {
    let (link, account) = account_link::Entity::find()
        .find_also_related(user::Entity)
        .filter(account_link::Column::TokenHash.eq(token_hash(token.trim())))
        .filter(account_link::Column::UsedAt.is_null())
        .filter(account_link::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or(AppError::TokenInvalid)?;
    let account = account.filter(|a| a.active).ok_or(AppError::TokenInvalid)?;
    Ok((link, account))
}

/// What the page of a link shows before a password is chosen; 410 when
/// the link no longer works.
pub async fn peek(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> AppResult<LinkFor> {
    let (link, account) = live(db, token, now).await?;
    Ok(LinkFor {
        purpose: link.purpose,
        name: account.name,
        email: account.email,
    })
}

/// `POST /auth/reset` and the pages of both links: sets the password of
/// the link's account, uses the link up and signs the account out
/// everywhere. 410 for a used, expired or unknown token, 422 naming
/// `password` when the rule refuses it.
pub async fn redeem(ctx: &Context, token: &str, password: &str) -> AppResult<UserView> {
    let now = ctx.clock.now();
    let (link, account) = live(&ctx.db, token, now).await?;
    password_rule("password", password, &account.email)?;
    let hash = auth::hash_password(password.to_owned()).await?;
    let txn = ctx.begin().await?;
    // The account's row first, as every writer of its links takes them.
    user::Entity::find_by_id(account.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let used = account_link::Entity::update_many()
        .col_expr(account_link::Column::UsedAt, Expr::value(now))
        .filter(account_link::Column::Id.eq(link.id))
        .filter(account_link::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(AppError::TokenInvalid);
    }
    supersede(&txn, account.id, now).await?;
    let mut model: user::ActiveModel = account.clone().into();
    model.password_hash = Set(hash);
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    auth::revoke_all_sign_ins(&txn, account.id, None).await?;
    audit::record(
        &txn,
        Change::new(Some(account.id), "account_link.use", "user", account.id)
            .after(Some(json!({"link": link.id, "purpose": link.purpose}))),
    )
    .await?;
    txn.commit().await?;
    Ok(UserView::from(updated))
}
