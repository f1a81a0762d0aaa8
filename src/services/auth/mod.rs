//! Who is signed in: passwords, the sign-in with its second factor and
//! throttling, bearer tokens and the callers they resolve to, shared by the
//! JSON API and the web sign-in. Tokens and attempts live in the database,
//! so several instances agree on them.
mod passwords;
pub mod sign_in;
pub mod throttle;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    prelude::*, sea_query::Expr,
};
use sha2::{Digest, Sha256};

pub use passwords::{hash_password, verify_password};
pub use sign_in::{
    Checked, Factor, LoginOutcome, accept_factor, check_code, check_credentials, login,
};

use crate::{
    db::{
        self,
        audit::{self, Change},
    },
    domain::{actor::Actor, country_code::CountryCode},
    entities::{api_token, user, web_session},
    error::{AppError, AppResult},
    services::read_cache::ReadCache,
};

/// How often "last used" of a token or session is written at most: it is
/// true to within this much, and a busy client costs one write per period.
pub const LAST_USED_GRAIN: Duration = Duration::minutes(5);

/// Where a sign-in came from, as shown in the list of a person's sessions.
#[derive(Clone, Debug, Default)]
pub struct SignInFrom {
    pub client_addr: String,
    /// The `User-Agent`, cut to 200 characters.
    pub user_agent: String,
}

/// How a request is signed in: its bearer token or its web session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignIn {
    Token(i32),
    Session(i32),
}

/// The SHA-256 of a random token, as stored; the token itself never is.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random token of 256 bits, in hex.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Creates a random opaque token for `user_id`; only its hash is stored.
pub async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    ttl: Duration,
    from: &SignInFrom,
) -> AppResult<(String, DateTime<Utc>)> {
    let token = random_token();
    let now = Utc::now();
    let expires_at = now + ttl;
    api_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        client_addr: Set(Some(from.client_addr.clone())),
        user_agent: Set(Some(from.user_agent.clone())),
        last_used_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, expires_at))
}

/// A signed-in account: who acts, and how they are shown and signed in.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub email: String,
    pub name: String,
    /// The token or session of this request; `None` for work done on
    /// someone's behalf outside a request (the demo data).
    pub signed_in: Option<SignIn>,
    /// Whether the account signs in with a second factor.
    pub second_factor: bool,
}

impl Caller {
    /// The bearer token of this request, if it came with one.
    pub fn token_id(&self) -> Option<i32> {
        match self.signed_in {
            Some(SignIn::Token(id)) => Some(id),
            _ => None,
        }
    }
}

impl std::ops::Deref for Caller {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// What is kept of a recently seen bearer token: its caller, its expiry and
/// when its use was last written.
#[derive(Clone, Debug)]
pub struct KnownToken {
    caller: Caller,
    expires_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

/// The callers of recently seen bearer tokens.
pub type Callers = ReadCache<String, KnownToken>;

/// Resolves a bearer token to its active, unexpired, unrevoked user, in one
/// query, or from `callers` when no write has committed since it was read
/// (SQLite): revocation, deactivation and a password reset take effect on
/// the very next request. Its "last used" is written once per [`LAST_USED_GRAIN`].
pub async fn authenticate(
    db: &DatabaseConnection,
    callers: &Callers,
    token: &str,
) -> AppResult<Caller> {
    let hash = token_hash(token);
    let now = Utc::now();
    let known = match callers.get(&hash) {
        Some(known) => known,
        None => {
            let start = callers.start();
            let (found, account) = api_token::Entity::find()
                .find_also_related(user::Entity)
                .filter(api_token::Column::TokenHash.eq(&hash))
                .filter(api_token::Column::RevokedAt.is_null())
                .filter(api_token::Column::ExpiresAt.gt(now))
                .filter(user::Column::Active.eq(true))
                .one(db)
                .await?
                .ok_or(AppError::Unauthorized)?;
            let account = account.ok_or(AppError::Unauthorized)?;
            let known = KnownToken {
                caller: current_user(account, Some(SignIn::Token(found.id)))?,
                expires_at: found.expires_at,
                last_used_at: found.last_used_at,
            };
            callers.put(hash, start, known.clone());
            known
        }
    };
    if known.expires_at <= now {
        return Err(AppError::Unauthorized);
    }
    if stale(known.last_used_at, now)
        && let Some(id) = known.caller.token_id()
    {
        let txn = db::write_txn(db).await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(known.caller)
}

/// Whether a "last used" time should be written again.
pub fn stale(last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used_at.is_none_or(|at| now - at >= LAST_USED_GRAIN)
}

/// The caller behind an active account, signed in by `signed_in`.
pub fn current_user(account: user::Model, signed_in: Option<SignIn>) -> AppResult<Caller> {
    let unreadable = |e: String| anyhow::anyhow!("user {}: {e}", account.id);
    let country = account
        .country_code
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .map_err(unreadable)?;
    Ok(Caller {
        actor: Actor {
            id: account.id,
            role: account.role,
            country,
        },
        second_factor: account.totp_secret.is_some(),
        email: account.email,
        name: account.name,
        signed_in,
    })
}

/// Revokes one token (the API's sign-out), audited, in a write transaction
/// so that no copy of its caller outlives it.
pub async fn revoke_token(db: &DatabaseConnection, actor: &Actor, token_id: i32) -> AppResult<()> {
    let txn = db::write_txn(db).await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::UserId.eq(actor.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Change::new(Some(actor.id), "api_token.revoke", "api_token", token_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Signs a user out everywhere (deactivation, a password set or reset,
/// "sign out everywhere") but for `keep`, the sign-in making the change:
/// revokes every other live bearer token and ends every other web session.
pub async fn revoke_all_sign_ins<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    keep: Option<SignIn>,
) -> AppResult<()> {
    let mut tokens = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null());
    if let Some(SignIn::Token(id)) = keep {
        tokens = tokens.filter(api_token::Column::Id.ne(id));
    }
    tokens.exec(db).await?;
    let mut web =
        web_session::Entity::delete_many().filter(web_session::Column::UserId.eq(user_id));
    if let Some(SignIn::Session(id)) = keep {
        web = web.filter(web_session::Column::Id.ne(id));
    }
    web.exec(db).await?;
    Ok(())
}
