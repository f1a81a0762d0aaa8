//! Nominations: the workflow from draft to completion, and the approval
//! transaction that commits money and takes a seat. Every change of status
//! goes through [`transition`] of the domain state machine, writes the
//! nomination's history and the audit log, and queues its emails, all in the
//! transaction of the change.

mod checks;
mod create;
mod decide;
mod expiry;
mod facts;
mod holds;
mod notify;
mod transitions;
mod travel_order_views;
mod travel_orders;
mod views;
mod waivers;
mod withdraw;

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
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::money::Cents,
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
        vetting::{Vetting, VettingKind, vetting_valid_for},
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
    services::Context,
    services::{
        allocations::{self, AllocationKey},
        courses::{self, CourseView},
        ecl_exemptions, idempotency, students,
        suspensions::{self, Suspension},
    },
};

use checks::*;
pub use create::*;
pub use decide::*;
pub use expiry::*;
pub use facts::*;
pub use holds::*;
pub use notify::*;
use transitions::*;
pub use travel_order_views::*;
pub use travel_orders::*;
pub use views::*;
pub use waivers::*;
pub use withdraw::*;

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
    /// The plan line this nomination fills, if any.
    pub plan_line_id: Option<i32>,
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
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub detail: Option<String>,
    pub actor_id: Option<i32>,
    pub at: DateTime<Utc>,
}

pub(super) fn funding_program(program: &Program) -> Result<(), validator::ValidationError> {
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
    /// `A`..`D`, default `C`; a nomination on a plan line takes the line's.
    pub priority: Option<Priority>,
    /// The line of the country's approved training plan this nomination
    /// fills: same course (and class, if the line names one), same program
    /// (the default when `program` is left out).
    pub plan_line_id: Option<i32>,
    /// Create and submit in one call.
    #[serde(default)]
    pub submit: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReasonRequest {
    #[validate(length(max = 4000), custom(function = "non_blank"))]
    pub reason: String,
}

pub(super) fn waivable(check: &CheckName) -> Result<(), validator::ValidationError> {
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

/// A nomination whose status a suspension changed, for the emails.
pub use crate::mail::templates::AffectedNomination;
