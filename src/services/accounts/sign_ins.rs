//! A person's own sign-ins: web sessions and API tokens, each with where it
//! came from and when it was last used; one can be ended, or all of them.
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::{
    db::audit::{self, Change},
    entities::{api_token, web_session},
    error::{AppError, AppResult},
    services::{
        Context,
        auth::{self, Caller, SignIn},
    },
};

/// How a sign-in is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInKind {
    /// A browser's session cookie.
    Web,
    /// A bearer token of the API.
    Api,
}

/// One live sign-in of the caller's account.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SignInView {
    /// `web-<n>` or `api-<n>`: what `DELETE /me/sessions/{id}` takes.
    pub id: String,
    pub kind: SignInKind,
    pub created_at: DateTime<Utc>,
    /// To within five minutes.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// Whether this is the sign-in of the request asking.
    pub current: bool,
}

impl SignIn {
    /// Its id as listed: `web-<n>` or `api-<n>`.
    pub fn label(self) -> String {
        match self {
            Self::Session(id) => format!("web-{id}"),
            Self::Token(id) => format!("api-{id}"),
        }
    }
}

impl FromStr for SignIn {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, AppError> {
        let parsed = match s.split_once('-') {
            Some(("web", n)) => n.parse().ok().map(Self::Session),
            Some(("api", n)) => n.parse().ok().map(Self::Token),
            _ => None,
        };
        parsed.ok_or_else(|| AppError::not_found("Session"))
    }
}

/// The caller's live sessions and tokens, the most recently used first.
pub async fn list<C: ConnectionTrait>(db: &C, caller: &Caller) -> AppResult<Vec<SignInView>> {
    let now = Utc::now();
    let sessions = web_session::Entity::find()
        .filter(web_session::Column::UserId.eq(caller.id))
        .filter(web_session::Column::AwaitingCode.eq(false))
        .filter(web_session::Column::ExpiresAt.gt(now))
        .all(db)
        .await?;
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(caller.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .all(db)
        .await?;
    let current = |which: SignIn| caller.signed_in == Some(which);
    let mut all: Vec<SignInView> = sessions
        .into_iter()
        .map(|s| SignInView {
            id: SignIn::Session(s.id).label(),
            kind: SignInKind::Web,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            client_addr: s.client_addr,
            user_agent: s.user_agent,
            current: current(SignIn::Session(s.id)),
        })
        .chain(tokens.into_iter().map(|t| SignInView {
            id: SignIn::Token(t.id).label(),
            kind: SignInKind::Api,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            client_addr: t.client_addr,
            user_agent: t.user_agent,
            current: current(SignIn::Token(t.id)),
        }))
        .collect();
    all.sort_by(|a, b| {
        (b.current, b.last_used_at.unwrap_or(b.created_at))
            .cmp(&(a.current, a.last_used_at.unwrap_or(a.created_at)))
    });
    Ok(all)
}

/// Ends one of the caller's sessions or tokens (404 for anyone else's).
pub async fn revoke(ctx: &Context, caller: &Caller, which: SignIn) -> AppResult<()> {
    let txn = ctx.begin().await?;
    let ended = match which {
        SignIn::Session(id) => {
            web_session::Entity::delete_many()
                .filter(web_session::Column::Id.eq(id))
                .filter(web_session::Column::UserId.eq(caller.id))
                .exec(&txn)
                .await?
                .rows_affected
        }
        SignIn::Token(id) => {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::RevokedAt, Expr::value(ctx.clock.now()))
                .filter(api_token::Column::Id.eq(id))
                .filter(api_token::Column::UserId.eq(caller.id))
                .filter(api_token::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected
        }
    };
    if ended == 0 {
        return Err(AppError::not_found("Session"));
    }
    audit::record(
        &txn,
        Change::new(Some(caller.id), "auth.end_sign_in", "user", caller.id)
            .after(Some(json!({"sign_in": which.label()}))),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session and token of the caller's account, this one too.
pub async fn end_all(ctx: &Context, caller: &Caller) -> AppResult<()> {
    let txn = ctx.begin().await?;
    auth::revoke_all_sign_ins(&txn, caller.id, None).await?;
    audit::record(
        &txn,
        Change::new(
            Some(caller.id),
            "auth.sign_out_everywhere",
            "user",
            caller.id,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
