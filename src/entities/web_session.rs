use sea_orm::entity::prelude::*;

/// A web session. Only the SHA-256 of the cookie's session id is stored;
/// `user_id` is `None` until the visitor signs in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub id_hash: String,
    pub user_id: Option<i32>,
    pub csrf_token: String,
    /// A message for the next page shown, then cleared.
    pub flash: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// The client address and browser that signed in.
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// When a page was last served to it (to within five minutes).
    pub last_used_at: Option<DateTimeUtc>,
    /// The password was right; the second factor's code is still to come.
    /// Such a session signs nobody in.
    pub awaiting_code: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
