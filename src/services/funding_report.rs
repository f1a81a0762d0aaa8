//! The funding report of one fiscal year: per country, its allocations summed
//! over programs, the PME share of what its nominations commit, and what
//! lapsed once the year is over. A liaison's report holds only their country.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::csv_out;
use crate::{
    domain::actor::Actor,
    domain::{
        course::Category,
        fiscal_year::fiscal_year_end,
        funding::{basis_points, lapsed_cents, percent, pme_share_below_floor},
    },
    entities::{allocation, country, course, nomination, offering},
    error::AppResult,
};

/// One country's line of the report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CountryFunding {
    pub country_code: String,
    pub country_name: String,
    /// Summed over the country's programs (IMET, FMF).
    pub allocated_cents: i64,
    pub committed_cents: i64,
    pub available_cents: i64,
    /// Committed by nominations to PME courses.
    pub pme_committed_cents: i64,
    /// PME share of what the country's nominations commit, in basis points
    /// (6250 = 62.50%), rounded down; null when nothing is committed.
    pub pme_share_basis_points: Option<i64>,
    /// The same share as text, e.g. `"62.50%"`.
    pub pme_share: Option<String>,
    /// The PME share is below 50%.
    pub pme_share_below_50: bool,
    /// `allocated − committed` once the fiscal year has ended, else 0.
    pub lapsed_cents: i64,
}

/// Sums over the report's countries.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct FundingTotals {
    pub allocated_cents: i64,
    pub committed_cents: i64,
    pub available_cents: i64,
    pub lapsed_cents: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FundingReport {
    pub fiscal_year: i32,
    /// The last day of the fiscal year.
    pub ends_on: NaiveDate,
    /// The fiscal year is over (today is after `ends_on`): what is not
    /// committed has lapsed.
    pub ended: bool,
    /// In country code order: every country with an allocation that year.
    pub countries: Vec<CountryFunding>,
    pub totals: FundingTotals,
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 10] = [
    "fiscal_year",
    "country_code",
    "country_name",
    "allocated_cents",
    "committed_cents",
    "available_cents",
    "pme_committed_cents",
    "pme_share_percent",
    "pme_share_below_50",
    "lapsed_cents",
];

#[derive(Default)]
struct Sums {
    allocated: i64,
    committed: i64,
    nominations_committed: i64,
    pme_committed: i64,
}

/// Builds the report of `fiscal_year` as of `today`.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    fiscal_year: i32,
    today: NaiveDate,
) -> AppResult<FundingReport> {
    let mut sums: BTreeMap<String, Sums> = BTreeMap::new();
    let mut allocations = allocation::Entity::find()
        .filter(allocation::Column::FiscalYear.eq(fiscal_year))
        .order_by_asc(allocation::Column::CountryCode);
    if let Some(code) = caller.country_scope() {
        allocations = allocations.filter(allocation::Column::CountryCode.eq(code));
    }
    for a in allocations.all(db).await? {
        let s = sums.entry(a.country_code).or_default();
        s.allocated += a.allocated_cents;
        s.committed += a.committed_cents;
    }

    let mut committed = nomination::Entity::find()
        .select_only()
        .column(nomination::Column::CountryCode)
        .column(nomination::Column::CommittedCents)
        .column(course::Column::Category)
        .join(
            JoinType::InnerJoin,
            nomination::Entity::belongs_to(offering::Entity)
                .from(nomination::Column::OfferingId)
                .to(offering::Column::Id)
                .into(),
        )
        .join(
            JoinType::InnerJoin,
            offering::Entity::belongs_to(course::Entity)
                .from(offering::Column::CourseId)
                .to(course::Column::Id)
                .into(),
        )
        .filter(nomination::Column::FiscalYear.eq(fiscal_year))
        .filter(nomination::Column::CommittedCents.gt(0));
    if let Some(code) = caller.country_scope() {
        committed = committed.filter(nomination::Column::CountryCode.eq(code));
    }
    let rows: Vec<(String, i64, String)> = committed.into_tuple().all(db).await?;
    for (code, cents, category) in rows {
        let s = sums.entry(code).or_default();
        s.nominations_committed += cents;
        if category == Category::Pme.as_str() {
            s.pme_committed += cents;
        }
    }

    let names: BTreeMap<String, String> = country::Entity::find()
        .filter(country::Column::Code.is_in(sums.keys().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let mut totals = FundingTotals::default();
    let countries = sums
        .into_iter()
        .map(|(code, s)| {
            let share = basis_points(s.pme_committed, s.nominations_committed);
            let line = CountryFunding {
                country_name: names.get(&code).cloned().unwrap_or_default(),
                country_code: code,
                allocated_cents: s.allocated,
                committed_cents: s.committed,
                available_cents: s.allocated - s.committed,
                pme_committed_cents: s.pme_committed,
                pme_share_basis_points: share,
                pme_share: share.map(percent),
                pme_share_below_50: pme_share_below_floor(s.pme_committed, s.nominations_committed),
                lapsed_cents: lapsed_cents(s.allocated, s.committed, fiscal_year, today),
            };
            totals.allocated_cents += line.allocated_cents;
            totals.committed_cents += line.committed_cents;
            totals.available_cents += line.available_cents;
            totals.lapsed_cents += line.lapsed_cents;
            line
        })
        .collect();
    let ends_on = fiscal_year_end(fiscal_year);
    Ok(FundingReport {
        fiscal_year,
        ends_on,
        ended: today > ends_on,
        countries,
        totals,
    })
}

/// The report as CSV: a header row of [`CSV_COLUMNS`], one row per country;
/// amounts in cents, the share as a percentage with two decimals (empty when
/// nothing is committed).
pub fn to_csv(report: &FundingReport) -> AppResult<String> {
    csv_out::document(
        CSV_COLUMNS,
        report.countries.iter().map(|c| {
            [
                report.fiscal_year.to_string(),
                c.country_code.clone(),
                c.country_name.clone(),
                c.allocated_cents.to_string(),
                c.committed_cents.to_string(),
                c.available_cents.to_string(),
                c.pme_committed_cents.to_string(),
                c.pme_share
                    .as_deref()
                    .map(|s| s.trim_end_matches('%').to_owned())
                    .unwrap_or_default(),
                c.pme_share_below_50.to_string(),
                c.lapsed_cents.to_string(),
            ]
        }),
    )
}
