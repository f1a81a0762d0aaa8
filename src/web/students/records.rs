//! English tests and vetting posted from a student's page.
use super::*;

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
