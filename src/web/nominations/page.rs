//! `/nominations/{id}`: a nomination's checks, waivers, history and the actions the caller may take.
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
}

pub(super) const ACTION_LABELS: &[(&str, &str)] = &[
    ("reject_reason", "Reason for rejecting"),
    ("withdraw_reason", "Reason for withdrawing"),
    ("check", "Check to waive"),
    ("justification", "Justification"),
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
    waivers: Vec<WaiverRow>,
    history: Vec<EventRow>,
    waivable: Vec<Choice>,
    can_submit: bool,
    can_withdraw: bool,
    can_decide: bool,
    can_complete: bool,
    can_waive: bool,
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
        waivers,
        history,
        waivable,
        can_submit: status == Status::Draft && role != Role::ProgramOfficer,
        can_withdraw: status.is_active(),
        can_decide: status == Status::Submitted && is_staff,
        can_complete: status == Status::Approved && is_staff,
        can_waive: is_staff
            && matches!(
                status,
                Status::Draft | Status::Submitted | Status::Waitlisted | Status::OnHold
            ),
        row: NominationRow::from(detail.nomination),
    };
    let code = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((code, render(&page)).into_response())
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
