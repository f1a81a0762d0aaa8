//! `/nominations`: the nominate form (a liaison for their students, or an
//! admin), the review queue of program officers (a liaison's own list), and
//! a nomination's page with its checks, waivers, history and the actions of
//! each role. Every rule is `services::nominations`', as for the JSON API;
//! another country's nomination is the 404 page.

mod nominate;
mod page;
mod travel_orders;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use chrono::Utc;
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    domain::money::Cents,
    domain::{
        checks::{Check, CheckName},
        nomination::{Priority, Status},
        offering_status::OfferingStatus,
        program::Program,
        role::Role,
    },
    error::{AppError, FieldErrors},
    services::{
        countries,
        nominations::{
            self, NewNomination, NominationDetail, NominationFilter, NominationView, Preview,
            ReasonRequest, WaiverRequest,
        },
        offerings::{self, OfferingFilter, OfferingView},
        plans::{self, LineChoice},
        students::{self, StudentFilter},
    },
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query, moment, optional, parse_date},
        forms::{
            Choice, FormErrors, NoFields, WebForm, add_error, choices, country_choices,
            rename_fields, validate_into,
        },
        layout::Layout,
        session::{NominatorSignedIn, SignedIn, StaffSignedIn},
    },
};

pub use nominate::*;
pub use page::*;
pub use travel_orders::*;

/// A check as pages show it.
pub struct CheckRow {
    pub label: &'static str,
    pub tag: Tag,
    /// A sign that says the outcome without colour: ✓, ✗ or ~ (waived).
    pub mark: &'static str,
    pub detail: String,
}

/// The name of a check in words.
pub(super) fn check_label(name: CheckName) -> &'static str {
    match name {
        CheckName::CountryEligible => "Country eligible",
        CheckName::English => "English",
        CheckName::Prerequisites => "Prerequisites",
        CheckName::Audience => "Audience",
        CheckName::Vetting => "Vetting",
        CheckName::Security => "Security screening",
        CheckName::Seats => "Seats",
        CheckName::Funds => "Funds",
    }
}

impl CheckRow {
    fn of(check: &Check) -> Self {
        let mark = if check.passed {
            "✓"
        } else if check.waived {
            "~"
        } else {
            "✗"
        };
        Self {
            label: check_label(check.name),
            tag: Tag::check(check),
            mark,
            detail: check.detail.clone(),
        }
    }
}

/// A nomination as the queue and the dashboard list it.
pub struct NominationRow {
    pub nomination: NominationView,
    pub status: Tag,
    pub checks: Vec<CheckRow>,
}

impl From<NominationView> for NominationRow {
    fn from(nomination: NominationView) -> Self {
        Self {
            status: Tag::nomination(nomination.status),
            checks: nomination.checks.iter().map(CheckRow::of).collect(),
            nomination,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    pub country: String,
    /// MASL id of the course.
    #[serde(default)]
    pub course: String,
    /// A status, `all`, or empty for the role's default (staff: submitted).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    pub cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/nominations/list.html")]
pub(super) struct QueuePage {
    layout: Layout,
    query: QueueQuery,
    countries: Vec<Choice>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    rows: Vec<NominationRow>,
    is_staff: bool,
    may_nominate: bool,
    next_page: Option<String>,
}

pub(super) fn priority_choices(selected: &str, any: &'static str) -> Vec<Choice> {
    choices(
        [
            ("", any),
            ("A", "A (highest)"),
            ("B", "B"),
            ("C", "C"),
            ("D", "D (lowest)"),
        ],
        &[selected],
    )
}

/// `GET /nominations`: the review queue, oldest first; a liaison's own list.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(mut query): Query<QueueQuery>,
) -> PageResult {
    let is_staff = signed_in.user.role.is_staff();
    if query.status.is_empty() {
        query.status = if is_staff { "submitted" } else { "all" }.to_owned();
    }
    let filter = NominationFilter {
        country: optional(&query.country).map(str::to_owned),
        status: query.status.parse().ok(),
        course: optional(&query.course).map(str::to_ascii_uppercase),
        priority: query.priority.parse().ok(),
        ..Default::default()
    };
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = nominations::list(
        &state.db,
        &signed_in.user,
        filter,
        MAX_LIMIT,
        cursor.as_ref(),
    )
    .await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query(
            "/nominations",
            &[
                ("country", &query.country),
                ("course", &query.course),
                ("status", &query.status),
                ("priority", &query.priority),
                ("cursor", &cursor),
            ],
        )
    });
    let countries = if is_staff {
        let list = countries::list(&state.db, &signed_in.user, None, MAX_LIMIT, None)
            .await?
            .items;
        country_choices(&list, "Every country", &query.country)
    } else {
        Vec::new()
    };
    let statuses = choices(
        std::iter::once(("all", "Any status")).chain(Status::ALL.map(|s| (s.as_str(), s.label()))),
        &[query.status.as_str()],
    );
    let title = if is_staff {
        "Review queue"
    } else {
        "Nominations"
    };
    Ok(render(&QueuePage {
        layout: signed_in.layout(&state, title).await?,
        countries,
        statuses,
        priorities: priority_choices(&query.priority, "Any priority"),
        rows: page.items.into_iter().map(NominationRow::from).collect(),
        is_staff,
        may_nominate: signed_in.user.role.may_nominate(),
        next_page,
        query,
    }))
}
