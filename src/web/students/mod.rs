//! `/students`: a liaison's own country's students, every student for
//! program officers and admins; another country's student is the 404 page.
//! Liaisons and admins register and edit students and their tests; program
//! officers read them and record vetting only (SPEC §8), so they see no
//! other form. Through `services::students`, with the same checks as the
//! JSON API.

mod form;
mod page;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use chrono::Utc;
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    api::extract::gated,
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    domain::{
        student::check_date_of_birth,
        vetting::{VettingKind, VettingStatus},
    },
    error::{AppError, FieldErrors},
    services::{
        countries,
        students::{
            self, NewStudent, NewTest, NewVetting, StudentDetail, StudentFilter, StudentPatch,
            StudentView, TestKind, TestView, VettingFilter, VettingView,
        },
    },
    web::{
        error::{PageError, PageResult, render},
        format::{Tag, link_with_query, optional, parse_date, parse_whole},
        forms::{Choice, FormErrors, WebForm, add_error, choices, country_choices, validate_into},
        layout::Layout,
        session::{SignedIn, StaffSignedIn},
    },
};

pub use form::*;
pub use page::*;

gated!(
    /// A signed-in liaison or admin, who keeps students and their records
    /// (`Role::may_keep_student_records`).
    RecordKeeperSignedIn(SignedIn): PageError,
    |s| s.user.role.may_keep_student_records()
);

#[derive(Deserialize, Default)]
pub struct StudentQuery {
    #[serde(default)]
    pub q: String,
    /// `pending`, `cleared`, `denied`, `none` (never vetted), or empty for all.
    #[serde(default)]
    pub vetting: String,
    pub cursor: Option<String>,
}

pub(super) fn vetting_filter(value: &str) -> Option<VettingFilter> {
    match value {
        "pending" => Some(VettingFilter::Pending),
        "cleared" => Some(VettingFilter::Cleared),
        "denied" => Some(VettingFilter::Denied),
        "none" => Some(VettingFilter::None),
        _ => None,
    }
}

/// A student as lists and pages show them.
pub(super) struct StudentRow {
    pub(super) student: StudentView,
    /// Family name first, as in the list's order.
    pub(super) name: String,
    pub(super) vetting: Tag,
}

impl From<StudentView> for StudentRow {
    fn from(student: StudentView) -> Self {
        Self {
            name: format!("{}, {}", student.family_name, student.given_names),
            vetting: Tag::vetting(student.vetting_status),
            student,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/students/list.html")]
pub(super) struct StudentsPage {
    layout: Layout,
    query: StudentQuery,
    vetting: Vec<Choice>,
    rows: Vec<StudentRow>,
    /// Staff see every country: the list shows each student's.
    is_staff: bool,
    /// Liaisons and admins register students.
    keeps_records: bool,
    filtered: bool,
    next_page: Option<String>,
}

/// `GET /students`: by family name; search by name, filter by vetting.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<StudentQuery>,
) -> PageResult {
    let filter = StudentFilter {
        country: None,
        q: optional(&query.q).map(str::to_owned),
        vetting: vetting_filter(&query.vetting),
    };
    let filtered = filter.q.is_some() || filter.vetting.is_some();
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = students::list(
        &state.db,
        &signed_in.user,
        filter,
        MAX_LIMIT,
        cursor.as_ref(),
    )
    .await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query(
            "/students",
            &[
                ("q", &query.q),
                ("vetting", &query.vetting),
                ("cursor", &cursor),
            ],
        )
    });
    let vetting = choices(
        [
            ("", "Any vetting status"),
            ("pending", "Pending"),
            ("cleared", "Cleared"),
            ("denied", "Denied"),
            ("none", "Not vetted"),
        ],
        &[query.vetting.as_str()],
    );
    Ok(render(&StudentsPage {
        layout: signed_in.layout(&state, "Students").await?,
        query,
        vetting,
        rows: page.items.into_iter().map(StudentRow::from).collect(),
        is_staff: signed_in.user.role.is_staff(),
        keeps_records: signed_in.user.role.may_keep_student_records(),
        filtered,
        next_page,
    }))
}
