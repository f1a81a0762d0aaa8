//! Imposing and lifting a country's suspensions (program officers and
//! admins) — through `services::suspensions`, as `POST
//! /api/v1/countries/{code}/suspensions` and `…/{id}/lift` do.
use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    domain::{
        program::Program,
        suspension::{Coverage, LegalBasis},
    },
    error::{AppError, FieldErrors},
    services::{
        countries::{self, CountryView},
        suspensions::{self, LiftRequest, NewSuspension},
    },
    web::{
        countries::SuspensionRow,
        error::PageResult,
        format::parse_date,
        forms::{Choice, FormErrors, WebForm, add_error, choices, validate_into},
        layout::Layout,
        session::{SignedIn, StaffSignedIn},
    },
};

/// The impose form as typed.
#[derive(Deserialize, Default)]
pub struct ImposeForm {
    #[serde(default)]
    pub programs: Vec<String>,
    #[serde(default)]
    pub exempt_programs: Vec<String>,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub effective_from: String,
}

const IMPOSE_LABELS: &[(&str, &str)] = &[
    ("programs", "Programs"),
    ("exempt_programs", "Exempt programs"),
    ("legal_basis", "Legal basis"),
    ("reason", "Reason"),
    ("effective_from", "In effect from"),
];

fn program_label(program: Program) -> &'static str {
    match program {
        Program::Imet => "IMET",
        Program::EImet => "E-IMET (Expanded IMET)",
        Program::Fmf => "FMF (Foreign Military Financing)",
        Program::Csf => "CSF (Coalition Support Funds)",
    }
}

#[derive(Template)]
#[template(path = "pages/countries/impose.html")]
struct ImposePage {
    layout: Layout,
    errors: FormErrors,
    country: CountryView,
    form: ImposeForm,
    programs: Vec<Choice>,
    exempt_programs: Vec<Choice>,
    legal_bases: Vec<Choice>,
}

fn ticked(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

async fn impose_page(
    state: &AppState,
    officer: &SignedIn,
    country: CountryView,
    form: ImposeForm,
    errors: FormErrors,
) -> PageResult {
    let programs = choices(
        std::iter::once(("ALL", "All programs"))
            .chain(Program::ALL.map(|p| (p.as_str(), program_label(p)))),
        &ticked(&form.programs),
    );
    let exempt_programs = choices(
        Program::ALL.map(|p| (p.as_str(), program_label(p))),
        &ticked(&form.exempt_programs),
    );
    let legal_bases = choices(
        std::iter::once(("", "Choose the legal basis"))
            .chain(LegalBasis::ALL.map(|b| (b.as_str(), b.label()))),
        &[form.legal_basis.as_str()],
    );
    let has_errors = !errors.is_empty();
    let page = ImposePage {
        layout: officer
            .layout(state, &format!("Impose a suspension on {}", country.name))
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        country,
        form,
        programs,
        exempt_programs,
        legal_bases,
    };
    render_form(&page, has_errors)
}

/// `GET /countries/{code}/suspensions/new`
pub async fn impose_form(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(code): Path<String>,
) -> PageResult {
    let country = countries::get_visible(&state.db, &officer.user, &code).await?;
    let form = ImposeForm {
        effective_from: state.clock.today().to_string(),
        ..Default::default()
    };
    impose_page(&state, &officer, country, form, FormErrors::default()).await
}

/// `POST /countries/{code}/suspensions`
pub async fn impose(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(code): Path<String>,
    WebForm(form): WebForm<ImposeForm>,
) -> PageResult {
    let country = countries::get_visible(&state.db, &officer.user, &code).await?;
    let mut errors = FieldErrors::new();
    let legal_basis = form.legal_basis.parse::<LegalBasis>().ok();
    if legal_basis.is_none() {
        add_error(&mut errors, "legal_basis", "must be chosen");
    }
    if let Err((field, message)) = Coverage::parse(&form.programs, &form.exempt_programs) {
        add_error(&mut errors, field, message);
    }
    let effective_from = parse_date(&form.effective_from)
        .map_err(|m| add_error(&mut errors, "effective_from", m))
        .unwrap_or_default();
    let new = NewSuspension {
        programs: form.programs.clone(),
        exempt_programs: form.exempt_programs.clone(),
        legal_basis: legal_basis.unwrap_or(LegalBasis::Other),
        reason: form.reason.clone(),
        effective_from,
    };
    validate_into(&new, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, IMPOSE_LABELS);
        return impose_page(&state, &officer, country, form, errors).await;
    }
    match suspensions::impose(&state, &officer.user, &country.code, new).await {
        Ok(imposed) => {
            let row = SuspensionRow::of(&imposed, state.clock.today());
            officer
                .flash(
                    &state,
                    &format!(
                        "{} suspended for {} from {}.",
                        row.coverage, country.name, row.effective_from
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/countries/{}", country.code)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, IMPOSE_LABELS)?;
            impose_page(&state, &officer, country, form, errors).await
        }
    }
}

/// The lift form as typed.
#[derive(Deserialize, Default)]
pub struct LiftForm {
    #[serde(default)]
    pub lifted_on: String,
    #[serde(default)]
    pub reason: String,
}

const LIFT_LABELS: &[(&str, &str)] = &[("lifted_on", "Lifted on"), ("reason", "Reason")];

#[derive(Template)]
#[template(path = "pages/countries/lift.html")]
struct LiftPage {
    layout: Layout,
    errors: FormErrors,
    country: CountryView,
    suspension: SuspensionRow,
    form: LiftForm,
}

/// The suspension `id` of a country, or the 404 page.
async fn suspension_of(
    state: &AppState,
    country: &CountryView,
    id: i32,
) -> Result<SuspensionRow, AppError> {
    let today = state.clock.today();
    suspensions::history(&state.db, &country.code)
        .await?
        .iter()
        .find(|s| s.row.id == id)
        .map(|s| SuspensionRow::of(&s.view(today), today))
        .ok_or_else(|| AppError::not_found("Suspension"))
}

async fn lift_page(
    state: &AppState,
    officer: &SignedIn,
    country: CountryView,
    id: i32,
    form: LiftForm,
    errors: FormErrors,
) -> PageResult {
    let suspension = suspension_of(state, &country, id).await?;
    let has_errors = !errors.is_empty();
    let page = LiftPage {
        layout: officer
            .layout(state, "Lift a suspension")
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        country,
        suspension,
        form,
    };
    render_form(&page, has_errors)
}

/// `GET /countries/{code}/suspensions/{id}/lift`
pub async fn lift_form(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path((code, id)): Path<(String, i32)>,
) -> PageResult {
    let country = countries::get_visible(&state.db, &officer.user, &code).await?;
    let form = LiftForm {
        lifted_on: state.clock.today().to_string(),
        ..Default::default()
    };
    lift_page(&state, &officer, country, id, form, FormErrors::default()).await
}

/// `POST /countries/{code}/suspensions/{id}/lift`
pub async fn lift(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path((code, id)): Path<(String, i32)>,
    WebForm(form): WebForm<LiftForm>,
) -> PageResult {
    let country = countries::get_visible(&state.db, &officer.user, &code).await?;
    let mut errors = FieldErrors::new();
    let lifted_on = parse_date(&form.lifted_on)
        .map_err(|m| add_error(&mut errors, "lifted_on", m))
        .unwrap_or_default();
    let request = LiftRequest {
        lifted_on,
        reason: form.reason.clone(),
    };
    validate_into(&request, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, LIFT_LABELS);
        return lift_page(&state, &officer, country, id, form, errors).await;
    }
    match suspensions::lift(&state, &officer.user, &country.code, id, request).await {
        Ok(lifted) => {
            let row = SuspensionRow::of(&lifted, state.clock.today());
            officer
                .flash(
                    &state,
                    &format!(
                        "The suspension of {} is lifted on {}.",
                        row.coverage,
                        row.lifted_on.unwrap_or(lifted_on)
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/countries/{}", country.code)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, LIFT_LABELS)?;
            lift_page(&state, &officer, country, id, form, errors).await
        }
    }
}
