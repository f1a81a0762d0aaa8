//! `/plans/{id}/report`: the plan against its execution — per line the
//! students planned, nominated, approved and completed and the cost
//! planned against committed, a chart of the counts, the country's
//! nominations that name no line — and `/plans/{id}/report.csv`, the same
//! CSV as `GET /api/v1/plans/{id}/report` with `Accept: text/csv`.
use super::*;

use crate::{
    app::csv_attachment,
    domain::plan_chart::{self, Group, LEFT, LineCounts, Measure, WIDTH},
    services::plans::{PlanReport, ReportLine, UnplannedNomination},
};

/// A line of the report as the table shows it.
struct ReportRow {
    line: ReportLine,
    planned_cost: String,
    committed: String,
}

struct UnplannedRow {
    nomination: UnplannedNomination,
    status: Tag,
    committed: String,
}

/// One line's bars, with the line's label.
struct ChartGroup {
    label: String,
    group: Group,
}

#[derive(Template)]
#[template(path = "pages/plans/report.html")]
struct ReportPage {
    layout: Layout,
    report: PlanReport,
    status: Tag,
    rows: Vec<ReportRow>,
    planned_cost: String,
    committed: String,
    unplanned: Vec<UnplannedRow>,
    chart: Vec<ChartGroup>,
    chart_width: i64,
    chart_height: i64,
    chart_left: i64,
    measures: [Measure; 4],
}

/// `GET /plans/{id}/report`
pub async fn report(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let report = plans::report(&state.db, &signed_in.user, id).await?;
    let counts: Vec<LineCounts> = report
        .lines
        .iter()
        .map(|l| LineCounts {
            planned: i64::from(l.planned),
            nominated: l.nominated,
            approved: l.approved,
            completed: l.completed,
        })
        .collect();
    let geometry = plan_chart::geometry(&counts);
    let chart = report
        .lines
        .iter()
        .zip(geometry.groups)
        .map(|(line, group)| ChartGroup {
            label: format!("Line {} · {}", line.line_id, line.masl_id),
            group,
        })
        .collect();
    let page = ReportPage {
        layout: signed_in
            .layout(
                &state,
                &format!(
                    "Plan report {} FY{}",
                    report.country_code, report.fiscal_year
                ),
            )
            .await?,
        status: Tag::plan(report.status),
        rows: report
            .lines
            .iter()
            .cloned()
            .map(|line| ReportRow {
                planned_cost: Cents(line.planned_cents).to_string(),
                committed: Cents(line.committed_cents).to_string(),
                line,
            })
            .collect(),
        planned_cost: Cents(report.planned_total.planned_cents).to_string(),
        committed: Cents(report.planned_total.committed_cents).to_string(),
        unplanned: report
            .unplanned
            .iter()
            .cloned()
            .map(|nomination| UnplannedRow {
                status: Tag::nomination(nomination.status),
                committed: Cents(nomination.committed_cents).to_string(),
                nomination,
            })
            .collect(),
        chart,
        chart_width: WIDTH,
        chart_height: geometry.height,
        chart_left: LEFT,
        measures: Measure::ALL,
        report,
    };
    Ok(render(&page))
}

/// `GET /plans/{id}/report.csv`
pub async fn report_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let report = plans::report(&state.db, &signed_in.user, id).await?;
    let csv = plans::report_csv(&report)?;
    Ok(csv_attachment(
        &format!("plan-{}-fy{}.csv", report.country_code, report.fiscal_year),
        csv,
    ))
}
