//! The course catalog: admins create, update and archive courses; every
//! signed-in role reads and searches. Courses are never deleted — archiving
//! (`active: false`) keeps them, their classes and their history.

mod edit;
mod read;
mod requests;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    sea_query::{BinOper, Expr, ExprTrait, Func},
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::{
        course::{Audience, Category},
        ilr::{IlrLevel, Opi},
        masl::{Agency, MaslId},
        prerequisites::{describe_cycle, find_cycle},
    },
    entities::{course, course_prerequisite},
    error::{AppError, AppResult, ConflictCode, FieldErrors, field_errors},
};

pub use edit::*;
pub use read::*;
pub use requests::*;

/// A course as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CourseView {
    pub id: i32,
    #[schema(example = "B171807")]
    pub masl_id: String,
    /// The implementing agency, from the MASL id's letter.
    pub agency: Agency,
    pub title: String,
    pub school: String,
    pub location: String,
    pub description: String,
    pub category: Category,
    /// Minimum English Comprehension Level score (0..=100), if any.
    pub ecl_min: Option<i32>,
    /// Minimum OPI levels, if any.
    pub opi_min: Option<Opi>,
    /// Certified for Expanded IMET (civilians, human rights, civil-military).
    pub e_imet: bool,
    pub audience: Vec<Audience>,
    /// MASL ids of the courses a student must have completed first.
    pub prerequisites: Vec<String>,
    /// `false` once archived.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(super) fn corrupt(what: &str, e: String) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored course has an invalid {what}: {e}"))
}

/// Builds the view of a stored course and its prerequisites' MASL ids.
pub fn view(model: course::Model, prerequisites: Vec<String>) -> AppResult<CourseView> {
    let masl = MaslId::parse(&model.masl_id).map_err(|e| corrupt("masl_id", e))?;
    let category = model.category;
    let audience = decode_audience(&model.audience).map_err(|e| corrupt("audience", e))?;
    let opi_min = match (&model.opi_min_listening, &model.opi_min_speaking) {
        (Some(l), Some(s)) => Some(Opi {
            listening: IlrLevel::parse(l).map_err(|e| corrupt("opi_min", e))?,
            speaking: IlrLevel::parse(s).map_err(|e| corrupt("opi_min", e))?,
        }),
        _ => None,
    };
    Ok(CourseView {
        id: model.id,
        agency: masl.agency(),
        masl_id: masl.into_string(),
        title: model.title,
        school: model.school,
        location: model.location,
        description: model.description,
        category,
        ecl_min: model.ecl_min,
        opi_min,
        e_imet: model.e_imet,
        audience,
        prerequisites,
        active: model.active,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

impl CourseView {
    /// The normalized content of this course, to compare with an import.
    pub fn fields(&self) -> AppResult<CourseFields> {
        let prerequisites = self
            .prerequisites
            .iter()
            .map(|p| MaslId::parse(p).map_err(|e| corrupt("prerequisite", e)))
            .collect::<AppResult<_>>()?;
        Ok(CourseFields {
            masl_id: MaslId::parse(&self.masl_id).map_err(|e| corrupt("masl_id", e))?,
            title: self.title.clone(),
            school: self.school.clone(),
            location: self.location.clone(),
            description: self.description.clone(),
            category: self.category,
            ecl_min: self.ecl_min,
            opi_min: self.opi_min,
            e_imet: self.e_imet,
            audience: self.audience.iter().copied().collect(),
            prerequisites,
            active: self.active,
        })
    }
}

/// Audiences are stored joined with `;`, in the fixed order of [`Audience::ALL`].
pub(super) fn encode_audience(audience: &BTreeSet<Audience>) -> String {
    audience
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

pub(super) fn decode_audience(stored: &str) -> Result<Vec<Audience>, String> {
    stored
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}
