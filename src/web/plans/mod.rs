//! `/plans`: the annual training plans (SPEC §7). The list, with the form
//! that starts a plan; a plan's page with its lines, totals, ceilings and
//! PME share, and the actions its status and the caller's role allow; a
//! draft's line forms; and the plan report with its chart and CSV. Every
//! rule is `services::plans`' (and `domain::plan`'s), as for the JSON API;
//! another country's plan is the 404 page.
mod lines;
mod page;
mod report;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::{
    app::AppState,
    db::pagination::MAX_LIMIT,
    domain::{
        fiscal_year::fiscal_year,
        money::Cents,
        plan::{self, PlanAction, PlanStatus},
        role::Role,
    },
    error::{AppError, AppResult},
    services::{
        countries,
        plans::{self, NewPlan, PlanFilter, PlanSummary},
    },
    web::{
        error::{PageResult, render, render_form},
        format::{Tag, moment, optional},
        forms::{
            Choice, FormErrors, NoFields, WebForm, choices, country_choices, rename_fields,
            validate_into,
        },
        layout::Layout,
        session::{NominatorSignedIn, SignedIn, StaffSignedIn},
    },
};

pub use lines::*;
pub use page::*;
pub use report::*;

/// Whether a page offers `action` on a plan in `status`: the caller's role
/// may take it and the status machine allows it from there.
fn offers(role: Role, action: PlanAction, status: PlanStatus) -> bool {
    plan::may_act(role, action, status) && plan::plan_transition(status, action).is_some()
}

/// The filters of the plan list, as typed.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub fiscal_year: String,
}

impl ListQuery {
    fn filter(&self) -> AppResult<PlanFilter> {
        let fiscal_year = optional(&self.fiscal_year)
            .map(|typed| {
                typed
                    .parse()
                    .map_err(|_| AppError::field("fiscal_year", "must be a year, like 2027"))
            })
            .transpose()?;
        let filter = PlanFilter {
            country: optional(&self.country).map(str::to_owned),
            fiscal_year,
        };
        let mut fields = Default::default();
        validate_into(&filter, &mut fields);
        if fields.is_empty() {
            Ok(filter)
        } else {
            Err(AppError::Validation(fields))
        }
    }
}

/// The form that starts a plan, as typed; only an admin chooses the country.
#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    pub country_code: String,
    #[serde(default)]
    pub start_year: String,
}

const START_LABELS: &[(&str, &str)] = &[("country_code", "Country"), ("start_year", "Fiscal year")];

struct PlanRow {
    plan: PlanSummary,
    status: Tag,
    updated: String,
}

#[derive(Template)]
#[template(path = "pages/plans/list.html")]
struct PlansPage {
    layout: Layout,
    is_staff: bool,
    countries: Vec<Choice>,
    years: Vec<Choice>,
    rows: Vec<PlanRow>,
    /// The start form: for the country's drafters (admins choose the country).
    may_start: bool,
    is_admin: bool,
    errors: FormErrors,
    start_countries: Vec<Choice>,
    start_years: Vec<Choice>,
}

async fn plans_page(
    state: &AppState,
    signed_in: &SignedIn,
    query: &ListQuery,
    form: &StartForm,
    errors: FormErrors,
) -> PageResult {
    let user = &signed_in.user;
    let rows = plans::list(&state.db, user, &query.filter()?)
        .await?
        .into_iter()
        .map(|plan| PlanRow {
            status: Tag::plan(plan.status),
            updated: moment(plan.updated_at),
            plan,
        })
        .collect();
    let country_list = countries::list(&state.db, user, None, MAX_LIMIT, None)
        .await?
        .items;
    let current = fiscal_year(state.clock.today());
    let years: Vec<(String, String)> = (current - 3..=current + 2)
        .rev()
        .map(|y| (y.to_string(), format!("FY{y}")))
        .collect();
    let year_choices = |first: (&str, &str), selected: &str| {
        choices(
            std::iter::once(first)
                .chain(years.iter().map(|(y, label)| (y.as_str(), label.as_str()))),
            &[selected],
        )
    };
    // A plan is drafted for this fiscal year or the next ones; the next by default.
    let next = (current + 1).to_string();
    let start_year = optional(&form.start_year).unwrap_or(&next);
    let start_years = year_choices(("", "Choose a year"), start_year)
        .into_iter()
        .filter(|c| c.value.parse().map_or(true, |y: i32| y >= current))
        .collect();
    let has_errors = !errors.is_empty();
    let page = PlansPage {
        layout: signed_in
            .layout(state, "Training plans")
            .await?
            .with_errors(has_errors),
        is_staff: user.role.is_staff(),
        countries: country_choices(&country_list, "Every country", &query.country),
        years: year_choices(("", "Every year"), &query.fiscal_year),
        rows,
        may_start: plan::may_act(user.role, PlanAction::Edit, PlanStatus::Draft),
        is_admin: user.role == Role::Admin,
        errors,
        start_countries: country_choices(&country_list, "Choose a country", &form.country_code),
        start_years,
    };
    render_form(&page, has_errors)
}

/// `GET /plans`: the plans, the latest fiscal year first (a liaison's own
/// country's); staff filter by country and year.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<ListQuery>,
) -> PageResult {
    plans_page(
        &state,
        &signed_in,
        &query,
        &StartForm::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /plans`: starts a draft, as `POST /api/v1/plans`, for the
/// liaison's own country or the country an admin chose.
pub async fn create(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    WebForm(form): WebForm<StartForm>,
) -> PageResult {
    let user = &signed_in.user;
    let country_code = if user.role == Role::Admin {
        form.country_code.clone()
    } else {
        user.country_code().unwrap_or_default().to_owned()
    };
    let outcome = match form.start_year.trim().parse() {
        Ok(fiscal_year) => plans::create(
            &state,
            user,
            NewPlan {
                country_code,
                fiscal_year,
            },
        )
        .await
        .map_err(|err| rename_fields(err, &[("fiscal_year", "start_year")])),
        Err(_) => Err(AppError::field("start_year", "must be chosen")),
    };
    match outcome {
        Ok(plan) => {
            signed_in
                .flash(
                    &state,
                    &format!(
                        "The {} FY{} plan is started as a draft.",
                        plan.country_code, plan.fiscal_year
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, START_LABELS)?;
            plans_page(&state, &signed_in, &ListQuery::default(), &form, errors).await
        }
    }
}
