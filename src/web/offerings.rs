//! Classes of a course (admin): scheduling one, and editing its dates,
//! seats, costs and status (open, closed, cancelled) — through
//! `services::offerings`, with the same checks as the JSON API.
use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    domain::money::Cents,
    domain::offering_status::OfferingStatus,
    error::FieldErrors,
    services::{
        courses::{self, CourseView},
        offerings::{self, NewOffering, OfferingPatch, OfferingView},
    },
    web::{
        error::PageResult,
        format::{parse_date, parse_whole},
        forms::{Choice, FormErrors, WebForm, add_error, choices, validate_into},
        layout::Layout,
        session::{AdminSignedIn, SignedIn},
    },
};

/// The class form as typed; amounts in dollars.
#[derive(Deserialize, Default)]
pub struct OfferingForm {
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub seats: String,
    #[serde(default)]
    pub tuition_cents: String,
    #[serde(default)]
    pub living_allowance_per_day_cents: String,
    #[serde(default)]
    pub status: String,
}

/// What the form reads into, before the service's checks.
struct OfferingInput {
    start_date: chrono::NaiveDate,
    end_date: chrono::NaiveDate,
    seats: i32,
    tuition_cents: i64,
    living_allowance_per_day_cents: i64,
    status: OfferingStatus,
}

impl OfferingForm {
    fn of(offering: &OfferingView) -> Self {
        Self {
            start_date: offering.start_date.to_string(),
            end_date: offering.end_date.to_string(),
            seats: offering.seats.to_string(),
            tuition_cents: Cents(offering.tuition_cents).input(),
            living_allowance_per_day_cents: Cents(offering.living_allowance_per_day_cents).input(),
            status: offering.status.as_str().to_owned(),
        }
    }

    fn read(&self, errors: &mut FieldErrors) -> OfferingInput {
        let mut date = |field: &str, value: &str| {
            parse_date(value)
                .map_err(|m| add_error(errors, field, m))
                .unwrap_or_default()
        };
        let start_date = date("start_date", &self.start_date);
        let end_date = date("end_date", &self.end_date);
        let mut amount = |field: &str, value: &str| {
            Cents::parse_dollars(value)
                .map(|c| c.0)
                .map_err(|m| add_error(errors, field, m))
                .unwrap_or_default()
        };
        let tuition_cents = amount("tuition_cents", &self.tuition_cents);
        let living_allowance_per_day_cents = amount(
            "living_allowance_per_day_cents",
            &self.living_allowance_per_day_cents,
        );
        let seats = parse_whole(&self.seats)
            .map_err(|m| add_error(errors, "seats", m))
            .unwrap_or(1);
        let status = self.status.parse::<OfferingStatus>().unwrap_or_else(|_| {
            add_error(errors, "status", "must be chosen");
            OfferingStatus::Open
        });
        OfferingInput {
            start_date,
            end_date,
            seats,
            tuition_cents,
            living_allowance_per_day_cents,
            status,
        }
    }
}

const OFFERING_LABELS: &[(&str, &str)] = &[
    ("start_date", "Start date"),
    ("end_date", "End date"),
    ("seats", "Seats"),
    ("tuition_cents", "Tuition"),
    ("living_allowance_per_day_cents", "Living allowance per day"),
    ("status", "Status"),
];

#[derive(Template)]
#[template(path = "pages/courses/offering_form.html")]
struct OfferingFormPage {
    layout: Layout,
    errors: FormErrors,
    course: CourseView,
    form: OfferingForm,
    statuses: Vec<Choice>,
    /// The class being edited (with its seats taken); `None` when scheduling one.
    editing: Option<OfferingView>,
}

async fn form_page(
    state: &AppState,
    admin: &SignedIn,
    course: CourseView,
    form: OfferingForm,
    editing: Option<OfferingView>,
    errors: FormErrors,
) -> PageResult {
    let title = match &editing {
        Some(o) => format!("Edit the class of {}", o.start_date),
        None => "Schedule a class".to_owned(),
    };
    // A new class is open or closed; an existing one may also be cancelled.
    let allowed: &[OfferingStatus] = if editing.is_some() {
        &OfferingStatus::ALL
    } else {
        &[OfferingStatus::Open, OfferingStatus::Closed]
    };
    let statuses = choices(
        allowed.iter().map(|s| (s.as_str(), s.label())),
        &[form.status.as_str()],
    );
    let has_errors = !errors.is_empty();
    let page = OfferingFormPage {
        layout: admin
            .layout(state, &title)
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        course,
        form,
        statuses,
        editing,
    };
    render_form(&page, has_errors)
}

/// `GET /courses/{masl_id}/offerings/new`
pub async fn new_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(masl_id): Path<String>,
) -> PageResult {
    let course = courses::get(&state.db, &masl_id).await?;
    let form = OfferingForm {
        status: OfferingStatus::Open.as_str().into(),
        ..Default::default()
    };
    form_page(&state, &admin, course, form, None, FormErrors::default()).await
}

/// `POST /courses/{masl_id}/offerings`: the same checks as the API's.
pub async fn create(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(masl_id): Path<String>,
    WebForm(form): WebForm<OfferingForm>,
) -> PageResult {
    let course = courses::get(&state.db, &masl_id).await?;
    let mut errors = FieldErrors::new();
    let input = form.read(&mut errors);
    let new = NewOffering {
        start_date: input.start_date,
        end_date: input.end_date,
        seats: input.seats,
        tuition_cents: input.tuition_cents,
        living_allowance_per_day_cents: input.living_allowance_per_day_cents,
        status: Some(input.status),
    };
    validate_into(&new, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, OFFERING_LABELS);
        return form_page(&state, &admin, course, form, None, errors).await;
    }
    match offerings::create(&state.db, &admin.user, &course.masl_id, new).await {
        Ok(offering) => {
            admin
                .flash(
                    &state,
                    &format!(
                        "A class of {} from {} to {} is scheduled.",
                        course.masl_id, offering.start_date, offering.end_date
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/courses/{}", course.masl_id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, OFFERING_LABELS)?;
            form_page(&state, &admin, course, form, None, errors).await
        }
    }
}

/// `GET /offerings/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let offering = offerings::get(&state.db, id).await?;
    let course = courses::get(&state.db, &offering.course_masl_id).await?;
    let form = OfferingForm::of(&offering);
    form_page(
        &state,
        &admin,
        course,
        form,
        Some(offering),
        FormErrors::default(),
    )
    .await
}

/// `POST /offerings/{id}`: the same checks as `PATCH /api/v1/offerings/{id}`
/// (seats never below those taken; a cancelled class is final).
pub async fn update(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<OfferingForm>,
) -> PageResult {
    let offering = offerings::get(&state.db, id).await?;
    let course = courses::get(&state.db, &offering.course_masl_id).await?;
    let mut errors = FieldErrors::new();
    let input = form.read(&mut errors);
    let patch = OfferingPatch {
        start_date: Some(input.start_date),
        end_date: Some(input.end_date),
        seats: Some(input.seats),
        tuition_cents: Some(input.tuition_cents),
        living_allowance_per_day_cents: Some(input.living_allowance_per_day_cents),
        status: Some(input.status),
    };
    validate_into(&patch, &mut errors);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, OFFERING_LABELS);
        return form_page(&state, &admin, course, form, Some(offering), errors).await;
    }
    match offerings::update(&state, &admin.user, id, patch).await {
        Ok(updated) => {
            admin
                .flash(
                    &state,
                    &format!(
                        "The class of {} from {} is updated: {}.",
                        course.masl_id,
                        updated.start_date,
                        updated.status.label().to_lowercase()
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/courses/{}", course.masl_id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, OFFERING_LABELS)?;
            form_page(&state, &admin, course, form, Some(offering), errors).await
        }
    }
}
