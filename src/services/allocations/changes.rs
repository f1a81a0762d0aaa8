//! What officers change: an allocation's amount (never below what is committed), and transfers between two countries' allocations, both rows guarded.
use super::*;

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
    let txn = state.begin().await?;
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
        Change::new(
            Some(actor.id),
            if created {
                "allocation.create"
            } else {
                "allocation.set"
            },
            "allocation",
            key,
        )
        .before(before.map(AllocationView::from).and_then(|b| snapshot(&b)))
        .after(snapshot(&allocation)),
    )
    .await?;
    state.commit(txn).await?;
    Ok(SetOutcome {
        allocation,
        created,
    })
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
pub(super) async fn named_country<C: ConnectionTrait>(
    db: &C,
    field: &str,
    code: &str,
) -> AppResult<String> {
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
    let txn = state.begin().await?;
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
            Change::new(Some(actor.id), action, "allocation", key)
                .before(snapshot(&AllocationView::from(before)))
                .after(snapshot(after)),
        )
        .await?;
    }
    audit::record(
        &txn,
        Change::new(
            Some(actor.id),
            "allocation_transfer.create",
            "allocation_transfer",
            outcome.transfer.id,
        )
        .after(snapshot(&outcome)),
    )
    .await?;
    state.commit(txn).await?;
    Ok(outcome)
}

pub(super) fn ordered<'a>(a: &'a AllocationKey, b: &'a AllocationKey) -> [&'a AllocationKey; 2] {
    if a.country_code <= b.country_code {
        [a, b]
    } else {
        [b, a]
    }
}

pub(super) fn frozen_conflict(key: &AllocationKey, direction: &str) -> AppError {
    AppError::conflict(
        ConflictCode::Frozen,
        format!(
            "The {} {} allocation for FY{} is frozen by a suspension; nothing can be \
             transferred {direction} it.",
            key.country_code, key.program, key.fiscal_year
        ),
    )
}
