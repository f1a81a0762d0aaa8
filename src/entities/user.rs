use sea_orm::entity::prelude::*;

use crate::domain::role::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub role: Role,
    pub country_code: Option<String>,
    /// The argon2 hash; empty until an invited person chooses a password
    /// (no password verifies against it).
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The TOTP secret (base32) while two-factor sign-in is on.
    pub totp_secret: Option<String>,
    /// A secret shown for enrolment, not yet confirmed by a code.
    pub totp_pending_secret: Option<String>,
    /// The last TOTP time step accepted: no code of it or before is taken again.
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
