//! The training report of one fiscal year (SPEC §6, modeled on the annual
//! Foreign Military Training Report): per country, each class of the year
//! with approved or completed nominations, one line per funding program, with
//! its students and what their nominations commit; subtotals per country and
//! per program, and a grand total. A class belongs to the fiscal year of its
//! start date. Only approved and completed nominations count: a withdrawal's
//! late-cancellation penalty stays committed, but it is money spent, not
//! training given. A liaison's report holds only their country.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
    sea_query::{Expr, Func},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::csv_out;
use crate::{
    domain::{
        actor::Actor,
        fiscal_year::{fiscal_year_end, fiscal_year_start},
        nomination::Status,
        program::Program,
    },
    entities::{country, course, nomination, offering},
    error::AppResult,
};

/// One class of one country, for one funding program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, FromQueryResult)]
pub struct TrainingLine {
    pub country_code: String,
    pub country_name: String,
    /// The program paying for these students (IMET or FMF).
    pub program: Program,
    pub offering_id: i32,
    pub masl_id: String,
    pub course_title: String,
    pub school: String,
    pub location: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Approved and completed nominations.
    pub students: i64,
    /// What those nominations commit.
    pub total_cost_cents: i64,
}

/// Students and their cost, summed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct TrainingTotal {
    pub students: i64,
    pub total_cost_cents: i64,
}

impl TrainingTotal {
    fn add(&mut self, line: &TrainingLine) {
        self.students += line.students;
        self.total_cost_cents += line.total_cost_cents;
    }
}

/// One country's subtotal, over its programs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CountryTraining {
    pub country_code: String,
    pub country_name: String,
    pub students: i64,
    pub total_cost_cents: i64,
}

/// One program's subtotal, over the report's countries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProgramTraining {
    pub program: Program,
    pub students: i64,
    pub total_cost_cents: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TrainingReport {
    pub fiscal_year: i32,
    /// The first day of the fiscal year.
    pub starts_on: NaiveDate,
    /// The last day of the fiscal year.
    pub ends_on: NaiveDate,
    /// In country code order, then by class start date, course and program.
    pub rows: Vec<TrainingLine>,
    /// In country code order.
    pub countries: Vec<CountryTraining>,
    /// IMET before FMF.
    pub programs: Vec<ProgramTraining>,
    pub total: TrainingTotal,
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "fiscal_year",
    "country_code",
    "country_name",
    "program",
    "masl_id",
    "course_title",
    "school",
    "location",
    "start_date",
    "end_date",
    "students",
    "total_cost_cents",
];

/// Builds the report of `fiscal_year`: the lines are counted and summed by
/// the database, one query.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    fiscal_year: i32,
) -> AppResult<TrainingReport> {
    let (starts_on, ends_on) = (fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year));
    let nominations = |column: nomination::Column| Expr::col((nomination::Entity, column));
    let mut lines = nomination::Entity::find()
        .select_only()
        .column(nomination::Column::CountryCode)
        .column_as(country::Column::Name, "country_name")
        .column(nomination::Column::Program)
        .column_as(offering::Column::Id, "offering_id")
        .column(course::Column::MaslId)
        .column_as(course::Column::Title, "course_title")
        .column(course::Column::School)
        .column(course::Column::Location)
        .column(offering::Column::StartDate)
        .column(offering::Column::EndDate)
        // PostgreSQL counts in bigint but sums bigints as numeric.
        .expr_as(
            Func::cast_as(Func::count(nominations(nomination::Column::Id)), "BIGINT"),
            "students",
        )
        .expr_as(
            Func::cast_as(
                Func::sum(nominations(nomination::Column::CommittedCents)),
                "BIGINT",
            ),
            "total_cost_cents",
        )
        .join(JoinType::InnerJoin, nomination::Relation::Offering.def())
        .join(JoinType::InnerJoin, offering::Relation::Course.def())
        .join(
            JoinType::InnerJoin,
            nomination::Entity::belongs_to(country::Entity)
                .from(nomination::Column::CountryCode)
                .to(country::Column::Code)
                .into(),
        )
        .filter(
            nomination::Column::Status
                .is_in([Status::Approved.as_str(), Status::Completed.as_str()]),
        )
        .filter(offering::Column::StartDate.between(starts_on, ends_on));
    if let Some(code) = caller.country_scope() {
        lines = lines.filter(nomination::Column::CountryCode.eq(code));
    }
    let rows = lines
        .group_by(nomination::Column::CountryCode)
        .group_by(country::Column::Name)
        .group_by(nomination::Column::Program)
        .group_by(offering::Column::Id)
        .group_by(course::Column::MaslId)
        .group_by(course::Column::Title)
        .group_by(course::Column::School)
        .group_by(course::Column::Location)
        .group_by(offering::Column::StartDate)
        .group_by(offering::Column::EndDate)
        .order_by_asc(nomination::Column::CountryCode)
        .order_by_asc(offering::Column::StartDate)
        .order_by_asc(course::Column::MaslId)
        .order_by_asc(offering::Column::Id)
        .order_by_asc(nomination::Column::Program)
        .into_model::<TrainingLine>()
        .all(db)
        .await?;
    let (countries, programs, total) = subtotals(&rows);
    Ok(TrainingReport {
        fiscal_year,
        starts_on,
        ends_on,
        rows,
        countries,
        programs,
        total,
    })
}

/// The subtotals of `rows` per country (in code order) and per program (in
/// program order), and their grand total.
fn subtotals(rows: &[TrainingLine]) -> (Vec<CountryTraining>, Vec<ProgramTraining>, TrainingTotal) {
    let mut countries: BTreeMap<(&str, &str), TrainingTotal> = BTreeMap::new();
    let mut programs: BTreeMap<Program, TrainingTotal> = BTreeMap::new();
    let mut total = TrainingTotal::default();
    for line in rows {
        countries
            .entry((&line.country_code, &line.country_name))
            .or_default()
            .add(line);
        programs.entry(line.program).or_default().add(line);
        total.add(line);
    }
    let countries = countries
        .into_iter()
        .map(|((code, name), t)| CountryTraining {
            country_code: code.to_owned(),
            country_name: name.to_owned(),
            students: t.students,
            total_cost_cents: t.total_cost_cents,
        })
        .collect();
    let programs = programs
        .into_iter()
        .map(|(program, t)| ProgramTraining {
            program,
            students: t.students,
            total_cost_cents: t.total_cost_cents,
        })
        .collect();
    (countries, programs, total)
}

/// The report as CSV: a header row of [`CSV_COLUMNS`], one row per line of
/// the report (the subtotals are sums of these rows); amounts in cents.
pub fn to_csv(report: &TrainingReport) -> AppResult<String> {
    csv_out::document(
        CSV_COLUMNS,
        report.rows.iter().map(|line| {
            [
                report.fiscal_year.to_string(),
                line.country_code.clone(),
                line.country_name.clone(),
                line.program.to_string(),
                line.masl_id.clone(),
                line.course_title.clone(),
                line.school.clone(),
                line.location.clone(),
                line.start_date.to_string(),
                line.end_date.to_string(),
                line.students.to_string(),
                line.total_cost_cents.to_string(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(country: &str, program: Program, students: i64, cents: i64) -> TrainingLine {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        TrainingLine {
            country_code: country.into(),
            country_name: format!("Country {country}"),
            program,
            offering_id: 1,
            masl_id: "B100001".into(),
            course_title: "=Staff course".into(),
            school: "School".into(),
            location: "Fort Test, KS".into(),
            start_date: day("2026-11-02"),
            end_date: day("2026-12-11"),
            students,
            total_cost_cents: cents,
        }
    }

    fn report(rows: Vec<TrainingLine>) -> TrainingReport {
        let (countries, programs, total) = subtotals(&rows);
        TrainingReport {
            fiscal_year: 2027,
            starts_on: fiscal_year_start(2027),
            ends_on: fiscal_year_end(2027),
            rows,
            countries,
            programs,
            total,
        }
    }

    #[test]
    fn subtotals_per_country_and_program_add_up_to_the_total() {
        let r = report(vec![
            line("JO", Program::Fmf, 1, 500),
            line("JO", Program::Imet, 2, 1_000),
            line("PK", Program::Fmf, 1, 700),
            line("PK", Program::Imet, 3, 2_000),
            line("PK", Program::Imet, 1, 300),
        ]);
        let countries: Vec<_> = r
            .countries
            .iter()
            .map(|c| (c.country_code.as_str(), c.students, c.total_cost_cents))
            .collect();
        assert_eq!(countries, [("JO", 3, 1_500), ("PK", 5, 3_000)]);
        let programs: Vec<_> = r
            .programs
            .iter()
            .map(|p| (p.program, p.students, p.total_cost_cents))
            .collect();
        assert_eq!(
            programs,
            [(Program::Imet, 6, 3_300), (Program::Fmf, 2, 1_200)]
        );
        assert_eq!(
            r.total,
            TrainingTotal {
                students: 8,
                total_cost_cents: 4_500
            }
        );
    }

    #[test]
    fn an_empty_report_totals_nothing() {
        let r = report(Vec::new());
        assert!(r.countries.is_empty() && r.programs.is_empty());
        assert_eq!(r.total, TrainingTotal::default());
        assert_eq!(to_csv(&r).unwrap(), format!("{}\n", CSV_COLUMNS.join(",")));
    }

    #[test]
    fn csv_rows_follow_the_columns_and_escape_formulas() {
        let csv = to_csv(&report(vec![line("PK", Program::Imet, 2, 1_000)])).unwrap();
        let lines: Vec<_> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "fiscal_year,country_code,country_name,program,masl_id,course_title,school,location,start_date,end_date,students,total_cost_cents",
                "2027,PK,Country PK,IMET,B100001,'=Staff course,School,\"Fort Test, KS\",2026-11-02,2026-12-11,2,1000",
            ]
        );
    }
}
