//! The actions posted from a nomination's page, each through the same service as the API.
use super::*;

/// After an action: back to the page with `done` as flash, or the page again
/// with what was refused (a conflict's detail, or a field's message).
pub(super) async fn after_action(
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
pub(super) fn reason(typed: &str, field: &str) -> Result<ReasonRequest, AppError> {
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
