//! `/nominations`: the nominate form (a liaison for their students, or an
//! admin), the review queue of program officers (a liaison's own list), and
//! a nomination's page with its checks, waivers, history and the actions of
//! each role. Every rule is `services::nominations`', as for the JSON API;
//! another country's nomination is the 404 page.
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect},
};
use chrono::Utc;
use serde::Deserialize;

use crate::{
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    domain::money::Cents,
    domain::{
        checks::{Check, CheckName},
        nomination::{Priority, Status},
        offering_status::OfferingStatus,
        program::Program,
        role::Role,
    },
    error::{AppError, FieldErrors},
    services::{
        countries,
        nominations::{
            self, NewNomination, NominationDetail, NominationFilter, NominationView, Preview,
            ReasonRequest, WaiverRequest,
        },
        offerings::{self, OfferingFilter, OfferingView},
        students::{self, StudentFilter},
    },
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query, moment, optional, parse_date},
        forms::{Choice, FormErrors, WebForm, add_error, choices, rename_fields, validate_into},
        layout::Layout,
        session::{NominatorSignedIn, SignedIn, StaffSignedIn},
    },
};

/// A check as pages show it.
pub struct CheckRow {
    pub label: &'static str,
    pub tag: Tag,
    /// A sign that says the outcome without colour: ✓, ✗ or ~ (waived).
    pub mark: &'static str,
    pub detail: String,
}

/// The name of a check in words.
fn check_label(name: CheckName) -> &'static str {
    match name {
        CheckName::CountryEligible => "Country eligible",
        CheckName::English => "English",
        CheckName::Prerequisites => "Prerequisites",
        CheckName::Audience => "Audience",
        CheckName::Vetting => "Vetting",
        CheckName::Seats => "Seats",
        CheckName::Funds => "Funds",
    }
}

impl CheckRow {
    fn of(check: &Check) -> Self {
        let mark = if check.passed {
            "✓"
        } else if check.waived {
            "~"
        } else {
            "✗"
        };
        Self {
            label: check_label(check.name),
            tag: Tag::check(check),
            mark,
            detail: check.detail.clone(),
        }
    }
}

/// A nomination as the queue and the dashboard list it.
pub struct NominationRow {
    pub nomination: NominationView,
    pub status: Tag,
    pub checks: Vec<CheckRow>,
}

impl From<NominationView> for NominationRow {
    fn from(nomination: NominationView) -> Self {
        Self {
            status: Tag::nomination(nomination.status),
            checks: nomination.checks.iter().map(CheckRow::of).collect(),
            nomination,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    pub country: String,
    /// MASL id of the course.
    #[serde(default)]
    pub course: String,
    /// A status, `all`, or empty for the role's default (staff: submitted).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    pub cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/nominations/list.html")]
struct QueuePage {
    layout: Layout,
    query: QueueQuery,
    countries: Vec<Choice>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    rows: Vec<NominationRow>,
    is_staff: bool,
    may_nominate: bool,
    next_page: Option<String>,
}

fn priority_choices(selected: &str, any: &'static str) -> Vec<Choice> {
    choices(
        [
            ("", any),
            ("A", "A (highest)"),
            ("B", "B"),
            ("C", "C"),
            ("D", "D (lowest)"),
        ],
        &[selected],
    )
}

/// `GET /nominations`: the review queue, oldest first; a liaison's own list.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(mut query): Query<QueueQuery>,
) -> PageResult {
    let is_staff = signed_in.user.role.is_staff();
    if query.status.is_empty() {
        query.status = if is_staff { "submitted" } else { "all" }.to_owned();
    }
    let filter = NominationFilter {
        country: optional(&query.country).map(str::to_owned),
        status: query.status.parse().ok(),
        course: optional(&query.course).map(str::to_ascii_uppercase),
        priority: query.priority.parse().ok(),
        ..Default::default()
    };
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = nominations::list(
        &state.db,
        &signed_in.user,
        filter,
        MAX_LIMIT,
        cursor.as_ref(),
    )
    .await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query(
            "/nominations",
            &[
                ("country", &query.country),
                ("course", &query.course),
                ("status", &query.status),
                ("priority", &query.priority),
                ("cursor", &cursor),
            ],
        )
    });
    let countries = if is_staff {
        let list = countries::list(&state.db, &signed_in.user, None, MAX_LIMIT, None)
            .await?
            .items;
        let names: Vec<(String, String)> = list
            .into_iter()
            .map(|c| (c.code.clone(), format!("{} ({})", c.name, c.code)))
            .collect();
        choices(
            std::iter::once(("", "Every country"))
                .chain(names.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
            &[query.country.as_str()],
        )
    } else {
        Vec::new()
    };
    let statuses = choices(
        std::iter::once(("all", "Any status")).chain(Status::ALL.map(|s| (s.as_str(), s.label()))),
        &[query.status.as_str()],
    );
    let title = if is_staff {
        "Review queue"
    } else {
        "Nominations"
    };
    Ok(render(&QueuePage {
        layout: signed_in.layout(&state, title).await?,
        countries,
        statuses,
        priorities: priority_choices(&query.priority, "Any priority"),
        rows: page.items.into_iter().map(NominationRow::from).collect(),
        is_staff,
        may_nominate: signed_in.user.role != Role::ProgramOfficer,
        next_page,
        query,
    }))
}

/// The nominate form as typed, with the class search it was shown with.
#[derive(Deserialize, Default)]
pub struct NominateForm {
    #[serde(default)]
    pub student_id: String,
    #[serde(default)]
    pub offering_id: String,
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub priority: String,
    /// Course text of the class search.
    #[serde(default)]
    pub q: String,
    /// Classes starting on or after this date (default today).
    #[serde(default)]
    pub from: String,
    /// `check`, `submit` or `draft`: the button pressed.
    #[serde(default)]
    pub action: String,
}

const NOMINATE_LABELS: &[(&str, &str)] = &[
    ("student_id", "Student"),
    ("offering_id", "Class"),
    ("program", "Funding program"),
    ("priority", "Priority"),
    ("from", "Starting from"),
];

/// A class the nominate form offers.
struct ClassChoice {
    offering: OfferingView,
    tuition: String,
    selected: bool,
}

/// The preview of the chosen student and class.
struct PreviewView {
    cost: String,
    fiscal_year: i32,
    checks: Vec<CheckRow>,
}

impl From<Preview> for PreviewView {
    fn from(preview: Preview) -> Self {
        Self {
            cost: Cents(preview.estimated_cost_cents).to_string(),
            fiscal_year: preview.fiscal_year,
            checks: preview.checks.iter().map(CheckRow::of).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/nominations/new.html")]
struct NominatePage {
    layout: Layout,
    errors: FormErrors,
    form: NominateForm,
    students: Vec<Choice>,
    classes: Vec<ClassChoice>,
    programs: Vec<Choice>,
    priorities: Vec<Choice>,
    preview: Option<PreviewView>,
}

async fn nominate_page(
    state: &AppState,
    signed_in: &SignedIn,
    mut form: NominateForm,
    errors: FormErrors,
    preview: Option<Preview>,
) -> PageResult {
    let mut errors = errors;
    if form.from.trim().is_empty() {
        form.from = Utc::now().date_naive().to_string();
    }
    let from = match parse_date(&form.from) {
        Ok(day) => Some(day),
        Err(message) => {
            let mut fields = FieldErrors::new();
            add_error(&mut fields, "from", message);
            errors
                .items
                .extend(FormErrors::from_fields(fields, NOMINATE_LABELS).items);
            None
        }
    };
    let filter = StudentFilter {
        country: None,
        q: None,
        vetting: None,
    };
    let student_list = students::list(&state.db, &signed_in.user, filter, MAX_LIMIT, None)
        .await?
        .items;
    let is_admin = signed_in.user.role == Role::Admin;
    let names: Vec<(String, String)> = student_list
        .iter()
        .map(|s| {
            let name = format!(
                "{}, {} — {} ({})",
                s.family_name, s.given_names, s.rank, s.grade
            );
            let label = if is_admin {
                format!("{name}, {}", s.country_code)
            } else {
                name
            };
            (s.id.to_string(), label)
        })
        .collect();
    let students = choices(
        std::iter::once(("", "Choose a student"))
            .chain(names.iter().map(|(id, n)| (id.as_str(), n.as_str()))),
        &[form.student_id.as_str()],
    );
    let classes = offerings::list(
        &state.db,
        OfferingFilter {
            course_text: optional(&form.q).map(str::to_owned),
            from,
            status: Some(OfferingStatus::Open),
            ..Default::default()
        },
        50,
        None,
    )
    .await?
    .items
    .into_iter()
    .map(|offering| ClassChoice {
        selected: form.offering_id == offering.id.to_string(),
        tuition: Cents(offering.tuition_cents).to_string(),
        offering,
    })
    .collect();
    let programs = choices([("IMET", "IMET"), ("FMF", "FMF")], &[form.program.as_str()]);
    let priorities = priority_choices(&form.priority, "C (default)");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NominatePage {
        layout: signed_in
            .layout(state, "Nominate a student")
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        form,
        students,
        classes,
        programs,
        priorities: priorities
            .into_iter()
            .filter(|c| !c.value.is_empty())
            .collect(),
        preview: preview.map(PreviewView::from),
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /nominations/new`: the form, with the class search of the query.
pub async fn new_form(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Query(mut form): Query<NominateForm>,
) -> PageResult {
    if form.priority.is_empty() {
        form.priority = Priority::default().as_str().to_owned();
    }
    nominate_page(&state, &signed_in, form, FormErrors::default(), None).await
}

/// `POST /nominations`: "Check" shows the checks and estimated cost
/// (`nominations::preview`); "Submit nomination" and "Save as draft" create
/// it with the same checks as `POST /api/v1/nominations`.
pub async fn create(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    WebForm(form): WebForm<NominateForm>,
) -> PageResult {
    let mut fields = FieldErrors::new();
    let mut chosen = |value: &str, field: &str| -> i32 {
        value.trim().parse().unwrap_or_else(|_| {
            add_error(&mut fields, field, "must be chosen");
            0
        })
    };
    let student_id = chosen(&form.student_id, "student_id");
    let offering_id = chosen(&form.offering_id, "offering_id");
    let program: Option<Program> = form.program.parse().ok();
    let priority: Option<Priority> = form.priority.parse().ok();
    if !fields.is_empty() {
        let errors = FormErrors::from_fields(fields, NOMINATE_LABELS);
        return nominate_page(&state, &signed_in, form, errors, None).await;
    }
    if form.action == "check" {
        let outcome = nominations::preview(
            &state,
            &signed_in.user,
            student_id,
            offering_id,
            program.unwrap_or(Program::Imet),
        )
        .await;
        return match outcome {
            Ok(preview) => {
                nominate_page(
                    &state,
                    &signed_in,
                    form,
                    FormErrors::default(),
                    Some(preview),
                )
                .await
            }
            Err(err) => {
                let errors = FormErrors::from_error(err, NOMINATE_LABELS)?;
                nominate_page(&state, &signed_in, form, errors, None).await
            }
        };
    }
    let submit = form.action == "submit";
    let new = NewNomination {
        student_id,
        offering_id,
        program,
        priority,
        submit,
    };
    let mut fields = FieldErrors::new();
    validate_into(&new, &mut fields);
    let outcome = if fields.is_empty() {
        nominations::create(&state, &signed_in.user, new).await
    } else {
        Err(AppError::Validation(fields))
    };
    match outcome {
        Ok(detail) => {
            let n = &detail.nomination;
            let done = if submit {
                "is submitted"
            } else {
                "is saved as a draft"
            };
            signed_in
                .flash(
                    &state,
                    &format!(
                        "The nomination of {} to {} {done}.",
                        n.student_name, n.course_title
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/nominations/{}", n.id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, NOMINATE_LABELS)?;
            nominate_page(&state, &signed_in, form, errors, None).await
        }
    }
}

/// The action forms of a nomination page, as typed.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub reject_reason: String,
    #[serde(default)]
    pub withdraw_reason: String,
    #[serde(default)]
    pub check: String,
    #[serde(default)]
    pub justification: String,
}

const ACTION_LABELS: &[(&str, &str)] = &[
    ("reject_reason", "Reason for rejecting"),
    ("withdraw_reason", "Reason for withdrawing"),
    ("check", "Check to waive"),
    ("justification", "Justification"),
];

struct EventRow {
    at: String,
    action: String,
    change: String,
    detail: String,
}

struct WaiverRow {
    check: &'static str,
    justification: String,
    granted_at: String,
}

#[derive(Template)]
#[template(path = "pages/nominations/show.html")]
struct NominationPage {
    layout: Layout,
    errors: FormErrors,
    form: ActionForm,
    row: NominationRow,
    cost: String,
    committed: String,
    penalty: String,
    waivers: Vec<WaiverRow>,
    history: Vec<EventRow>,
    waivable: Vec<Choice>,
    can_submit: bool,
    can_withdraw: bool,
    can_decide: bool,
    can_complete: bool,
    can_waive: bool,
}

async fn nomination_page(
    state: &AppState,
    signed_in: &SignedIn,
    detail: NominationDetail,
    form: ActionForm,
    errors: FormErrors,
) -> PageResult {
    let n = &detail.nomination;
    let role = signed_in.user.role;
    let is_staff = role.is_staff();
    let waivers = detail
        .waivers
        .iter()
        .map(|w| WaiverRow {
            check: check_label(w.check),
            justification: w.justification.clone(),
            granted_at: moment(w.granted_at),
        })
        .collect();
    let history = detail
        .history
        .iter()
        .map(|e| EventRow {
            at: moment(e.at),
            action: e.action.clone(),
            change: match &e.from_status {
                Some(from) => format!("{from} → {}", e.to_status),
                None => e.to_status.to_string(),
            },
            detail: e.detail.clone().unwrap_or_default(),
        })
        .collect();
    let waivable = choices(
        std::iter::once(("", "Choose a check")).chain(
            CheckName::ALL
                .into_iter()
                .filter(|c| c.waivable())
                .map(|c| (c.as_str(), check_label(c))),
        ),
        &[form.check.as_str()],
    );
    let status = n.status;
    let page = NominationPage {
        layout: signed_in
            .layout(state, &format!("{} — {}", n.student_name, n.course_masl_id))
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        form,
        cost: Cents(n.estimated_cost_cents).to_string(),
        committed: Cents(n.committed_cents).to_string(),
        penalty: Cents(n.penalty_cents).to_string(),
        waivers,
        history,
        waivable,
        can_submit: status == Status::Draft && role != Role::ProgramOfficer,
        can_withdraw: status.is_active(),
        can_decide: status == Status::Submitted && is_staff,
        can_complete: status == Status::Approved && is_staff,
        can_waive: is_staff
            && matches!(
                status,
                Status::Draft | Status::Submitted | Status::Waitlisted | Status::OnHold
            ),
        row: NominationRow::from(detail.nomination),
    };
    let code = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((code, render(&page)).into_response())
}

/// `GET /nominations/{id}`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let detail = nominations::get(&state.db, &signed_in.user, id).await?;
    nomination_page(
        &state,
        &signed_in,
        detail,
        ActionForm::default(),
        FormErrors::default(),
    )
    .await
}

/// After an action: back to the page with `done` as flash, or the page again
/// with what was refused (a conflict's detail, or a field's message).
async fn after_action(
    state: &AppState,
    signed_in: &SignedIn,
    id: i32,
    outcome: Result<NominationDetail, AppError>,
    form: ActionForm,
    done: &str,
) -> PageResult {
    match outcome {
        Ok(_) => {
            signed_in.flash(state, done).await?;
            Ok(Redirect::to(&format!("/nominations/{id}")).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, ACTION_LABELS)?;
            let detail = nominations::get(&state.db, &signed_in.user, id).await?;
            nomination_page(state, signed_in, detail, form, errors).await
        }
    }
}

/// A reason typed in `field`, checked by the service's own rules.
fn reason(typed: &str, field: &str) -> Result<ReasonRequest, AppError> {
    let request = ReasonRequest {
        reason: typed.to_owned(),
    };
    let mut fields = FieldErrors::new();
    validate_into(&request, &mut fields);
    if fields.is_empty() {
        Ok(request)
    } else {
        Err(rename_fields(
            AppError::Validation(fields),
            &[("reason", field)],
        ))
    }
}

/// `POST /nominations/{id}/submit` (its liaison, or an admin).
pub async fn submit(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let outcome = nominations::submit(&state, &signed_in.user, id).await;
    let done = "The nomination is submitted.";
    after_action(&state, &signed_in, id, outcome, ActionForm::default(), done).await
}

/// `POST /nominations/{id}/approve` (program officers and admins).
pub async fn approve(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let outcome = nominations::approve(&state, &officer.user, id).await;
    let done = "The nomination is approved: its cost is committed and a seat taken.";
    after_action(&state, &officer, id, outcome, ActionForm::default(), done).await
}

/// `POST /nominations/{id}/reject`, with a reason.
pub async fn reject(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActionForm>,
) -> PageResult {
    let outcome = match reason(&form.reject_reason, "reject_reason") {
        Ok(request) => nominations::reject(&state, &officer.user, id, request).await,
        Err(err) => Err(err),
    };
    after_action(
        &state,
        &officer,
        id,
        outcome,
        form,
        "The nomination is rejected.",
    )
    .await
}

/// `POST /nominations/{id}/waitlist`
pub async fn waitlist(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let outcome = nominations::waitlist(&state, &officer.user, id).await;
    let done = "The nomination is on the waitlist.";
    after_action(&state, &officer, id, outcome, ActionForm::default(), done).await
}

/// `POST /nominations/{id}/withdraw`, with a reason (its liaison, an
/// officer or an admin).
pub async fn withdraw(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActionForm>,
) -> PageResult {
    let outcome = match reason(&form.withdraw_reason, "withdraw_reason") {
        Ok(request) => nominations::withdraw(&state, &signed_in.user, id, request).await,
        Err(err) => Err(err),
    };
    after_action(
        &state,
        &signed_in,
        id,
        outcome,
        form,
        "The nomination is withdrawn.",
    )
    .await
}

/// `POST /nominations/{id}/complete`, after the class's end date.
pub async fn complete(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let outcome = nominations::complete(&state, &officer.user, id).await;
    let done = "The nomination is completed.";
    after_action(&state, &officer, id, outcome, ActionForm::default(), done).await
}

/// `POST /nominations/{id}/waivers`: a check and its justification.
pub async fn waive(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActionForm>,
) -> PageResult {
    let mut fields = FieldErrors::new();
    let check = form.check.parse::<CheckName>().ok();
    if check.is_none() {
        add_error(&mut fields, "check", "must be chosen");
    }
    let request = WaiverRequest {
        check: check.unwrap_or(CheckName::English),
        justification: form.justification.clone(),
    };
    validate_into(&request, &mut fields);
    let outcome = if fields.is_empty() {
        nominations::waive(&state, &officer.user, id, request).await
    } else {
        Err(AppError::Validation(fields))
    };
    after_action(
        &state,
        &officer,
        id,
        outcome,
        form,
        "The waiver is granted.",
    )
    .await
}
