//! Drafting a plan: creating it, and adding, changing and removing lines of
//! a draft. Each change takes the plan's row (a guarded update that still
//! finds it a draft) before it writes, so a concurrent submission waits or
//! wins, never half of each.
use super::*;

use crate::{
    domain::{
        cost::{Prices, estimated_cost},
        country_code::CountryCode,
        offering_status::OfferingStatus,
        plan::{MAX_QUANTITY, MAX_UNIT_COST_CENTS},
    },
    entities::nomination,
    services::courses::nullable,
};

/// `POST /plans`: a draft for a country and fiscal year.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewPlan {
    #[schema(example = "PK")]
    pub country_code: String,
    #[schema(example = 2027)]
    pub fiscal_year: i32,
}

/// A line to add to a draft.
#[derive(Clone, Debug, Deserialize, Validate, ToSchema)]
pub struct NewLine {
    /// The course's MASL id; the course must be active.
    #[schema(example = "B171807")]
    pub masl_id: String,
    /// A class of that course starting in the plan's FY; the line then
    /// costs the class's estimated cost per student.
    pub offering_id: Option<i32>,
    #[validate(range(min = 1, max = MAX_QUANTITY, message = "must be between 1 and 500"))]
    pub quantity: i32,
    pub priority: Priority,
    /// `IMET` or `FMF`.
    pub program: Program,
    /// The cost per student when no class is named.
    #[validate(range(min = 1, max = MAX_UNIT_COST_CENTS, message = "must be between 1 and 1000000000"))]
    pub unit_cost_cents: Option<i64>,
}

/// Changes to a line; absent fields stay as they are. `offering_id` and
/// `unit_cost_cents` may be set to `null`.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct LineChange {
    pub masl_id: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub offering_id: Option<Option<i32>>,
    #[validate(range(min = 1, max = MAX_QUANTITY, message = "must be between 1 and 500"))]
    pub quantity: Option<i32>,
    pub priority: Option<Priority>,
    pub program: Option<Program>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    #[validate(range(min = 1, max = MAX_UNIT_COST_CENTS, message = "must be between 1 and 1000000000"))]
    pub unit_cost_cents: Option<Option<i64>>,
}

/// A line's fields once its course and class are found and its unit cost known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ResolvedLine {
    pub course_id: i32,
    pub offering_id: Option<i32>,
    pub quantity: i32,
    pub priority: Priority,
    pub program: Program,
    pub unit_cost_cents: i64,
}

impl ResolvedLine {
    /// The columns a line's fields are stored in, changed at `now`.
    fn stored(&self, now: DateTime<Utc>) -> plan_line::ActiveModel {
        plan_line::ActiveModel {
            course_id: Set(self.course_id),
            offering_id: Set(self.offering_id),
            quantity: Set(self.quantity),
            priority: Set(self.priority),
            program: Set(self.program),
            unit_cost_cents: Set(self.unit_cost_cents),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

pub async fn create(state: &Context, caller: &Actor, new: NewPlan) -> AppResult<PlanView> {
    let code =
        CountryCode::parse(&new.country_code).map_err(|e| AppError::field("country_code", e))?;
    let fiscal_year = allocations::check_fiscal_year(new.fiscal_year)?;
    if !plan::may_act(caller.role, PlanAction::Edit, PlanStatus::Draft) {
        return Err(AppError::Forbidden);
    }
    if !caller.sees_country(code.as_str()) {
        return Err(AppError::field("country_code", "must be your own country"));
    }
    let txn = state.begin().await?;
    let country = country::Entity::find_by_id(code.as_str())
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::field("country_code", format!("no country {code}")))?;
    let existing = training_plan::Entity::find()
        .filter(training_plan::Column::CountryCode.eq(&country.code))
        .filter(training_plan::Column::FiscalYear.eq(fiscal_year))
        .one(&txn)
        .await?;
    if let Some(plan) = existing {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!(
                "{} already has a FY{fiscal_year} plan (plan {}).",
                country.code, plan.id
            ),
        ));
    }
    let now = state.clock.now();
    let plan = training_plan::ActiveModel {
        country_code: Set(country.code.clone()),
        fiscal_year: Set(fiscal_year),
        status: Set(PlanStatus::Draft),
        return_reason: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        created_by: Set(caller.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        caller,
        "training_plan.create",
        plan.id,
        None,
        Some(json!({"country_code": plan.country_code, "fiscal_year": fiscal_year, "status": plan.status})),
    )
    .await?;
    let view = view(&txn, plan).await?;
    state.commit(txn).await?;
    Ok(view)
}

pub async fn add_line(
    state: &Context,
    caller: &Actor,
    plan_id: i32,
    new: NewLine,
) -> AppResult<LineView> {
    let txn = state.begin().await?;
    let plan = lock_draft(&txn, state, caller, plan_id).await?;
    let resolved = resolve(&txn, &plan, new).await?;
    let now = state.clock.now();
    let line = plan_line::ActiveModel {
        plan_id: Set(plan.id),
        taken: Set(0),
        created_at: Set(now),
        ..resolved.stored(now)
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        caller,
        "training_plan.line_add",
        plan.id,
        None,
        Some(line_snapshot(&line)),
    )
    .await?;
    let view = line_view(&txn, plan.id, line.id).await?;
    state.commit(txn).await?;
    Ok(view)
}

pub async fn change_line(
    state: &Context,
    caller: &Actor,
    plan_id: i32,
    line_id: i32,
    change: LineChange,
) -> AppResult<LineView> {
    let txn = state.begin().await?;
    let plan = lock_draft(&txn, state, caller, plan_id).await?;
    let before = find_line(&txn, plan.id, line_id).await?;
    let course = course::Entity::find_by_id(before.course_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("course of line {line_id} missing")))?;
    let offering_id = change.offering_id.unwrap_or(before.offering_id);
    let merged = NewLine {
        masl_id: change.masl_id.unwrap_or(course.masl_id),
        offering_id,
        quantity: change.quantity.unwrap_or(before.quantity),
        priority: change.priority.unwrap_or(before.priority),
        program: change.program.unwrap_or(before.program),
        // A class names the unit cost; without one, the entered cost stays
        // unless changed.
        unit_cost_cents: match change.unit_cost_cents {
            Some(cost) => cost,
            None if offering_id.is_none() && before.offering_id.is_none() => {
                Some(before.unit_cost_cents)
            }
            None => None,
        },
    };
    let resolved = resolve(&txn, &plan, merged).await?;
    keeps_its_nominations(&before, &resolved)?;
    let after = plan_line::ActiveModel {
        id: Set(before.id),
        ..resolved.stored(state.clock.now())
    }
    .update(&txn)
    .await?;
    record(
        &txn,
        caller,
        "training_plan.line_change",
        plan.id,
        Some(line_snapshot(&before)),
        Some(line_snapshot(&after)),
    )
    .await?;
    let view = line_view(&txn, plan.id, after.id).await?;
    state.commit(txn).await?;
    Ok(view)
}

pub async fn remove_line(
    state: &Context,
    caller: &Actor,
    plan_id: i32,
    line_id: i32,
) -> AppResult<()> {
    let txn = state.begin().await?;
    let plan = lock_draft(&txn, state, caller, plan_id).await?;
    let line = find_line(&txn, plan.id, line_id).await?;
    if line.taken > 0 {
        return Err(AppError::conflict(
            ConflictCode::HasActiveNominations,
            format!(
                "{} nominations fill line {line_id}; withdraw them before removing it.",
                line.taken
            ),
        ));
    }
    // Withdrawn and rejected nominations named the line; they become unplanned.
    nomination::Entity::update_many()
        .col_expr(
            nomination::Column::PlanLineId,
            Expr::value(Option::<i32>::None),
        )
        .filter(nomination::Column::PlanLineId.eq(line.id))
        .exec(&txn)
        .await?;
    plan_line::Entity::delete_by_id(line.id).exec(&txn).await?;
    record(
        &txn,
        caller,
        "training_plan.line_remove",
        plan.id,
        Some(line_snapshot(&line)),
        None,
    )
    .await?;
    state.commit(txn).await?;
    Ok(())
}

/// The plan, if the caller may edit its lines: a draft of their country
/// (another country's is 404). Takes the plan's row for the transaction.
async fn lock_draft<C: ConnectionTrait>(
    txn: &C,
    state: &Context,
    caller: &Actor,
    plan_id: i32,
) -> AppResult<training_plan::Model> {
    let plan = find_visible(txn, caller, plan_id).await?;
    let to = allowed(caller, &plan, PlanAction::Edit)?;
    guarded_update(txn, state, &plan, to, |u| u).await
}

async fn find_line<C: ConnectionTrait>(
    db: &C,
    plan_id: i32,
    line_id: i32,
) -> AppResult<plan_line::Model> {
    plan_line::Entity::find_by_id(line_id)
        .one(db)
        .await?
        .filter(|l| l.plan_id == plan_id)
        .ok_or_else(|| AppError::not_found("Plan line"))
}

async fn line_view<C: ConnectionTrait>(db: &C, plan_id: i32, line_id: i32) -> AppResult<LineView> {
    let plan = training_plan::Entity::find_by_id(plan_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Plan"))?;
    view(db, plan)
        .await?
        .lines
        .into_iter()
        .find(|l| l.id == line_id)
        .ok_or_else(|| AppError::not_found("Plan line"))
}

fn line_snapshot(line: &plan_line::Model) -> serde_json::Value {
    json!({
        "line_id": line.id,
        "course_id": line.course_id,
        "offering_id": line.offering_id,
        "quantity": line.quantity,
        "priority": line.priority,
        "program": line.program,
        "unit_cost_cents": line.unit_cost_cents,
    })
}

/// A line with nominations on it keeps what they were made for, and at
/// least their number of places.
fn keeps_its_nominations(before: &plan_line::Model, after: &ResolvedLine) -> AppResult<()> {
    if before.taken == 0 {
        return Ok(());
    }
    let refuse = |field: &str, what: &str| {
        Err(AppError::field(
            field,
            format!(
                "{} nominations fill this line; its {what} cannot change",
                before.taken
            ),
        ))
    };
    if after.course_id != before.course_id {
        return refuse("masl_id", "course");
    }
    if after.offering_id != before.offering_id {
        return refuse("offering_id", "class");
    }
    if after.program != before.program {
        return refuse("program", "program");
    }
    if after.quantity < before.taken {
        return Err(AppError::field(
            "quantity",
            format!(
                "must be at least {}, the nominations filling this line",
                before.taken
            ),
        ));
    }
    Ok(())
}

/// Finds the line's course and class and its unit cost: 422 naming the
/// field when the course is missing or archived, the class isn't one of
/// the course's in the plan's FY, or the unit cost is missing or not
/// wanted.
pub(super) async fn resolve<C: ConnectionTrait>(
    db: &C,
    plan: &training_plan::Model,
    line: NewLine,
) -> AppResult<ResolvedLine> {
    line.validate()?;
    if !line.program.funds_enrollments() {
        return Err(AppError::field("program", "must be IMET or FMF"));
    }
    let course = crate::services::courses::find(db, &line.masl_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => {
                AppError::field("masl_id", format!("no course {}", line.masl_id.trim()))
            }
            other => other,
        })?;
    if !course.active {
        return Err(AppError::field(
            "masl_id",
            format!("course {} is archived", course.masl_id),
        ));
    }
    let unit_cost_cents = match line.offering_id {
        Some(id) => {
            let class = offering::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::field("offering_id", format!("no class {id}")))?;
            if class.course_id != course.id {
                return Err(AppError::field(
                    "offering_id",
                    format!("class {id} is not a class of {}", course.masl_id),
                ));
            }
            let class_fy = fiscal_year(class.start_date);
            if class_fy != plan.fiscal_year {
                return Err(AppError::field(
                    "offering_id",
                    format!(
                        "class {id} starts in FY{class_fy}, not FY{}",
                        plan.fiscal_year
                    ),
                ));
            }
            if class.status == OfferingStatus::Cancelled {
                return Err(AppError::field(
                    "offering_id",
                    format!("class {id} is cancelled"),
                ));
            }
            if line.unit_cost_cents.is_some() {
                return Err(AppError::field(
                    "unit_cost_cents",
                    "a line naming a class costs the class's estimate; leave it out",
                ));
            }
            class_unit_cost(db, plan, &class).await?
        }
        None => line.unit_cost_cents.ok_or_else(|| {
            AppError::field("unit_cost_cents", "is required when no class is named")
        })?,
    };
    if plan::line_total(line.quantity, unit_cost_cents).is_none() {
        return Err(AppError::field(
            "quantity",
            "the line's total is out of range",
        ));
    }
    Ok(ResolvedLine {
        course_id: course.id,
        offering_id: line.offering_id,
        quantity: line.quantity,
        priority: line.priority,
        program: line.program,
        unit_cost_cents,
    })
}

/// The class's estimated cost per student for the plan's country: tuition,
/// the country's travel estimate, and living allowance for its days.
pub(super) async fn class_unit_cost<C: ConnectionTrait>(
    db: &C,
    plan: &training_plan::Model,
    class: &offering::Model,
) -> AppResult<i64> {
    let country = crate::services::countries::find(db, &plan.country_code).await?;
    let prices = Prices {
        tuition_cents: class.tuition_cents,
        travel_cents: country.travel_estimate_cents,
        living_allowance_per_day_cents: class.living_allowance_per_day_cents,
    };
    estimated_cost(prices, class.start_date, class.end_date).ok_or_else(|| {
        AppError::field(
            "offering_id",
            format!("the cost of class {} is out of range", class.id),
        )
    })
}
