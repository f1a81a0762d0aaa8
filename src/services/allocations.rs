//! Grant allocations per country × program × fiscal year. Money moves only
//! through conditional updates (`… WHERE allocated_cents - committed_cents >=
//! amount`), whose rows-affected count decides, so no allocation is ever
//! over-committed under any concurrency, on SQLite or PostgreSQL.
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    domain::program::Program,
    entities::allocation,
    error::{AppError, AppResult, ConflictCode},
    services::suspensions,
};

/// Which allocation pays: a country's program in one fiscal year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationKey {
    pub country_code: String,
    pub program: Program,
    pub fiscal_year: i32,
}

impl AllocationKey {
    fn filter<Q: QueryFilter>(&self, query: Q) -> Q {
        query
            .filter(allocation::Column::CountryCode.eq(&self.country_code))
            .filter(allocation::Column::Program.eq(self.program.as_str()))
            .filter(allocation::Column::FiscalYear.eq(self.fiscal_year))
    }
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    key: &AllocationKey,
) -> AppResult<Option<allocation::Model>> {
    Ok(key.filter(allocation::Entity::find()).one(db).await?)
}

/// Commits `cents` to the allocation, atomically: refused (409
/// `insufficient_funds`) when there is no allocation, when less than `cents`
/// is available, or when it is frozen and `frozen_waived` is false.
pub async fn commit<C: ConnectionTrait>(
    db: &C,
    key: &AllocationKey,
    cents: i64,
    frozen_waived: bool,
) -> AppResult<()> {
    let mut update = key
        .filter(allocation::Entity::update_many())
        .col_expr(
            allocation::Column::CommittedCents,
            Expr::col(allocation::Column::CommittedCents).add(cents),
        )
        .col_expr(allocation::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(
            Expr::col(allocation::Column::AllocatedCents)
                .sub(Expr::col(allocation::Column::CommittedCents))
                .gte(cents),
        );
    if !frozen_waived {
        update = update.filter(allocation::Column::Frozen.eq(false));
    }
    if update.exec(db).await?.rows_affected == 1 {
        return Ok(());
    }
    let fy = key.fiscal_year;
    let detail = match find(db, key).await? {
        None => format!(
            "{} has no {} allocation for FY{fy}.",
            key.country_code, key.program
        ),
        Some(a) if a.frozen && !frozen_waived => format!(
            "The {} {} allocation for FY{fy} is frozen by a suspension.",
            key.country_code, key.program
        ),
        Some(a) => format!(
            "The {} {} allocation for FY{fy} has {} cents available; {cents} are needed.",
            key.country_code,
            key.program,
            a.allocated_cents - a.committed_cents
        ),
    };
    Err(AppError::conflict(ConflictCode::InsufficientFunds, detail))
}

/// Releases `cents` previously committed to the allocation.
pub async fn release<C: ConnectionTrait>(db: &C, key: &AllocationKey, cents: i64) -> AppResult<()> {
    if cents == 0 {
        return Ok(());
    }
    let released = key
        .filter(allocation::Entity::update_many())
        .col_expr(
            allocation::Column::CommittedCents,
            Expr::col(allocation::Column::CommittedCents).sub(cents),
        )
        .col_expr(allocation::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(allocation::Column::CommittedCents.gte(cents))
        .exec(db)
        .await?;
    if released.rows_affected != 1 {
        return Err(AppError::Internal(anyhow::anyhow!(
            "releasing {cents} cents from {key:?}: fewer committed than released"
        )));
    }
    Ok(())
}

/// Sets `frozen` on each of the country's allocations from the suspensions
/// in effect today for its program.
pub async fn refresh_frozen<C: ConnectionTrait>(db: &C, country: &str) -> AppResult<()> {
    let today = Utc::now().date_naive();
    let history = suspensions::history(db, country).await?;
    for program in [Program::Imet, Program::Fmf] {
        let frozen = history.iter().any(|s| s.terms.blocks(program, today));
        allocation::Entity::update_many()
            .col_expr(allocation::Column::Frozen, Expr::value(frozen))
            .filter(allocation::Column::CountryCode.eq(country))
            .filter(allocation::Column::Program.eq(program.as_str()))
            .filter(allocation::Column::Frozen.ne(frozen))
            .exec(db)
            .await?;
    }
    Ok(())
}
