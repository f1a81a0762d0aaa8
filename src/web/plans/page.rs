//! `/plans/{id}`: a plan's lines, its totals per program and priority, each
//! program's ceiling and the PME share — computed from the stored lines at
//! each reading, so they follow the lines and the allocations — and the
//! actions posted from it, each through the same service as the API.
use super::*;

use super::lines::LineChoices;
use crate::services::plans::{CeilingView, LineView, PlanView, ReturnRequest, TotalView};

/// A line as the table shows it.
pub(super) struct LineRow {
    line: LineView,
    unit_cost: String,
    source: &'static str,
    total: String,
}

impl From<LineView> for LineRow {
    fn from(line: LineView) -> Self {
        Self {
            unit_cost: Cents(line.unit_cost_cents).to_string(),
            source: if line.offering_id.is_some() {
                "class estimate"
            } else {
                "entered"
            },
            total: Cents(line.line_total_cents).to_string(),
            line,
        }
    }
}

struct TotalRow {
    total: TotalView,
    cost: String,
}

struct CeilingRow {
    ceiling: CeilingView,
    allocated: String,
    a_total: String,
    excess: String,
}

/// The forms of a plan's page as typed, with what was wrong with them.
#[derive(Default)]
pub(super) struct PlanForms {
    pub(super) line: LineForm,
    pub(super) return_reason: String,
    pub(super) errors: FormErrors,
}

/// The field names of every form of the page, with their labels.
pub(super) const PLAN_LABELS: &[(&str, &str)] = &[
    ("masl_id", "Course"),
    ("offering_id", "Class"),
    ("quantity", "Quantity"),
    ("priority", "Priority"),
    ("program", "Funding program"),
    ("unit_cost", "Unit cost"),
    ("return_reason", "Reason for returning"),
];

#[derive(Template)]
#[template(path = "pages/plans/show.html")]
struct PlanPage {
    layout: Layout,
    errors: FormErrors,
    line_form: LineForm,
    return_reason: String,
    plan: PlanView,
    status: Tag,
    submitted: Option<String>,
    decided: Option<String>,
    lines: Vec<LineRow>,
    totals: Vec<TotalRow>,
    ceilings: Vec<CeilingRow>,
    /// A program's priority A lines exceed its allocation.
    over_ceiling: bool,
    /// The add-line form's choices, when the caller may edit the lines.
    line_choices: Option<LineChoices>,
    can_submit: bool,
    can_approve: bool,
    can_return: bool,
    can_reopen: bool,
    /// Nominations may name the lines of an approved plan.
    can_nominate: bool,
}

pub(super) async fn plan_page(
    state: &AppState,
    signed_in: &SignedIn,
    id: i32,
    forms: PlanForms,
) -> PageResult {
    let plan = plans::get(&state.db, &signed_in.user, id).await?;
    let role = signed_in.user.role;
    let status = plan.status;
    let line_choices = if offers(role, PlanAction::Edit, status) {
        Some(LineChoices::load(state, plan.fiscal_year, &forms.line).await?)
    } else {
        None
    };
    let has_errors = !forms.errors.is_empty();
    let page = PlanPage {
        layout: signed_in
            .layout(
                state,
                &format!("{} training plan FY{}", plan.country_name, plan.fiscal_year),
            )
            .await?
            .with_errors(has_errors),
        errors: forms.errors,
        line_form: forms.line,
        return_reason: forms.return_reason,
        status: Tag::plan(status),
        submitted: plan.submitted_at.map(moment),
        decided: plan.decided_at.map(moment),
        lines: plan.lines.iter().cloned().map(LineRow::from).collect(),
        totals: plan
            .totals
            .iter()
            .cloned()
            .map(|total| TotalRow {
                cost: Cents(total.total_cents).to_string(),
                total,
            })
            .collect(),
        ceilings: plan
            .ceilings
            .iter()
            .cloned()
            .map(|ceiling| CeilingRow {
                allocated: ceiling
                    .allocated_cents
                    .map_or_else(|| "none set".to_owned(), |c| Cents(c).to_string()),
                a_total: Cents(ceiling.a_total_cents).to_string(),
                excess: Cents(ceiling.excess_cents).to_string(),
                ceiling,
            })
            .collect(),
        over_ceiling: plan.ceilings.iter().any(|c| c.over),
        line_choices,
        can_submit: offers(role, PlanAction::Submit, status),
        can_approve: offers(role, PlanAction::Approve, status),
        can_return: offers(role, PlanAction::Return, status),
        can_reopen: offers(role, PlanAction::Reopen, status),
        can_nominate: status == PlanStatus::Approved && role.may_nominate(),
        plan,
    };
    render_form(&page, has_errors)
}

/// After an action: back to the plan with the flash `outcome` holds, or
/// the page again with what was refused (a conflict's detail, or a field's
/// message) and the forms as typed.
pub(super) async fn after_action(
    state: &AppState,
    signed_in: &SignedIn,
    id: i32,
    outcome: AppResult<String>,
    forms: PlanForms,
) -> PageResult {
    match outcome {
        Ok(done) => {
            signed_in.flash(state, &done).await?;
            Ok(Redirect::to(&format!("/plans/{id}")).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, PLAN_LABELS)?;
            plan_page(state, signed_in, id, PlanForms { errors, ..forms }).await
        }
    }
}

/// `GET /plans/{id}`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
) -> PageResult {
    plan_page(&state, &signed_in, id, PlanForms::default()).await
}

/// `POST /plans/{id}/submit`: the country's liaison or an admin; refused
/// with the excess when priority-A lines exceed an allocation.
pub async fn submit(
    State(state): State<AppState>,
    NominatorSignedIn(signed_in): NominatorSignedIn,
    Path(id): Path<i32>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let outcome = plans::submit(&state, &signed_in.user, id)
        .await
        .map(|_| "The plan is submitted for approval.".to_owned());
    after_action(&state, &signed_in, id, outcome, PlanForms::default()).await
}

/// `POST /plans/{id}/approve` (program officers and admins).
pub async fn approve(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let outcome = plans::approve(&state, &officer.user, id)
        .await
        .map(|_| "The plan is approved: nominations may now name its lines.".to_owned());
    after_action(&state, &officer, id, outcome, PlanForms::default()).await
}

/// The return form as typed.
#[derive(Deserialize)]
pub struct ReturnForm {
    #[serde(default)]
    pub return_reason: String,
}

/// `POST /plans/{id}/return`, with the reason the country is emailed.
pub async fn return_plan(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ReturnForm>,
) -> PageResult {
    let request = ReturnRequest {
        reason: form.return_reason.clone(),
    };
    let mut fields = Default::default();
    validate_into(&request, &mut fields);
    let outcome = if fields.is_empty() {
        plans::return_plan(&state, &officer.user, id, request)
            .await
            .map(|_| "The plan is returned to the country with your reason.".to_owned())
    } else {
        Err(rename_fields(
            AppError::Validation(fields),
            &[("reason", "return_reason")],
        ))
    };
    let forms = PlanForms {
        return_reason: form.return_reason,
        ..Default::default()
    };
    after_action(&state, &officer, id, outcome, forms).await
}

/// `POST /plans/{id}/reopen`: an approved plan (staff) or a returned one
/// (also the country's liaison) goes back to draft.
pub async fn reopen(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
    WebForm(_): WebForm<NoFields>,
) -> PageResult {
    let outcome = plans::reopen(&state, &signed_in.user, id)
        .await
        .map(|_| "The plan is a draft again.".to_owned());
    after_action(&state, &signed_in, id, outcome, PlanForms::default()).await
}
