//! Registering and editing a student.
use super::*;

/// The student form as typed (kept when shown again with errors).
#[derive(Deserialize, Default)]
pub struct StudentForm {
    /// Only an admin chooses; a liaison's students are of their country.
    #[serde(default)]
    pub country_code: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub rank: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub email: String,
}

impl StudentForm {
    fn of(student: &StudentView) -> Self {
        Self {
            country_code: student.country_code.clone(),
            given_names: student.given_names.clone(),
            family_name: student.family_name.clone(),
            date_of_birth: student.date_of_birth.to_string(),
            rank: student.rank.clone(),
            grade: student.grade.clone(),
            service: student.service.clone(),
            email: student.email.clone().unwrap_or_default(),
        }
    }

    /// The student as the service takes it, with the errors found reading
    /// the form and by the service's own field rules.
    fn to_student(&self) -> (NewStudent, FieldErrors) {
        let mut errors = FieldErrors::new();
        let date_of_birth = parse_date(&self.date_of_birth)
            .map_err(|m| add_error(&mut errors, "date_of_birth", m))
            .and_then(|dob| {
                check_date_of_birth(dob, Utc::now().date_naive())
                    .map_err(|m| add_error(&mut errors, "date_of_birth", m))
                    .map(|()| dob)
            })
            .unwrap_or_default();
        let new = NewStudent {
            country_code: self.country_code.clone(),
            given_names: self.given_names.clone(),
            family_name: self.family_name.clone(),
            date_of_birth,
            rank: self.rank.clone(),
            grade: self.grade.clone(),
            service: self.service.clone(),
            email: optional(&self.email).map(str::to_owned),
        };
        validate_into(&new, &mut errors);
        (new, errors)
    }
}

pub(super) const STUDENT_LABELS: &[(&str, &str)] = &[
    ("country_code", "Country"),
    ("given_names", "Given names"),
    ("family_name", "Family name"),
    ("date_of_birth", "Date of birth"),
    ("rank", "Rank"),
    ("grade", "Grade"),
    ("service", "Service"),
    ("email", "Email address"),
];

/// Every grade, officers first: `O-1`..`O-10`, `W-1`..`W-5`, `E-1`..`E-9`, `CIV`.
pub(super) fn grades() -> Vec<String> {
    let officer = (1..=10).map(|n| format!("O-{n}"));
    let warrant = (1..=5).map(|n| format!("W-{n}"));
    let enlisted = (1..=9).map(|n| format!("E-{n}"));
    officer
        .chain(warrant)
        .chain(enlisted)
        .chain(std::iter::once("CIV".to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "pages/students/form.html")]
pub(super) struct StudentFormPage {
    layout: Layout,
    errors: FormErrors,
    form: StudentForm,
    grades: Vec<Choice>,
    /// An admin chooses the country; empty for a liaison.
    countries: Vec<Choice>,
    /// The id of the student being edited; `None` when registering one.
    editing: Option<i32>,
}

pub(super) async fn form_page(
    state: &AppState,
    signed_in: &SignedIn,
    form: StudentForm,
    editing: Option<i32>,
    errors: FormErrors,
) -> PageResult {
    let title = match editing {
        Some(_) => format!("Edit {} {}", form.given_names, form.family_name),
        None => "Register a student".to_owned(),
    };
    let grade_list = grades();
    let grades = choices(
        std::iter::once(("", "Choose a grade"))
            .chain(grade_list.iter().map(|g| (g.as_str(), g.as_str()))),
        &[form.grade.as_str()],
    );
    let countries = if signed_in.user.role.is_staff() {
        let list = countries::list(&state.db, &signed_in.user, None, MAX_LIMIT, None)
            .await?
            .items;
        country_choices(&list, "Choose a country", &form.country_code)
    } else {
        Vec::new()
    };
    let has_errors = !errors.is_empty();
    let page = StudentFormPage {
        layout: signed_in
            .layout(state, &title)
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        form,
        grades,
        countries,
        editing,
    };
    render_form(&page, has_errors)
}

/// A liaison's students are always of their own country.
pub(super) fn own_country(signed_in: &SignedIn, form: &mut StudentForm) {
    if let Some(code) = signed_in.user.country_scope() {
        form.country_code = code.to_owned();
    }
}

/// `GET /students/new`
pub async fn new_form(
    State(state): State<AppState>,
    RecordKeeperSignedIn(signed_in): RecordKeeperSignedIn,
) -> PageResult {
    let mut form = StudentForm::default();
    own_country(&signed_in, &mut form);
    form_page(&state, &signed_in, form, None, FormErrors::default()).await
}

/// `POST /students`: the same checks as `POST /api/v1/students`.
pub async fn create(
    State(state): State<AppState>,
    RecordKeeperSignedIn(signed_in): RecordKeeperSignedIn,
    WebForm(mut form): WebForm<StudentForm>,
) -> PageResult {
    own_country(&signed_in, &mut form);
    let (new, mut errors) = form.to_student();
    if form.country_code.is_empty() {
        add_error(&mut errors, "country_code", "must be chosen");
    }
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, STUDENT_LABELS);
        return form_page(&state, &signed_in, form, None, errors).await;
    }
    match students::create(&state.db, &signed_in.user, new).await {
        Ok(detail) => {
            let s = &detail.student;
            signed_in
                .flash(
                    &state,
                    &format!("{} {} is registered.", s.given_names, s.family_name),
                )
                .await?;
            Ok(Redirect::to(&format!("/students/{}", s.id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, STUDENT_LABELS)?;
            form_page(&state, &signed_in, form, None, errors).await
        }
    }
}

/// `GET /students/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    RecordKeeperSignedIn(signed_in): RecordKeeperSignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let detail = students::get(&state.db, &signed_in.user, id).await?;
    let form = StudentForm::of(&detail.student);
    form_page(&state, &signed_in, form, Some(id), FormErrors::default()).await
}

/// `POST /students/{id}`: the same checks as `PATCH /api/v1/students/{id}`.
/// An emptied email address is kept as it was.
pub async fn update(
    State(state): State<AppState>,
    RecordKeeperSignedIn(signed_in): RecordKeeperSignedIn,
    Path(id): Path<i32>,
    WebForm(mut form): WebForm<StudentForm>,
) -> PageResult {
    students::get(&state.db, &signed_in.user, id).await?;
    own_country(&signed_in, &mut form);
    let (student, errors) = form.to_student();
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, STUDENT_LABELS);
        return form_page(&state, &signed_in, form, Some(id), errors).await;
    }
    let patch = StudentPatch {
        country_code: Some(student.country_code),
        given_names: Some(student.given_names),
        family_name: Some(student.family_name),
        date_of_birth: Some(student.date_of_birth),
        rank: Some(student.rank),
        grade: Some(student.grade),
        service: Some(student.service),
        email: student.email,
    };
    match students::update(&state.db, &signed_in.user, id, patch).await {
        Ok(detail) => {
            let s = &detail.student;
            signed_in
                .flash(
                    &state,
                    &format!("{} {} is updated.", s.given_names, s.family_name),
                )
                .await?;
            Ok(Redirect::to(&format!("/students/{id}")).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, STUDENT_LABELS)?;
            form_page(&state, &signed_in, form, Some(id), errors).await
        }
    }
}
