//! `/reports/training`: the training report of a fiscal year (a liaison's
//! own country's lines) with its subtotals, and the same report as CSV —
//! through `services::training_report`, as `GET /api/v1/reports/training`.
use askama::Template;
use axum::extract::{Query, State};

use crate::{
    app::{AppState, csv_attachment},
    domain::money::Cents,
    services::training_report::{self, TrainingLine},
    web::{
        error::{PageResult, render},
        forms::{Choice, FiscalYearQuery, fiscal_year_choices},
        layout::Layout,
        session::SignedIn,
    },
};

/// A line of the report as the table shows it.
struct LineRow {
    line: TrainingLine,
    cost: String,
}

/// A subtotal as the tables show it: what it sums, students and cost.
struct Subtotal {
    label: String,
    students: i64,
    cost: String,
}

#[derive(Template)]
#[template(path = "pages/reports/training.html")]
struct TrainingPage {
    layout: Layout,
    fiscal_year: i32,
    years: Vec<Choice>,
    rows: Vec<LineRow>,
    countries: Vec<Subtotal>,
    programs: Vec<Subtotal>,
    total: Subtotal,
}

/// `GET /reports/training`
pub async fn training(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<FiscalYearQuery>,
) -> PageResult {
    let today = state.clock.today();
    let fy = query.chosen(today)?;
    let report = training_report::build(&state.db, &signed_in.user, fy).await?;
    let subtotal = |label: String, students: i64, cents: i64| Subtotal {
        label,
        students,
        cost: Cents(cents).to_string(),
    };
    let page = TrainingPage {
        layout: signed_in
            .layout(&state, &format!("Training report FY{fy}"))
            .await?,
        fiscal_year: fy,
        years: fiscal_year_choices(today, fy),
        countries: report
            .countries
            .into_iter()
            .map(|c| {
                subtotal(
                    format!("{} ({})", c.country_name, c.country_code),
                    c.students,
                    c.total_cost_cents,
                )
            })
            .collect(),
        programs: report
            .programs
            .into_iter()
            .map(|p| subtotal(p.program.to_string(), p.students, p.total_cost_cents))
            .collect(),
        total: subtotal(
            "Total".into(),
            report.total.students,
            report.total.total_cost_cents,
        ),
        rows: report
            .rows
            .into_iter()
            .map(|line| LineRow {
                cost: Cents(line.total_cost_cents).to_string(),
                line,
            })
            .collect(),
    };
    Ok(render(&page))
}

/// `GET /reports/training.csv`: the same CSV as `GET /api/v1/reports/training`
/// with `Accept: text/csv`.
pub async fn training_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<FiscalYearQuery>,
) -> PageResult {
    let fy = query.chosen(state.clock.today())?;
    let report = training_report::build(&state.db, &signed_in.user, fy).await?;
    let csv = training_report::to_csv(&report)?;
    Ok(csv_attachment(&format!("training-fy{fy}.csv"), csv))
}
