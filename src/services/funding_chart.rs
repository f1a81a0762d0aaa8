//! The funding page's chart data: per country, what its nominations commit
//! by the end of each month of a fiscal year, against what it is allocated
//! (summed over programs). A liaison's chart holds only their country.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    domain::actor::Actor,
    domain::funding_chart::committed_by_month,
    entities::{allocation, nomination},
    error::AppResult,
};

/// A commitment as read: country, decided at, updated at, cents.
type CommitmentRow = (String, Option<DateTime<Utc>>, DateTime<Utc>, i64);

/// One country's series.
#[derive(Clone, Debug)]
pub struct CountrySeries {
    pub country_code: String,
    pub allocated_cents: i64,
    /// Cumulative committed cents at the end of each month, October first.
    pub committed: [i64; 12],
}

/// Every country with an allocation in `fiscal_year`, in code order. A
/// nomination's commitment counts from the day it was decided (approved,
/// or withdrawn with a penalty kept).
pub async fn committed_vs_allocated<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    fiscal_year: i32,
) -> AppResult<Vec<CountrySeries>> {
    let mut allocations = allocation::Entity::find()
        .filter(allocation::Column::FiscalYear.eq(fiscal_year))
        .order_by_asc(allocation::Column::CountryCode);
    let mut commitments = nomination::Entity::find()
        .filter(nomination::Column::FiscalYear.eq(fiscal_year))
        .filter(nomination::Column::CommittedCents.gt(0))
        .select_only()
        .column(nomination::Column::CountryCode)
        .column(nomination::Column::DecidedAt)
        .column(nomination::Column::UpdatedAt)
        .column(nomination::Column::CommittedCents);
    if let Some(code) = caller.country_scope() {
        allocations = allocations.filter(allocation::Column::CountryCode.eq(code));
        commitments = commitments.filter(nomination::Column::CountryCode.eq(code));
    }
    let mut allocated: BTreeMap<String, i64> = BTreeMap::new();
    for a in allocations.all(db).await? {
        *allocated.entry(a.country_code).or_default() += a.allocated_cents;
    }
    let rows: Vec<CommitmentRow> = commitments.into_tuple().all(db).await?;
    let mut by_country: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for (code, decided_at, updated_at, cents) in rows {
        let day = decided_at.unwrap_or(updated_at).date_naive();
        by_country.entry(code).or_default().push((day, cents));
    }
    Ok(allocated
        .into_iter()
        .map(|(country_code, allocated_cents)| {
            let days = by_country.remove(&country_code).unwrap_or_default();
            CountrySeries {
                committed: committed_by_month(fiscal_year, &days),
                country_code,
                allocated_cents,
            }
        })
        .collect())
}
