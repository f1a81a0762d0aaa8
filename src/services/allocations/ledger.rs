//! Committing and releasing money with guarded updates, the frozen flag a suspension sets, and the alert at 90% committed.
use super::*;

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
/// in effect on `today` for its program; each freeze and unfreeze is
/// audited as done by `actor` (`None`: the daily job).
pub async fn refresh_frozen<C: ConnectionTrait>(
    db: &C,
    country: &str,
    actor: Option<i32>,
    today: NaiveDate,
) -> AppResult<()> {
    let history = suspensions::history(db, country).await?;
    for program in [Program::Imet, Program::Fmf] {
        let frozen = frozen_by(&history, program, today);
        let changing = allocation::Entity::find()
            .filter(allocation::Column::CountryCode.eq(country))
            .filter(allocation::Column::Program.eq(program.as_str()))
            .filter(allocation::Column::Frozen.ne(frozen))
            .all(db)
            .await?;
        for a in changing {
            let changed = allocation::Entity::update_many()
                .col_expr(allocation::Column::Frozen, Expr::value(frozen))
                .filter(allocation::Column::Id.eq(a.id))
                .filter(allocation::Column::Frozen.ne(frozen))
                .exec(db)
                .await?;
            if changed.rows_affected == 0 {
                continue;
            }
            let action = if frozen {
                "allocation.freeze"
            } else {
                "allocation.unfreeze"
            };
            let key = AllocationKey {
                country_code: a.country_code.clone(),
                program: a.program,
                fiscal_year: a.fiscal_year,
            };
            let after = allocation::Model {
                frozen,
                ..a.clone()
            };
            audit::record(
                db,
                Change::new(actor, action, "allocation", key)
                    .before(snapshot(&AllocationView::from(a)))
                    .after(snapshot(&AllocationView::from(after))),
            )
            .await?;
        }
    }
    Ok(())
}

/// Whether a suspension in `history` freezes `program` on `today`.
pub(super) fn frozen_by(
    history: &[suspensions::Suspension],
    program: Program,
    today: NaiveDate,
) -> bool {
    history.iter().any(|s| s.terms.blocks(program, today))
}

/// Reads the allocation, locking its row until the transaction ends on
/// PostgreSQL (SQLite's write transactions hold the database lock already).
pub(super) async fn find_for_update<C: ConnectionTrait>(
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
pub(super) async fn insert_if_missing<C: ConnectionTrait>(
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

pub(super) async fn view<C: ConnectionTrait>(
    db: &C,
    key: &AllocationKey,
) -> AppResult<AllocationView> {
    find(db, key)
        .await?
        .map(AllocationView::from)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("allocation {key} vanished")))
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
