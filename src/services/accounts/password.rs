//! Changing one's own password: the current one first, then every other
//! sign-in of the account ends.
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db::audit::{self, Change},
    entities::user,
    error::{AppError, AppResult},
    services::{
        Context,
        accounts::password_rule,
        auth::{self, Caller, throttle},
    },
};

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Sets `caller`'s password to `new_password` when `current_password` is
/// right (422 naming it otherwise; wrong ones count toward the sign-in
/// throttle, as a stolen session could guess with them). Every other session
/// and token of the account ends; the one making the change stays.
pub async fn change(
    ctx: &Context,
    caller: &Caller,
    change: PasswordChange,
    client_addr: &str,
) -> AppResult<()> {
    let account = user::Entity::find_by_id(caller.id)
        .one(&ctx.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    password_rule("new_password", &change.new_password, &account.email)?;
    let now = ctx.clock.now();
    let attempt = throttle::reserve_attempt(&ctx.db, &account.email, client_addr, now).await?;
    let right = auth::verify_password(
        change.current_password.clone(),
        account.password_hash.clone(),
    )
    .await;
    if !right {
        let txn = ctx.begin().await?;
        throttle::audit_failure(&txn, &account.email, client_addr, "wrong current password")
            .await?;
        txn.commit().await?;
        return Err(AppError::field(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = auth::hash_password(change.new_password).await?;
    let txn = ctx.begin().await?;
    throttle::succeeded(&txn, attempt, now).await?;
    let mut model: user::ActiveModel = account.into();
    model.password_hash = Set(hash);
    model.updated_at = Set(now);
    model.update(&txn).await?;
    auth::revoke_all_sign_ins(&txn, caller.id, caller.signed_in).await?;
    audit::record(
        &txn,
        Change::new(Some(caller.id), "user.change_password", "user", caller.id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
