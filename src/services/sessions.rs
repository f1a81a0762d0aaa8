//! Web sessions in the database, so several instances share them. The cookie
//! holds a random session id; only its SHA-256 is stored. Each session has
//! its own CSRF token and at most one pending flash message. Only a sign-in
//! starts a session, with a fresh id (a planted one never gains rights);
//! nothing is stored for an anonymous visitor.
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    prelude::*, sea_query::Expr,
};

use crate::{
    db::{
        self,
        audit::{self, Change},
    },
    domain::actor::Actor,
    entities::{user, web_session},
    error::AppResult,
    services::auth::{self, Caller, SignIn, SignInFrom, random_token, token_hash},
};

/// How long the sign-in page waits for the second factor's code after a
/// right password.
pub const CODE_WAIT: Duration = Duration::minutes(10);

/// A live session, as resolved from its cookie.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: i32,
    /// The signed-in user; `None` while a code is awaited.
    pub user: Option<Caller>,
    /// The account whose password was right and whose second factor's code
    /// the sign-in page now asks for.
    pub awaiting_code: Option<i32>,
    pub csrf_token: String,
    pub flash: Option<String>,
}

/// A new session: the id for the cookie, and the session itself.
pub struct NewSession {
    pub cookie_id: String,
    pub session: Session,
}

/// Starts a session for `user` that expires after `ttl`.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    user: Caller,
    ttl: Duration,
    from: &SignInFrom,
) -> AppResult<NewSession> {
    let (cookie_id, row) = insert(db, user.id, false, ttl, from).await?;
    let user = Caller {
        signed_in: Some(SignIn::Session(row.id)),
        ..user
    };
    Ok(NewSession {
        cookie_id,
        session: Session {
            id: row.id,
            user: Some(user),
            awaiting_code: None,
            csrf_token: row.csrf_token,
            flash: None,
        },
    })
}

/// Starts the session of a sign-in whose password was right and whose
/// second factor's code is awaited; it signs nobody in.
pub async fn start_awaiting_code<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    from: &SignInFrom,
) -> AppResult<NewSession> {
    let (cookie_id, row) = insert(db, user_id, true, CODE_WAIT, from).await?;
    Ok(NewSession {
        cookie_id,
        session: Session {
            id: row.id,
            user: None,
            awaiting_code: Some(user_id),
            csrf_token: row.csrf_token,
            flash: None,
        },
    })
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    awaiting_code: bool,
    ttl: Duration,
    from: &SignInFrom,
) -> AppResult<(String, web_session::Model)> {
    let now = Utc::now();
    // Expired sessions are of no use to anyone.
    web_session::Entity::delete_many()
        .filter(web_session::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let cookie_id = random_token();
    let row = web_session::ActiveModel {
        id_hash: Set(token_hash(&cookie_id)),
        user_id: Set(Some(user_id)),
        csrf_token: Set(random_token()),
        flash: Set(None),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        client_addr: Set(Some(from.client_addr.clone())),
        user_agent: Set(Some(from.user_agent.clone())),
        last_used_at: Set(Some(now)),
        awaiting_code: Set(awaiting_code),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((cookie_id, row))
}

/// The live session behind a cookie id. An unknown or expired id, or a
/// session whose user has been deactivated, resolves to `None`. Its "last
/// used" is written once per [`auth::LAST_USED_GRAIN`].
pub async fn resolve(db: &DatabaseConnection, cookie_id: &str) -> AppResult<Option<Session>> {
    let Some((row, account)) = web_session::Entity::find()
        .find_also_related(user::Entity)
        .filter(web_session::Column::IdHash.eq(token_hash(cookie_id)))
        .filter(web_session::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(account) = account.filter(|a| a.active) else {
        return Ok(None);
    };
    let now = Utc::now();
    if auth::stale(row.last_used_at, now) {
        let txn = db::write_txn(db).await?;
        web_session::Entity::update_many()
            .col_expr(web_session::Column::LastUsedAt, Expr::value(now))
            .filter(web_session::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    let (user, awaiting_code) = if row.awaiting_code {
        (None, Some(account.id))
    } else {
        let signed_in = Some(SignIn::Session(row.id));
        (Some(auth::current_user(account, signed_in)?), None)
    };
    Ok(Some(Session {
        id: row.id,
        user,
        awaiting_code,
        csrf_token: row.csrf_token,
        flash: row.flash,
    }))
}

/// Leaves a message for the next page the session shows.
pub async fn set_flash<C: ConnectionTrait>(
    db: &C,
    session_id: i32,
    message: &str,
) -> AppResult<()> {
    web_session::Entity::update_many()
        .col_expr(web_session::Column::Flash, Expr::value(message))
        .filter(web_session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes the pending flash message of `session`, clearing it.
pub async fn take_flash<C: ConnectionTrait>(
    db: &C,
    session: &Session,
) -> AppResult<Option<String>> {
    if session.flash.is_some() {
        web_session::Entity::update_many()
            .col_expr(
                web_session::Column::Flash,
                Expr::value(Option::<String>::None),
            )
            .filter(web_session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(session.flash.clone())
}

/// Ends one session: its user signs out (audited).
pub async fn sign_out(db: &DatabaseConnection, actor: &Actor, session_id: i32) -> AppResult<()> {
    let txn = db::write_txn(db).await?;
    web_session::Entity::delete_by_id(session_id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Change::new(Some(actor.id), "auth.sign_out", "web_session", session_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends the session that awaited a sign-in code, now that a signed-in one
/// replaces it.
pub async fn discard(db: &DatabaseConnection, session_id: i32) -> AppResult<()> {
    let txn = db::write_txn(db).await?;
    web_session::Entity::delete_by_id(session_id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
