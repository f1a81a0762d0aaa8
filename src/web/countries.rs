//! `/countries`: everyone reads (a liaison only their own; another country's
//! page is the 404 page), admins register and edit — through `services::countries`.
//! A country's page shows today's status per program, a banner for each
//! suspension in effect and the suspension timeline.
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    domain::money::Cents,
    domain::role::Role,
    error::FieldErrors,
    services::{
        countries::{self, CountryDetail, CountryPatch, CountryView, NewCountry},
        suspensions::SuspensionView,
    },
    web::{
        error::{PageResult, render},
        format::Tag,
        forms::{FormErrors, WebForm, validate_into},
        layout::Layout,
        session::{AdminSignedIn, SignedIn},
    },
};

#[derive(Deserialize)]
pub struct ListQuery {
    pub cursor: Option<String>,
}

/// A country with its travel estimate in dollars.
struct CountryRow {
    country: CountryView,
    travel: String,
}

impl From<CountryView> for CountryRow {
    fn from(country: CountryView) -> Self {
        Self {
            travel: Cents(country.travel_estimate_cents).to_string(),
            country,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/countries/list.html")]
struct CountriesPage {
    layout: Layout,
    rows: Vec<CountryRow>,
    is_admin: bool,
    next_cursor: Option<String>,
}

/// `GET /countries`
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page =
        countries::list(&state.db, &signed_in.user, None, MAX_LIMIT, cursor.as_ref()).await?;
    Ok(render(&CountriesPage {
        layout: signed_in.layout(&state, "Countries").await?,
        rows: page.items.into_iter().map(CountryRow::from).collect(),
        is_admin: signed_in.user.role == Role::Admin,
        next_cursor: page.next_cursor,
    }))
}

/// A suspension as pages show it.
pub struct SuspensionRow {
    pub id: i32,
    /// What it covers, in words: "All programs except IMET", "IMET, FMF".
    pub coverage: String,
    pub legal_basis: &'static str,
    pub reason: String,
    pub effective_from: NaiveDate,
    pub lifted_on: Option<NaiveDate>,
    pub lift_reason: Option<String>,
    pub tag: Tag,
}

impl SuspensionRow {
    /// `view` as the pages show it on `today` (the clock's day).
    pub fn of(view: &SuspensionView, today: NaiveDate) -> Self {
        let coverage = if view.programs.iter().any(|p| p == "ALL") {
            if view.exempt_programs.is_empty() {
                "All programs".to_owned()
            } else {
                format!("All programs except {}", view.exempt_programs.join(", "))
            }
        } else {
            view.programs.join(", ")
        };
        let tag = if view.in_effect {
            Tag {
                label: "In effect",
                colour: "red",
            }
        } else if view.effective_from > today {
            Tag {
                label: "Scheduled",
                colour: "yellow",
            }
        } else {
            Tag {
                label: "Lifted",
                colour: "grey",
            }
        };
        Self {
            id: view.id,
            coverage,
            legal_basis: view.legal_basis.label(),
            reason: view.reason.clone(),
            effective_from: view.effective_from,
            lifted_on: view.lifted_on,
            lift_reason: view.lift_reason.clone(),
            tag,
        }
    }

    /// Not lifted yet: it can still be.
    pub fn can_lift(&self) -> bool {
        self.lifted_on.is_none()
    }
}

/// One program's status today.
pub struct ProgramRow {
    pub program: &'static str,
    pub tag: Tag,
}

/// What a country page (and a liaison's dashboard) shows of its suspensions:
/// today's status per program, those in effect, and the whole history.
pub struct CountryStatus {
    pub programs: Vec<ProgramRow>,
    pub in_effect: Vec<SuspensionRow>,
    /// Oldest first.
    pub timeline: Vec<SuspensionRow>,
}

impl CountryStatus {
    pub fn of(detail: &CountryDetail, today: NaiveDate) -> Self {
        Self {
            programs: detail
                .status
                .iter()
                .map(|s| ProgramRow {
                    program: s.program.as_str(),
                    tag: Tag::eligibility(s.eligible),
                })
                .collect(),
            in_effect: detail
                .suspensions
                .iter()
                .filter(|s| s.in_effect)
                .map(|s| SuspensionRow::of(s, today))
                .collect(),
            timeline: detail
                .suspensions
                .iter()
                .map(|s| SuspensionRow::of(s, today))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/countries/show.html")]
struct CountryPage {
    layout: Layout,
    row: CountryRow,
    status: CountryStatus,
    is_admin: bool,
    /// Program officers and admins impose and lift suspensions.
    is_staff: bool,
}

/// `GET /countries/{code}`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(code): Path<String>,
) -> PageResult {
    let today = state.clock.today();
    let detail = countries::detail(&state.db, &signed_in.user, &code, today).await?;
    let status = CountryStatus::of(&detail, today);
    Ok(render(&CountryPage {
        layout: signed_in.layout(&state, &detail.country.name).await?,
        row: detail.country.into(),
        status,
        is_admin: signed_in.user.role == Role::Admin,
        is_staff: signed_in.user.role.is_staff(),
    }))
}

/// The country form as typed; the travel estimate in dollars.
#[derive(Deserialize, Default)]
pub struct CountryForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub travel_estimate_cents: String,
    /// A checkbox: present when ticked.
    pub active: Option<String>,
}

const COUNTRY_LABELS: &[(&str, &str)] = &[
    ("code", "Country code"),
    ("name", "Name"),
    ("travel_estimate_cents", "Travel estimate"),
    ("active", "Active"),
];

#[derive(Template)]
#[template(path = "pages/countries/form.html")]
struct CountryFormPage {
    layout: Layout,
    errors: FormErrors,
    form: CountryForm,
    /// `None` when registering a new country.
    editing: Option<String>,
}

async fn form_page(
    state: &AppState,
    admin: &SignedIn,
    form: CountryForm,
    editing: Option<String>,
    errors: FormErrors,
) -> PageResult {
    let title = match &editing {
        Some(_) => format!("Edit {}", form.name),
        None => "Add a country".to_owned(),
    };
    let has_errors = !errors.is_empty();
    let page = CountryFormPage {
        layout: admin
            .layout(state, &title)
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        form,
        editing,
    };
    render_form(&page, has_errors)
}

/// Reads the travel estimate, adding a field error when it is not an amount.
fn travel_cents(form: &CountryForm, errors: &mut FieldErrors) -> i64 {
    Cents::parse_dollars(&form.travel_estimate_cents)
        .map(|c| c.0)
        .unwrap_or_else(|message| {
            errors.insert("travel_estimate_cents".into(), vec![message.into()]);
            0
        })
}

/// `GET /countries/new`
pub async fn new_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
) -> PageResult {
    let form = CountryForm {
        active: Some("on".into()),
        ..Default::default()
    };
    form_page(&state, &admin, form, None, FormErrors::default()).await
}

/// `POST /countries`: the same checks as `POST /api/v1/countries`.
pub async fn create(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    WebForm(form): WebForm<CountryForm>,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let new = NewCountry {
        code: form.code.clone(),
        name: form.name.clone(),
        travel_estimate_cents: travel_cents(&form, &mut errors),
        active: Some(form.active.is_some()),
    };
    validate_into(&new, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, COUNTRY_LABELS);
        return form_page(&state, &admin, form, None, errors).await;
    }
    match countries::create(&state.db, &admin.user, new).await {
        Ok(country) => {
            admin
                .flash(
                    &state,
                    &format!("{} ({}) is registered.", country.name, country.code),
                )
                .await?;
            Ok(Redirect::to(&format!("/countries/{}", country.code)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, COUNTRY_LABELS)?;
            form_page(&state, &admin, form, None, errors).await
        }
    }
}

/// `GET /countries/{code}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(code): Path<String>,
) -> PageResult {
    let country = countries::get_visible(&state.db, &admin.user, &code).await?;
    let form = CountryForm {
        code: country.code.clone(),
        name: country.name,
        travel_estimate_cents: Cents(country.travel_estimate_cents).input(),
        active: country.active.then(|| "on".into()),
    };
    form_page(
        &state,
        &admin,
        form,
        Some(country.code),
        FormErrors::default(),
    )
    .await
}

/// `POST /countries/{code}`: the same checks as `PATCH /api/v1/countries/{code}`.
pub async fn update(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(code): Path<String>,
    WebForm(mut form): WebForm<CountryForm>,
) -> PageResult {
    let existing = countries::get_visible(&state.db, &admin.user, &code).await?;
    form.code = existing.code.clone();
    let mut errors = FieldErrors::new();
    let patch = CountryPatch {
        name: Some(form.name.clone()),
        travel_estimate_cents: Some(travel_cents(&form, &mut errors)),
        active: Some(form.active.is_some()),
    };
    validate_into(&patch, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, COUNTRY_LABELS);
        return form_page(&state, &admin, form, Some(existing.code), errors).await;
    }
    match countries::update(&state.db, &admin.user, &existing.code, patch).await {
        Ok(country) => {
            admin
                .flash(&state, &format!("{} is updated.", country.name))
                .await?;
            Ok(Redirect::to(&format!("/countries/{}", country.code)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, COUNTRY_LABELS)?;
            form_page(&state, &admin, form, Some(existing.code), errors).await
        }
    }
}
