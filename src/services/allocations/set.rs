//! An officer sets an allocation's amount, never below what is committed.
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
