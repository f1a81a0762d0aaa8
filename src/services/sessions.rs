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
use sha2::{Digest, Sha256};

use crate::{
    db::{
        self,
        audit::{self, Change},
    },
    domain::actor::Actor,
    entities::{user, web_session},
    error::AppResult,
    services::auth,
    services::auth::Caller,
};

/// A live session, as resolved from its cookie.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: i32,
    /// The signed-in user; `None` for a visitor.
    pub user: Option<Caller>,
    pub csrf_token: String,
    pub flash: Option<String>,
}

/// A new session: the id for the cookie, and the session itself.
pub struct NewSession {
    pub cookie_id: String,
    pub session: Session,
}

fn random_hex() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn id_hash(cookie_id: &str) -> String {
    hex::encode(Sha256::digest(cookie_id.as_bytes()))
}

/// Starts a session for `user` that expires after `ttl`.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    user: Caller,
    ttl: Duration,
) -> AppResult<NewSession> {
    let now = Utc::now();
    // Expired sessions are of no use to anyone.
    web_session::Entity::delete_many()
        .filter(web_session::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let cookie_id = random_hex();
    let csrf_token = random_hex();
    let row = web_session::ActiveModel {
        id_hash: Set(id_hash(&cookie_id)),
        user_id: Set(Some(user.id)),
        csrf_token: Set(csrf_token.clone()),
        flash: Set(None),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewSession {
        cookie_id,
        session: Session {
            id: row.id,
            user: Some(user),
            csrf_token,
            flash: None,
        },
    })
}

/// The live session behind a cookie id. An unknown or expired id, or a
/// session whose user has been deactivated, resolves to `None`.
pub async fn resolve<C: ConnectionTrait>(db: &C, cookie_id: &str) -> AppResult<Option<Session>> {
    let Some((row, account)) = web_session::Entity::find()
        .find_also_related(user::Entity)
        .filter(web_session::Column::IdHash.eq(id_hash(cookie_id)))
        .filter(web_session::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let user = match (row.user_id, account) {
        (None, _) => None,
        (Some(_), Some(account)) if account.active => Some(auth::current_user(account, None)?),
        (Some(_), _) => return Ok(None),
    };
    Ok(Some(Session {
        id: row.id,
        user,
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

/// Ends every session of a user.
pub async fn end_all<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<()> {
    web_session::Entity::delete_many()
        .filter(web_session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
