//! `/nominations`: the nominate form (a liaison for their students, or an
//! admin), the review queue of program officers (a liaison's own list), and
//! a nomination's page with its checks, waivers, history and the actions of
//! each role. Every rule is `services::nominations`', as for the JSON API;
//! another country's nomination is the 404 page.

mod actions;
mod nominate;
mod page;
mod queue;

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
        students::{self, StudentFilter},
    },
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query, moment, optional, parse_date},
        forms::{Choice, FormErrors, WebForm, add_error, choices, rename_fields, validate_into},
        layout::Layout,
        session::{NominatorSignedIn, SignedIn, StaffSignedIn},
    },
};

pub use actions::*;
pub use nominate::*;
pub use page::*;
pub use queue::*;

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
