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

pub(super) const NOMINATE_LABELS: &[(&str, &str)] = &[
    ("student_id", "Student"),
    ("offering_id", "Class"),
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
    preview: Option<PreviewView>,
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
    let priorities = priority_choices(&form.priority, "C (default)");
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
        priorities: priorities
            .into_iter()
            .filter(|c| !c.value.is_empty())
            .collect(),
        preview: preview.map(PreviewView::from),
    };
    render_form(&page, has_errors)
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
        plan_line_id: None,
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
