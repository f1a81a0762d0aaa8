//! `/students`: a liaison's own country's students, every student for
//! program officers and admins; another country's student is the 404 page.
//! Through `services::students`, with the same checks as the JSON API.

mod form;
mod list;
mod page;
mod records;

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
    domain::{student::check_date_of_birth, vetting::VettingStatus},
    error::{AppError, FieldErrors},
    services::{
        countries,
        students::{
            self, NewStudent, NewTest, NewVetting, StudentDetail, StudentFilter, StudentPatch,
            StudentView, TestKind, TestView, VettingFilter, VettingView,
        },
    },
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query, optional, parse_date, parse_whole},
        forms::{Choice, FormErrors, WebForm, add_error, choices, validate_into},
        layout::Layout,
        session::{SignedIn, StaffSignedIn},
    },
};

pub use form::*;
pub use list::*;
pub use page::*;
pub use records::*;
