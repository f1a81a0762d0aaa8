//! Students of a country, with their English tests, prior training and Leahy
//! vetting. A liaison works on their own country's students only: another
//! country's student answers 404, exactly as a missing one.

mod edit;
mod requests;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, LockType},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::{
        ilr::{IlrLevel, Opi},
        masl::MaslId,
        proficiency::EclScore,
        student::{Audience, Grade, check_date_of_birth},
        text::non_blank,
        vetting::{VettingKind, VettingStatus},
    },
    entities::{english_test, nomination, prior_training, student, vetting_record},
    error::{AppError, AppResult, ConflictCode},
    services::{countries, courses, nominations},
};

pub use edit::*;
pub use requests::*;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StudentView {
    pub id: i32,
    pub country_code: String,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub rank: String,
    pub grade: String,
    /// The course audience the grade counts as.
    pub audience: Audience,
    pub service: String,
    pub email: Option<String>,
    /// Status of the latest vetting record, if any.
    pub vetting_status: Option<VettingStatus>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<student::Model> for StudentView {
    fn from(s: student::Model) -> Self {
        let audience = s
            .grade
            .parse::<Grade>()
            .map(Grade::audience)
            .unwrap_or(Audience::Civilian);
        Self {
            id: s.id,
            country_code: s.country_code,
            given_names: s.given_names,
            family_name: s.family_name,
            date_of_birth: s.date_of_birth,
            rank: s.rank,
            grade: s.grade,
            audience,
            service: s.service,
            email: s.email,
            vetting_status: s.vetting_status,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TestView {
    pub id: i32,
    /// `ECL` or `OPI`.
    pub kind: String,
    pub score: Option<i32>,
    pub listening: Option<String>,
    pub speaking: Option<String>,
    pub taken_on: NaiveDate,
    pub recorded_by: i32,
    pub created_at: DateTime<Utc>,
}

impl From<english_test::Model> for TestView {
    fn from(t: english_test::Model) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            score: t.score,
            listening: t.listening,
            speaking: t.speaking,
            taken_on: t.taken_on,
            recorded_by: t.recorded_by,
            created_at: t.created_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TrainingView {
    pub id: i32,
    pub masl_id: String,
    pub completed_on: NaiveDate,
    pub recorded_by: i32,
    pub created_at: DateTime<Utc>,
}

impl From<prior_training::Model> for TrainingView {
    fn from(t: prior_training::Model) -> Self {
        Self {
            id: t.id,
            masl_id: t.masl_id,
            completed_on: t.completed_on,
            recorded_by: t.recorded_by,
            created_at: t.created_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VettingView {
    pub id: i32,
    pub kind: VettingKind,
    pub status: VettingStatus,
    pub case_reference: String,
    pub decided_on: NaiveDate,
    pub recorded_by: i32,
    pub created_at: DateTime<Utc>,
}

impl From<vetting_record::Model> for VettingView {
    fn from(v: vetting_record::Model) -> Self {
        Self {
            id: v.id,
            kind: v.kind,
            status: v.status,
            case_reference: v.case_reference,
            decided_on: v.decided_on,
            recorded_by: v.recorded_by,
            created_at: v.created_at,
        }
    }
}

/// A student with every record: tests (newest first), the latest score of
/// each kind, prior training and vetting history (latest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentDetail {
    #[serde(flatten)]
    pub student: StudentView,
    pub tests: Vec<TestView>,
    pub latest_ecl: Option<TestView>,
    pub latest_opi: Option<TestView>,
    pub training: Vec<TrainingView>,
    pub vetting: Vec<VettingView>,
}

/// The vetting record of `kind` that counts: latest decision date, then
/// latest entry.
pub async fn latest_vetting<C: ConnectionTrait>(
    db: &C,
    student_id: i32,
    kind: VettingKind,
) -> AppResult<Option<vetting_record::Model>> {
    Ok(vetting_record::Entity::find()
        .filter(vetting_record::Column::StudentId.eq(student_id))
        .filter(vetting_record::Column::Kind.eq(kind.as_str()))
        .order_by_desc(vetting_record::Column::DecidedOn)
        .order_by_desc(vetting_record::Column::Id)
        .one(db)
        .await?)
}

/// The latest English score of each kind (by date taken, then entry).
pub async fn latest_scores<C: ConnectionTrait>(
    db: &C,
    student_id: i32,
) -> AppResult<(Option<english_test::Model>, Option<english_test::Model>)> {
    // One query for both kinds: a student has a handful of results.
    let tests = english_test::Entity::find()
        .filter(english_test::Column::StudentId.eq(student_id))
        .order_by_desc(english_test::Column::TakenOn)
        .order_by_desc(english_test::Column::Id)
        .all(db)
        .await?;
    let latest = |kind: &str| tests.iter().find(|t| t.kind == kind).cloned();
    Ok((latest("ECL"), latest("OPI")))
}

/// The OPI pair of a stored OPI result.
pub fn opi_of(test: &english_test::Model) -> Option<Opi> {
    Some(Opi {
        listening: test.listening.as_deref()?.parse().ok()?,
        speaking: test.speaking.as_deref()?.parse().ok()?,
    })
}

pub(super) async fn detail_of<C: ConnectionTrait>(
    db: &C,
    student: StudentView,
) -> AppResult<StudentDetail> {
    let tests: Vec<TestView> = english_test::Entity::find()
        .filter(english_test::Column::StudentId.eq(student.id))
        .order_by_desc(english_test::Column::TakenOn)
        .order_by_desc(english_test::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TestView::from)
        .collect();
    let latest_ecl = tests.iter().find(|t| t.kind == "ECL").cloned();
    let latest_opi = tests.iter().find(|t| t.kind == "OPI").cloned();
    let training = prior_training::Entity::find()
        .filter(prior_training::Column::StudentId.eq(student.id))
        .order_by_desc(prior_training::Column::CompletedOn)
        .all(db)
        .await?
        .into_iter()
        .map(TrainingView::from)
        .collect();
    let vetting = vetting_record::Entity::find()
        .filter(vetting_record::Column::StudentId.eq(student.id))
        .order_by_desc(vetting_record::Column::DecidedOn)
        .order_by_desc(vetting_record::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(VettingView::from)
        .collect();
    Ok(StudentDetail {
        student,
        tests,
        latest_ecl,
        latest_opi,
        training,
        vetting,
    })
}

pub async fn get<C: ConnectionTrait>(db: &C, caller: &Actor, id: i32) -> AppResult<StudentDetail> {
    let student = find_visible(db, caller, id).await?;
    detail_of(db, StudentView::from(student)).await
}

/// Vetting filter of the student list: a status, or `none` for never vetted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VettingFilter {
    Pending,
    Cleared,
    Denied,
    None,
}

/// Filters of the student list, as its query string names them.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudentFilter {
    pub country: Option<String>,
    /// Part of a given or family name, any case.
    pub q: Option<String>,
    /// `pending`, `cleared`, `denied` (latest record) or `none`.
    #[param(inline)]
    pub vetting: Option<VettingFilter>,
}

/// Students ordered by family name then id; a liaison's list holds only
/// their country.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    filter: StudentFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<StudentView>> {
    let mut query = student::Entity::find()
        .order_by_asc(student::Column::FamilyName)
        .order_by_asc(student::Column::Id);
    if let Some(code) = caller.country_scope() {
        query = query.filter(student::Column::CountryCode.eq(code));
    }
    if let Some(code) = filter.country {
        query = query.filter(student::Column::CountryCode.eq(code.trim().to_ascii_uppercase()));
    }
    if let Some(q) = filter
        .q
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty())
    {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(student::Column::GivenNames)))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(student::Column::FamilyName)))
                        .like(LikeExpr::new(pattern).escape('\\')),
                ),
        );
    }
    match filter.vetting {
        Some(VettingFilter::None) => query = query.filter(student::Column::VettingStatus.is_null()),
        Some(VettingFilter::Pending) => {
            query = query.filter(student::Column::VettingStatus.eq("pending"))
        }
        Some(VettingFilter::Cleared) => {
            query = query.filter(student::Column::VettingStatus.eq("cleared"))
        }
        Some(VettingFilter::Denied) => {
            query = query.filter(student::Column::VettingStatus.eq("denied"))
        }
        None => {}
    }
    if let Some(cursor) = cursor {
        let [name, id] = cursor.parts() else {
            return Err(AppError::field(
                "cursor",
                "is not a cursor returned by this list",
            ));
        };
        let id: i32 = id
            .parse()
            .map_err(|_| AppError::field("cursor", "is not a cursor returned by this list"))?;
        query = query.filter(
            Condition::any()
                .add(student::Column::FamilyName.gt(name.clone()))
                .add(
                    Condition::all()
                        .add(student::Column::FamilyName.eq(name.clone()))
                        .add(student::Column::Id.gt(id)),
                ),
        );
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |s| Cursor::new(vec![s.family_name.clone(), s.id.to_string()]),
        StudentView::from,
    ))
}
