//! Students of a country, with their English tests, prior training and Leahy
//! vetting. A liaison works on their own country's students only: another
//! country's student answers 404, exactly as a missing one.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::{
        ilr::{IlrLevel, Opi},
        masl::MaslId,
        proficiency::ECL_RANGE,
        student::{Audience, Grade, check_date_of_birth},
        text::non_blank,
        vetting::VettingStatus,
    },
    entities::{english_test, prior_training, student, vetting_record},
    error::{AppError, AppResult},
    services::{countries, courses},
};

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

fn grade_rule(grade: &str) -> Result<(), validator::ValidationError> {
    grade
        .parse::<Grade>()
        .map(|_| ())
        .map_err(|e| validator::ValidationError::new("grade").with_message(e.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewStudent {
    pub country_code: String,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub given_names: String,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub rank: String,
    /// `O-1`..`O-10`, `W-1`..`W-5`, `E-1`..`E-9` or `CIV`.
    #[validate(custom(function = "grade_rule"))]
    pub grade: String,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub service: String,
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    pub email: Option<String>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct StudentPatch {
    pub country_code: Option<String>,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub given_names: Option<String>,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub rank: Option<String>,
    #[validate(custom(function = "grade_rule"))]
    pub grade: Option<String>,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub service: Option<String>,
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    pub email: Option<String>,
}

/// The kind of an English test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
pub enum TestKind {
    /// English Comprehension Level, a score 0..=100.
    #[serde(rename = "ECL")]
    Ecl,
    /// Oral Proficiency Interview, ILR levels for listening and speaking.
    #[serde(rename = "OPI")]
    Opi,
}

/// An English test result: `ECL` with `score`, or `OPI` with `listening`
/// and `speaking` ILR levels.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTest {
    pub kind: TestKind,
    pub score: Option<i32>,
    #[schema(example = "2+")]
    pub listening: Option<String>,
    #[schema(example = "2")]
    pub speaking: Option<String>,
    pub taken_on: NaiveDate,
}

/// A validated test result, ready to store.
enum TestResult {
    Ecl(i32),
    Opi(Opi),
}

impl NewTest {
    /// Checks the fields that belong to the kind; errors name the field.
    fn result(&self) -> Result<TestResult, validator::ValidationErrors> {
        let mut errors = validator::ValidationErrors::new();
        let error = |code: &'static str, message: String| {
            validator::ValidationError::new(code).with_message(message.into())
        };
        if self.taken_on > Utc::now().date_naive() {
            errors.add(
                "taken_on",
                error("future", "must not be in the future".into()),
            );
        }
        let result = match self.kind {
            TestKind::Ecl => {
                match self.score {
                    None => errors.add("score", error("required", "is required for an ECL".into())),
                    Some(score) if !ECL_RANGE.contains(&score) => {
                        errors.add("score", error("range", "must be between 0 and 100".into()))
                    }
                    Some(_) => {}
                }
                for (field, value) in [("listening", &self.listening), ("speaking", &self.speaking)]
                {
                    if value.is_some() {
                        errors.add(
                            field,
                            error("unexpected", "belongs to an OPI, not an ECL".into()),
                        );
                    }
                }
                self.score.map(TestResult::Ecl)
            }
            TestKind::Opi => {
                if self.score.is_some() {
                    errors.add(
                        "score",
                        error("unexpected", "belongs to an ECL, not an OPI".into()),
                    );
                }
                let mut level = |field: &'static str, value: &Option<String>| match value
                    .as_deref()
                    .map(IlrLevel::parse)
                {
                    None => {
                        errors.add(field, error("required", "is required for an OPI".into()));
                        None
                    }
                    Some(Err(e)) => {
                        errors.add(field, error("ilr", e));
                        None
                    }
                    Some(Ok(level)) => Some(level),
                };
                let listening = level("listening", &self.listening);
                let speaking = level("speaking", &self.speaking);
                listening.zip(speaking).map(|(listening, speaking)| {
                    TestResult::Opi(Opi {
                        listening,
                        speaking,
                    })
                })
            }
        };
        match result {
            Some(result) if errors.is_empty() => Ok(result),
            _ => Err(errors),
        }
    }
}

impl Validate for NewTest {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        self.result().map(|_| ())
    }
}

fn not_future(day: &NaiveDate) -> Result<(), validator::ValidationError> {
    if *day > Utc::now().date_naive() {
        Err(validator::ValidationError::new("future")
            .with_message("must not be in the future".into()))
    } else {
        Ok(())
    }
}

/// A course the student completed before, outside this system.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewTraining {
    /// MASL id of a course in the catalog.
    #[schema(example = "B000001")]
    pub masl_id: String,
    #[validate(custom(function = "not_future"))]
    pub completed_on: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewVetting {
    pub status: VettingStatus,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub case_reference: String,
    #[validate(custom(function = "not_future"))]
    pub decided_on: NaiveDate,
}

/// Finds a student the caller may see; another country's answers 404.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<student::Model> {
    student::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| caller.sees_country(&s.country_code))
        .ok_or_else(|| AppError::not_found("Student"))
}

/// The country a student may be put in by the caller: one they see and that
/// exists. A liaison naming another country gets 404, like a missing one.
async fn target_country<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    code: &str,
) -> AppResult<String> {
    let code = code.trim().to_ascii_uppercase();
    if !caller.sees_country(&code) {
        return Err(AppError::not_found("Country"));
    }
    match countries::find(db, &code).await {
        Ok(country) => Ok(country.code),
        Err(AppError::NotFound(_)) => Err(AppError::field(
            "country_code",
            format!("no country `{code}` is registered"),
        )),
        Err(other) => Err(other),
    }
}

pub async fn create(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    new: NewStudent,
) -> AppResult<StudentDetail> {
    check_date_of_birth(new.date_of_birth, Utc::now().date_naive())
        .map_err(|e| AppError::field("date_of_birth", e))?;
    let txn = db::write_txn(db).await?;
    let country_code = target_country(&txn, caller, &new.country_code).await?;
    let now = Utc::now();
    let created = student::ActiveModel {
        country_code: Set(country_code),
        given_names: Set(new.given_names.trim().to_owned()),
        family_name: Set(new.family_name.trim().to_owned()),
        date_of_birth: Set(new.date_of_birth),
        rank: Set(new.rank.trim().to_owned()),
        grade: Set(new.grade),
        service: Set(new.service.trim().to_owned()),
        email: Set(new.email.map(|e| e.trim().to_owned())),
        vetting_status: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let view = StudentView::from(created);
    record(
        &txn,
        caller,
        "student.create",
        view.id,
        None,
        snapshot(&view),
    )
    .await?;
    let detail = detail_of(&txn, view).await?;
    txn.commit().await?;
    Ok(detail)
}

pub async fn update(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    id: i32,
    patch: StudentPatch,
) -> AppResult<StudentDetail> {
    if let Some(dob) = patch.date_of_birth {
        check_date_of_birth(dob, Utc::now().date_naive())
            .map_err(|e| AppError::field("date_of_birth", e))?;
    }
    let txn = db::write_txn(db).await?;
    let existing = find_visible(&txn, caller, id).await?;
    let before = StudentView::from(existing.clone());
    let mut model: student::ActiveModel = existing.into();
    if let Some(code) = patch.country_code {
        model.country_code = Set(target_country(&txn, caller, &code).await?);
    }
    if let Some(v) = patch.given_names {
        model.given_names = Set(v.trim().to_owned());
    }
    if let Some(v) = patch.family_name {
        model.family_name = Set(v.trim().to_owned());
    }
    if let Some(v) = patch.date_of_birth {
        model.date_of_birth = Set(v);
    }
    if let Some(v) = patch.rank {
        model.rank = Set(v.trim().to_owned());
    }
    if let Some(v) = patch.grade {
        model.grade = Set(v);
    }
    if let Some(v) = patch.service {
        model.service = Set(v.trim().to_owned());
    }
    if let Some(v) = patch.email {
        model.email = Set(Some(v.trim().to_owned()));
    }
    model.updated_at = Set(Utc::now());
    let view = StudentView::from(model.update(&txn).await?);
    record(
        &txn,
        caller,
        "student.update",
        id,
        snapshot(&before),
        snapshot(&view),
    )
    .await?;
    let detail = detail_of(&txn, view).await?;
    txn.commit().await?;
    Ok(detail)
}

async fn record<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    action: &str,
    id: i32,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    audit::record(
        db,
        Change {
            actor: Some(caller.id),
            action,
            entity: "student",
            entity_id: id.to_string(),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

pub async fn add_test(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    id: i32,
    test: NewTest,
) -> AppResult<StudentDetail> {
    let txn = db::write_txn(db).await?;
    let student = find_visible(&txn, caller, id).await?;
    let taken_on = test.taken_on;
    let (kind, score, listening, speaking) = match test.result()? {
        TestResult::Ecl(score) => ("ECL", Some(score), None, None),
        TestResult::Opi(opi) => (
            "OPI",
            None,
            Some(opi.listening.to_string()),
            Some(opi.speaking.to_string()),
        ),
    };
    let created = english_test::ActiveModel {
        student_id: Set(student.id),
        kind: Set(kind.into()),
        score: Set(score),
        listening: Set(listening),
        speaking: Set(speaking),
        taken_on: Set(taken_on),
        recorded_by: Set(caller.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        caller,
        "student.test",
        id,
        None,
        snapshot(&TestView::from(created)),
    )
    .await?;
    let detail = detail_of(&txn, StudentView::from(student)).await?;
    txn.commit().await?;
    Ok(detail)
}

/// Records prior training: a catalog course completed on a day not in the future.
pub async fn add_training(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    id: i32,
    training: NewTraining,
) -> AppResult<StudentDetail> {
    let masl = MaslId::parse(&training.masl_id).map_err(|e| AppError::field("masl_id", e))?;
    let txn = db::write_txn(db).await?;
    let student = find_visible(&txn, caller, id).await?;
    if courses::find(&txn, masl.as_str()).await.is_err() {
        return Err(AppError::field(
            "masl_id",
            format!("no course `{masl}` in the catalog"),
        ));
    }
    let created = prior_training::ActiveModel {
        student_id: Set(student.id),
        masl_id: Set(masl.into_string()),
        completed_on: Set(training.completed_on),
        recorded_by: Set(caller.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        caller,
        "student.training",
        id,
        None,
        snapshot(&TrainingView::from(created)),
    )
    .await?;
    let detail = detail_of(&txn, StudentView::from(student)).await?;
    txn.commit().await?;
    Ok(detail)
}

/// Records a vetting decision (program officers and admins); the latest
/// decision becomes the student's vetting status.
pub async fn add_vetting(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    id: i32,
    vetting: NewVetting,
) -> AppResult<StudentDetail> {
    let txn = db::write_txn(db).await?;
    let student = find_visible(&txn, caller, id).await?;
    let created = vetting_record::ActiveModel {
        student_id: Set(student.id),
        status: Set(vetting.status),
        case_reference: Set(vetting.case_reference.trim().to_owned()),
        decided_on: Set(vetting.decided_on),
        recorded_by: Set(caller.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let latest = latest_vetting(&txn, student.id).await?;
    let mut model: student::ActiveModel = student.into();
    model.vetting_status = Set(latest.map(|v| v.status));
    model.updated_at = Set(Utc::now());
    let view = StudentView::from(model.update(&txn).await?);
    record(
        &txn,
        caller,
        "student.vetting",
        id,
        None,
        snapshot(&VettingView::from(created)),
    )
    .await?;
    let detail = detail_of(&txn, view).await?;
    txn.commit().await?;
    Ok(detail)
}

/// The vetting record that counts: latest decision date, then latest entry.
pub async fn latest_vetting<C: ConnectionTrait>(
    db: &C,
    student_id: i32,
) -> AppResult<Option<vetting_record::Model>> {
    Ok(vetting_record::Entity::find()
        .filter(vetting_record::Column::StudentId.eq(student_id))
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

async fn detail_of<C: ConnectionTrait>(db: &C, student: StudentView) -> AppResult<StudentDetail> {
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

#[derive(Debug, Default)]
pub struct StudentFilter {
    pub country: Option<String>,
    /// Matches given names or family name, case-insensitive.
    pub q: Option<String>,
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
