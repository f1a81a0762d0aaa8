use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::travel_order::OrderContents;

/// One revision of an invitational travel order. Revision 0 is the issue,
/// `n` the n-th amendment; an amendment supersedes the revision before it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "travel_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub nomination_id: i32,
    /// `PK-2027-00012`, or `PK-2027-00012-A1` for an amendment.
    #[sea_orm(unique)]
    pub number: String,
    pub base_number: String,
    pub revision: i32,
    pub contents: Contents,
    pub issued_on: Date,
    pub issued_by: i32,
    pub amend_reason: Option<String>,
    pub superseded_at: Option<DateTimeUtc>,
    pub revoked_on: Option<Date>,
    pub revoked_reason: Option<String>,
    pub revoked_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

/// The frozen contents, stored as JSON; a row that doesn't parse is an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Contents(pub OrderContents);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
