//! Grant allocations per country × program × fiscal year, transfers between
//! countries, and the ≥ 90% committed alert. Money moves only through
//! conditional updates (`… WHERE allocated_cents - committed_cents >=
//! amount`), whose rows-affected count decides, so no allocation is ever
//! over-committed under any concurrency, on SQLite or PostgreSQL.
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
    db,
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
) -> AppResult<allocation::Model> {
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
    if let Some(committed) = update.exec_with_returning(db).await?.pop() {
        return Ok(committed);
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
/// in effect on `today` for its program.
pub async fn refresh_frozen<C: ConnectionTrait>(
    db: &C,
    country: &str,
    today: NaiveDate,
) -> AppResult<()> {
    let history = suspensions::history(db, country).await?;
    for program in [Program::Imet, Program::Fmf] {
        let frozen = frozen_by(&history, program, today);
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

/// Whether a suspension in `history` freezes `program` on `today`.
fn frozen_by(history: &[suspensions::Suspension], program: Program, today: NaiveDate) -> bool {
    history.iter().any(|s| s.terms.blocks(program, today))
}

/// Reads the allocation, locking its row until the transaction ends on
/// PostgreSQL (SQLite's write transactions hold the database lock already).
async fn find_for_update<C: ConnectionTrait>(
    db: &C,
    key: &AllocationKey,
) -> AppResult<Option<allocation::Model>> {
    let mut query = key.filter(allocation::Entity::find());
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    Ok(query.one(db).await?)
}

/// Inserts the allocation with `allocated_cents` and nothing committed,
/// frozen by the suspensions in effect today, unless it exists (then nothing
/// changes). Returns whether it was inserted.
async fn insert_if_missing<C: ConnectionTrait>(
    db: &C,
    key: &AllocationKey,
    allocated_cents: i64,
) -> AppResult<bool> {
    let history = suspensions::history(db, &key.country_code).await?;
    let now = Utc::now();
    let row = allocation::ActiveModel {
        country_code: Set(key.country_code.clone()),
        program: Set(key.program),
        fiscal_year: Set(key.fiscal_year),
        allocated_cents: Set(allocated_cents),
        committed_cents: Set(0),
        frozen: Set(frozen_by(&history, key.program, now.date_naive())),
        alert_sent: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let inserted = allocation::Entity::insert(row)
        .on_conflict_do_nothing_on([
            allocation::Column::CountryCode,
            allocation::Column::Program,
            allocation::Column::FiscalYear,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

async fn view<C: ConnectionTrait>(db: &C, key: &AllocationKey) -> AppResult<AllocationView> {
    find(db, key)
        .await?
        .map(AllocationView::from)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("allocation {key} vanished")))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AllocationAmount {
    /// The grant for the country, program and fiscal year, in cents; never
    /// below what is committed.
    #[validate(range(min = 0, max = MAX_CENTS, message = "must be between 0 and 100000000000000"))]
    pub allocated_cents: i64,
}

/// The answer of a PUT: the allocation, and whether it was created.
pub struct SetOutcome {
    pub allocation: AllocationView,
    pub created: bool,
}

/// Sets an allocation's amount, creating it (frozen by the suspensions in
/// effect today) when missing. Refused (409 `insufficient_funds`) below what
/// is committed; a lower amount can cross the 90% alert.
pub async fn set(
    state: &Context,
    actor: &Actor,
    key: &AllocationKey,
    allocated_cents: i64,
) -> AppResult<SetOutcome> {
    let txn = db::write_txn(&state.db).await?;
    countries::find(&txn, &key.country_code).await?;
    let mut before = find_for_update(&txn, key).await?;
    let created = before.is_none() && insert_if_missing(&txn, key, allocated_cents).await?;
    if !created {
        if before.is_none() {
            // Created meanwhile by another request.
            before = find_for_update(&txn, key).await?;
        }
        let updated = key
            .filter(allocation::Entity::update_many())
            .col_expr(
                allocation::Column::AllocatedCents,
                Expr::value(allocated_cents),
            )
            .col_expr(
                allocation::Column::UpdatedAt,
                Expr::value(state.clock.now()),
            )
            .filter(allocation::Column::CommittedCents.lte(allocated_cents))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            let committed = find(&txn, key)
                .await?
                .map(|a| a.committed_cents)
                .unwrap_or(0);
            return Err(AppError::conflict(
                ConflictCode::InsufficientFunds,
                format!(
                    "The {} {} allocation for FY{} has {committed} cents committed; \
                     it cannot be set to {allocated_cents} cents, below that.",
                    key.country_code, key.program, key.fiscal_year
                ),
            ));
        }
    }
    after_change(&txn, &state.config, key).await?;
    let allocation = view(&txn, key).await?;
    audit::record(
        &txn,
        Change {
            actor: Some(actor.id),
            action: if created {
                "allocation.create"
            } else {
                "allocation.set"
            },
            entity: "allocation",
            entity_id: key.to_string(),
            before: before.map(AllocationView::from).and_then(|b| snapshot(&b)),
            after: snapshot(&allocation),
        },
    )
    .await?;
    txn.commit().await?;
    state.mailer.wake();
    Ok(SetOutcome {
        allocation,
        created,
    })
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewTransfer {
    pub from_country: String,
    pub to_country: String,
    /// `IMET` or `FMF`.
    pub program: String,
    #[validate(range(min = 2000, max = 2100, message = "must be between 2000 and 2100"))]
    pub fiscal_year: i32,
    /// Cents moved, more than 0.
    #[validate(range(min = 1, max = MAX_CENTS, message = "must be between 1 and 100000000000000"))]
    pub amount_cents: i64,
    #[validate(length(max = 4000), custom(function = "non_blank"))]
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TransferView {
    pub id: i32,
    pub from_country: String,
    pub to_country: String,
    pub program: Program,
    pub fiscal_year: i32,
    pub amount_cents: i64,
    pub reason: String,
    pub created_by: i32,
    pub created_at: DateTime<Utc>,
}

impl From<allocation_transfer::Model> for TransferView {
    fn from(t: allocation_transfer::Model) -> Self {
        Self {
            id: t.id,
            from_country: t.from_country,
            to_country: t.to_country,
            program: t.program,
            fiscal_year: t.fiscal_year,
            amount_cents: t.amount_cents,
            reason: t.reason,
            created_by: t.created_by,
            created_at: t.created_at,
        }
    }
}

/// A transfer and both allocations after it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TransferOutcome {
    pub transfer: TransferView,
    pub from: AllocationView,
    pub to: AllocationView,
}

/// A country named in a transfer's body; 422 naming `field` when unknown.
async fn named_country<C: ConnectionTrait>(db: &C, field: &str, code: &str) -> AppResult<String> {
    let code = code.trim().to_ascii_uppercase();
    country::Entity::find_by_id(code.as_str())
        .one(db)
        .await?
        .map(|c| c.code)
        .ok_or_else(|| AppError::field(field, format!("no country `{code}` is registered")))
}

/// Moves `amount_cents` of allocated funds from one country's allocation to
/// another's (same program and FY), atomically, creating the target when
/// missing. Refused (409) beyond what is available (`insufficient_funds`) or
/// out of or into a frozen allocation (`frozen`).
pub async fn transfer(
    state: &Context,
    actor: &Actor,
    new: NewTransfer,
) -> AppResult<TransferOutcome> {
    let program = funding_program(&new.program)?;
    let txn = db::write_txn(&state.db).await?;
    let from = AllocationKey {
        country_code: named_country(&txn, "from_country", &new.from_country).await?,
        program,
        fiscal_year: new.fiscal_year,
    };
    let to = AllocationKey {
        country_code: named_country(&txn, "to_country", &new.to_country).await?,
        ..from.clone()
    };
    if from.country_code == to.country_code {
        return Err(AppError::field(
            "to_country",
            "must differ from from_country",
        ));
    }
    let amount = new.amount_cents;
    if find(&txn, &from).await?.is_none() {
        return Err(AppError::conflict(
            ConflictCode::InsufficientFunds,
            format!(
                "{} has no {program} allocation for FY{} to transfer from.",
                from.country_code, from.fiscal_year
            ),
        ));
    }
    insert_if_missing(&txn, &to, 0).await?;
    // Rows locked in one order (country code), so two opposite transfers
    // cannot deadlock on PostgreSQL.
    let mut before_from = None;
    let mut before_to = None;
    for key in ordered(&from, &to) {
        let row = find_for_update(&txn, key).await?;
        if *key == from {
            before_from = row;
        } else {
            before_to = row;
        }
    }
    let (Some(before_from), Some(before_to)) = (before_from, before_to) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "allocations of transfer {from} -> {to} vanished"
        )));
    };
    let now = state.clock.now();
    let taken = from
        .filter(allocation::Entity::update_many())
        .col_expr(
            allocation::Column::AllocatedCents,
            Expr::col(allocation::Column::AllocatedCents).sub(amount),
        )
        .col_expr(allocation::Column::UpdatedAt, Expr::value(now))
        .filter(allocation::Column::Frozen.eq(false))
        .filter(
            Expr::col(allocation::Column::AllocatedCents)
                .sub(Expr::col(allocation::Column::CommittedCents))
                .gte(amount),
        )
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        let a = find(&txn, &from).await?.unwrap_or(before_from);
        return Err(if a.frozen {
            frozen_conflict(&from, "out of")
        } else {
            AppError::conflict(
                ConflictCode::InsufficientFunds,
                format!(
                    "The {from_country} {program} allocation for FY{fy} has {available} cents \
                     available; {amount} cannot be transferred.",
                    from_country = from.country_code,
                    fy = from.fiscal_year,
                    available = a.allocated_cents - a.committed_cents,
                ),
            )
        });
    }
    let given = to
        .filter(allocation::Entity::update_many())
        .col_expr(
            allocation::Column::AllocatedCents,
            Expr::col(allocation::Column::AllocatedCents).add(amount),
        )
        .col_expr(allocation::Column::UpdatedAt, Expr::value(now))
        .filter(allocation::Column::Frozen.eq(false))
        .exec(&txn)
        .await?;
    if given.rows_affected != 1 {
        return Err(frozen_conflict(&to, "into"));
    }
    let transfer = TransferView::from(
        allocation_transfer::ActiveModel {
            from_country: Set(from.country_code.clone()),
            to_country: Set(to.country_code.clone()),
            program: Set(program),
            fiscal_year: Set(from.fiscal_year),
            amount_cents: Set(amount),
            reason: Set(new.reason.trim().to_owned()),
            created_by: Set(actor.id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?,
    );
    after_change(&txn, &state.config, &from).await?;
    after_change(&txn, &state.config, &to).await?;
    let outcome = TransferOutcome {
        transfer,
        from: view(&txn, &from).await?,
        to: view(&txn, &to).await?,
    };
    for (key, before, after, action) in [
        (&from, before_from, &outcome.from, "allocation.transfer_out"),
        (&to, before_to, &outcome.to, "allocation.transfer_in"),
    ] {
        audit::record(
            &txn,
            Change {
                actor: Some(actor.id),
                action,
                entity: "allocation",
                entity_id: key.to_string(),
                before: snapshot(&AllocationView::from(before)),
                after: snapshot(after),
            },
        )
        .await?;
    }
    audit::record(
        &txn,
        Change {
            actor: Some(actor.id),
            action: "allocation_transfer.create",
            entity: "allocation_transfer",
            entity_id: outcome.transfer.id.to_string(),
            before: None,
            after: snapshot(&outcome),
        },
    )
    .await?;
    txn.commit().await?;
    state.mailer.wake();
    Ok(outcome)
}

fn ordered<'a>(a: &'a AllocationKey, b: &'a AllocationKey) -> [&'a AllocationKey; 2] {
    if a.country_code <= b.country_code {
        [a, b]
    } else {
        [b, a]
    }
}

fn frozen_conflict(key: &AllocationKey, direction: &str) -> AppError {
    AppError::conflict(
        ConflictCode::Frozen,
        format!(
            "The {} {} allocation for FY{} is frozen by a suspension; nothing can be \
             transferred {direction} it.",
            key.country_code, key.program, key.fiscal_year
        ),
    )
}

/// Keeps the ≥ 90% committed alert in step with the allocation. Call it in
/// the transaction that changed the allocation (commit, release, a new
/// amount, a transfer), after the change, and wake the mailer after the
/// commit. Crossing up sets `alert_sent` (conditionally, so once) and queues
/// the email to the active program officers; falling back below clears it,
/// so the next crossing emails again.
pub async fn after_change<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    key: &AllocationKey,
) -> AppResult<()> {
    match find(db, key).await? {
        Some(a) => alert_if_crossed(db, config, key, &a).await,
        None => Ok(()),
    }
}

/// [`after_change`] for an allocation row just written (and so in hand).
pub async fn alert_if_crossed<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    key: &AllocationKey,
    a: &allocation::Model,
) -> AppResult<()> {
    let alert = reaches_alert(a.allocated_cents, a.committed_cents);
    if alert == a.alert_sent {
        return Ok(());
    }
    let flipped = key
        .filter(allocation::Entity::update_many())
        .col_expr(allocation::Column::AlertSent, Expr::value(alert))
        .filter(allocation::Column::AlertSent.eq(!alert))
        .exec(db)
        .await?;
    if !alert || flipped.rows_affected != 1 {
        return Ok(());
    }
    let country = countries::find(db, &key.country_code).await?;
    let officers: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Email)
        .filter(user::Column::Role.eq(Role::ProgramOfficer.as_str()))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let email = AllocationThreshold {
        country: format!("{} ({})", country.name, country.code),
        country_code: country.code,
        program: key.program.as_str().to_owned(),
        fiscal_year: key.fiscal_year,
        allocated: Cents(a.allocated_cents).to_string(),
        committed: Cents(a.committed_cents).to_string(),
        available: Cents(a.allocated_cents - a.committed_cents).to_string(),
        percent_committed: basis_points(a.committed_cents, a.allocated_cents)
            .map(percent)
            .unwrap_or_default(),
    };
    mail::enqueue(db, config, officers, &email).await?;
    Ok(())
}
