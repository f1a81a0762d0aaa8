//! `/ecl-exemptions`: the countries exempt from ECL testing in a fiscal
//! year (a liaison's own country), and for admins the form that puts a
//! country on a year's list or changes its note, and the button that takes
//! it off — through `services::ecl_exemptions`, with the same checks as the
//! JSON API.
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::{
    app::AppState,
    db::pagination::MAX_LIMIT,
    domain::role::Role,
    error::{AppError, FieldErrors},
    services::{
        countries,
        ecl_exemptions::{self, EclExemptionView, ExemptionNote},
    },
    web::{
        error::{PageResult, render_form},
        format::moment,
        forms::{
            Choice, FiscalYearQuery, FormErrors, NoFields, WebForm, add_error, country_choices,
            fiscal_year_choices, posted_year, validate_into,
        },
        layout::Layout,
        session::{AdminSignedIn, SignedIn},
    },
};

/// The exemption form as typed.
#[derive(Deserialize, Default)]
pub struct ExemptionForm {
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub country_code: String,
    #[serde(default)]
    pub note: String,
}

const LABELS: &[(&str, &str)] = &[
    ("fiscal_year", "Fiscal year"),
    ("country_code", "Country"),
    ("note", "Note"),
];

/// An exemption as the table shows it.
struct ExemptionRow {
    exemption: EclExemptionView,
    changed: String,
}

#[derive(Template)]
#[template(path = "pages/ecl_exemptions/list.html")]
struct ExemptionsPage {
    layout: Layout,
    fiscal_year: i32,
    years: Vec<Choice>,
    rows: Vec<ExemptionRow>,
    is_admin: bool,
    /// The admin's form, with the years and countries to choose from.
    form: ExemptionForm,
    form_years: Vec<Choice>,
    countries: Vec<Choice>,
    errors: FormErrors,
}

async fn exemptions_page(
    state: &AppState,
    signed_in: &SignedIn,
    fy: i32,
    form: ExemptionForm,
    errors: FormErrors,
) -> PageResult {
    let today = state.clock.today();
    let user = &signed_in.user;
    let rows = ecl_exemptions::list(&state.db, user, Some(fy), MAX_LIMIT, None)
        .await?
        .items
        .into_iter()
        .map(|exemption| ExemptionRow {
            changed: moment(exemption.updated_at),
            exemption,
        })
        .collect();
    let is_admin = user.role == Role::Admin;
    let countries = if is_admin {
        let all = countries::list(&state.db, user, None, MAX_LIMIT, None)
            .await?
            .items;
        country_choices(&all, "Choose a country", &form.country_code)
    } else {
        Vec::new()
    };
    let has_errors = !errors.is_empty();
    let page = ExemptionsPage {
        layout: signed_in
            .layout(state, &format!("ECL exemptions FY{fy}"))
            .await?
            .with_errors(has_errors),
        fiscal_year: fy,
        years: fiscal_year_choices(today, fy),
        rows,
        is_admin,
        form_years: fiscal_year_choices(today, fy),
        countries,
        form,
        errors,
    };
    render_form(&page, has_errors)
}

/// `GET /ecl-exemptions`
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<FiscalYearQuery>,
) -> PageResult {
    let fy = query.chosen(state.clock.today())?;
    exemptions_page(
        &state,
        &signed_in,
        fy,
        ExemptionForm::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /ecl-exemptions`: the same checks as
/// `PUT /api/v1/ecl-exemptions/{fiscal_year}/{country}`.
pub async fn put(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    WebForm(form): WebForm<ExemptionForm>,
) -> PageResult {
    let mut fields = FieldErrors::new();
    let fy = posted_year(&form.fiscal_year, state.clock.today(), &mut fields);
    if form.country_code.is_empty() {
        add_error(&mut fields, "country_code", "must be chosen");
    }
    let request = ExemptionNote {
        note: form.note.clone(),
    };
    validate_into(&request, &mut fields);
    let outcome = if fields.is_empty() {
        ecl_exemptions::put(&state, &admin.user, fy, &form.country_code, request).await
    } else {
        Err(AppError::Validation(fields))
    };
    match outcome {
        Ok(done) => {
            let e = &done.exemption;
            let message = if done.created {
                format!(
                    "{} ({}) is exempt from ECL testing in FY{}.",
                    e.country_name, e.country_code, e.fiscal_year
                )
            } else {
                format!(
                    "The note on the FY{} exemption of {} ({}) is saved.",
                    e.fiscal_year, e.country_name, e.country_code
                )
            };
            admin.flash(&state, &message).await?;
            Ok(Redirect::to(&format!("/ecl-exemptions?fiscal_year={fy}")).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, LABELS)?;
            exemptions_page(&state, &admin, fy, form, errors).await
        }
    }
}

/// `POST /ecl-exemptions/{fiscal_year}/{country}/remove`: as
/// `DELETE /api/v1/ecl-exemptions/{fiscal_year}/{country}`. The year is read
/// after the form, so a form without its CSRF token is refused whatever the
/// path says.
pub async fn remove(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path((fy, country)): Path<(String, String)>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let fy: i32 = fy
        .parse()
        .map_err(|_| AppError::field("fiscal_year", "must be a year such as 2027"))?;
    let removed = ecl_exemptions::delete(&state, &admin.user, fy, &country).await?;
    admin
        .flash(
            &state,
            &format!(
                "{} ({}) is no longer exempt from ECL testing in FY{}.",
                removed.country_name, removed.country_code, removed.fiscal_year
            ),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/ecl-exemptions?fiscal_year={}",
        removed.fiscal_year
    ))
    .into_response())
}
