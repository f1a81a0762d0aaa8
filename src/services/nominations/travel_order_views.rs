//! Reading travel orders: the latest revision, every revision, and the PDF.
//! Staff read every country's; a liaison their own country's (others 404).
use super::*;

use crate::{
    domain::travel_order::{OrderContents, OrderStatus},
    entities::travel_order as order,
};

/// One revision of a travel order, with everything it says.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TravelOrderView {
    pub id: i32,
    pub nomination_id: i32,
    /// `PK-2027-00012`, or `PK-2027-00012-A1` for the first amendment.
    pub number: String,
    pub revision: i32,
    pub status: OrderStatus,
    pub issued_on: NaiveDate,
    /// The user who issued it (`issued_by` is their name, as printed).
    pub issued_by_id: i32,
    /// Why this revision amends the one before.
    pub amend_reason: Option<String>,
    pub superseded_at: Option<DateTime<Utc>>,
    pub revoked_on: Option<NaiveDate>,
    pub revoked_reason: Option<String>,
    #[serde(flatten)]
    pub contents: OrderContents,
}

impl From<order::Model> for TravelOrderView {
    fn from(o: order::Model) -> Self {
        Self {
            status: OrderStatus::of(o.superseded_at.is_some(), o.revoked_on.is_some()),
            id: o.id,
            nomination_id: o.nomination_id,
            number: o.number,
            revision: o.revision,
            issued_on: o.issued_on,
            issued_by_id: o.issued_by,
            amend_reason: o.amend_reason,
            superseded_at: o.superseded_at,
            revoked_on: o.revoked_on,
            revoked_reason: o.revoked_reason,
            contents: o.contents.0,
        }
    }
}

/// Every revision of the nomination's orders, the latest first.
pub async fn travel_orders<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<Vec<order::Model>> {
    find_visible(db, caller, id).await?;
    Ok(order::Entity::find()
        .filter(order::Column::NominationId.eq(id))
        .order_by_desc(order::Column::Id)
        .all(db)
        .await?)
}

/// The latest revision (in force, or revoked); 404 when none was issued.
pub async fn current_travel_order<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<order::Model> {
    find_visible(db, caller, id).await?;
    order::Entity::find()
        .filter(order::Column::NominationId.eq(id))
        .order_by_desc(order::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Travel order"))
}

/// The latest revision as a PDF, with its file name.
pub async fn travel_order_pdf<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<(String, Vec<u8>)> {
    let current = current_travel_order(db, caller, id).await?;
    Ok((format!("{}.pdf", current.number), render_pdf(&current)?))
}
