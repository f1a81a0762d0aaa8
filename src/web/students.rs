//! `/students`: a liaison's own country's students, every student for
//! program officers and admins; another country's student is the 404 page.
//! Through `services::students`, with the same checks as the JSON API.
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
    domain::{student::check_date_of_birth, vetting::VettingStatus},
    error::{AppError, FieldErrors},
    services::{
        countries,
        students::{
            self, NewStudent, NewTest, NewVetting, StudentDetail, StudentFilter, StudentPatch,
            StudentView, TestKind, TestView, VettingFilter, VettingView,
        },
    },
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query, optional, parse_date, parse_whole},
        forms::{Choice, FormErrors, WebForm, add_error, choices, validate_into},
        layout::Layout,
        session::{SignedIn, StaffSignedIn},
    },
};

#[derive(Deserialize, Default)]
pub struct StudentQuery {
    #[serde(default)]
    pub q: String,
    /// `pending`, `cleared`, `denied`, `none` (never vetted), or empty for all.
    #[serde(default)]
    pub vetting: String,
    pub cursor: Option<String>,
}

fn vetting_filter(value: &str) -> Option<VettingFilter> {
    match value {
        "pending" => Some(VettingFilter::Pending),
        "cleared" => Some(VettingFilter::Cleared),
        "denied" => Some(VettingFilter::Denied),
        "none" => Some(VettingFilter::None),
        _ => None,
    }
}

/// A student as lists and pages show them.
struct StudentRow {
    student: StudentView,
    /// Family name first, as in the list's order.
    name: String,
    vetting: Tag,
}

impl From<StudentView> for StudentRow {
    fn from(student: StudentView) -> Self {
        Self {
            name: format!("{}, {}", student.family_name, student.given_names),
            vetting: Tag::vetting(student.vetting_status),
            student,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/students/list.html")]
struct StudentsPage {
    layout: Layout,
    query: StudentQuery,
    vetting: Vec<Choice>,
    rows: Vec<StudentRow>,
    /// Staff see every country: the list shows each student's.
    is_staff: bool,
    filtered: bool,
    next_page: Option<String>,
}

/// `GET /students`: by family name; search by name, filter by vetting.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<StudentQuery>,
) -> PageResult {
    let filter = StudentFilter {
        country: None,
        q: optional(&query.q).map(str::to_owned),
        vetting: vetting_filter(&query.vetting),
    };
    let filtered = filter.q.is_some() || filter.vetting.is_some();
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = students::list(
        &state.db,
        &signed_in.user,
        filter,
        MAX_LIMIT,
        cursor.as_ref(),
    )
    .await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query(
            "/students",
            &[
                ("q", &query.q),
                ("vetting", &query.vetting),
                ("cursor", &cursor),
            ],
        )
    });
    let vetting = choices(
        [
            ("", "Any vetting status"),
            ("pending", "Pending"),
            ("cleared", "Cleared"),
            ("denied", "Denied"),
            ("none", "Not vetted"),
        ],
        &[query.vetting.as_str()],
    );
    Ok(render(&StudentsPage {
        layout: signed_in.layout(&state, "Students").await?,
        query,
        vetting,
        rows: page.items.into_iter().map(StudentRow::from).collect(),
        is_staff: signed_in.user.role.is_staff(),
        filtered,
        next_page,
    }))
}

/// A test result as the student page shows it.
struct TestRow {
    test: TestView,
    /// `82`, or `listening 2+, speaking 2`.
    result: String,
    /// The latest of its kind: the one that counts.
    latest: bool,
}

/// The English test form as typed.
#[derive(Deserialize, Default)]
pub struct TestForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub listening: String,
    #[serde(default)]
    pub speaking: String,
    #[serde(default)]
    pub taken_on: String,
}

const TEST_LABELS: &[(&str, &str)] = &[
    ("kind", "Test"),
    ("score", "ECL score"),
    ("listening", "OPI listening level"),
    ("speaking", "OPI speaking level"),
    ("taken_on", "Date taken"),
];

/// The vetting form as typed.
#[derive(Deserialize, Default)]
pub struct VettingForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub case_reference: String,
    #[serde(default)]
    pub decided_on: String,
}

const VETTING_LABELS: &[(&str, &str)] = &[
    ("status", "Decision"),
    ("case_reference", "Case reference"),
    ("decided_on", "Decided on"),
];

#[derive(Template)]
#[template(path = "pages/students/show.html")]
struct StudentPage {
    layout: Layout,
    row: StudentRow,
    tests: Vec<TestRow>,
    vetting: Vec<(VettingView, Tag)>,
    test_form: TestForm,
    test_kinds: Vec<Choice>,
    test_errors: FormErrors,
    /// Program officers and admins record vetting decisions.
    is_staff: bool,
    vetting_form: VettingForm,
    vetting_statuses: Vec<Choice>,
    vetting_errors: FormErrors,
}

/// The forms of a student page, as typed, with what was wrong with them.
#[derive(Default)]
struct StudentForms {
    test: TestForm,
    test_errors: FormErrors,
    vetting: VettingForm,
    vetting_errors: FormErrors,
}

async fn student_page(
    state: &AppState,
    signed_in: &SignedIn,
    detail: StudentDetail,
    forms: StudentForms,
) -> PageResult {
    let latest: Vec<i32> = [&detail.latest_ecl, &detail.latest_opi]
        .into_iter()
        .flatten()
        .map(|t| t.id)
        .collect();
    let tests = detail
        .tests
        .into_iter()
        .map(|test| TestRow {
            result: match (&test.score, &test.listening, &test.speaking) {
                (Some(score), _, _) => score.to_string(),
                (None, Some(l), Some(s)) => format!("listening {l}, speaking {s}"),
                _ => String::new(),
            },
            latest: latest.contains(&test.id),
            test,
        })
        .collect();
    let vetting = detail
        .vetting
        .into_iter()
        .map(|v| {
            let tag = Tag::vetting(Some(v.status));
            (v, tag)
        })
        .collect();
    let test_kinds = choices(
        [
            ("ECL", "ECL (English Comprehension Level)"),
            ("OPI", "OPI (Oral Proficiency Interview)"),
        ],
        &[forms.test.kind.as_str()],
    );
    let vetting_statuses = choices(
        std::iter::once(("", "Choose the decision"))
            .chain(VettingStatus::ALL.map(|s| (s.as_str(), s.label()))),
        &[forms.vetting.status.as_str()],
    );
    let has_errors = !forms.test_errors.is_empty() || !forms.vetting_errors.is_empty();
    let row = StudentRow::from(detail.student);
    let page = StudentPage {
        layout: signed_in
            .layout(
                state,
                &format!("{} {}", row.student.given_names, row.student.family_name),
            )
            .await?
            .with_errors(has_errors),
        row,
        tests,
        vetting,
        test_form: forms.test,
        test_kinds,
        test_errors: forms.test_errors,
        is_staff: signed_in.user.role.is_staff(),
        vetting_form: forms.vetting,
        vetting_statuses,
        vetting_errors: forms.vetting_errors,
    };
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

fn today_forms() -> StudentForms {
    let today = Utc::now().date_naive().to_string();
    StudentForms {
        test: TestForm {
            kind: "ECL".into(),
            taken_on: today.clone(),
            ..Default::default()
        },
        vetting: VettingForm {
            decided_on: today,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// `GET /students/{id}`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    let detail = students::get(&state.db, &signed_in.user, id).await?;
    student_page(&state, &signed_in, detail, today_forms()).await
}

/// `POST /students/{id}/tests`: the same checks as `POST /api/v1/students/{id}/tests`.
pub async fn add_test(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<TestForm>,
) -> PageResult {
    // Another country's student is the 404 page before anything else.
    let detail = students::get(&state.db, &signed_in.user, id).await?;
    let mut errors = FieldErrors::new();
    let kind = match form.kind.as_str() {
        "ECL" => TestKind::Ecl,
        "OPI" => TestKind::Opi,
        _ => {
            add_error(&mut errors, "kind", "must be chosen");
            TestKind::Ecl
        }
    };
    let taken_on = parse_date(&form.taken_on)
        .map_err(|m| add_error(&mut errors, "taken_on", m))
        .unwrap_or_default();
    // Only the fields of the chosen test count; the others may hold leftovers.
    let (score, listening, speaking) = match kind {
        TestKind::Ecl => (
            optional(&form.score).and_then(|v| {
                parse_whole(v)
                    .map_err(|m| add_error(&mut errors, "score", m))
                    .ok()
            }),
            None,
            None,
        ),
        TestKind::Opi => (
            None,
            optional(&form.listening).map(str::to_owned),
            optional(&form.speaking).map(str::to_owned),
        ),
    };
    let test = NewTest {
        kind,
        score,
        listening,
        speaking,
        taken_on,
    };
    if errors.is_empty() {
        validate_into(&test, &mut errors);
    }
    let outcome = if errors.is_empty() {
        students::add_test(&state.db, &signed_in.user, id, test).await
    } else {
        Err(AppError::Validation(errors))
    };
    match outcome {
        Ok(_) => {
            signed_in
                .flash(&state, &format!("The {} result is recorded.", form.kind))
                .await?;
            Ok(Redirect::to(&format!("/students/{id}")).into_response())
        }
        Err(err) => {
            let forms = StudentForms {
                test: form,
                test_errors: FormErrors::from_error(err, TEST_LABELS)?,
                ..today_forms()
            };
            student_page(&state, &signed_in, detail, forms).await
        }
    }
}

/// `POST /students/{id}/vetting` (program officers and admins).
pub async fn add_vetting(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<VettingForm>,
) -> PageResult {
    let detail = students::get(&state.db, &officer.user, id).await?;
    let mut errors = FieldErrors::new();
    let status = form.status.parse::<VettingStatus>().ok();
    if status.is_none() {
        add_error(&mut errors, "status", "must be chosen");
    }
    let decided_on = parse_date(&form.decided_on)
        .map_err(|m| add_error(&mut errors, "decided_on", m))
        .unwrap_or_default();
    let vetting = NewVetting {
        status: status.unwrap_or(VettingStatus::Pending),
        case_reference: form.case_reference.clone(),
        decided_on,
    };
    validate_into(&vetting, &mut errors);
    let outcome = if errors.is_empty() {
        students::add_vetting(&state.db, &officer.user, id, vetting).await
    } else {
        Err(AppError::Validation(errors))
    };
    match outcome {
        Ok(_) => {
            officer
                .flash(&state, "The vetting decision is recorded.")
                .await?;
            Ok(Redirect::to(&format!("/students/{id}")).into_response())
        }
        Err(err) => {
            let forms = StudentForms {
                vetting: form,
                vetting_errors: FormErrors::from_error(err, VETTING_LABELS)?,
                ..today_forms()
            };
            student_page(&state, &officer, detail, forms).await
        }
    }
}

/// The student form as typed (kept when shown again with errors).
#[derive(Deserialize, Default)]
pub struct StudentForm {
    /// Only staff choose; a liaison's students are of their country.
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

const STUDENT_LABELS: &[(&str, &str)] = &[
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
fn grades() -> Vec<String> {
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
struct StudentFormPage {
    layout: Layout,
    errors: FormErrors,
    form: StudentForm,
    grades: Vec<Choice>,
    /// Staff choose the country; empty for a liaison.
    countries: Vec<Choice>,
    /// The id of the student being edited; `None` when registering one.
    editing: Option<i32>,
}

async fn form_page(
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
        let names: Vec<(String, String)> = list
            .into_iter()
            .map(|c| (c.code.clone(), format!("{} ({})", c.name, c.code)))
            .collect();
        choices(
            std::iter::once(("", "Choose a country"))
                .chain(names.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
            &[form.country_code.as_str()],
        )
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
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
    Ok((status, render(&page)).into_response())
}

/// A liaison's students are always of their own country.
fn own_country(signed_in: &SignedIn, form: &mut StudentForm) {
    if let Some(code) = signed_in.user.country_scope() {
        form.country_code = code.to_owned();
    }
}

/// `GET /students/new`
pub async fn new_form(State(state): State<AppState>, signed_in: SignedIn) -> PageResult {
    let mut form = StudentForm::default();
    own_country(&signed_in, &mut form);
    form_page(&state, &signed_in, form, None, FormErrors::default()).await
}

/// `POST /students`: the same checks as `POST /api/v1/students`.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
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
    signed_in: SignedIn,
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
    signed_in: SignedIn,
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
