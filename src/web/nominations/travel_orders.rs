//! The travel order on a nomination's page: the revision that counts, every
//! revision, the PDF, and the officer's issue, amend and revoke forms.
use super::*;

use crate::{
    app::pdf_inline,
    domain::travel_order::OrderStatus,
    services::nominations::{AmendRequest, IssueRequest, TravelOrderView},
};

/// One revision as the page shows it.
pub struct OrderRow {
    pub order: TravelOrderView,
    pub tag: Tag,
    pub tuition: String,
    pub travel: String,
    pub allowance: String,
    pub total: String,
    /// Why it was amended or revoked.
    pub note: String,
}

impl From<TravelOrderView> for OrderRow {
    fn from(order: TravelOrderView) -> Self {
        let e = &order.contents.entitlements;
        let allowance = format!(
            "{} per day × {} days = {}",
            Cents(e.living_allowance_per_day_cents),
            e.days,
            Cents(e.living_allowance_cents)
        );
        let note = match (&order.revoked_reason, &order.amend_reason) {
            (Some(revoked), _) => format!("Revoked: {revoked}"),
            (None, Some(amended)) => format!("Amended: {amended}"),
            (None, None) => String::new(),
        };
        Self {
            tag: Tag::travel_order(order.status),
            tuition: Cents(e.tuition_cents).to_string(),
            travel: Cents(e.travel_cents).to_string(),
            total: Cents(e.total_cents).to_string(),
            allowance,
            note,
            order,
        }
    }
}

/// The travel order part of a nomination page.
pub struct OrderSection {
    /// Every revision, the latest first.
    pub revisions: Vec<OrderRow>,
    /// An officer may issue one (the nomination is approved, none in force).
    pub can_issue: bool,
    /// An officer may amend or revoke the one in force.
    pub can_change: bool,
}

impl OrderSection {
    pub(super) async fn load(
        state: &AppState,
        signed_in: &SignedIn,
        nomination: &NominationView,
    ) -> Result<Self, AppError> {
        let revisions: Vec<OrderRow> =
            nominations::travel_orders(&state.db, &signed_in.user, nomination.id)
                .await?
                .into_iter()
                .map(|o| OrderRow::from(TravelOrderView::from(o)))
                .collect();
        let in_force = revisions
            .iter()
            .any(|r| r.order.status == OrderStatus::InForce);
        let staff = signed_in.user.role.is_staff();
        let approved = nomination.status == Status::Approved;
        Ok(Self {
            revisions,
            can_issue: staff && approved && !in_force,
            can_change: staff && in_force,
        })
    }

    /// The latest revision, in force or revoked.
    pub fn current(&self) -> Option<&OrderRow> {
        self.revisions.first()
    }
}

/// `GET /nominations/{id}/ito.pdf`: the latest revision as a PDF.
pub async fn travel_order_pdf(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i32>,
) -> Result<axum::response::Response, AppError> {
    let (filename, bytes) = nominations::travel_order_pdf(&state.db, &signed_in.user, id).await?;
    Ok(pdf_inline(&filename, bytes))
}

/// `POST /nominations/{id}/ito`, with optional remarks (program officers and admins).
pub async fn issue_travel_order(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActionForm>,
) -> PageResult {
    let request = IssueRequest {
        remarks: Some(form.ito_remarks.clone()),
    };
    let outcome = match checked(&request, &[("remarks", "ito_remarks")]) {
        Ok(()) => nominations::issue_travel_order(&state, &officer.user, id, request).await,
        Err(err) => Err(err),
    };
    let done = "The travel order is issued and emailed with its PDF.";
    after_action(&state, &officer, id, outcome, form, done).await
}

/// `POST /nominations/{id}/ito/amend`, with a reason and optional remarks.
pub async fn amend_travel_order(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActionForm>,
) -> PageResult {
    let request = AmendRequest {
        reason: form.amend_reason.clone(),
        remarks: Some(form.amend_remarks.clone()),
    };
    let renames = [("reason", "amend_reason"), ("remarks", "amend_remarks")];
    let outcome = match checked(&request, &renames) {
        Ok(()) => nominations::amend_travel_order(&state, &officer.user, id, request).await,
        Err(err) => Err(err),
    };
    let done = "The travel order is amended and emailed with its PDF.";
    after_action(&state, &officer, id, outcome, form, done).await
}

/// `POST /nominations/{id}/ito/revoke`, with a reason.
pub async fn revoke_travel_order(
    State(state): State<AppState>,
    StaffSignedIn(officer): StaffSignedIn,
    Path(id): Path<i32>,
    WebForm(form): WebForm<ActionForm>,
) -> PageResult {
    let outcome = match reason(&form.revoke_reason, "revoke_reason") {
        Ok(request) => nominations::revoke_travel_order(&state, &officer.user, id, request).await,
        Err(err) => Err(err),
    };
    let done = "The travel order is revoked.";
    after_action(&state, &officer, id, outcome, form, done).await
}

/// `request` checked by the service's own rules, its fields named as the form names them.
fn checked<T: validator::Validate>(request: &T, renames: &[(&str, &str)]) -> Result<(), AppError> {
    let mut fields = FieldErrors::new();
    validate_into(request, &mut fields);
    if fields.is_empty() {
        Ok(())
    } else {
        Err(rename_fields(AppError::Validation(fields), renames))
    }
}
