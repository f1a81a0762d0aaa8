//! Nominations: the workflow from draft to completion, and the approval
//! transaction that commits money and takes a seat. Every change of status
//! goes through [`transition`] of the domain state machine, writes the
//! nomination's history and the audit log, and queues its emails, all in the
//! transaction of the change.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    api::extract::CurrentUser,
    app::AppState,
    db,
    domain::{
        checks::{Check, CheckName, unmet_for_approval},
        cost::{Prices, Withdrawal, WithdrawalCause, estimated_cost, withdrawal_penalty},
        fiscal_year::fiscal_year,
        nomination::{Action, Priority, Status, transition, waitlist_key},
        offering_status::OfferingStatus,
        proficiency::{EnglishMinimums, LatestScores, Windows, english_check},
        program::{Program, dependencies},
        role::Role,
        student::{Grade, audience_admits},
        text::non_blank,
        training::prerequisites_met,
        vetting::{Vetting, vetting_valid_for},
    },
    entities::{
        country, nomination, nomination_event, offering, prior_training, student, user, waiver,
    },
    error::{AppError, AppResult, ConflictCode},
    mail::{
        self,
        templates::{
            NominationDecision, NominationFacts, NominationSubmitted, NominationWithdrawn,
            WaitlistPromoted,
        },
    },
    services::{
        allocations::{self, AllocationKey},
        audit::{self, Change, snapshot},
        courses::{self, CourseView},
        idempotency,
        pagination::{Cursor, Page},
        students,
        suspensions::{self, Suspension},
    },
    web::format::dollars,
};

/// A nomination as the API shows it: always with its checks.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NominationView {
    pub id: i32,
    pub student_id: i32,
    pub student_name: String,
    pub country_code: String,
    pub offering_id: i32,
    pub course_masl_id: String,
    pub course_title: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub program: Program,
    pub priority: Priority,
    pub status: Status,
    /// The status an `on_hold` nomination returns to.
    pub held_from: Option<Status>,
    pub fiscal_year: i32,
    /// Tuition + travel + days × living allowance; fixed at approval.
    pub estimated_cost_cents: i64,
    /// Cents committed to the allocation now.
    pub committed_cents: i64,
    /// Late-cancellation penalty kept committed after a withdrawal.
    pub penalty_cents: i64,
    /// Reason of a rejection or withdrawal.
    pub reason: Option<String>,
    /// `liaison`, `program`, `suspension` or `cancellation`.
    pub withdrawal_cause: Option<String>,
    pub checks: Vec<Check>,
    pub checks_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_by: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A nomination with its waivers and full history (`GET /nominations/{id}`
/// and every action's answer).
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationDetail {
    #[serde(flatten)]
    pub nomination: NominationView,
    pub waivers: Vec<WaiverView>,
    pub history: Vec<EventView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WaiverView {
    pub id: i32,
    pub check: CheckName,
    pub justification: String,
    pub granted_by: i32,
    pub granted_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i32,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub detail: Option<String>,
    pub actor_id: Option<i32>,
    pub at: DateTime<Utc>,
}

fn funding_program(program: &Program) -> Result<(), validator::ValidationError> {
    if program.funds_enrollments() {
        Ok(())
    } else {
        Err(validator::ValidationError::new("program")
            .with_message("enrollments are funded by IMET or FMF".into()))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Validate, ToSchema)]
pub struct NewNomination {
    pub student_id: i32,
    pub offering_id: i32,
    /// `IMET` (default) or `FMF`.
    #[validate(custom(function = "funding_program"))]
    pub program: Option<Program>,
    /// `A`..`D`, default `C`.
    pub priority: Option<Priority>,
    /// Create and submit in one call.
    #[serde(default)]
    pub submit: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReasonRequest {
    #[validate(length(max = 4000), custom(function = "non_blank"))]
    pub reason: String,
}

fn waivable(check: &CheckName) -> Result<(), validator::ValidationError> {
    if check.waivable() {
        Ok(())
    } else {
        Err(validator::ValidationError::new("check")
            .with_message("only english, prerequisites and country_eligible can be waived".into()))
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct WaiverRequest {
    #[validate(custom(function = "waivable"))]
    pub check: CheckName,
    #[validate(length(max = 4000), custom(function = "non_blank"))]
    pub justification: String,
}

/// Everything the checks of one nomination are computed from.
struct Facts {
    student: student::Model,
    offering: offering::Model,
    course: CourseView,
    country: country::Model,
    history: Vec<Suspension>,
    waivers: Vec<WaiverView>,
}

impl Facts {
    async fn load<C: ConnectionTrait>(
        db: &C,
        student: student::Model,
        offering: offering::Model,
        nomination_id: Option<i32>,
    ) -> AppResult<Self> {
        let course = courses::view_of(db, offering_course(db, &offering).await?).await?;
        let country = crate::services::countries::find(db, &student.country_code).await?;
        let history = suspensions::history(db, &country.code).await?;
        let waivers = match nomination_id {
            Some(id) => waivers_of(db, id).await?,
            None => Vec::new(),
        };
        Ok(Self {
            student,
            offering,
            course,
            country,
            history,
            waivers,
        })
    }

    fn prices(&self) -> Prices {
        Prices {
            tuition_cents: self.offering.tuition_cents,
            travel_cents: self.country.travel_estimate_cents,
            living_allowance_per_day_cents: self.offering.living_allowance_per_day_cents,
        }
    }

    fn cost(&self) -> AppResult<i64> {
        estimated_cost(
            self.prices(),
            self.offering.start_date,
            self.offering.end_date,
        )
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "cost of offering {} overflows",
                self.offering.id
            ))
        })
    }

    fn facts_for_mail(&self, id: i32) -> NominationFacts {
        mail_facts(
            id,
            &self.student,
            &self.country,
            (&self.course.masl_id, &self.course.title),
            &self.offering,
        )
    }

    /// Suspensions blocking a program this nomination depends on, today.
    fn blocking(&self, program: Program, today: NaiveDate) -> Vec<&Suspension> {
        let deps = dependencies(program, self.course.e_imet);
        self.history
            .iter()
            .filter(|s| deps.iter().any(|p| s.terms.blocks(*p, today)))
            .collect()
    }

    fn waived(&self, check: CheckName) -> bool {
        self.waivers.iter().any(|w| w.check == check)
    }
}

async fn offering_course<C: ConnectionTrait>(
    db: &C,
    offering: &offering::Model,
) -> AppResult<crate::entities::course::Model> {
    crate::entities::course::Entity::find_by_id(offering.course_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "offering {} without its course",
                offering.id
            ))
        })
}

/// What a nomination's emails name: the student, the country, the course
/// (MASL id and title) and the class dates.
pub fn mail_facts(
    id: i32,
    student: &student::Model,
    country: &country::Model,
    (masl_id, title): (&str, &str),
    offering: &offering::Model,
) -> NominationFacts {
    NominationFacts {
        id,
        student: student_name(student),
        country: format!("{} ({})", country.name, country.code),
        course: format!("{masl_id} {title}"),
        start_date: offering.start_date,
        end_date: offering.end_date,
    }
}

/// How emails and pages name a student: rank, given names, family name.
pub fn student_name(s: &student::Model) -> String {
    format!("{} {} {}", s.rank, s.given_names, s.family_name)
}

/// Runs every check on `today` for a nomination of `facts` funded by `program`.
async fn run_checks<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    facts: &Facts,
    program: Program,
    today: NaiveDate,
) -> AppResult<Vec<Check>> {
    let validity = state.config.validity;
    let mut checks = Vec::with_capacity(CheckName::ALL.len());

    let blocking = facts.blocking(program, today);
    let eligible = if blocking.is_empty() {
        Ok(format!("{} is eligible on {today}", facts.country.code))
    } else {
        Err(blocking
            .iter()
            .map(|s| {
                format!(
                    "suspended ({}) since {}: suspension {}",
                    s.view().programs.join(", "),
                    s.row.effective_from,
                    s.row.id
                )
            })
            .collect::<Vec<_>>()
            .join("; "))
    };
    checks.push(Check::from_result(
        CheckName::CountryEligible,
        eligible,
        facts.waived(CheckName::CountryEligible),
    ));

    let (ecl, opi) = students::latest_scores(db, facts.student.id).await?;
    let scores = LatestScores {
        ecl: ecl.as_ref().and_then(|t| Some((t.score?, t.taken_on))),
        opi: opi
            .as_ref()
            .and_then(|t| Some((students::opi_of(t)?, t.taken_on))),
    };
    let minimums = EnglishMinimums {
        ecl: facts.course.ecl_min,
        opi: facts.course.opi_min,
    };
    let windows = Windows {
        ecl_days: validity.ecl,
        opi_days: validity.opi,
    };
    checks.push(Check::from_result(
        CheckName::English,
        english_check(minimums, scores, today, windows),
        facts.waived(CheckName::English),
    ));

    let completed = completed_training(db, facts.student.id, today).await?;
    checks.push(Check::from_result(
        CheckName::Prerequisites,
        prerequisites_met(&facts.course.prerequisites, &completed, today),
        facts.waived(CheckName::Prerequisites),
    ));

    checks.push(Check::from_result(
        CheckName::Audience,
        audience(facts),
        false,
    ));

    let latest = students::latest_vetting(db, facts.student.id)
        .await?
        .and_then(|v| {
            Some(Vetting {
                status: v.status.parse().ok()?,
                decided_on: v.decided_on,
            })
        });
    checks.push(Check::from_result(
        CheckName::Vetting,
        vetting_valid_for(latest, facts.offering.start_date, validity.vetting),
        false,
    ));

    let free = facts.offering.seats - facts.offering.seats_taken;
    let seats = if free > 0 {
        Ok(format!("{free} of {} seats free", facts.offering.seats))
    } else {
        Err(format!("all {} seats taken", facts.offering.seats))
    };
    checks.push(Check::from_result(CheckName::Seats, seats, false));

    let cost = facts.cost()?;
    let key = AllocationKey {
        country_code: facts.country.code.clone(),
        program,
        fiscal_year: fiscal_year(facts.offering.start_date),
    };
    let funds = match allocations::find(db, &key).await? {
        None => Err(format!("no {program} allocation for FY{}", key.fiscal_year)),
        Some(a) if a.frozen && !facts.waived(CheckName::CountryEligible) => Err(format!(
            "the {program} FY{} allocation is frozen",
            key.fiscal_year
        )),
        Some(a) if a.allocated_cents - a.committed_cents < cost => Err(format!(
            "{} available, {} needed",
            dollars(a.allocated_cents - a.committed_cents),
            dollars(cost)
        )),
        Some(a) => Ok(format!(
            "{} available, {} needed",
            dollars(a.allocated_cents - a.committed_cents),
            dollars(cost)
        )),
    };
    checks.push(Check::from_result(CheckName::Funds, funds, false));
    Ok(checks)
}

fn audience(facts: &Facts) -> Result<String, String> {
    let grade: Grade = facts.student.grade.parse()?;
    audience_admits(grade, &facts.course.audience, facts.course.e_imet)?;
    Ok(format!("grade {grade} is in the course's audience"))
}

/// Prior training plus completed enrollments (from their end date).
async fn completed_training<C: ConnectionTrait>(
    db: &C,
    student_id: i32,
    today: NaiveDate,
) -> AppResult<Vec<(String, NaiveDate)>> {
    let mut done: Vec<(String, NaiveDate)> = prior_training::Entity::find()
        .filter(prior_training::Column::StudentId.eq(student_id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.masl_id, t.completed_on))
        .collect();
    let completed: Vec<(String, NaiveDate)> = nomination::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, nomination::Relation::Offering.def())
        .join(JoinType::InnerJoin, offering::Relation::Course.def())
        .column(crate::entities::course::Column::MaslId)
        .column(offering::Column::EndDate)
        .filter(nomination::Column::StudentId.eq(student_id))
        .filter(nomination::Column::Status.eq(Status::Completed.as_str()))
        .filter(offering::Column::EndDate.lte(today))
        .into_tuple()
        .all(db)
        .await?;
    done.extend(completed);
    Ok(done)
}

/// The names of the active statuses, for queries.
fn active_statuses() -> impl Iterator<Item = &'static str> {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .map(Status::as_str)
}

/// The student a nomination is for.
pub async fn student_of<C: ConnectionTrait>(
    db: &C,
    n: &nomination::Model,
) -> AppResult<student::Model> {
    student::Entity::find_by_id(n.student_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("nomination {} without its student", n.id))
        })
}

async fn find_offering<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<offering::Model> {
    offering::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Offering"))
}

async fn waivers_of<C: ConnectionTrait>(db: &C, nomination_id: i32) -> AppResult<Vec<WaiverView>> {
    Ok(waiver::Entity::find()
        .filter(waiver::Column::NominationId.eq(nomination_id))
        .order_by_asc(waiver::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|w| {
            Some(WaiverView {
                id: w.id,
                check: w.check_name.parse().ok()?,
                justification: w.justification,
                granted_by: w.granted_by,
                granted_at: w.granted_at,
            })
        })
        .collect())
}

fn parse<T: std::str::FromStr<Err = String>>(value: &str) -> AppResult<T> {
    value
        .parse()
        .map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))
}

/// The view of a stored nomination.
async fn view<C: ConnectionTrait>(db: &C, n: nomination::Model) -> AppResult<NominationView> {
    let student = student_of(db, &n).await?;
    let offering = find_offering(db, n.offering_id).await?;
    let course = offering_course(db, &offering).await?;
    view_with(n, &student, &offering, (&course.masl_id, &course.title))
}

/// The view of a nomination from its student, class and course in hand.
fn view_with(
    n: nomination::Model,
    student: &student::Model,
    offering: &offering::Model,
    (masl_id, title): (&str, &str),
) -> AppResult<NominationView> {
    Ok(NominationView {
        id: n.id,
        student_id: n.student_id,
        student_name: student_name(student),
        country_code: n.country_code,
        offering_id: n.offering_id,
        course_masl_id: masl_id.to_owned(),
        course_title: title.to_owned(),
        start_date: offering.start_date,
        end_date: offering.end_date,
        program: parse(&n.program)?,
        priority: parse(&n.priority)?,
        status: parse(&n.status)?,
        held_from: n.held_from.as_deref().map(parse).transpose()?,
        fiscal_year: n.fiscal_year,
        estimated_cost_cents: n.estimated_cost_cents,
        committed_cents: n.committed_cents,
        penalty_cents: n.penalty_cents,
        reason: n.reason,
        withdrawal_cause: n.withdrawal_cause,
        checks: serde_json::from_value(n.checks).unwrap_or_default(),
        checks_at: n.checks_at,
        submitted_at: n.submitted_at,
        decided_at: n.decided_at,
        created_by: n.created_by,
        created_at: n.created_at,
        updated_at: n.updated_at,
    })
}

async fn detail<C: ConnectionTrait>(db: &C, n: nomination::Model) -> AppResult<NominationDetail> {
    let id = n.id;
    Ok(NominationDetail {
        history: events_of(db, id).await?,
        nomination: view(db, n).await?,
        waivers: waivers_of(db, id).await?,
    })
}

/// A nomination's history, oldest first.
async fn events_of<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<EventView>> {
    Ok(nomination_event::Entity::find()
        .filter(nomination_event::Column::NominationId.eq(id))
        .order_by_asc(nomination_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(EventView::from)
        .collect())
}

impl From<nomination_event::Model> for EventView {
    fn from(e: nomination_event::Model) -> Self {
        Self {
            id: e.id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            detail: e.detail,
            actor_id: e.actor_id,
            at: e.at,
        }
    }
}

/// A nomination the caller may see: staff all, a liaison their country's.
async fn find_visible<C: ConnectionTrait>(
    db: &C,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<nomination::Model> {
    nomination::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| caller.sees_country(&n.country_code))
        .ok_or_else(|| AppError::not_found("Nomination"))
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<NominationDetail> {
    detail(db, find_visible(db, caller, id).await?).await
}

/// The status `action` leads to from the nomination's own; 409
/// `invalid_transition` when the state machine forbids it.
fn next_status(n: &nomination::Model, action: Action) -> AppResult<(Status, Status)> {
    let from: Status = parse(&n.status)?;
    transition(from, action, None)
        .map(|to| (from, to))
        .ok_or_else(|| invalid(from, action))
}

fn invalid(status: Status, action: Action) -> AppError {
    AppError::conflict(
        ConflictCode::InvalidTransition,
        format!(
            "A {} nomination cannot be {}.",
            status.as_str(),
            past_tense(action)
        ),
    )
}

fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Submit => "submitted",
        Action::Approve => "approved",
        Action::Reject => "rejected",
        Action::Waitlist => "waitlisted",
        Action::Promote => "promoted",
        Action::Withdraw => "withdrawn",
        Action::Complete => "completed",
        Action::Hold => "put on hold",
        Action::Release => "released",
    }
}

/// One status change, guarded: the row changes only if it still has the
/// status it was read with (so two concurrent decisions cannot both win),
/// and the history and audit log record it.
struct StatusChange<'a> {
    nomination: &'a nomination::Model,
    action: Action,
    to: Status,
    actor: Option<i32>,
    detail: Option<String>,
}

async fn apply<C: ConnectionTrait>(
    db: &C,
    change: StatusChange<'_>,
    extra: impl FnOnce(
        sea_orm::UpdateMany<nomination::Entity>,
    ) -> sea_orm::UpdateMany<nomination::Entity>,
) -> AppResult<nomination::Model> {
    Ok(apply_returning(db, change, extra).await?.0)
}

/// [`apply`], answering the history entry it wrote too.
async fn apply_returning<C: ConnectionTrait>(
    db: &C,
    change: StatusChange<'_>,
    extra: impl FnOnce(
        sea_orm::UpdateMany<nomination::Entity>,
    ) -> sea_orm::UpdateMany<nomination::Entity>,
) -> AppResult<(nomination::Model, EventView)> {
    let n = change.nomination;
    let now = Utc::now();
    let update = nomination::Entity::update_many()
        .col_expr(nomination::Column::Status, Expr::value(change.to.as_str()))
        .col_expr(nomination::Column::UpdatedAt, Expr::value(now))
        .filter(nomination::Column::Id.eq(n.id))
        .filter(nomination::Column::Status.eq(&n.status));
    // The guarded update answers the changed row itself (RETURNING).
    let Some(after) = extra(update).exec_with_returning(db).await?.pop() else {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Nomination {} changed meanwhile; reload it and try again.",
                n.id
            ),
        ));
    };
    let event = nomination_event::ActiveModel {
        nomination_id: Set(n.id),
        actor_id: Set(change.actor),
        action: Set(change.action.as_str().to_owned()),
        from_status: Set(Some(n.status.clone())),
        to_status: Set(change.to.as_str().to_owned()),
        detail: Set(change.detail),
        at: Set(now),
        ..Default::default()
    };
    let event = EventView::from(event.insert(db).await?);
    audit::record(
        db,
        Change {
            actor: change.actor,
            action: &format!("nomination.{}", change.action.as_str()),
            entity: "nomination",
            entity_id: n.id.to_string(),
            before: snapshot(&json!({"status": n.status, "committed_cents": n.committed_cents})),
            after: snapshot(
                &json!({"status": after.status, "committed_cents": after.committed_cents}),
            ),
        },
    )
    .await?;
    Ok((after, event))
}

/// Emails of the program officers.
async fn officer_emails<C: ConnectionTrait>(db: &C) -> AppResult<Vec<String>> {
    role_emails(db, Role::ProgramOfficer, None).await
}

/// Emails of a country's liaisons.
async fn liaison_emails<C: ConnectionTrait>(db: &C, country: &str) -> AppResult<Vec<String>> {
    role_emails(db, Role::CountryLiaison, Some(country)).await
}

pub async fn role_emails<C: ConnectionTrait>(
    db: &C,
    role: Role,
    country: Option<&str>,
) -> AppResult<Vec<String>> {
    let mut query = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.eq(role.as_str()));
    if let Some(code) = country {
        query = query.filter(user::Column::CountryCode.eq(code));
    }
    Ok(query.all(db).await?.into_iter().map(|u| u.email).collect())
}

/// The submission blockers of SPEC §2 that answer an error and store nothing.
fn submission_blockers(facts: &Facts, program: Program, today: NaiveDate) -> AppResult<()> {
    let status: OfferingStatus = parse(&facts.offering.status)?;
    if status != OfferingStatus::Open {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Offering {} is {} and takes no submissions.",
                facts.offering.id,
                status.as_str()
            ),
        ));
    }
    if facts.offering.start_date <= today {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Offering {} started on {}.",
                facts.offering.id, facts.offering.start_date
            ),
        ));
    }
    audience(facts).map_err(|e| AppError::field("student_id", e))?;
    let blocking = facts.blocking(program, today);
    if !blocking.is_empty() && !facts.waived(CheckName::CountryEligible) {
        let views: Vec<_> = blocking.iter().map(|s| s.view()).collect();
        return Err(AppError::Conflict {
            code: ConflictCode::CountrySuspended,
            detail: format!(
                "{} is suspended for a program this nomination depends on (suspension {}).",
                facts.country.code,
                views
                    .iter()
                    .map(|v| v.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            extra: Some(json!({"suspensions": views})),
        });
    }
    Ok(())
}

/// Creates a nomination (a liaison for their country's students, or an
/// admin), as a draft or — with `submit` — submitted at once.
pub async fn create(
    state: &AppState,
    caller: &CurrentUser,
    new: NewNomination,
) -> AppResult<NominationDetail> {
    let txn = db::write_txn(&state.db).await?;
    let created = create_in(&txn, state, caller, new).await?;
    let detail = detail(&txn, created).await?;
    txn.commit().await?;
    state.mailer.wake();
    Ok(detail)
}

/// What a nomination would look like if submitted now: its checks and
/// estimated cost, computed without storing anything (the nominate form
/// shows them before the liaison submits).
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub estimated_cost_cents: i64,
    pub fiscal_year: i32,
    pub checks: Vec<Check>,
}

pub async fn preview(
    state: &AppState,
    caller: &CurrentUser,
    student_id: i32,
    offering_id: i32,
    program: Program,
) -> AppResult<Preview> {
    let db = &state.db;
    let student = students::find_visible(db, caller, student_id).await?;
    let offering = offering::Entity::find_by_id(offering_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("offering_id", format!("no offering {offering_id}")))?;
    let facts = Facts::load(db, student, offering, None).await?;
    let checks = run_checks(db, state, &facts, program, Utc::now().date_naive()).await?;
    Ok(Preview {
        estimated_cost_cents: facts.cost()?,
        fiscal_year: fiscal_year(facts.offering.start_date),
        checks,
    })
}

/// [`create`] with an `Idempotency-Key`: the first answer (201 and the
/// nomination) is stored in the transaction that creates it, and replayed for
/// the same user and key. Returns the status and body to answer.
pub async fn create_idempotent(
    state: &AppState,
    caller: &CurrentUser,
    key: &str,
    new: NewNomination,
) -> AppResult<(u16, serde_json::Value)> {
    idempotency::check_key(key)?;
    let fingerprint = idempotency::fingerprint(&json!(new));
    for attempt in 0..2 {
        let txn = db::write_txn(&state.db).await?;
        if let Some(replay) = idempotency::lookup(&txn, caller.id, key, &fingerprint).await? {
            txn.commit().await?;
            return Ok((replay.status, replay.body));
        }
        let stored = async {
            let created = create_in(&txn, state, caller, new.clone()).await?;
            let body = json!(detail(&txn, created).await?);
            idempotency::store(&txn, caller.id, key, &fingerprint, 201, &body).await?;
            Ok(body)
        }
        .await;
        match stored {
            Ok(body) => {
                txn.commit().await?;
                state.mailer.wake();
                return Ok((201, body));
            }
            // A concurrent request with the same key may have won the race:
            // roll back and look again, to replay its answer.
            Err(AppError::Conflict {
                code: ConflictCode::Duplicate,
                ..
            }) if attempt == 0 => continue,
            Err(other) => return Err(other),
        }
    }
    Err(AppError::conflict(
        ConflictCode::Duplicate,
        "A request with this Idempotency-Key is still in progress; retry.",
    ))
}

/// [`create`] inside the caller's transaction (the idempotent API stores its
/// answer in the same transaction).
pub async fn create_in(
    txn: &DatabaseTransaction,
    state: &AppState,
    caller: &CurrentUser,
    new: NewNomination,
) -> AppResult<nomination::Model> {
    let today = Utc::now().date_naive();
    let student = students::find_visible(txn, caller, new.student_id).await?;
    let offering = offering::Entity::find_by_id(new.offering_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            AppError::field("offering_id", format!("no offering {}", new.offering_id))
        })?;
    let program = new.program.unwrap_or(Program::Imet);
    let facts = Facts::load(txn, student, offering, None).await?;
    let duplicate = nomination::Entity::find()
        .filter(nomination::Column::StudentId.eq(facts.student.id))
        .filter(nomination::Column::OfferingId.eq(facts.offering.id))
        .filter(nomination::Column::Status.is_in(active_statuses()))
        .one(txn)
        .await?;
    if let Some(existing) = duplicate {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!(
                "Nomination {} of this student for this offering is still active.",
                existing.id
            ),
        ));
    }
    if new.submit {
        submission_blockers(&facts, program, today)?;
    } else {
        // A draft may wait out a suspension (or a waiver), not the rest.
        audience(&facts).map_err(|e| AppError::field("student_id", e))?;
    }
    let checks = run_checks(txn, state, &facts, program, today).await?;
    let now = Utc::now();
    let status = if new.submit {
        Status::Submitted
    } else {
        Status::Draft
    };
    let created = nomination::ActiveModel {
        student_id: Set(facts.student.id),
        offering_id: Set(facts.offering.id),
        country_code: Set(facts.country.code.clone()),
        program: Set(program.as_str().to_owned()),
        priority: Set(new.priority.unwrap_or_default().as_str().to_owned()),
        status: Set(status.as_str().to_owned()),
        held_from: Set(None),
        estimated_cost_cents: Set(facts.cost()?),
        committed_cents: Set(0),
        fiscal_year: Set(fiscal_year(facts.offering.start_date)),
        checks: Set(json!(checks)),
        checks_at: Set(Some(now)),
        submitted_at: Set(new.submit.then_some(now)),
        decided_at: Set(None),
        reason: Set(None),
        withdrawal_cause: Set(None),
        penalty_cents: Set(0),
        created_by: Set(caller.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    nomination_event::ActiveModel {
        nomination_id: Set(created.id),
        actor_id: Set(Some(caller.id)),
        action: Set(if new.submit { "submit" } else { "create" }.to_owned()),
        from_status: Set(None),
        to_status: Set(status.as_str().to_owned()),
        detail: Set(None),
        at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        Change {
            actor: Some(caller.id),
            action: "nomination.create",
            entity: "nomination",
            entity_id: created.id.to_string(),
            before: None,
            after: snapshot(&json!({"status": status.as_str(), "student_id": created.student_id, "offering_id": created.offering_id})),
        },
    )
    .await?;
    if new.submit {
        notify_submitted(txn, state, &facts, &created).await?;
    }
    Ok(created)
}

async fn notify_submitted<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    facts: &Facts,
    n: &nomination::Model,
) -> AppResult<()> {
    submitted_email(db, state, facts, n.id, &n.priority, n.estimated_cost_cents)
        .await?
        .write(db)
        .await?;
    Ok(())
}

/// The "nomination submitted" email to the program officers, rendered.
async fn submitted_email<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    facts: &Facts,
    id: i32,
    priority: &str,
    cost_cents: i64,
) -> AppResult<mail::outbox::Prepared> {
    let email = NominationSubmitted {
        n: facts.facts_for_mail(id),
        priority: priority.to_owned(),
        cost: dollars(cost_cents),
    };
    mail::outbox::prepare(&state.config, None, officer_emails(db).await?, &email)
}

/// Loads a nomination for an action with the facts its checks need.
async fn load_for_action<C: ConnectionTrait>(
    db: &C,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<(nomination::Model, Facts)> {
    let (n, student, offering) = nomination::Entity::find_by_id(id)
        .find_also_related(student::Entity)
        .find_also(nomination::Entity, offering::Entity)
        .one(db)
        .await?
        .filter(|(n, _, _)| caller.sees_country(&n.country_code))
        .ok_or_else(|| AppError::not_found("Nomination"))?;
    let (Some(student), Some(offering)) = (student, offering) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "nomination {id} without its student or class"
        )));
    };
    let facts = Facts::load(db, student, offering, Some(n.id)).await?;
    Ok((n, facts))
}

/// Commits the action's transaction, wakes the mail worker and answers the
/// nomination as GET shows it, read after the commit so that no lock is held
/// while it is read.
async fn finish(state: &AppState, txn: db::WriteTxn, id: i32) -> AppResult<NominationDetail> {
    txn.commit().await?;
    state.mailer.wake();
    let n = nomination::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Nomination"))?;
    detail(&state.db, n).await
}

/// Submits a draft (its liaison, or an admin).
pub async fn submit(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<NominationDetail> {
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let (_, to) = next_status(&n, Action::Submit)?;
    let program: Program = parse(&n.program)?;
    let today = Utc::now().date_naive();
    submission_blockers(&facts, program, today)?;
    let checks = run_checks(&state.db, state, &facts, program, today).await?;
    let cost = facts.cost()?;
    let email = submitted_email(&state.db, state, &facts, n.id, &n.priority, cost).await?;
    let now = Utc::now();
    let txn = db::write_txn(&state.db).await?;
    apply(
        &txn,
        StatusChange {
            nomination: &n,
            action: Action::Submit,
            to,
            actor: Some(caller.id),
            detail: None,
        },
        |u| {
            u.col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
                .col_expr(nomination::Column::ChecksAt, Expr::value(now))
                .col_expr(nomination::Column::SubmittedAt, Expr::value(now))
                .col_expr(nomination::Column::EstimatedCostCents, Expr::value(cost))
        },
    )
    .await?;
    email.write(&txn).await?;
    finish(state, txn, id).await
}

/// Approves a submitted nomination. Its facts are read and its checks run
/// before any lock is taken, and its emails rendered; then ONE short
/// transaction makes the guarded status change, writes the history, audit
/// and outbox rows, and last takes a seat (409 `no_seats`) and commits the
/// cost (409 `insufficient_funds`) with conditional updates of the two hot
/// rows, right before COMMIT. The answer is built from what is in hand.
pub async fn approve(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<NominationDetail> {
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let (_, to) = next_status(&n, Action::Approve)?;
    let program: Program = parse(&n.program)?;
    let today = Utc::now().date_naive();
    let checks = run_checks(&state.db, state, &facts, program, today).await?;
    let unmet = unmet_for_approval(&checks);
    if !unmet.is_empty() {
        return refuse_unmet(state, &n, checks, &unmet).await;
    }
    let cost = facts.cost()?;
    let email = decision_email(&state.db, state, &facts, &n, "approved", None).await?;
    let mut history = events_of(&state.db, n.id).await?;

    let now = Utc::now();
    let txn = db::write_txn(&state.db).await?;
    let (approved, event) = apply_returning(
        &txn,
        StatusChange {
            nomination: &n,
            action: Action::Approve,
            to,
            actor: Some(caller.id),
            detail: None,
        },
        |u| {
            u.col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
                .col_expr(nomination::Column::ChecksAt, Expr::value(now))
                .col_expr(nomination::Column::DecidedAt, Expr::value(now))
                .col_expr(nomination::Column::EstimatedCostCents, Expr::value(cost))
                .col_expr(nomination::Column::CommittedCents, Expr::value(cost))
        },
    )
    .await?;
    email.write(&txn).await?;
    take_seat(&txn, &facts.offering).await?;
    let key = allocation_key(&approved)?;
    let allocation =
        allocations::commit(&txn, &key, cost, facts.waived(CheckName::CountryEligible)).await?;
    allocations::alert_if_crossed(&txn, &state.config, &key, &allocation).await?;
    txn.commit().await?;
    state.mailer.wake();

    history.push(event);
    let course = (facts.course.masl_id.as_str(), facts.course.title.as_str());
    Ok(NominationDetail {
        nomination: view_with(approved, &facts.student, &facts.offering, course)?,
        waivers: facts.waivers,
        history,
    })
}

/// Refuses an approval for unmet checks, keeping the checks it was decided
/// on for the nomination's page.
async fn refuse_unmet(
    state: &AppState,
    n: &nomination::Model,
    checks: Vec<Check>,
    unmet: &[CheckName],
) -> AppResult<NominationDetail> {
    let txn = db::write_txn(&state.db).await?;
    nomination::Entity::update_many()
        .col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
        .col_expr(nomination::Column::ChecksAt, Expr::value(Utc::now()))
        .filter(nomination::Column::Id.eq(n.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Err(AppError::Conflict {
        code: ConflictCode::ChecksUnmet,
        detail: format!(
            "Unmet checks: {}.",
            unmet
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        extra: Some(json!({"unmet": unmet, "checks": checks})),
    })
}

fn allocation_key(n: &nomination::Model) -> AppResult<AllocationKey> {
    Ok(AllocationKey {
        country_code: n.country_code.clone(),
        program: parse(&n.program)?,
        fiscal_year: n.fiscal_year,
    })
}

/// Takes one seat, atomically; 409 `no_seats` when the class is full.
async fn take_seat<C: ConnectionTrait>(db: &C, offering: &offering::Model) -> AppResult<()> {
    let taken = offering::Entity::update_many()
        .col_expr(
            offering::Column::SeatsTaken,
            Expr::col(offering::Column::SeatsTaken).add(1),
        )
        .filter(offering::Column::Id.eq(offering.id))
        .filter(Expr::col(offering::Column::SeatsTaken).lt(Expr::col(offering::Column::Seats)))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(AppError::conflict(
            ConflictCode::NoSeats,
            format!(
                "All {} seats of offering {} are taken.",
                offering.seats, offering.id
            ),
        ));
    }
    Ok(())
}

async fn free_seat<C: ConnectionTrait>(db: &C, offering_id: i32) -> AppResult<()> {
    offering::Entity::update_many()
        .col_expr(
            offering::Column::SeatsTaken,
            Expr::col(offering::Column::SeatsTaken).sub(1),
        )
        .filter(offering::Column::Id.eq(offering_id))
        .filter(offering::Column::SeatsTaken.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// The decision email to the country's liaisons and the student, rendered.
async fn decision_email<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    facts: &Facts,
    n: &nomination::Model,
    decision: &str,
    reason: Option<String>,
) -> AppResult<mail::outbox::Prepared> {
    let mut recipients = liaison_emails(db, &n.country_code).await?;
    recipients.extend(facts.student.email.clone());
    let email = NominationDecision {
        n: facts.facts_for_mail(n.id),
        decision: decision.to_owned(),
        reason,
    };
    mail::outbox::prepare(&state.config, None, recipients, &email)
}

/// Rejects a submitted nomination, with a reason.
pub async fn reject(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
    request: ReasonRequest,
) -> AppResult<NominationDetail> {
    decide(
        state,
        caller,
        id,
        Action::Reject,
        Some(request.reason.trim().to_owned()),
    )
    .await
}

/// Puts a submitted nomination on the waitlist.
pub async fn waitlist(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<NominationDetail> {
    decide(state, caller, id, Action::Waitlist, None).await
}

async fn decide(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
    action: Action,
    reason: Option<String>,
) -> AppResult<NominationDetail> {
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let (_, to) = next_status(&n, action)?;
    let email = decision_email(
        &state.db,
        state,
        &facts,
        &n,
        past_tense(action),
        reason.clone(),
    )
    .await?;
    let now = Utc::now();
    let stored_reason = reason.clone();
    let txn = db::write_txn(&state.db).await?;
    apply(
        &txn,
        StatusChange {
            nomination: &n,
            action,
            to,
            actor: Some(caller.id),
            detail: reason,
        },
        |u| {
            u.col_expr(nomination::Column::DecidedAt, Expr::value(now))
                .col_expr(nomination::Column::Reason, Expr::value(stored_reason))
        },
    )
    .await?;
    email.write(&txn).await?;
    finish(state, txn, id).await
}

/// Withdraws an active nomination, with a reason. An approved one frees its
/// seat (promoting the head of the waitlist) and releases its commitment,
/// except the late-cancellation penalty of a liaison's late withdrawal.
pub async fn withdraw(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
    request: ReasonRequest,
) -> AppResult<NominationDetail> {
    let cause = if caller.role.is_staff() {
        WithdrawalCause::Program
    } else {
        WithdrawalCause::Liaison
    };
    let (n, facts) = load_for_action(&state.db, caller, id).await?;
    let txn = db::write_txn(&state.db).await?;
    withdraw_in(
        &txn,
        state,
        &n,
        &facts,
        cause,
        request.reason.trim(),
        Some(caller.id),
    )
    .await?;
    finish(state, txn, id).await
}

async fn withdraw_in(
    txn: &DatabaseTransaction,
    state: &AppState,
    n: &nomination::Model,
    facts: &Facts,
    cause: WithdrawalCause,
    reason: &str,
    actor: Option<i32>,
) -> AppResult<()> {
    let (from, to) = next_status(n, Action::Withdraw)?;
    let today = Utc::now().date_naive();
    let held_seat = from == Status::Approved
        || n.held_from.as_deref() == Some(Status::Approved.as_str()) && from == Status::OnHold;
    let mut promoted = None;
    if held_seat {
        free_seat(txn, n.offering_id).await?;
        // The class has not started: the freed seat goes to the waitlist.
        if facts.offering.start_date > today && cause != WithdrawalCause::Cancellation {
            promoted = promote_head(txn, state, n.offering_id, actor).await?;
        }
    }
    let penalty = withdrawal_penalty(Withdrawal {
        cause,
        was_approved: from == Status::Approved,
        start_date: facts.offering.start_date,
        today,
        promoted_waitlisted: promoted.is_some(),
        tuition_cents: facts.offering.tuition_cents,
    })
    .clamp(0, n.committed_cents);
    let release = n.committed_cents - penalty;
    let withdrawn = apply(
        txn,
        StatusChange {
            nomination: n,
            action: Action::Withdraw,
            to,
            actor,
            detail: Some(format!("{} ({})", reason, cause.as_str())),
        },
        |u| {
            u.col_expr(nomination::Column::Reason, Expr::value(reason))
                .col_expr(
                    nomination::Column::WithdrawalCause,
                    Expr::value(cause.as_str()),
                )
                .col_expr(nomination::Column::PenaltyCents, Expr::value(penalty))
                .col_expr(nomination::Column::CommittedCents, Expr::value(penalty))
                .col_expr(
                    nomination::Column::HeldFrom,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(nomination::Column::DecidedAt, Expr::value(Utc::now()))
        },
    )
    .await?;
    if release > 0 {
        let key = allocation_key(&withdrawn)?;
        allocations::release(txn, &key, release).await?;
        allocations::after_change(txn, &state.config, &key).await?;
    }
    let mut recipients = liaison_emails(txn, &n.country_code).await?;
    recipients.extend(officer_emails(txn).await?);
    let email = NominationWithdrawn {
        n: facts.facts_for_mail(n.id),
        cause: match cause {
            WithdrawalCause::Liaison => "by the country liaison",
            WithdrawalCause::Program => "by the program office",
            WithdrawalCause::Suspension => "the class started while the country was suspended",
            WithdrawalCause::Cancellation => "the class was cancelled",
        }
        .to_owned(),
        reason: reason.to_owned(),
        penalty: (penalty > 0).then(|| dollars(penalty)),
    };
    mail::enqueue(txn, &state.config, recipients, &email).await
}

/// Moves the head of an offering's waitlist (priority, then submission
/// time; not on hold) back to `submitted` and tells its liaison and the
/// officers. Returns the promoted nomination's id.
pub async fn promote_head(
    txn: &DatabaseTransaction,
    state: &AppState,
    offering_id: i32,
    actor: Option<i32>,
) -> AppResult<Option<i32>> {
    let waitlisted = nomination::Entity::find()
        .filter(nomination::Column::OfferingId.eq(offering_id))
        .filter(nomination::Column::Status.eq(Status::Waitlisted.as_str()))
        .all(txn)
        .await?;
    let mut head = None;
    for n in waitlisted {
        let key = waitlist_key(parse(&n.priority)?, n.submitted_at, n.id);
        if head.as_ref().is_none_or(|(best, _)| key < *best) {
            head = Some((key, n));
        }
    }
    let Some((_, head)) = head else {
        return Ok(None);
    };
    let promoted = apply(
        txn,
        StatusChange {
            nomination: &head,
            action: Action::Promote,
            to: Status::Submitted,
            actor,
            detail: Some("a seat freed".into()),
        },
        |u| u,
    )
    .await?;
    let student = student_of(txn, &promoted).await?;
    let facts = Facts::load(txn, student, find_offering(txn, offering_id).await?, None).await?;
    let mut recipients = liaison_emails(txn, &promoted.country_code).await?;
    recipients.extend(officer_emails(txn).await?);
    mail::enqueue(
        txn,
        &state.config,
        recipients,
        &WaitlistPromoted {
            n: facts.facts_for_mail(promoted.id),
        },
    )
    .await?;
    Ok(Some(promoted.id))
}

/// Marks an approved nomination completed, after the class's end date; it
/// then counts as prior training.
pub async fn complete(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
) -> AppResult<NominationDetail> {
    let owned = db::write_txn(&state.db).await?;
    let txn = &owned;
    let work: AppResult<()> = async {
        let (n, facts) = load_for_action(txn, caller, id).await?;
        let (_, to) = next_status(&n, Action::Complete)?;
        let today = Utc::now().date_naive();
        if today <= facts.offering.end_date {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                format!(
                    "The class ends on {}; it can be completed after that.",
                    facts.offering.end_date
                ),
            ));
        }
        apply(
            txn,
            StatusChange {
                nomination: &n,
                action: Action::Complete,
                to,
                actor: Some(caller.id),
                detail: None,
            },
            |u| u,
        )
        .await?;
        Ok(())
    }
    .await;
    work?;
    finish(state, owned, id).await
}

/// Grants a waiver (program officer or admin). A `country_eligible` waiver
/// is for a draft or on-hold nomination, and releases an on-hold one at once.
pub async fn waive(
    state: &AppState,
    caller: &CurrentUser,
    id: i32,
    request: WaiverRequest,
) -> AppResult<NominationDetail> {
    let owned = db::write_txn(&state.db).await?;
    let txn = &owned;
    let work: AppResult<()> = async {
        let (n, facts) = load_for_action(txn, caller, id).await?;
        let status: Status = parse(&n.status)?;
        let allowed = match request.check {
            CheckName::CountryEligible => matches!(status, Status::Draft | Status::OnHold),
            _ => matches!(
                status,
                Status::Draft | Status::Submitted | Status::Waitlisted | Status::OnHold
            ),
        };
        if !allowed {
            return Err(AppError::conflict(
                ConflictCode::InvalidTransition,
                format!(
                    "A {} waiver cannot be granted on a {} nomination.",
                    request.check,
                    status.as_str()
                ),
            ));
        }
        if facts.waived(request.check) {
            return Err(AppError::conflict(
                ConflictCode::Duplicate,
                format!(
                    "The {} check of nomination {id} is already waived.",
                    request.check
                ),
            ));
        }
        let granted = waiver::ActiveModel {
            nomination_id: Set(n.id),
            check_name: Set(request.check.as_str().to_owned()),
            justification: Set(request.justification.trim().to_owned()),
            granted_by: Set(caller.id),
            granted_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            Change {
                actor: Some(caller.id),
                action: "nomination.waiver",
                entity: "nomination",
                entity_id: n.id.to_string(),
                before: None,
                after: snapshot(
                    &json!({"check": request.check, "justification": request.justification.trim()}),
                ),
            },
        )
        .await?;
        let mut facts = facts;
        facts.waivers.push(WaiverView {
            id: granted.id,
            check: request.check,
            justification: granted.justification,
            granted_by: granted.granted_by,
            granted_at: granted.granted_at,
        });
        let program: Program = parse(&n.program)?;
        let today = Utc::now().date_naive();
        let checks = run_checks(txn, state, &facts, program, today).await?;
        let now = Utc::now();
        nomination::Entity::update_many()
            .col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
            .col_expr(nomination::Column::ChecksAt, Expr::value(now))
            .filter(nomination::Column::Id.eq(n.id))
            .exec(txn)
            .await?;
        if request.check == CheckName::CountryEligible && status == Status::OnHold {
            release_hold(txn, &n, Some(caller.id), "national-security exception").await?;
        }
        Ok(())
    }
    .await;
    work?;
    finish(state, owned, id).await
}

/// Returns an on-hold nomination to the status it was held from.
async fn release_hold<C: ConnectionTrait>(
    db: &C,
    n: &nomination::Model,
    actor: Option<i32>,
    why: &str,
) -> AppResult<Status> {
    let from: Status = parse(&n.status)?;
    let held_from = n.held_from.as_deref().map(parse).transpose()?;
    let to = transition(from, Action::Release, held_from)
        .ok_or_else(|| invalid(from, Action::Release))?;
    apply(
        db,
        StatusChange {
            nomination: n,
            action: Action::Release,
            to,
            actor,
            detail: Some(why.to_owned()),
        },
        |u| {
            u.col_expr(
                nomination::Column::HeldFrom,
                Expr::value(Option::<String>::None),
            )
        },
    )
    .await?;
    Ok(to)
}

/// A nomination whose status a suspension changed, for the emails.
pub use crate::mail::templates::AffectedNomination;

/// Puts on hold the country's submitted, waitlisted and approved nominations
/// that a suspension in effect on `today` blocks (unless waived), and
/// releases on-hold ones nothing blocks any more. Idempotent; returns what
/// changed.
pub async fn apply_suspensions(
    txn: &DatabaseTransaction,
    country: &str,
    actor: Option<i32>,
    today: NaiveDate,
) -> AppResult<Vec<AffectedNomination>> {
    let history = suspensions::history(txn, country).await?;
    let candidates = nomination::Entity::find()
        .filter(nomination::Column::CountryCode.eq(country))
        .filter(nomination::Column::Status.is_in([
            Status::Submitted.as_str(),
            Status::Waitlisted.as_str(),
            Status::Approved.as_str(),
            Status::OnHold.as_str(),
        ]))
        .order_by_asc(nomination::Column::Id)
        .all(txn)
        .await?;
    let mut affected = Vec::new();
    for n in candidates {
        let offering = find_offering(txn, n.offering_id).await?;
        let course = offering_course(txn, &offering).await?;
        let program: Program = parse(&n.program)?;
        let deps = dependencies(program, course.e_imet);
        let blocked = history
            .iter()
            .any(|s| deps.iter().any(|p| s.terms.blocks(*p, today)));
        let waived = waivers_of(txn, n.id)
            .await?
            .iter()
            .any(|w| w.check == CheckName::CountryEligible);
        let status: Status = parse(&n.status)?;
        let to = if blocked && !waived && status.can_be_held() {
            apply(
                txn,
                StatusChange {
                    nomination: &n,
                    action: Action::Hold,
                    to: Status::OnHold,
                    actor,
                    detail: Some("suspension in effect".into()),
                },
                |u| u.col_expr(nomination::Column::HeldFrom, Expr::value(status.as_str())),
            )
            .await?;
            Status::OnHold
        } else if status == Status::OnHold && (!blocked || waived) {
            release_hold(txn, &n, actor, "suspension lifted").await?
        } else {
            continue;
        };
        let student = student_of(txn, &n).await?;
        affected.push(AffectedNomination {
            id: n.id,
            student: student_name(&student),
            course: format!("{} {}", course.masl_id, course.title),
            start_date: offering.start_date,
            from: status.label().to_owned(),
            to: to.label().to_owned(),
        });
    }
    allocations::refresh_frozen(txn, country, today).await?;
    Ok(affected)
}

/// Withdraws, without penalty, every on-hold nomination whose class has
/// started by `today` (cause `suspension`). Returns how many.
pub async fn withdraw_started_holds(state: &AppState, today: NaiveDate) -> AppResult<usize> {
    // Only the held nominations whose class has started, found by the
    // database; each is withdrawn in a short transaction of its own.
    let started: Vec<(
        nomination::Model,
        Option<student::Model>,
        Option<offering::Model>,
    )> = nomination::Entity::find()
        .find_also_related(student::Entity)
        .find_also(nomination::Entity, offering::Entity)
        .filter(nomination::Column::Status.eq(Status::OnHold.as_str()))
        .filter(offering::Column::StartDate.lte(today))
        .all(&state.db)
        .await?;
    let mut count = 0;
    for (n, student, offering) in started {
        let (Some(student), Some(offering)) = (student, offering) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "nomination {} without its student or class",
                n.id
            )));
        };
        let facts = Facts::load(&state.db, student, offering, Some(n.id)).await?;
        let txn = db::write_txn(&state.db).await?;
        let withdrawn = withdraw_in(
            &txn,
            state,
            &n,
            &facts,
            WithdrawalCause::Suspension,
            "the class started while the country was suspended",
            None,
        )
        .await;
        match withdrawn {
            Ok(()) => {
                txn.commit().await?;
                count += 1;
            }
            // Changed meanwhile (released, withdrawn): nothing left to do.
            Err(AppError::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    if count > 0 {
        state.mailer.wake();
    }
    Ok(count)
}

/// Withdraws every active nomination of a cancelled offering, with full
/// release and no penalty; runs in the cancellation's transaction.
pub async fn withdraw_for_cancellation(
    txn: &DatabaseTransaction,
    state: &AppState,
    offering_id: i32,
    actor: i32,
) -> AppResult<usize> {
    let active = nomination::Entity::find()
        .filter(nomination::Column::OfferingId.eq(offering_id))
        .filter(nomination::Column::Status.is_in(active_statuses()))
        .order_by_asc(nomination::Column::Id)
        .all(txn)
        .await?;
    let count = active.len();
    let offering = find_offering(txn, offering_id).await?;
    for n in active {
        let student = student_of(txn, &n).await?;
        let facts = Facts::load(txn, student, offering.clone(), Some(n.id)).await?;
        withdraw_in(
            txn,
            state,
            &n,
            &facts,
            WithdrawalCause::Cancellation,
            "the class was cancelled",
            Some(actor),
        )
        .await?;
    }
    Ok(count)
}

/// Whether an offering has nominations whose money is committed in its
/// fiscal year (approved, on hold from approved, or completed).
pub async fn has_commitments<C: ConnectionTrait>(db: &C, offering_id: i32) -> AppResult<bool> {
    Ok(nomination::Entity::find()
        .filter(nomination::Column::OfferingId.eq(offering_id))
        .filter(nomination::Column::CommittedCents.gt(0))
        .one(db)
        .await?
        .is_some())
}

/// Filters of the nomination list.
#[derive(Debug, Default)]
pub struct NominationFilter {
    pub country: Option<String>,
    pub status: Option<Status>,
    pub course: Option<String>,
    pub offering: Option<i32>,
    pub student: Option<i32>,
    pub priority: Option<Priority>,
}

/// Nominations, oldest submission first (drafts by creation), then id; a
/// liaison's list holds only their country.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &CurrentUser,
    filter: NominationFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<NominationView>> {
    // One query: each nomination with its student, class and course.
    let mut query = nomination::Entity::find()
        .find_also_related(student::Entity)
        .find_also(nomination::Entity, offering::Entity)
        .find_also(offering::Entity, crate::entities::course::Entity)
        .order_by_asc(nomination::Column::Id);
    if let Some(code) = caller.country_scope() {
        query = query.filter(nomination::Column::CountryCode.eq(code));
    }
    if let Some(code) = filter.country {
        query = query.filter(nomination::Column::CountryCode.eq(code.trim().to_ascii_uppercase()));
    }
    if let Some(status) = filter.status {
        query = query.filter(nomination::Column::Status.eq(status.as_str()));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(nomination::Column::Priority.eq(priority.as_str()));
    }
    if let Some(offering) = filter.offering {
        query = query.filter(nomination::Column::OfferingId.eq(offering));
    }
    if let Some(student) = filter.student {
        query = query.filter(nomination::Column::StudentId.eq(student));
    }
    if let Some(masl) = filter.course {
        query = query
            .filter(crate::entities::course::Column::MaslId.eq(masl.trim().to_ascii_uppercase()));
    }
    if let Some(cursor) = cursor {
        query = query.filter(nomination::Column::Id.gt(cursor.int()?));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    let page = Page::from_rows(rows, limit, |row| Cursor::from_int(row.0.id), |row| row);
    let mut items = Vec::with_capacity(page.items.len());
    for (n, student, offering, course) in page.items {
        let (Some(student), Some(offering), Some(course)) = (student, offering, course) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "nomination {} without its student, class or course",
                n.id
            )));
        };
        items.push(view_with(
            n,
            &student,
            &offering,
            (&course.masl_id, &course.title),
        )?);
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}
