//! The alert to officers when an allocation crosses 90% committed.
use super::*;

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
