//! `/students/{id}`: a student's records, and the English tests and vetting posted from it.
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
    /// `leahy` or `security` (named apart from the test form's `kind`, on the same page).
    #[serde(default)]
    pub vetting_kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub case_reference: String,
    #[serde(default)]
    pub decided_on: String,
}

pub(super) const VETTING_LABELS: &[(&str, &str)] = &[
    ("vetting_kind", "Kind"),
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
    /// The latest security screening decision.
    security: Tag,
    test_form: TestForm,
    test_kinds: Vec<Choice>,
    test_errors: FormErrors,
    /// Liaisons and admins edit the student and add test results.
    keeps_records: bool,
    /// Program officers and admins record vetting decisions.
    is_staff: bool,
    vetting_form: VettingForm,
    vetting_kinds: Vec<Choice>,
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
    let security = Tag::vetting(
        detail
            .vetting
            .iter()
            .find(|v| v.kind == VettingKind::Security)
            .map(|v| v.status),
    );
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
    let vetting_kinds = choices(
        [
            (VettingKind::Leahy.as_str(), "Leahy vetting (human rights)"),
            (VettingKind::Security.as_str(), "DoD security screening"),
        ],
        &[forms.vetting.vetting_kind.as_str()],
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
        security,
        test_form: forms.test,
        test_kinds,
        test_errors: forms.test_errors,
        keeps_records: signed_in.user.role.may_keep_student_records(),
        is_staff: signed_in.user.role.is_staff(),
        vetting_form: forms.vetting,
        vetting_kinds,
        vetting_statuses,
        vetting_errors: forms.vetting_errors,
    };
    render_form(&page, has_errors)
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

/// `POST /students/{id}/tests` (liaisons and admins): the same checks as
/// `POST /api/v1/students/{id}/tests`.
pub async fn add_test(
    State(state): State<AppState>,
    RecordKeeperSignedIn(signed_in): RecordKeeperSignedIn,
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
    let kind = if form.vetting_kind.is_empty() {
        Some(VettingKind::Leahy)
    } else {
        form.vetting_kind.parse::<VettingKind>().ok()
    };
    if kind.is_none() {
        add_error(
            &mut errors,
            "vetting_kind",
            "must be Leahy vetting or security screening",
        );
    }
    let vetting = NewVetting {
        kind: kind.unwrap_or_default(),
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
