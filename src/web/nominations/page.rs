//! `/nominations/{id}`: a nomination's checks, waivers and history, and the actions posted from it, each through the same service as the API.
use super::*;

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
    #[serde(default)]
    pub ito_remarks: String,
    #[serde(default)]
    pub amend_reason: String,
    #[serde(default)]
    pub amend_remarks: String,
    #[serde(default)]
    pub revoke_reason: String,
}

pub(super) const ACTION_LABELS: &[(&str, &str)] = &[
    ("reject_reason", "Reason for rejecting"),
    ("withdraw_reason", "Reason for withdrawing"),
    ("check", "Check to waive"),
    ("justification", "Justification"),
    ("ito_remarks", "Remarks on the travel order"),
    ("amend_reason", "Reason for amending"),
    ("amend_remarks", "Remarks on the amended order"),
    ("revoke_reason", "Reason for revoking"),
];

pub(super) struct EventRow {
    at: String,
    action: String,
    change: String,
    detail: String,
}

pub(super) struct WaiverRow {
    check: &'static str,
    justification: String,
    granted_at: String,
}

/// The plan line a nomination fills, with its plan.
pub(super) struct PlanLineLink {
    line_id: i32,
    plan_id: i32,
    /// Country and fiscal year, e.g. "PK FY2027".
    plan: String,
}

#[derive(Template)]
#[template(path = "pages/nominations/show.html")]
pub(super) struct NominationPage {
    layout: Layout,
    errors: FormErrors,
    form: ActionForm,
    row: NominationRow,
    cost: String,
    committed: String,
    penalty: String,
    plan_line: Option<PlanLineLink>,
    waivers: Vec<WaiverRow>,
    history: Vec<EventRow>,
    waivable: Vec<Choice>,
    can_submit: bool,
    can_withdraw: bool,
    can_decide: bool,
    can_complete: bool,
    can_waive: bool,
    orders: OrderSection,
}

pub(super) async fn nomination_page(
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
    let orders = OrderSection::load(state, signed_in, n).await?;
    let plan_line = match n.plan_line_id {
        Some(id) => {
            let planned = plans::find_line(&state.db, id).await?;
            Some(PlanLineLink {
                line_id: id,
                plan_id: planned.plan.id,
                plan: format!(
                    "{} FY{}",
                    planned.plan.country_code, planned.plan.fiscal_year
                ),
            })
        }
        None => None,
    };
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
        plan_line,
        waivers,
        history,
        waivable,
        can_submit: status == Status::Draft && role.may_nominate(),
        can_withdraw: status.is_active(),
        can_decide: status == Status::Submitted && is_staff,
        can_complete: status == Status::Approved && is_staff,
        can_waive: is_staff && CheckName::ALL.iter().any(|c| c.waivable_on(status)),
        orders,
        row: NominationRow::from(detail.nomination),
    };
    let has_errors = !page.errors.is_empty();
    render_form(&page, has_errors)
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
pub(super) async fn after_action<T>(
    state: &AppState,
    signed_in: &SignedIn,
    id: i32,
    outcome: Result<T, AppError>,
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
    WebForm(_): WebForm<NoFields>,
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
    WebForm(_): WebForm<NoFields>,
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
    WebForm(_): WebForm<NoFields>,
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
    WebForm(_): WebForm<NoFields>,
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
