//! `/students/{id}`: a student's records and the forms that add to them.
use super::*;

/// A test result as the student page shows it.
pub(super) struct TestRow {
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

pub(super) const TEST_LABELS: &[(&str, &str)] = &[
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

pub(super) const VETTING_LABELS: &[(&str, &str)] = &[
    ("status", "Decision"),
    ("case_reference", "Case reference"),
    ("decided_on", "Decided on"),
];

#[derive(Template)]
#[template(path = "pages/students/show.html")]
pub(super) struct StudentPage {
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
pub(super) struct StudentForms {
    pub(super) test: TestForm,
    pub(super) test_errors: FormErrors,
    pub(super) vetting: VettingForm,
    pub(super) vetting_errors: FormErrors,
}

pub(super) async fn student_page(
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

pub(super) fn today_forms() -> StudentForms {
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
