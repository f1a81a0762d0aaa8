//! `/funding`: the allocations of a fiscal year (a liaison's own country's
//! rows), a chart per country of what is committed against what is
//! allocated by month, the funding report as CSV, and for program officers
//! and admins the forms to set an allocation and to transfer funds —
//! through `services::allocations`, with the same checks as the JSON API.
use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;
use validator::Validate;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    app::csv_attachment,
    db::pagination::MAX_LIMIT,
    domain::funding_chart::{self, Bar, ChartGeometry, HEIGHT, LEFT, WIDTH},
    domain::money::Cents,
    error::{AppError, FieldErrors},
    services::{
        allocations::{
            self, AllocationAmount, AllocationFilter, AllocationKey, AllocationView, NewTransfer,
        },
        countries, funding_chart as chart_data, funding_report,
    },
    web::{
        error::PageResult,
        forms::{
            Choice, FiscalYearQuery, FormErrors, WebForm, add_error, choices, country_choices,
            fiscal_year_choices, posted_year, rename_fields, validate_into,
        },
        layout::Layout,
        session::{SignedIn, StaffSignedIn},
    },
};

/// An allocation as the table shows it.
struct AllocationRow {
    allocation: AllocationView,
    allocated: String,
    committed: String,
    available: String,
}

/// One country's chart.
struct Chart {
    country_code: String,
    country_name: String,
    allocated: String,
    geometry: ChartGeometry,
    /// Each month's cumulative commitment, in dollars, for the data table.
    months: Vec<(&'static str, String)>,
    /// The amount at the top of the scale.
    scale: String,
}

impl Chart {
    /// The bars with a commitment (an empty month draws nothing).
    fn bars(&self) -> impl Iterator<Item = &Bar> {
        self.geometry.bars.iter().filter(|b| b.height > 0)
    }
}

/// The set-allocation form as typed; the amount in dollars.
#[derive(Deserialize, Default)]
pub struct AllocationForm {
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub country_code: String,
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub allocated: String,
}

const ALLOCATION_LABELS: &[(&str, &str)] = &[
    ("country_code", "Country"),
    ("program", "Program"),
    ("allocated", "Amount allocated"),
    ("fiscal_year", "Fiscal year"),
];

/// The transfer form as typed; the amount in dollars.
#[derive(Deserialize, Default)]
pub struct TransferForm {
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub from_country: String,
    #[serde(default)]
    pub to_country: String,
    #[serde(default)]
    pub transfer_program: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
}

const TRANSFER_LABELS: &[(&str, &str)] = &[
    ("from_country", "From"),
    ("to_country", "To"),
    ("transfer_program", "Program"),
    ("amount", "Amount"),
    ("reason", "Reason"),
    ("fiscal_year", "Fiscal year"),
];

#[derive(Template)]
#[template(path = "pages/funding/show.html")]
struct FundingPage {
    layout: Layout,
    fiscal_year: i32,
    years: Vec<Choice>,
    rows: Vec<AllocationRow>,
    charts: Vec<Chart>,
    chart_width: i64,
    chart_height: i64,
    chart_left: i64,
    is_staff: bool,
    /// The forms of staff, with the countries to choose from.
    allocation_form: AllocationForm,
    allocation_countries: Vec<Choice>,
    allocation_programs: Vec<Choice>,
    allocation_errors: FormErrors,
    transfer_form: TransferForm,
    from_countries: Vec<Choice>,
    to_countries: Vec<Choice>,
    transfer_programs: Vec<Choice>,
    transfer_errors: FormErrors,
}

/// The forms of the page, as typed, with what was wrong with them.
#[derive(Default)]
struct FundingForms {
    allocation: AllocationForm,
    allocation_errors: FormErrors,
    transfer: TransferForm,
    transfer_errors: FormErrors,
}

fn program_choices(selected: &str) -> Vec<Choice> {
    choices([("IMET", "IMET"), ("FMF", "FMF")], &[selected])
}

async fn funding_page(
    state: &AppState,
    signed_in: &SignedIn,
    fy: i32,
    forms: FundingForms,
) -> PageResult {
    let today = state.clock.today();
    let user = &signed_in.user;
    let rows = allocations::list(
        &state.db,
        user,
        AllocationFilter {
            fiscal_year: Some(fy),
            ..Default::default()
        },
        MAX_LIMIT,
        None,
    )
    .await?
    .items
    .into_iter()
    .map(|allocation| AllocationRow {
        allocated: Cents(allocation.allocated_cents).to_string(),
        committed: Cents(allocation.committed_cents).to_string(),
        available: Cents(allocation.available_cents).to_string(),
        allocation,
    })
    .collect();
    let country_list = countries::list(&state.db, user, None, MAX_LIMIT, None)
        .await?
        .items;
    let name_of = |code: &str| {
        country_list
            .iter()
            .find(|c| c.code == code)
            .map_or(code.to_owned(), |c| c.name.clone())
    };
    let charts = chart_data::committed_vs_allocated(&state.db, user, fy)
        .await?
        .into_iter()
        .map(|series| {
            let geometry = funding_chart::geometry(series.allocated_cents, &series.committed);
            Chart {
                country_name: name_of(&series.country_code),
                allocated: Cents(series.allocated_cents).to_string(),
                months: funding_chart::MONTHS
                    .into_iter()
                    .zip(series.committed.iter().map(|c| Cents(*c).to_string()))
                    .collect(),
                scale: Cents(geometry.scale_cents).to_string(),
                geometry,
                country_code: series.country_code,
            }
        })
        .collect();
    let years = fiscal_year_choices(today, fy);
    let country_options =
        |selected: &str| country_choices(&country_list, "Choose a country", selected);
    let has_errors = !forms.allocation_errors.is_empty() || !forms.transfer_errors.is_empty();
    let page = FundingPage {
        layout: signed_in
            .layout(state, &format!("Funding FY{fy}"))
            .await?
            .with_errors(has_errors),
        fiscal_year: fy,
        years,
        rows,
        charts,
        chart_width: WIDTH,
        chart_height: HEIGHT,
        chart_left: LEFT,
        is_staff: user.role.is_staff(),
        allocation_countries: country_options(&forms.allocation.country_code),
        allocation_programs: program_choices(&forms.allocation.program),
        allocation_form: forms.allocation,
        allocation_errors: forms.allocation_errors,
        from_countries: country_options(&forms.transfer.from_country),
        to_countries: country_options(&forms.transfer.to_country),
        transfer_programs: program_choices(&forms.transfer.transfer_program),
        transfer_form: forms.transfer,
        transfer_errors: forms.transfer_errors,
    };
    render_form(&page, has_errors)
}

/// `GET /funding`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<FiscalYearQuery>,
) -> PageResult {
    let fy = query.chosen(state.clock.today())?;
    funding_page(&state, &signed_in, fy, FundingForms::default()).await
}

/// `GET /funding/report.csv`: the same CSV as `GET /api/v1/reports/funding`
/// with `Accept: text/csv`.
pub async fn report_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<FiscalYearQuery>,
) -> PageResult {
    let today = state.clock.today();
    let fy = query.chosen(today)?;
    let report = funding_report::build(&state.db, &signed_in.user, fy, today).await?;
    let csv = funding_report::to_csv(&report)?;
    Ok(csv_attachment(&format!("funding-fy{fy}.csv"), csv))
}

/// `POST /funding/allocations`: the same checks as
/// `PUT /api/v1/allocations/{country}/{program}/{fy}`.
pub async fn set_allocation(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    WebForm(form): WebForm<AllocationForm>,
) -> PageResult {
    let mut fields = FieldErrors::new();
    let fy = posted_year(&form.fiscal_year, state.clock.today(), &mut fields);
    if form.country_code.is_empty() {
        add_error(&mut fields, "country_code", "must be chosen");
    }
    let cents = Cents::parse_dollars(&form.allocated)
        .map(|c| c.0)
        .map_err(|m| add_error(&mut fields, "allocated", m))
        .unwrap_or_default();
    let amount = AllocationAmount {
        allocated_cents: cents,
    };
    if let Err(invalid) = amount.validate()
        && let AppError::Validation(found) = AppError::from(invalid)
    {
        for (_, messages) in found {
            fields
                .entry("allocated".to_owned())
                .or_default()
                .extend(messages);
        }
    }
    let outcome = if fields.is_empty() {
        match AllocationKey::new(&form.country_code, &form.program, fy) {
            Ok(key) => allocations::set(&state, &officer.user, &key, cents)
                .await
                .map(|set| set.allocation),
            Err(err) => Err(err),
        }
    } else {
        Err(AppError::Validation(fields))
    };
    match outcome {
        Ok(a) => {
            officer
                .flash(
                    &state,
                    &format!(
                        "The {} {} allocation for FY{} is {}.",
                        a.country_code,
                        a.program,
                        a.fiscal_year,
                        Cents(a.allocated_cents)
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/funding?fiscal_year={fy}")).into_response())
        }
        Err(err) => {
            let forms = FundingForms {
                allocation_errors: FormErrors::from_error(err, ALLOCATION_LABELS)?,
                allocation: form,
                ..Default::default()
            };
            funding_page(&state, &officer, fy, forms).await
        }
    }
}

/// `POST /funding/transfers`: the same checks as `POST /api/v1/allocations/transfers`.
pub async fn transfer(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    WebForm(form): WebForm<TransferForm>,
) -> PageResult {
    let mut fields = FieldErrors::new();
    let fy = posted_year(&form.fiscal_year, state.clock.today(), &mut fields);
    for (field, value) in [
        ("from_country", &form.from_country),
        ("to_country", &form.to_country),
    ] {
        if value.is_empty() {
            add_error(&mut fields, field, "must be chosen");
        }
    }
    let amount_cents = Cents::parse_dollars(&form.amount)
        .map(|c| c.0)
        .map_err(|m| add_error(&mut fields, "amount", m))
        .unwrap_or(1);
    let new = NewTransfer {
        from_country: form.from_country.clone(),
        to_country: form.to_country.clone(),
        program: form.transfer_program.clone(),
        fiscal_year: fy,
        amount_cents,
        reason: form.reason.clone(),
    };
    let names = [("amount_cents", "amount"), ("program", "transfer_program")];
    let mut checked = FieldErrors::new();
    validate_into(&new, &mut checked);
    if let AppError::Validation(renamed) = rename_fields(AppError::Validation(checked), &names) {
        for (field, messages) in renamed {
            fields.entry(field).or_insert(messages);
        }
    }
    let outcome = if fields.is_empty() {
        allocations::transfer(&state, &officer.user, new)
            .await
            .map_err(|err| rename_fields(err, &names))
    } else {
        Err(AppError::Validation(fields))
    };
    match outcome {
        Ok(done) => {
            let t = &done.transfer;
            officer
                .flash(
                    &state,
                    &format!(
                        "{} of {} FY{} moved from {} to {}.",
                        Cents(t.amount_cents),
                        t.program,
                        t.fiscal_year,
                        t.from_country,
                        t.to_country
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/funding?fiscal_year={fy}")).into_response())
        }
        Err(err) => {
            let forms = FundingForms {
                transfer_errors: FormErrors::from_error(err, TRANSFER_LABELS)?,
                transfer: form,
                ..Default::default()
            };
            funding_page(&state, &officer, fy, forms).await
        }
    }
}
