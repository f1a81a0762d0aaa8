//! Country suspensions ("frozen, not canceled"): imposed and lifted by
//! program officers and admins, append-only, and the eligibility answers
//! computed from them for any program and date.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db::audit::{self, Change, snapshot},
    domain::actor::Actor,
    domain::{
        program::Program,
        role::Role,
        suspension::{Coverage, LegalBasis, LiftError, SuspensionTerms, check_lift},
        text::non_blank,
    },
    entities::{country, suspension},
    error::{AppError, AppResult, ConflictCode},
    mail::{
        self,
        templates::{AffectedNomination, SuspensionChanged},
    },
    services::Context,
    services::{countries, nominations},
};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SuspensionView {
    pub id: i32,
    pub country_code: String,
    /// Program codes, or `["ALL"]`.
    pub programs: Vec<String>,
    /// With `ALL`: the programs it does not cover.
    pub exempt_programs: Vec<String>,
    pub legal_basis: LegalBasis,
    pub reason: String,
    pub effective_from: NaiveDate,
    pub lifted_on: Option<NaiveDate>,
    pub lift_reason: Option<String>,
    pub created_by: i32,
    pub created_at: DateTime<Utc>,
    pub lifted_by: Option<i32>,
    pub lifted_at: Option<DateTime<Utc>>,
    /// In effect today (UTC).
    pub in_effect: bool,
}

/// A stored suspension with its parsed terms.
#[derive(Clone, Debug)]
pub struct Suspension {
    pub row: suspension::Model,
    pub terms: SuspensionTerms,
}

impl Suspension {
    fn from_row(row: suspension::Model) -> AppResult<Self> {
        let list = |v: &serde_json::Value| -> Vec<String> {
            serde_json::from_value(v.clone()).unwrap_or_default()
        };
        let coverage = Coverage::parse(&list(&row.programs), &list(&row.exempt_programs)).map_err(
            |(field, e)| anyhow::anyhow!("stored suspension {} has bad {field}: {e}", row.id),
        )?;
        let terms = SuspensionTerms {
            coverage,
            effective_from: row.effective_from,
            lifted_on: row.lifted_on,
        };
        Ok(Self { row, terms })
    }

    pub fn view(&self, today: NaiveDate) -> SuspensionView {
        let r = &self.row;
        SuspensionView {
            id: r.id,
            country_code: r.country_code.clone(),
            programs: self.terms.coverage.program_names(),
            exempt_programs: self.terms.coverage.exempt_names(),
            legal_basis: r.legal_basis,
            reason: r.reason.clone(),
            effective_from: r.effective_from,
            lifted_on: r.lifted_on,
            lift_reason: r.lift_reason.clone(),
            created_by: r.created_by,
            created_at: r.created_at,
            lifted_by: r.lifted_by,
            lifted_at: r.lifted_at,
            in_effect: self.terms.in_effect_on(today),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewSuspension {
    /// Program codes (`IMET`, `E-IMET`, `FMF`, `CSF`) or `["ALL"]`.
    pub programs: Vec<String>,
    /// Only with `["ALL"]`.
    #[serde(default)]
    pub exempt_programs: Vec<String>,
    pub legal_basis: LegalBasis,
    #[validate(length(max = 4000), custom(function = "non_blank"))]
    pub reason: String,
    pub effective_from: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LiftRequest {
    pub lifted_on: NaiveDate,
    #[validate(length(max = 4000), custom(function = "non_blank"))]
    pub reason: String,
}

/// Every suspension of a country, oldest first.
pub async fn history<C: ConnectionTrait>(db: &C, country: &str) -> AppResult<Vec<Suspension>> {
    suspension::Entity::find()
        .filter(suspension::Column::CountryCode.eq(country))
        .order_by_asc(suspension::Column::EffectiveFrom)
        .order_by_asc(suspension::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Suspension::from_row)
        .collect()
}

/// The suspensions blocking `program` for `country` on `day`; eligible when empty.
pub async fn blocking<C: ConnectionTrait>(
    db: &C,
    country: &str,
    program: Program,
    day: NaiveDate,
) -> AppResult<Vec<Suspension>> {
    Ok(history(db, country)
        .await?
        .into_iter()
        .filter(|s| s.terms.blocks(program, day))
        .collect())
}

/// Eligibility of one program on one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Eligibility {
    pub country_code: String,
    pub program: Program,
    pub on: NaiveDate,
    pub eligible: bool,
    pub blocking: Vec<SuspensionView>,
}

pub async fn eligibility<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    country: &str,
    program: Program,
    on: NaiveDate,
) -> AppResult<Eligibility> {
    let country = countries::get_visible(db, caller, country).await?;
    let blocking: Vec<_> = blocking(db, &country.code, program, on)
        .await?
        .iter()
        .map(|s| s.view(on))
        .collect();
    Ok(Eligibility {
        country_code: country.code,
        program,
        on,
        eligible: blocking.is_empty(),
        blocking,
    })
}

/// Status of one program today, for the country page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramStatus {
    pub program: Program,
    pub eligible: bool,
    /// Ids of the suspensions in effect today for this program.
    pub blocking: Vec<i32>,
}

/// Today's status per program, from a country's history.
pub fn status_on(history: &[Suspension], today: NaiveDate) -> Vec<ProgramStatus> {
    Program::ALL
        .into_iter()
        .map(|program| {
            let blocking: Vec<i32> = history
                .iter()
                .filter(|s| s.terms.blocks(program, today))
                .map(|s| s.row.id)
                .collect();
            ProgramStatus {
                program,
                eligible: blocking.is_empty(),
                blocking,
            }
        })
        .collect()
}

/// Imposes a suspension on a country.
pub async fn impose(
    state: &Context,
    actor: &Actor,
    country: &str,
    new: NewSuspension,
) -> AppResult<SuspensionView> {
    let coverage = Coverage::parse(&new.programs, &new.exempt_programs)
        .map_err(|(field, e)| AppError::field(field, e))?;
    let txn = state.begin().await?;
    let country = countries::find(&txn, country).await?;
    let created = suspension::ActiveModel {
        country_code: Set(country.code.clone()),
        programs: Set(serde_json::json!(coverage.program_names())),
        exempt_programs: Set(serde_json::json!(coverage.exempt_names())),
        legal_basis: Set(new.legal_basis),
        reason: Set(new.reason.trim().to_owned()),
        effective_from: Set(new.effective_from),
        lifted_on: Set(None),
        lift_reason: Set(None),
        created_by: Set(actor.id),
        created_at: Set(state.clock.now()),
        lifted_by: Set(None),
        lifted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let view = Suspension::from_row(created)?.view(state.clock.today());
    audit::record(
        &txn,
        Change::new(Some(actor.id), "suspension.impose", "suspension", view.id)
            .after(snapshot(&view)),
    )
    .await?;
    announce(&txn, state, actor, &country, &view, "imposed").await?;
    state.commit(txn).await?;
    Ok(view)
}

/// Applies what a suspension change makes due today to the country's
/// nominations and allocations, and emails the country's liaisons and the
/// program officers, listing the nominations it affected.
async fn announce(
    txn: &DatabaseTransaction,
    state: &Context,
    actor: &Actor,
    country: &country::Model,
    view: &SuspensionView,
    change: &str,
) -> AppResult<()> {
    let today = state.clock.today();
    let affected =
        nominations::apply_suspensions(txn, state, &country.code, Some(actor.id), today).await?;
    notify(txn, state, country, view, change, affected).await
}

/// Emails a country's liaisons and the program officers that `view`
/// changed (`imposed`, `lifted`, `took effect`, `ended`), listing the
/// nominations it put on hold or released.
pub async fn notify(
    txn: &DatabaseTransaction,
    state: &Context,
    country: &country::Model,
    view: &SuspensionView,
    change: &str,
    affected: Vec<AffectedNomination>,
) -> AppResult<()> {
    let programs = if view.programs == ["ALL"] && !view.exempt_programs.is_empty() {
        format!("ALL except {}", view.exempt_programs.join(", "))
    } else {
        view.programs.join(", ")
    };
    let email = SuspensionChanged {
        country: format!("{} ({})", country.name, country.code),
        country_code: country.code.clone(),
        change: change.to_owned(),
        programs,
        legal_basis: view.legal_basis.label().to_owned(),
        reason: view.reason.clone(),
        effective_from: view.effective_from,
        lifted_on: view.lifted_on,
        affected,
    };
    let mut recipients =
        nominations::role_emails(txn, Role::CountryLiaison, Some(&country.code)).await?;
    recipients.extend(nominations::role_emails(txn, Role::ProgramOfficer, None).await?);
    mail::enqueue(txn, &state.config, recipients, &email).await
}

/// Lifts a suspension, once, on a day not before it began.
pub async fn lift(
    state: &Context,
    actor: &Actor,
    country: &str,
    id: i32,
    request: LiftRequest,
) -> AppResult<SuspensionView> {
    let txn = state.begin().await?;
    let country = countries::find(&txn, country).await?;
    let row = suspension::Entity::find_by_id(id)
        .filter(suspension::Column::CountryCode.eq(&country.code))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Suspension"))?;
    let current = Suspension::from_row(row.clone())?;
    match check_lift(&current.terms, request.lifted_on) {
        Err(LiftError::AlreadyLifted) => {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                format!(
                    "Suspension {id} was already lifted on {}.",
                    row.lifted_on.unwrap_or_default()
                ),
            ));
        }
        Err(LiftError::BeforeEffective) => {
            return Err(AppError::field(
                "lifted_on",
                format!(
                    "must be on or after the effective date {}",
                    row.effective_from
                ),
            ));
        }
        Ok(()) => {}
    }
    let before = current.view(state.clock.today());
    // Conditional on `lifted_on IS NULL`, so two concurrent lifts cannot both succeed.
    let lifted = suspension::Entity::update_many()
        .col_expr(suspension::Column::LiftedOn, Expr::value(request.lifted_on))
        .col_expr(
            suspension::Column::LiftReason,
            Expr::value(request.reason.trim()),
        )
        .col_expr(suspension::Column::LiftedBy, Expr::value(actor.id))
        .col_expr(suspension::Column::LiftedAt, Expr::value(state.clock.now()))
        .filter(suspension::Column::Id.eq(id))
        .filter(suspension::Column::LiftedOn.is_null())
        .exec(&txn)
        .await?;
    if lifted.rows_affected != 1 {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!("Suspension {id} was already lifted."),
        ));
    }
    let row = suspension::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Suspension"))?;
    let view = Suspension::from_row(row)?.view(state.clock.today());
    audit::record(
        &txn,
        Change::new(Some(actor.id), "suspension.lift", "suspension", id)
            .before(snapshot(&before))
            .after(snapshot(&view)),
    )
    .await?;
    announce(&txn, state, actor, &country, &view, "lifted").await?;
    state.commit(txn).await?;
    Ok(view)
}

/// Applies, as of `day`, every country's suspensions that took effect or
/// were lifted: holds and releases in one transaction per country, each
/// announced by email. Answers how many nominations changed; idempotent.
pub async fn apply_due(ctx: &Context, day: NaiveDate) -> AppResult<usize> {
    let countries: Vec<String> = suspension::Entity::find()
        .select_only()
        .column(suspension::Column::CountryCode)
        .distinct()
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let mut changed = 0;
    for code in countries {
        let txn = ctx.begin().await?;
        let affected = nominations::apply_suspensions(&txn, ctx, &code, None, day).await?;
        if !affected.is_empty() {
            changed += affected.len();
            announce_due(&txn, ctx, &code, day, affected).await?;
        }
        txn.commit().await?;
    }
    if changed > 0 {
        ctx.mailer.wake();
    }
    Ok(changed)
}

/// Emails what a suspension falling due on `day` changed: the one that took
/// effect or ended that day (else the country's latest).
async fn announce_due(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Context,
    code: &str,
    day: NaiveDate,
    affected: Vec<AffectedNomination>,
) -> AppResult<()> {
    let history = history(txn, code).await?;
    let (suspension, change) = history
        .iter()
        .rev()
        .find_map(|s| {
            if s.row.lifted_on == Some(day) {
                Some((s, "ended"))
            } else if s.row.effective_from == day {
                Some((s, "took effect"))
            } else {
                None
            }
        })
        .or_else(|| history.last().map(|s| (s, "applied")))
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "holds changed in {code} without a suspension"
            ))
        })?;
    let country = countries::find(txn, code).await?;
    notify(txn, ctx, &country, &suspension.view(day), change, affected).await
}
