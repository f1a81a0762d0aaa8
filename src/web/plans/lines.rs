//! A draft's lines: the add form of the plan's page, a line's edit page and
//! removing a line — with the checks of `POST`, `PATCH` and `DELETE
//! /api/v1/plans/{id}/lines…`. The unit cost is typed in dollars.
use super::*;

use crate::{
    domain::{
        fiscal_year::{fiscal_year_end, fiscal_year_start},
        nomination::Priority,
        offering_status::OfferingStatus,
        plan::{MAX_QUANTITY, MAX_UNIT_COST_CENTS},
        program::Program,
    },
    error::{ConflictCode, FieldErrors},
    services::{
        courses::{self, CourseFilter},
        offerings::{self, OfferingFilter},
        plans::{LineChange, LineView, NewLine, PlanView},
    },
    web::{error::PageError, format::parse_whole, forms::add_error},
};

use super::page::{PLAN_LABELS, PlanForms, after_action};

/// A line's form as typed.
#[derive(Clone, Deserialize)]
pub struct LineForm {
    #[serde(default)]
    pub masl_id: String,
    /// Empty for no class.
    #[serde(default)]
    pub offering_id: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub program: String,
    /// Dollars per student, when no class is named.
    #[serde(default)]
    pub unit_cost: String,
}

impl Default for LineForm {
    /// A new line: priority A, funded by IMET.
    fn default() -> Self {
        Self {
            masl_id: String::new(),
            offering_id: String::new(),
            quantity: String::new(),
            priority: Priority::A.as_str().to_owned(),
            program: Program::Imet.as_str().to_owned(),
            unit_cost: String::new(),
        }
    }
}

impl LineForm {
    /// The form of a line as it stands.
    fn of(line: &LineView) -> Self {
        Self {
            masl_id: line.masl_id.clone(),
            offering_id: line.offering_id.map(|o| o.to_string()).unwrap_or_default(),
            quantity: line.quantity.to_string(),
            priority: line.priority.as_str().to_owned(),
            program: line.program.as_str().to_owned(),
            unit_cost: if line.offering_id.is_none() {
                Cents(line.unit_cost_cents).input()
            } else {
                String::new()
            },
        }
    }

    /// The line as the services take it; what cannot be read, and what
    /// their rules refuse outright, are field errors.
    fn read(&self) -> AppResult<NewLine> {
        let mut fields = FieldErrors::new();
        let masl_id = self.masl_id.trim();
        if masl_id.is_empty() {
            add_error(&mut fields, "masl_id", "must be given, like B171807");
        }
        let offering_id = optional(&self.offering_id).and_then(|typed| {
            typed
                .parse()
                .map_err(|_| add_error(&mut fields, "offering_id", "must be chosen from the list"))
                .ok()
        });
        let quantity = parse_whole(&self.quantity)
            .map_err(|m| add_error(&mut fields, "quantity", m))
            .unwrap_or(1);
        let priority = self
            .priority
            .parse()
            .map_err(|_| add_error(&mut fields, "priority", "must be chosen"))
            .unwrap_or_default();
        let program = self
            .program
            .parse()
            .map_err(|_| add_error(&mut fields, "program", "must be chosen"))
            .unwrap_or(Program::Imet);
        let unit_cost_cents =
            optional(&self.unit_cost).and_then(|typed| match Cents::parse_dollars(typed) {
                Ok(Cents(cents)) if (1..=MAX_UNIT_COST_CENTS).contains(&cents) => Some(cents),
                Ok(_) => {
                    let most = Cents(MAX_UNIT_COST_CENTS);
                    add_error(
                        &mut fields,
                        "unit_cost",
                        format!("must be between $0.01 and {most}"),
                    );
                    None
                }
                Err(message) => {
                    add_error(&mut fields, "unit_cost", message);
                    None
                }
            });
        let line = NewLine {
            masl_id: masl_id.to_owned(),
            offering_id,
            quantity,
            priority,
            program,
            unit_cost_cents,
        };
        let mut checked = FieldErrors::new();
        validate_into(&line, &mut checked);
        for (field, messages) in checked {
            fields.entry(field).or_insert(messages);
        }
        if fields.is_empty() {
            Ok(line)
        } else {
            Err(AppError::Validation(fields))
        }
    }
}

/// A service's answer about a line, with the form's names for its fields.
fn as_typed(err: AppError) -> AppError {
    rename_fields(err, &[("unit_cost_cents", "unit_cost")])
}

/// A course the course field suggests.
pub(super) struct CourseOption {
    pub(super) masl_id: String,
    pub(super) title: String,
}

/// What a line's form offers to choose from.
pub(super) struct LineChoices {
    pub(super) courses: Vec<CourseOption>,
    pub(super) classes: Vec<Choice>,
    pub(super) class_hint: String,
    pub(super) quantity_hint: String,
    pub(super) priorities: Vec<Choice>,
    pub(super) programs: Vec<Choice>,
}

impl LineChoices {
    /// The active courses, the classes starting in `fiscal_year` that are
    /// not cancelled, and the priorities and programs; `form`'s selected.
    pub(super) async fn load(
        state: &AppState,
        fiscal_year: i32,
        form: &LineForm,
    ) -> Result<Self, PageError> {
        let active = CourseFilter {
            active: Some(true),
            ..Default::default()
        };
        let courses = courses::list(&state.db, active, MAX_LIMIT, None)
            .await?
            .items
            .into_iter()
            .map(|c| CourseOption {
                masl_id: c.masl_id,
                title: c.title,
            })
            .collect();
        let of_the_year = OfferingFilter {
            from: Some(fiscal_year_start(fiscal_year)),
            to: Some(fiscal_year_end(fiscal_year)),
            ..Default::default()
        };
        let classes: Vec<(String, String)> =
            offerings::list(&state.db, of_the_year, MAX_LIMIT, None)
                .await?
                .items
                .into_iter()
                .filter(|o| o.status != OfferingStatus::Cancelled)
                .map(|o| {
                    let label = format!(
                        "{} {}, {} to {}",
                        o.course_masl_id, o.course_title, o.start_date, o.end_date
                    );
                    (o.id.to_string(), label)
                })
                .collect();
        Ok(Self {
            courses,
            classes: choices(
                std::iter::once(("", "No class: enter the unit cost")).chain(
                    classes
                        .iter()
                        .map(|(id, label)| (id.as_str(), label.as_str())),
                ),
                &[form.offering_id.as_str()],
            ),
            class_hint: format!(
                "Optional: a class starting in FY{fiscal_year}. The line then costs the class's \
                 estimate per student."
            ),
            quantity_hint: format!("Students, 1 to {MAX_QUANTITY}."),
            priorities: choices(
                [
                    ("A", "A: must fit the allocation"),
                    ("B", "B"),
                    ("C", "C"),
                    ("D", "D"),
                ],
                &[form.priority.as_str()],
            ),
            programs: choices([("IMET", "IMET"), ("FMF", "FMF")], &[form.program.as_str()]),
        })
    }
}

/// `POST /plans/{id}/lines`: adds a line to a draft.
pub async fn add_line(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<LineForm>,
) -> PageResult {
    let outcome = match form.read() {
        Ok(new) => plans::add_line(&state, &signed_in.user, id, new)
            .await
            .map(|line| {
                format!(
                    "Line {} is added: {} × {} {}.",
                    line.id, line.quantity, line.masl_id, line.course_title
                )
            })
            .map_err(as_typed),
        Err(err) => Err(err),
    };
    let forms = PlanForms {
        line: form,
        ..Default::default()
    };
    after_action(&state, &signed_in, id, outcome, forms).await
}

#[derive(Template)]
#[template(path = "pages/plans/line.html")]
struct LinePage {
    layout: Layout,
    errors: FormErrors,
    plan: PlanView,
    line_id: i32,
    line_form: LineForm,
    line_choices: LineChoices,
}

async fn line_page(
    state: &AppState,
    signed_in: &SignedIn,
    (id, line_id): (i32, i32),
    typed: Option<LineForm>,
    errors: FormErrors,
) -> PageResult {
    let plan = plans::get(&state.db, &signed_in.user, id).await?;
    let line = plan
        .lines
        .iter()
        .find(|l| l.id == line_id)
        .ok_or_else(|| AppError::not_found("Plan line"))?;
    if !offers(signed_in.user.role, PlanAction::Edit, plan.status) {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Plan {id} is {}; only a draft's lines can change.",
                plan.status
            ),
        )
        .into());
    }
    let line_form = typed.unwrap_or_else(|| LineForm::of(line));
    let line_choices = LineChoices::load(state, plan.fiscal_year, &line_form).await?;
    let has_errors = !errors.is_empty();
    let page = LinePage {
        layout: signed_in
            .layout(
                state,
                &format!(
                    "Line {line_id} of the {} FY{} plan",
                    plan.country_code, plan.fiscal_year
                ),
            )
            .await?
            .with_errors(has_errors),
        errors,
        plan,
        line_id,
        line_form,
        line_choices,
    };
    render_form(&page, has_errors)
}

/// `GET /plans/{id}/lines/{line_id}`: a draft's line, in its form.
pub async fn edit_line(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Path(ids): Path<(i32, i32)>,
) -> PageResult {
    line_page(&state, &signed_in, ids, None, FormErrors::default()).await
}

/// `POST /plans/{id}/lines/{line_id}`: changes a draft's line to the form
/// as typed.
pub async fn change_line(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Path((id, line_id)): Path<(i32, i32)>,
    WebForm(form): WebForm<LineForm>,
) -> PageResult {
    let outcome = match form.read() {
        Ok(line) => {
            let change = LineChange {
                masl_id: Some(line.masl_id),
                offering_id: Some(line.offering_id),
                quantity: Some(line.quantity),
                priority: Some(line.priority),
                program: Some(line.program),
                unit_cost_cents: Some(line.unit_cost_cents),
            };
            plans::change_line(&state, &signed_in.user, id, line_id, change)
                .await
                .map_err(as_typed)
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok(line) => {
            signed_in
                .flash(
                    &state,
                    &format!(
                        "Line {} is changed: {} × {} {}.",
                        line.id, line.quantity, line.masl_id, line.course_title
                    ),
                )
                .await?;
            Ok(Redirect::to(&format!("/plans/{id}")).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, PLAN_LABELS)?;
            line_page(&state, &signed_in, (id, line_id), Some(form), errors).await
        }
    }
}

/// `POST /plans/{id}/lines/{line_id}/remove`: removes a draft's line that
/// no nomination fills.
pub async fn remove_line(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Path((id, line_id)): Path<(i32, i32)>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let outcome = plans::remove_line(&state, &signed_in.user, id, line_id)
        .await
        .map(|()| format!("Line {line_id} is removed."));
    after_action(&state, &signed_in, id, outcome, PlanForms::default()).await
}
