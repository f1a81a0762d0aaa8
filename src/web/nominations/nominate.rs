//! `/nominations/new`: the nominate form with its preview of the checks and cost.
use super::*;

/// The nominate form as typed, with the class search it was shown with.
#[derive(Deserialize, Default)]
pub struct NominateForm {
    #[serde(default)]
    pub student_id: String,
    #[serde(default)]
    pub offering_id: String,
    #[serde(default)]
    pub program: String,
    /// Empty for the priority of the plan line, or C without one.
    #[serde(default)]
    pub priority: String,
    /// A line of an approved training plan, or empty.
    #[serde(default)]
    pub plan_line_id: String,
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

pub(super) const NOMINATE_LABELS: &[(&str, &str)] = &[
    ("student_id", "Student"),
    ("offering_id", "Class"),
    ("plan_line_id", "Plan line"),
    ("program", "Funding program"),
    ("priority", "Priority"),
    ("from", "Starting from"),
];

/// A class the nominate form offers.
pub(super) struct ClassChoice {
    offering: OfferingView,
    tuition: String,
    selected: bool,
}

/// The preview of the chosen student and class.
pub(super) struct PreviewView {
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
pub(super) struct NominatePage {
    layout: Layout,
    errors: FormErrors,
    form: NominateForm,
    students: Vec<Choice>,
    classes: Vec<ClassChoice>,
    programs: Vec<Choice>,
    priorities: Vec<Choice>,
    plan_lines: Vec<Choice>,
    preview: Option<PreviewView>,
}

/// A plan line as the form offers it, e.g. "PK FY2027 · line 3 · B171807
/// Command and General Staff · priority A · IMET · 2 of 5 taken".
fn plan_line_label(line: &LineChoice) -> String {
    format!(
        "{} FY{} · line {} · {} {} · priority {} · {} · {} of {} taken",
        line.country_code,
        line.fiscal_year,
        line.line_id,
        line.masl_id,
        line.course_title,
        line.priority,
        line.program,
        line.taken,
        line.quantity
    )
}

pub(super) async fn nominate_page(
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
    let lines: Vec<(String, String)> = plans::approved_lines(&state.db, &signed_in.user)
        .await?
        .iter()
        .map(|l| (l.line_id.to_string(), plan_line_label(l)))
        .collect();
    let plan_lines = choices(
        std::iter::once(("", "None: an unplanned nomination")).chain(
            lines
                .iter()
                .map(|(id, label)| (id.as_str(), label.as_str())),
        ),
        &[form.plan_line_id.as_str()],
    );
    let priorities = priority_choices(&form.priority, "C, or the plan line's");
    let has_errors = !errors.is_empty();
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
        priorities,
        plan_lines,
        preview: preview.map(PreviewView::from),
    };
    render_form(&page, has_errors)
}

/// `GET /nominations/new`: the form, with the class search of the query.
pub async fn new_form(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Query(form): Query<NominateForm>,
) -> PageResult {
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
    let plan_line_id =
        optional(&form.plan_line_id).map(|_| chosen(&form.plan_line_id, "plan_line_id"));
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
        plan_line_id,
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
