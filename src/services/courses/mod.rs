//! The course catalog: admins create, update and archive courses; every
//! signed-in role reads and searches. Courses are never deleted — archiving
//! (`active: false`) keeps them, their classes and their history.

mod edit;
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

/// The prerequisites' MASL ids of each of `course_ids`, sorted.
pub async fn prerequisites_of<C: ConnectionTrait>(
    db: &C,
    course_ids: &[i32],
) -> AppResult<HashMap<i32, Vec<String>>> {
    let mut out: HashMap<i32, Vec<String>> = HashMap::new();
    if course_ids.is_empty() {
        return Ok(out);
    }
    let edges: Vec<(i32, String)> = course_prerequisite::Entity::find()
        .select_only()
        .column(course_prerequisite::Column::CourseId)
        .column(course::Column::MaslId)
        .join(
            JoinType::InnerJoin,
            course_prerequisite::Relation::Prerequisite.def(),
        )
        .filter(course_prerequisite::Column::CourseId.is_in(course_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    for (course_id, masl) in edges {
        out.entry(course_id).or_default().push(masl);
    }
    for list in out.values_mut() {
        list.sort();
    }
    Ok(out)
}

/// Views of `models`, with their prerequisites, in the same order.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    models: Vec<course::Model>,
) -> AppResult<Vec<CourseView>> {
    // In chunks, to stay under the databases' limits on bound parameters.
    let mut out = Vec::with_capacity(models.len());
    for chunk in models.chunks(500) {
        let ids: Vec<i32> = chunk.iter().map(|m| m.id).collect();
        let mut prerequisites = prerequisites_of(db, &ids).await?;
        for m in chunk {
            let p = prerequisites.remove(&m.id).unwrap_or_default();
            out.push(view(m.clone(), p)?);
        }
    }
    Ok(out)
}

pub async fn view_of<C: ConnectionTrait>(db: &C, model: course::Model) -> AppResult<CourseView> {
    let mut list = views(db, vec![model]).await?;
    list.pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("course view missing")))
}

/// A course row by MASL id; 404 when missing (or not a MASL id at all).
pub async fn find<C: ConnectionTrait>(db: &C, masl_id: &str) -> AppResult<course::Model> {
    let masl = MaslId::parse(masl_id).map_err(|_| AppError::not_found("Course"))?;
    course::Entity::find()
        .filter(course::Column::MaslId.eq(masl.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Course"))
}

pub async fn get<C: ConnectionTrait>(db: &C, masl_id: &str) -> AppResult<CourseView> {
    let model = find(db, masl_id).await?;
    view_of(db, model).await
}

/// Search filters of the course list.
#[derive(Debug, Default)]
pub struct CourseFilter {
    /// Matches a MASL id prefix, or part of the title or school; any case.
    pub q: Option<String>,
    pub category: Option<Category>,
    pub agency: Option<Agency>,
    pub e_imet: Option<bool>,
    /// Courses a student with this ECL score may take: `ecl_min` at most
    /// this, or no ECL minimum.
    pub ecl_max: Option<i32>,
    pub active: Option<bool>,
}

/// `lower(column) LIKE lower(pattern)`, with `\` escaping `%` and `_` in the
/// caller's text: SQLite and PostgreSQL then agree on case-insensitivity.
pub(super) fn like_ci(column: course::Column, pattern: String) -> Expr {
    let pattern = Expr::Binary(
        Box::new(Func::lower(Expr::val(pattern)).into()),
        BinOper::Escape,
        Box::new(Expr::Constant('\\'.into())),
    );
    Expr::expr(Func::lower(Expr::col(column))).binary(BinOper::Like, pattern)
}

pub(super) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Courses whose MASL id starts with `q`, or whose title or school holds it; any case.
pub fn text_matches(q: &str) -> Condition {
    let text = escape_like(q);
    Condition::any()
        .add(like_ci(course::Column::MaslId, format!("{text}%")))
        .add(like_ci(course::Column::Title, format!("%{text}%")))
        .add(like_ci(course::Column::School, format!("%{text}%")))
}

/// Courses in MASL id order, filtered.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: CourseFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<CourseView>> {
    let mut query = course::Entity::find().order_by_asc(course::Column::MaslId);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(text_matches(q));
    }
    if let Some(category) = filter.category {
        query = query.filter(course::Column::Category.eq(category.as_str()));
    }
    if let Some(agency) = filter.agency {
        // A range on the unique index: every MASL id starts with its agency letter.
        let letter = agency.letter();
        let next = char::from(letter as u8 + 1);
        query = query
            .filter(course::Column::MaslId.gte(letter.to_string()))
            .filter(course::Column::MaslId.lt(next.to_string()));
    }
    if let Some(e_imet) = filter.e_imet {
        query = query.filter(course::Column::EImet.eq(e_imet));
    }
    if let Some(ecl) = filter.ecl_max {
        query = query.filter(
            Condition::any()
                .add(course::Column::EclMin.is_null())
                .add(course::Column::EclMin.lte(ecl)),
        );
    }
    if let Some(active) = filter.active {
        query = query.filter(course::Column::Active.eq(active));
    }
    if let Some(cursor) = cursor {
        let after = cursor.parts().first().cloned().unwrap_or_default();
        query = query.filter(course::Column::MaslId.gt(after));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    let page = Page::from_rows(rows, limit, |c| Cursor::new(vec![c.masl_id.clone()]), |c| c);
    Ok(Page {
        items: views(db, page.items).await?,
        next_cursor: page.next_cursor,
    })
}
