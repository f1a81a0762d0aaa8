//! Grant allocations per country × program × fiscal year, transfers between
//! countries, and the ≥ 90% committed alert. Money moves only through
//! conditional updates (`… WHERE allocated_cents - committed_cents >=
//! amount`), whose rows-affected count decides, so no allocation is ever
//! over-committed under any concurrency, on SQLite or PostgreSQL.

mod changes;
mod ledger;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult,
    sea_query::{Expr, ExprTrait, LockType},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    config::Config,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::money::Cents,
    domain::{
        fiscal_year::SANE_FISCAL_YEARS,
        funding::{basis_points, percent, reaches_alert},
        program::Program,
        role::Role,
        text::non_blank,
    },
    entities::{allocation, allocation_transfer, country, user},
    error::{AppError, AppResult, ConflictCode},
    mail::{self, templates::AllocationThreshold},
    services::Context,
    services::{countries, suspensions},
};

pub use changes::*;
pub use ledger::*;

/// The largest amount an allocation or a transfer may name: $1 trillion, in cents.
pub const MAX_CENTS: i64 = 100_000_000_000_000;

/// Which allocation pays: a country's program in one fiscal year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationKey {
    pub country_code: String,
    pub program: Program,
    pub fiscal_year: i32,
}

impl AllocationKey {
    /// Checks that `program` funds enrollments (IMET or FMF) and that
    /// `fiscal_year` is sane; 422 naming `program` or `fiscal_year` otherwise.
    pub fn new(country_code: &str, program: &str, fiscal_year: i32) -> AppResult<Self> {
        Ok(Self {
            country_code: country_code.trim().to_ascii_uppercase(),
            program: funding_program(program)?,
            fiscal_year: check_fiscal_year(fiscal_year)?,
        })
    }

    fn filter<Q: QueryFilter>(&self, query: Q) -> Q {
        query
            .filter(allocation::Column::CountryCode.eq(&self.country_code))
            .filter(allocation::Column::Program.eq(self.program.as_str()))
            .filter(allocation::Column::FiscalYear.eq(self.fiscal_year))
    }
}

impl fmt::Display for AllocationKey {
    /// As "PK/IMET/2026", the allocation's id in the audit log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.country_code, self.program, self.fiscal_year
        )
    }
}

/// A program that pays for enrollments (IMET or FMF); 422 naming `program` otherwise.
pub fn funding_program(raw: &str) -> AppResult<Program> {
    raw.parse::<Program>()
        .ok()
        .filter(|p| p.funds_enrollments())
        .ok_or_else(|| AppError::field("program", "must be IMET or FMF"))
}

/// A fiscal year within [`SANE_FISCAL_YEARS`]; 422 naming `fiscal_year` otherwise.
pub fn check_fiscal_year(fy: i32) -> AppResult<i32> {
    if SANE_FISCAL_YEARS.contains(&fy) {
        Ok(fy)
    } else {
        Err(AppError::field(
            "fiscal_year",
            format!(
                "must be between {} and {}",
                SANE_FISCAL_YEARS.start(),
                SANE_FISCAL_YEARS.end()
            ),
        ))
    }
}

/// An allocation as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub country_code: String,
    pub program: Program,
    pub fiscal_year: i32,
    pub allocated_cents: i64,
    /// Derived from approvals and penalties, never typed in.
    pub committed_cents: i64,
    /// `allocated_cents − committed_cents`.
    pub available_cents: i64,
    /// A suspension of this program is in effect for the country: nothing
    /// new is committed from it, nothing transferred out of or into it.
    pub frozen: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<allocation::Model> for AllocationView {
    fn from(a: allocation::Model) -> Self {
        Self {
            available_cents: a.allocated_cents - a.committed_cents,
            country_code: a.country_code,
            program: a.program,
            fiscal_year: a.fiscal_year,
            allocated_cents: a.allocated_cents,
            committed_cents: a.committed_cents,
            frozen: a.frozen,
            updated_at: a.updated_at,
        }
    }
}

/// What `GET /allocations` filters on.
#[derive(Debug, Default)]
pub struct AllocationFilter {
    pub fiscal_year: Option<i32>,
    pub country: Option<String>,
    pub program: Option<Program>,
}

/// Allocations ordered by fiscal year, country and program; a liaison's
/// list holds only their country.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    filter: AllocationFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<AllocationView>> {
    let mut query = allocation::Entity::find()
        .order_by_asc(allocation::Column::FiscalYear)
        .order_by_asc(allocation::Column::CountryCode)
        .order_by_asc(allocation::Column::Program);
    if let Some(code) = caller.country_scope() {
        query = query.filter(allocation::Column::CountryCode.eq(code));
    }
    if let Some(fy) = filter.fiscal_year {
        query = query.filter(allocation::Column::FiscalYear.eq(fy));
    }
    if let Some(code) = filter.country {
        query = query.filter(allocation::Column::CountryCode.eq(code.trim().to_ascii_uppercase()));
    }
    if let Some(program) = filter.program {
        query = query.filter(allocation::Column::Program.eq(program.as_str()));
    }
    if let Some(cursor) = cursor {
        let invalid = || AppError::field("cursor", "is not a cursor returned by this list");
        let [fy, code, program] = cursor.parts() else {
            return Err(invalid());
        };
        let fy: i32 = fy.parse().map_err(|_| invalid())?;
        query = query.filter(
            Condition::any()
                .add(allocation::Column::FiscalYear.gt(fy))
                .add(
                    Condition::all()
                        .add(allocation::Column::FiscalYear.eq(fy))
                        .add(allocation::Column::CountryCode.gt(code.clone())),
                )
                .add(
                    Condition::all()
                        .add(allocation::Column::FiscalYear.eq(fy))
                        .add(allocation::Column::CountryCode.eq(code.clone()))
                        .add(allocation::Column::Program.gt(program.clone())),
                ),
        );
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |a| {
            Cursor::new(vec![
                a.fiscal_year.to_string(),
                a.country_code.clone(),
                a.program.as_str().to_owned(),
            ])
        },
        AllocationView::from,
    ))
}
