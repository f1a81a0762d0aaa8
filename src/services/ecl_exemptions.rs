//! ECL exemptions (SPEC §7): admins keep, per fiscal year, the countries
//! exempt from ECL testing, each with a note; everyone reads the list, a
//! liaison their own country's rows. The english check asks [`exempt`]
//! whether a student's country is exempt in the fiscal year of the class.
//! Removing an exemption marks its row removed (nothing is hard-deleted);
//! every change is audited in its transaction.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TryInsertResult, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::{actor::Actor, text::non_blank},
    entities::{country, ecl_exemption},
    error::{AppError, AppResult},
    services::{Context, allocations::check_fiscal_year, countries},
};

/// The longest note, in characters.
pub const MAX_NOTE: u64 = 500;

/// The body of `PUT /ecl-exemptions/{fiscal_year}/{country}`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ExemptionNote {
    /// Why the country is exempt, e.g. "The armed forces train in English";
    /// required, at most 500 characters, one line.
    #[validate(
        length(max = MAX_NOTE, message = "must be at most 500 characters"),
        custom(function = "non_blank")
    )]
    pub note: String,
}

/// A country exempt from ECL testing in a fiscal year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EclExemptionView {
    /// The fiscal year of the classes it covers (by their start date).
    pub fiscal_year: i32,
    pub country_code: String,
    pub country_name: String,
    pub note: String,
    /// Who put the country on the year's list, and when.
    pub created_by: i32,
    pub created_at: DateTime<Utc>,
    /// Who last set the note, and when.
    pub updated_by: i32,
    pub updated_at: DateTime<Utc>,
}

fn view(row: ecl_exemption::Model, country: &country::Model) -> EclExemptionView {
    EclExemptionView {
        fiscal_year: row.fiscal_year,
        country_code: row.country_code,
        country_name: country.name.clone(),
        note: row.note,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
    }
}

/// The exemption's id in the audit log, as its path names it: "2027/PH".
fn audit_id(fiscal_year: i32, country_code: &str) -> String {
    format!("{fiscal_year}/{country_code}")
}

/// Whether `country_code` is exempt from ECL testing in `fiscal_year`: one
/// lookup by primary key, for the english check.
pub async fn exempt<C: ConnectionTrait>(
    db: &C,
    fiscal_year: i32,
    country_code: &str,
) -> AppResult<bool> {
    let found = ecl_exemption::Entity::find_by_id((fiscal_year, country_code.to_owned()))
        .select_only()
        .column(ecl_exemption::Column::FiscalYear)
        .filter(ecl_exemption::Column::RemovedAt.is_null())
        .into_tuple::<i32>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Exemptions in force, by fiscal year and country code, optionally of one
/// fiscal year; a liaison's list holds only their country.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    fiscal_year: Option<i32>,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<EclExemptionView>> {
    let mut query = ecl_exemption::Entity::find()
        .find_also_related(country::Entity)
        .filter(ecl_exemption::Column::RemovedAt.is_null())
        .order_by_asc(ecl_exemption::Column::FiscalYear)
        .order_by_asc(ecl_exemption::Column::CountryCode);
    if let Some(code) = caller.country_scope() {
        query = query.filter(ecl_exemption::Column::CountryCode.eq(code));
    }
    if let Some(fy) = fiscal_year {
        query = query.filter(ecl_exemption::Column::FiscalYear.eq(fy));
    }
    if let Some(cursor) = cursor {
        let invalid = || AppError::field("cursor", "is not a cursor returned by this list");
        let [fy, code] = cursor.parts() else {
            return Err(invalid());
        };
        let fy: i32 = fy.parse().map_err(|_| invalid())?;
        query = query.filter(
            Condition::any()
                .add(ecl_exemption::Column::FiscalYear.gt(fy))
                .add(
                    Condition::all()
                        .add(ecl_exemption::Column::FiscalYear.eq(fy))
                        .add(ecl_exemption::Column::CountryCode.gt(code.clone())),
                ),
        );
    }
    let views = query
        .limit(limit + 1)
        .all(db)
        .await?
        .into_iter()
        .map(|(row, country)| match country {
            Some(country) => Ok(view(row, &country)),
            None => Err(AppError::Internal(anyhow::anyhow!(
                "ECL exemption {} without its country",
                audit_id(row.fiscal_year, &row.country_code)
            ))),
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Page::from_rows(
        views,
        limit,
        |v| Cursor::new(vec![v.fiscal_year.to_string(), v.country_code.clone()]),
        |v| v,
    ))
}

/// The answer of a PUT: the exemption, and whether it is new.
pub struct PutOutcome {
    pub exemption: EclExemptionView,
    pub created: bool,
}

/// Exempts a country from ECL testing in a fiscal year with `request`'s
/// note, or sets the note of its exemption (admin). 404 for an unknown
/// country; 422 naming `fiscal_year` out of range.
pub async fn put(
    ctx: &Context,
    actor: &Actor,
    fiscal_year: i32,
    country_code: &str,
    request: ExemptionNote,
) -> AppResult<PutOutcome> {
    let fiscal_year = check_fiscal_year(fiscal_year)?;
    let note = request.note.trim().to_owned();
    let now = ctx.clock.now();
    let txn = ctx.begin().await?;
    let country = countries::find(&txn, country_code).await?;
    let code = country.code.as_str();
    let mut existing = find_for_update(&txn, fiscal_year, code).await?;
    let inserted = existing.is_none()
        && insert_if_missing(&txn, fiscal_year, code, &note, actor.id, now).await?;
    let (created, before) = if inserted {
        (true, None)
    } else {
        if existing.is_none() {
            // Put meanwhile by another request.
            existing = find_for_update(&txn, fiscal_year, code).await?;
        }
        let row = existing.ok_or_else(|| vanished(fiscal_year, code))?;
        // A removed exemption put back is new again.
        let restored = row.removed_at.is_some();
        let mut update = ecl_exemption::Entity::update_many()
            .col_expr(ecl_exemption::Column::Note, Expr::value(note.clone()))
            .col_expr(ecl_exemption::Column::UpdatedBy, Expr::value(actor.id))
            .col_expr(ecl_exemption::Column::UpdatedAt, Expr::value(now))
            .col_expr(ecl_exemption::Column::RemovedBy, Expr::value(None::<i32>))
            .col_expr(
                ecl_exemption::Column::RemovedAt,
                Expr::value(None::<DateTime<Utc>>),
            );
        if restored {
            update = update
                .col_expr(ecl_exemption::Column::CreatedBy, Expr::value(actor.id))
                .col_expr(ecl_exemption::Column::CreatedAt, Expr::value(now));
        }
        update
            .filter(ecl_exemption::Column::FiscalYear.eq(fiscal_year))
            .filter(ecl_exemption::Column::CountryCode.eq(code))
            .exec(&txn)
            .await?;
        (restored, (!restored).then(|| view(row, &country)))
    };
    let after = find_for_update(&txn, fiscal_year, code)
        .await?
        .map(|row| view(row, &country))
        .ok_or_else(|| vanished(fiscal_year, code))?;
    audit::record(
        &txn,
        Change::new(
            Some(actor.id),
            if created {
                "ecl_exemption.create"
            } else {
                "ecl_exemption.update"
            },
            "ecl_exemption",
            audit_id(fiscal_year, code),
        )
        .before(before.and_then(|b| snapshot(&b)))
        .after(snapshot(&after)),
    )
    .await?;
    ctx.commit(txn).await?;
    Ok(PutOutcome {
        exemption: after,
        created,
    })
}

/// Ends a country's exemption from ECL testing in a fiscal year (admin);
/// 404 when it has none. Answers the exemption as it was.
pub async fn delete(
    ctx: &Context,
    actor: &Actor,
    fiscal_year: i32,
    country_code: &str,
) -> AppResult<EclExemptionView> {
    let fiscal_year = check_fiscal_year(fiscal_year)?;
    let code = country_code.trim().to_ascii_uppercase();
    let now = ctx.clock.now();
    let txn = ctx.begin().await?;
    let row = find_for_update(&txn, fiscal_year, &code)
        .await?
        .filter(|row| row.removed_at.is_none())
        .ok_or_else(|| AppError::not_found("ECL exemption"))?;
    let country = countries::find(&txn, &code).await?;
    ecl_exemption::Entity::update_many()
        .col_expr(ecl_exemption::Column::RemovedBy, Expr::value(actor.id))
        .col_expr(ecl_exemption::Column::RemovedAt, Expr::value(now))
        .filter(ecl_exemption::Column::FiscalYear.eq(fiscal_year))
        .filter(ecl_exemption::Column::CountryCode.eq(&code))
        .exec(&txn)
        .await?;
    let before = view(row, &country);
    audit::record(
        &txn,
        Change::new(
            Some(actor.id),
            "ecl_exemption.delete",
            "ecl_exemption",
            audit_id(fiscal_year, &code),
        )
        .before(snapshot(&before)),
    )
    .await?;
    ctx.commit(txn).await?;
    Ok(before)
}

/// The row of a fiscal year and country, removed or not, locked for the
/// rest of the transaction on PostgreSQL (SQLite has one writer anyway).
async fn find_for_update<C: ConnectionTrait>(
    db: &C,
    fiscal_year: i32,
    country_code: &str,
) -> AppResult<Option<ecl_exemption::Model>> {
    Ok(
        ecl_exemption::Entity::find_by_id((fiscal_year, country_code.to_owned()))
            .lock_exclusive()
            .one(db)
            .await?,
    )
}

/// Inserts the exemption unless a row of its fiscal year and country
/// exists (then nothing changes). Returns whether it was inserted.
async fn insert_if_missing<C: ConnectionTrait>(
    db: &C,
    fiscal_year: i32,
    country_code: &str,
    note: &str,
    actor: i32,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let row = ecl_exemption::ActiveModel {
        fiscal_year: Set(fiscal_year),
        country_code: Set(country_code.to_owned()),
        note: Set(note.to_owned()),
        created_by: Set(actor),
        created_at: Set(now),
        updated_by: Set(actor),
        updated_at: Set(now),
        removed_by: Set(None),
        removed_at: Set(None),
    };
    let inserted = ecl_exemption::Entity::insert(row)
        .on_conflict_do_nothing_on([
            ecl_exemption::Column::FiscalYear,
            ecl_exemption::Column::CountryCode,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

fn vanished(fiscal_year: i32, country_code: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "ECL exemption {} vanished",
        audit_id(fiscal_year, country_code)
    ))
}
