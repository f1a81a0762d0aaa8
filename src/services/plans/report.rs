//! The plan report (SPEC §7): per line, the students planned against those
//! nominated, approved and completed, and the committed cost against the
//! planned; the country's nominations of the FY that name no line are
//! listed as unplanned. The nominations are read in one query.
use sea_orm::{FromQueryResult, JoinType, QuerySelect, RelationTrait};

use super::*;

use crate::{
    domain::{
        nomination::Status,
        plan::{Execution, fills_line},
    },
    entities::{nomination, student},
    services::csv_out,
};

/// One line of the plan against its execution.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportLine {
    pub line_id: i32,
    pub masl_id: String,
    pub course_title: String,
    pub offering_id: Option<i32>,
    pub class_start: Option<NaiveDate>,
    pub priority: Priority,
    pub program: Program,
    /// Students planned (the line's quantity).
    pub planned: i32,
    /// Nominations filling the line (active or completed).
    pub nominated: i64,
    /// Approved (or since completed).
    pub approved: i64,
    pub completed: i64,
    pub planned_cents: i64,
    /// What the filling nominations commit now.
    pub committed_cents: i64,
}

/// A nomination of the plan's country and FY that names no line.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnplannedNomination {
    pub nomination_id: i32,
    pub student_name: String,
    pub masl_id: String,
    pub course_title: String,
    pub offering_id: i32,
    pub start_date: NaiveDate,
    pub program: Program,
    pub priority: Priority,
    pub status: Status,
    pub committed_cents: i64,
}

/// Planned against executed, summed.
#[derive(Clone, Copy, Debug, Default, Serialize, ToSchema)]
pub struct ReportTotal {
    pub planned: i64,
    pub nominated: i64,
    pub approved: i64,
    pub completed: i64,
    pub planned_cents: i64,
    pub committed_cents: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlanReport {
    pub plan_id: i32,
    pub country_code: String,
    pub fiscal_year: i32,
    pub status: PlanStatus,
    pub lines: Vec<ReportLine>,
    /// The lines' sums.
    pub planned_total: ReportTotal,
    /// Active and completed nominations with no line, by class start.
    pub unplanned: Vec<UnplannedNomination>,
}

/// The CSV columns, in order: one row per line, then one per unplanned
/// nomination (with no line id and nothing planned).
pub const CSV_COLUMNS: [&str; 14] = [
    "line_id",
    "nomination_id",
    "masl_id",
    "course_title",
    "offering_id",
    "class_start",
    "priority",
    "program",
    "planned",
    "nominated",
    "approved",
    "completed",
    "planned_cents",
    "committed_cents",
];

#[derive(Debug, FromQueryResult)]
struct NominationRow {
    id: i32,
    plan_line_id: Option<i32>,
    status: Status,
    program: Program,
    priority: Priority,
    committed_cents: i64,
    offering_id: i32,
    start_date: NaiveDate,
    masl_id: String,
    title: String,
    rank: String,
    given_names: String,
    family_name: String,
}

pub async fn report<C: ConnectionTrait>(db: &C, caller: &Actor, id: i32) -> AppResult<PlanReport> {
    let plan = find_visible(db, caller, id).await?;
    let view = view(db, plan).await?;
    let rows = nomination::Entity::find()
        .select_only()
        .column(nomination::Column::Id)
        .column(nomination::Column::PlanLineId)
        .column(nomination::Column::Status)
        .column(nomination::Column::Program)
        .column(nomination::Column::Priority)
        .column(nomination::Column::CommittedCents)
        .column(nomination::Column::OfferingId)
        .column(offering::Column::StartDate)
        .column(course::Column::MaslId)
        .column(course::Column::Title)
        .column(student::Column::Rank)
        .column(student::Column::GivenNames)
        .column(student::Column::FamilyName)
        .join(JoinType::InnerJoin, nomination::Relation::Offering.def())
        .join(JoinType::InnerJoin, offering::Relation::Course.def())
        .join(JoinType::InnerJoin, nomination::Relation::Student.def())
        .filter(nomination::Column::CountryCode.eq(&view.country_code))
        .filter(nomination::Column::FiscalYear.eq(view.fiscal_year))
        .order_by_asc(offering::Column::StartDate)
        .order_by_asc(nomination::Column::Id)
        .into_model::<NominationRow>()
        .all(db)
        .await?;

    let mut executed: HashMap<i32, Execution> = HashMap::new();
    let mut unplanned = Vec::new();
    for row in rows.into_iter().filter(|r| fills_line(r.status)) {
        match row.plan_line_id {
            Some(line) => executed
                .entry(line)
                .or_default()
                .add(row.status, row.committed_cents),
            None => unplanned.push(UnplannedNomination {
                nomination_id: row.id,
                student_name: format!("{} {} {}", row.rank, row.given_names, row.family_name),
                masl_id: row.masl_id,
                course_title: row.title,
                offering_id: row.offering_id,
                start_date: row.start_date,
                program: row.program,
                priority: row.priority,
                status: row.status,
                committed_cents: row.committed_cents,
            }),
        }
    }
    let mut planned_total = ReportTotal::default();
    let lines = view
        .lines
        .into_iter()
        .map(|l| {
            let e = executed.get(&l.id).copied().unwrap_or_default();
            planned_total.planned += i64::from(l.quantity);
            planned_total.nominated += e.nominated;
            planned_total.approved += e.approved;
            planned_total.completed += e.completed;
            planned_total.planned_cents += l.line_total_cents;
            planned_total.committed_cents += e.committed_cents;
            ReportLine {
                line_id: l.id,
                masl_id: l.masl_id,
                course_title: l.course_title,
                offering_id: l.offering_id,
                class_start: l.class_start,
                priority: l.priority,
                program: l.program,
                planned: l.quantity,
                nominated: e.nominated,
                approved: e.approved,
                completed: e.completed,
                planned_cents: l.line_total_cents,
                committed_cents: e.committed_cents,
            }
        })
        .collect();
    Ok(PlanReport {
        plan_id: view.id,
        country_code: view.country_code,
        fiscal_year: view.fiscal_year,
        status: view.status,
        lines,
        planned_total,
        unplanned,
    })
}

/// The report as CSV, amounts in cents.
pub fn report_csv(report: &PlanReport) -> AppResult<String> {
    let opt = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
    let lines = report.lines.iter().map(|l| {
        [
            l.line_id.to_string(),
            String::new(),
            l.masl_id.clone(),
            l.course_title.clone(),
            opt(l.offering_id),
            l.class_start.map(|d| d.to_string()).unwrap_or_default(),
            l.priority.to_string(),
            l.program.to_string(),
            l.planned.to_string(),
            l.nominated.to_string(),
            l.approved.to_string(),
            l.completed.to_string(),
            l.planned_cents.to_string(),
            l.committed_cents.to_string(),
        ]
    });
    let unplanned = report.unplanned.iter().map(|n| {
        let mut e = Execution::default();
        e.add(n.status, n.committed_cents);
        [
            String::new(),
            n.nomination_id.to_string(),
            n.masl_id.clone(),
            n.course_title.clone(),
            n.offering_id.to_string(),
            n.start_date.to_string(),
            n.priority.to_string(),
            n.program.to_string(),
            "0".into(),
            e.nominated.to_string(),
            e.approved.to_string(),
            e.completed.to_string(),
            "0".into(),
            e.committed_cents.to_string(),
        ]
    });
    csv_out::document(CSV_COLUMNS, lines.chain(unplanned))
}
