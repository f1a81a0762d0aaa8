//! Annual training plans (SPEC §7): a country's liaison drafts one per
//! fiscal year, lines of courses and quantities by priority; a program
//! officer approves it when its priority-A lines fit each program's
//! allocation, or returns it. Nominations then fill its lines, and the plan
//! report shows plan against execution.
mod choices;
mod decide;
mod execution;
mod lines;
mod report;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db::audit::{self, Change, snapshot},
    domain::{
        actor::Actor,
        course::Category,
        fiscal_year::fiscal_year,
        nomination::Priority,
        plan::{self, LineFigures, PlanAction, PlanStatus},
        program::Program,
    },
    entities::{allocation, country, course, offering, plan_line, training_plan},
    error::{AppError, AppResult, ConflictCode},
    services::{Context, allocations},
};

pub use choices::*;
pub use decide::*;
pub use execution::*;
pub use lines::*;
pub use report::*;

/// A plan as `GET /plans/{id}` shows it: lines, totals per program and
/// priority, the ceiling per program and the PME share of the A total.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: i32,
    pub country_code: String,
    pub country_name: String,
    pub fiscal_year: i32,
    pub status: PlanStatus,
    /// Why the plan was returned (kept until it is submitted again).
    pub return_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub lines: Vec<LineView>,
    /// Students and cost per program and priority.
    pub totals: Vec<TotalView>,
    /// Each funding program's allocation against its priority-A total.
    pub ceilings: Vec<CeilingView>,
    pub pme_share: PmeShareView,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LineView {
    pub id: i32,
    pub masl_id: String,
    pub course_title: String,
    pub category: Category,
    /// The class the line is for, if it names one.
    pub offering_id: Option<i32>,
    pub class_start: Option<NaiveDate>,
    pub quantity: i32,
    pub priority: Priority,
    pub program: Program,
    pub unit_cost_cents: i64,
    /// `class` (the class's estimated cost per student) or `entered`.
    pub unit_cost_source: String,
    pub line_total_cents: i64,
    /// Nominations filling the line (active or completed).
    pub taken: i32,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TotalView {
    pub program: Program,
    pub priority: Priority,
    pub students: i64,
    pub total_cents: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CeilingView {
    pub program: Program,
    /// The program's allocation for the FY; `null` when none is set (a
    /// ceiling of 0).
    pub allocated_cents: Option<i64>,
    pub a_total_cents: i64,
    /// How far the A total exceeds the allocation (0 when it fits).
    pub excess_cents: i64,
    pub over: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PmeShareView {
    pub a_total_cents: i64,
    pub pme_cents: i64,
    /// The PME share of the A total in basis points; `null` without A lines.
    pub basis_points: Option<i64>,
    pub text: String,
    /// Below 50%.
    pub below_floor: bool,
}

/// A plan in the list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: i32,
    pub country_code: String,
    pub fiscal_year: i32,
    pub status: PlanStatus,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the plan list.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    /// A country code; a liaison sees their own country's plans only.
    pub country: Option<String>,
    #[validate(range(min = 2000, max = 2100, message = "must be between 2000 and 2100"))]
    pub fiscal_year: Option<i32>,
}

/// The plan `id` if the caller may see it: staff every plan, a liaison
/// their own country's (others 404).
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<training_plan::Model> {
    training_plan::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| caller.sees_country(&p.country_code))
        .ok_or_else(|| AppError::not_found("Plan"))
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    filter: &PlanFilter,
) -> AppResult<Vec<PlanSummary>> {
    let mut query = training_plan::Entity::find()
        .order_by_desc(training_plan::Column::FiscalYear)
        .order_by_asc(training_plan::Column::CountryCode);
    if let Some(code) = caller.country_scope() {
        query = query.filter(training_plan::Column::CountryCode.eq(code));
    }
    if let Some(code) = &filter.country {
        query =
            query.filter(training_plan::Column::CountryCode.eq(code.trim().to_ascii_uppercase()));
    }
    if let Some(fy) = filter.fiscal_year {
        query = query.filter(training_plan::Column::FiscalYear.eq(fy));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(|p| PlanSummary {
            id: p.id,
            country_code: p.country_code,
            fiscal_year: p.fiscal_year,
            status: p.status,
            updated_at: p.updated_at,
        })
        .collect())
}

pub async fn get<C: ConnectionTrait>(db: &C, caller: &Actor, id: i32) -> AppResult<PlanView> {
    let plan = find_visible(db, caller, id).await?;
    view(db, plan).await
}

/// A plan's lines with their courses and classes, in line order.
pub(super) struct PlanLines {
    pub(super) lines: Vec<plan_line::Model>,
    pub(super) courses: HashMap<i32, course::Model>,
    pub(super) classes: HashMap<i32, offering::Model>,
}

impl PlanLines {
    pub(super) async fn load<C: ConnectionTrait>(db: &C, plan_id: i32) -> AppResult<Self> {
        let lines = plan_line::Entity::find()
            .filter(plan_line::Column::PlanId.eq(plan_id))
            .order_by_asc(plan_line::Column::Id)
            .all(db)
            .await?;
        let course_ids: Vec<i32> = lines.iter().map(|l| l.course_id).collect();
        let class_ids: Vec<i32> = lines.iter().filter_map(|l| l.offering_id).collect();
        let courses = course::Entity::find()
            .filter(course::Column::Id.is_in(course_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let classes = offering::Entity::find()
            .filter(offering::Column::Id.is_in(class_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        Ok(Self {
            lines,
            courses,
            classes,
        })
    }

    pub(super) fn course(&self, line: &plan_line::Model) -> AppResult<&course::Model> {
        self.courses.get(&line.course_id).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("course of plan line {} missing", line.id))
        })
    }

    /// What the plan's sums are computed from.
    pub(super) fn figures(&self) -> AppResult<Vec<LineFigures>> {
        self.lines
            .iter()
            .map(|l| {
                Ok(LineFigures {
                    priority: l.priority,
                    program: l.program,
                    pme: self.course(l)?.category == Category::Pme,
                    quantity: l.quantity,
                    total_cents: line_total(l)?,
                })
            })
            .collect()
    }
}

pub(super) fn line_total(line: &plan_line::Model) -> AppResult<i64> {
    plan::line_total(line.quantity, line.unit_cost_cents).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("total of plan line {} overflows", line.id))
    })
}

/// The allocations of the plan's country and FY, per program.
pub(super) async fn ceilings_of<C: ConnectionTrait>(
    db: &C,
    plan: &training_plan::Model,
) -> AppResult<BTreeMap<Program, i64>> {
    Ok(allocation::Entity::find()
        .filter(allocation::Column::CountryCode.eq(&plan.country_code))
        .filter(allocation::Column::FiscalYear.eq(plan.fiscal_year))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.program, a.allocated_cents))
        .collect())
}

pub(super) async fn view<C: ConnectionTrait>(
    db: &C,
    plan: training_plan::Model,
) -> AppResult<PlanView> {
    let loaded = PlanLines::load(db, plan.id).await?;
    let figures = loaded.figures()?;
    let allocated = ceilings_of(db, &plan).await?;
    let country = crate::services::countries::find(db, &plan.country_code).await?;

    let mut lines = Vec::with_capacity(loaded.lines.len());
    for (line, f) in loaded.lines.iter().zip(&figures) {
        let course = loaded.course(line)?;
        lines.push(LineView {
            id: line.id,
            masl_id: course.masl_id.clone(),
            course_title: course.title.clone(),
            category: course.category,
            offering_id: line.offering_id,
            class_start: line
                .offering_id
                .and_then(|o| loaded.classes.get(&o))
                .map(|o| o.start_date),
            quantity: line.quantity,
            priority: line.priority,
            program: line.program,
            unit_cost_cents: line.unit_cost_cents,
            unit_cost_source: if line.offering_id.is_some() {
                "class"
            } else {
                "entered"
            }
            .into(),
            line_total_cents: f.total_cents,
            taken: line.taken,
        });
    }

    let mut totals: BTreeMap<(Program, Priority), (i64, i64)> = BTreeMap::new();
    for f in &figures {
        let entry = totals.entry((f.program, f.priority)).or_default();
        entry.0 += i64::from(f.quantity);
        entry.1 += f.total_cents;
    }
    let a_totals = plan::a_totals(&figures);
    let ceilings = Program::ALL
        .into_iter()
        .filter(|p| p.funds_enrollments())
        .map(|program| {
            let a_total_cents = a_totals.get(&program).copied().unwrap_or(0);
            let allocated_cents = allocated.get(&program).copied();
            let excess_cents = (a_total_cents - allocated_cents.unwrap_or(0)).max(0);
            CeilingView {
                program,
                allocated_cents,
                a_total_cents,
                excess_cents,
                over: excess_cents > 0,
            }
        })
        .collect();
    let share = plan::pme_share(&figures);
    Ok(PlanView {
        id: plan.id,
        country_code: plan.country_code,
        country_name: country.name,
        fiscal_year: plan.fiscal_year,
        status: plan.status,
        return_reason: plan.return_reason,
        submitted_at: plan.submitted_at,
        decided_at: plan.decided_at,
        lines,
        totals: totals
            .into_iter()
            .map(|((program, priority), (students, total_cents))| TotalView {
                program,
                priority,
                students,
                total_cents,
            })
            .collect(),
        ceilings,
        pme_share: PmeShareView {
            a_total_cents: share.a_total_cents,
            pme_cents: share.pme_cents,
            basis_points: share.basis_points,
            text: share.text,
            below_floor: share.below_floor,
        },
        created_at: plan.created_at,
        updated_at: plan.updated_at,
    })
}

/// The status `action` leads to: 409 `invalid_transition` when the plan's
/// status forbids it, else 403 when the caller's role may not take it.
pub(super) fn allowed(
    caller: &Actor,
    plan: &training_plan::Model,
    action: PlanAction,
) -> AppResult<PlanStatus> {
    let to = plan::plan_transition(plan.status, action).ok_or_else(|| {
        AppError::conflict(
            ConflictCode::InvalidTransition,
            match action {
                PlanAction::Edit => format!(
                    "Plan {} is {}; only a draft's lines can change.",
                    plan.id, plan.status
                ),
                _ => format!("A {} plan cannot be {}.", plan.status, action.past_tense()),
            },
        )
    })?;
    if plan::may_act(caller.role, action, plan.status) {
        Ok(to)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Moves the plan from the status it was read with to `to` (so two
/// concurrent changes cannot both win), touching `updated_at`; 409 when it
/// changed meanwhile. `extra` sets the other columns of the change.
pub(super) async fn guarded_update<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    plan: &training_plan::Model,
    to: PlanStatus,
    extra: impl FnOnce(
        sea_orm::UpdateMany<training_plan::Entity>,
    ) -> sea_orm::UpdateMany<training_plan::Entity>,
) -> AppResult<training_plan::Model> {
    let update = training_plan::Entity::update_many()
        .col_expr(training_plan::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            training_plan::Column::UpdatedAt,
            Expr::value(state.clock.now()),
        )
        .filter(training_plan::Column::Id.eq(plan.id))
        .filter(training_plan::Column::Status.eq(plan.status));
    extra(update)
        .exec_with_returning(db)
        .await?
        .pop()
        .ok_or_else(|| {
            AppError::conflict(
                ConflictCode::InvalidTransition,
                format!(
                    "Plan {} changed meanwhile; reload it and try again.",
                    plan.id
                ),
            )
        })
}

/// The audit record of a change to a plan.
pub(super) async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    plan_id: i32,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    audit::record(
        db,
        Change::new(Some(actor.id), action, "training_plan", plan_id)
            .before(before.and_then(|b| snapshot(&b)))
            .after(after.and_then(|a| snapshot(&a))),
    )
    .await?;
    Ok(())
}

/// What the audit log keeps of a plan's status.
pub(super) fn plan_snapshot(plan: &training_plan::Model) -> serde_json::Value {
    json!({"status": plan.status, "return_reason": plan.return_reason})
}
