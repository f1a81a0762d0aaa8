//! The course catalog: admins create, update and archive courses; every
//! signed-in role reads and searches. Courses are never deleted — archiving
//! (`active: false`) keeps them, their classes and their history.
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

/// A course to create (and the shape a CSV row is read into).
#[derive(Clone, Debug, Deserialize, Validate, ToSchema)]
pub struct NewCourse {
    /// Training MASL: `B` (Army), `D` (Air Force) or `P` (Navy) and 6 digits.
    #[schema(example = "B171807")]
    pub masl_id: String,
    #[validate(custom(function = "short_text"))]
    pub title: String,
    #[validate(custom(function = "short_text"))]
    pub school: String,
    #[validate(custom(function = "short_text"))]
    pub location: String,
    #[serde(default)]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    pub description: String,
    pub category: Category,
    #[validate(range(min = 0, max = 100, message = "must be between 0 and 100"))]
    pub ecl_min: Option<i32>,
    pub opi_min: Option<Opi>,
    #[serde(default)]
    pub e_imet: bool,
    #[validate(length(
        min = 1,
        message = "must name at least one of officer, enlisted, civilian"
    ))]
    pub audience: Vec<Audience>,
    /// MASL ids of existing courses (or, in a CSV import, of courses in the same file).
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Defaults to `true`; `false` archives the course.
    pub active: Option<bool>,
}

/// Changes to a course; absent fields stay as they are. `ecl_min` and
/// `opi_min` may be set to `null` to drop the minimum.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct CoursePatch {
    pub title: Option<String>,
    pub school: Option<String>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub ecl_min: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Opi>)]
    pub opi_min: Option<Option<Opi>>,
    pub e_imet: Option<bool>,
    pub audience: Option<Vec<Audience>>,
    pub prerequisites: Option<Vec<String>>,
    /// `false` archives the course, `true` restores it.
    pub active: Option<bool>,
}

/// Tells a field set to `null` (`Some(None)`) from an absent one (`None`).
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn short_text(value: &str) -> Result<(), ValidationError> {
    let len = value.trim().chars().count();
    if (1..=200).contains(&len) {
        Ok(())
    } else {
        Err(ValidationError::new("length").with_message("must be 1 to 200 characters".into()))
    }
}

/// A course's content after validation, normalized: what is stored, and
/// what an import compares with the stored course to tell a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseFields {
    pub masl_id: MaslId,
    pub title: String,
    pub school: String,
    pub location: String,
    pub description: String,
    pub category: Category,
    pub ecl_min: Option<i32>,
    pub opi_min: Option<Opi>,
    pub e_imet: bool,
    pub audience: BTreeSet<Audience>,
    pub prerequisites: BTreeSet<MaslId>,
    pub active: bool,
}

impl NewCourse {
    /// Validates and normalizes; the errors name the fields.
    pub fn check(&self) -> Result<CourseFields, FieldErrors> {
        let mut errors = match self.validate() {
            Ok(()) => FieldErrors::new(),
            Err(e) => field_errors(&e),
        };
        let masl_id = MaslId::parse(&self.masl_id)
            .map_err(|e| errors.entry("masl_id".into()).or_default().push(e))
            .ok();
        let mut prerequisites = BTreeSet::new();
        for raw in &self.prerequisites {
            match MaslId::parse(raw) {
                Ok(id) => {
                    prerequisites.insert(id);
                }
                Err(e) => errors.entry("prerequisites".into()).or_default().push(e),
            }
        }
        match masl_id {
            Some(masl_id) if errors.is_empty() => Ok(CourseFields {
                masl_id,
                title: self.title.trim().to_owned(),
                school: self.school.trim().to_owned(),
                location: self.location.trim().to_owned(),
                description: self.description.trim().to_owned(),
                category: self.category,
                ecl_min: self.ecl_min,
                opi_min: self.opi_min,
                e_imet: self.e_imet,
                audience: self.audience.iter().copied().collect(),
                prerequisites,
                active: self.active.unwrap_or(true),
            }),
            _ => Err(errors),
        }
    }
}

impl CoursePatch {
    /// The course as it would be after this patch.
    fn apply(self, current: &CourseView) -> NewCourse {
        NewCourse {
            masl_id: current.masl_id.clone(),
            title: self.title.unwrap_or_else(|| current.title.clone()),
            school: self.school.unwrap_or_else(|| current.school.clone()),
            location: self.location.unwrap_or_else(|| current.location.clone()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
            category: self.category.unwrap_or(current.category),
            ecl_min: self.ecl_min.unwrap_or(current.ecl_min),
            opi_min: self.opi_min.unwrap_or(current.opi_min),
            e_imet: self.e_imet.unwrap_or(current.e_imet),
            audience: self.audience.unwrap_or_else(|| current.audience.clone()),
            prerequisites: self
                .prerequisites
                .unwrap_or_else(|| current.prerequisites.clone()),
            active: Some(self.active.unwrap_or(current.active)),
        }
    }
}

fn corrupt(what: &str, e: String) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored course has an invalid {what}: {e}"))
}

/// Builds the view of a stored course and its prerequisites' MASL ids.
pub fn view(model: course::Model, prerequisites: Vec<String>) -> AppResult<CourseView> {
    let masl = MaslId::parse(&model.masl_id).map_err(|e| corrupt("masl_id", e))?;
    let category = model.category.parse().map_err(|e| corrupt("category", e))?;
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
fn encode_audience(audience: &BTreeSet<Audience>) -> String {
    audience
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

fn decode_audience(stored: &str) -> Result<Vec<Audience>, String> {
    stored
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

/// The whole prerequisite graph, by MASL id, and every course's id.
pub struct Catalog {
    pub ids: BTreeMap<MaslId, i32>,
    pub graph: BTreeMap<MaslId, BTreeSet<MaslId>>,
}

impl Catalog {
    pub async fn load<C: ConnectionTrait>(db: &C) -> AppResult<Self> {
        let rows: Vec<(i32, String)> = course::Entity::find()
            .select_only()
            .column(course::Column::Id)
            .column(course::Column::MaslId)
            .into_tuple()
            .all(db)
            .await?;
        let mut ids = BTreeMap::new();
        let mut by_id = HashMap::new();
        for (id, masl) in rows {
            let masl = MaslId::parse(&masl).map_err(|e| corrupt("masl_id", e))?;
            by_id.insert(id, masl.clone());
            ids.insert(masl, id);
        }
        let mut graph: BTreeMap<MaslId, BTreeSet<MaslId>> = BTreeMap::new();
        for edge in course_prerequisite::Entity::find().all(db).await? {
            if let (Some(course), Some(prerequisite)) =
                (by_id.get(&edge.course_id), by_id.get(&edge.prerequisite_id))
            {
                graph
                    .entry(course.clone())
                    .or_default()
                    .insert(prerequisite.clone());
            }
        }
        Ok(Self { ids, graph })
    }

    /// Replaces a course's prerequisites in the graph (not in storage).
    pub fn set_prerequisites(&mut self, course: &MaslId, prerequisites: &BTreeSet<MaslId>) {
        self.graph.insert(course.clone(), prerequisites.clone());
    }

    /// A cycle of the graph, as its path.
    pub fn cycle(&self) -> Option<Vec<MaslId>> {
        find_cycle(&self.graph)
    }
}

/// Checks the prerequisites of one course against the stored catalog.
fn check_prerequisites(catalog: &mut Catalog, fields: &CourseFields) -> AppResult<()> {
    let missing: Vec<&str> = fields
        .prerequisites
        .iter()
        .filter(|p| !catalog.ids.contains_key(*p))
        .map(MaslId::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::field(
            "prerequisites",
            format!("no course {} in the catalog", missing.join(", ")),
        ));
    }
    catalog.set_prerequisites(&fields.masl_id, &fields.prerequisites);
    if let Some(cycle) = catalog.cycle() {
        return Err(AppError::field(
            "prerequisites",
            format!(
                "would make a prerequisite cycle: {}",
                describe_cycle(&cycle)
            ),
        ));
    }
    Ok(())
}

/// Writes a course's row (insert when `existing` is `None`).
pub async fn write_row<C: ConnectionTrait>(
    db: &C,
    existing: Option<course::Model>,
    fields: &CourseFields,
) -> AppResult<course::Model> {
    let now = Utc::now();
    let is_new = existing.is_none();
    let mut model = match existing {
        Some(existing) => existing.into(),
        None => course::ActiveModel {
            masl_id: Set(fields.masl_id.as_str().to_owned()),
            created_at: Set(now),
            ..Default::default()
        },
    };
    model.title = Set(fields.title.clone());
    model.school = Set(fields.school.clone());
    model.location = Set(fields.location.clone());
    model.description = Set(fields.description.clone());
    model.category = Set(fields.category.as_str().to_owned());
    model.ecl_min = Set(fields.ecl_min);
    model.opi_min_listening = Set(fields.opi_min.map(|o| o.listening.to_string()));
    model.opi_min_speaking = Set(fields.opi_min.map(|o| o.speaking.to_string()));
    model.e_imet = Set(fields.e_imet);
    model.audience = Set(encode_audience(&fields.audience));
    model.active = Set(fields.active);
    model.updated_at = Set(now);
    Ok(if is_new {
        model.insert(db).await?
    } else {
        model.update(db).await?
    })
}

/// Replaces the prerequisite edges of `course_id`.
pub async fn write_prerequisites<C: ConnectionTrait>(
    db: &C,
    course_id: i32,
    prerequisite_ids: impl IntoIterator<Item = i32>,
) -> AppResult<()> {
    course_prerequisite::Entity::delete_many()
        .filter(course_prerequisite::Column::CourseId.eq(course_id))
        .exec(db)
        .await?;
    let edges: Vec<course_prerequisite::ActiveModel> = prerequisite_ids
        .into_iter()
        .map(|prerequisite_id| course_prerequisite::ActiveModel {
            course_id: Set(course_id),
            prerequisite_id: Set(prerequisite_id),
        })
        .collect();
    if !edges.is_empty() {
        course_prerequisite::Entity::insert_many(edges)
            .exec(db)
            .await?;
    }
    Ok(())
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

/// Creates a course. `new` is validated here (names each bad field).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewCourse,
) -> AppResult<CourseView> {
    let fields = new.check().map_err(AppError::Validation)?;
    let txn = db::write_txn(db).await?;
    let mut catalog = Catalog::load(&txn).await?;
    if catalog.ids.contains_key(&fields.masl_id) {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!("Course {} already exists.", fields.masl_id),
        ));
    }
    check_prerequisites(&mut catalog, &fields)?;
    let created = write_row(&txn, None, &fields).await?;
    let prerequisite_ids = fields
        .prerequisites
        .iter()
        .filter_map(|p| catalog.ids.get(p).copied());
    write_prerequisites(&txn, created.id, prerequisite_ids).await?;
    let view = view_of(&txn, created).await?;
    audit::record(
        &txn,
        Change {
            actor: Some(actor.id),
            action: "course.create",
            entity: "course",
            entity_id: view.masl_id.clone(),
            before: None,
            after: snapshot(&view),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

/// Applies an admin's changes (including archiving with `active: false`).
/// A patch that changes nothing writes nothing.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    masl_id: &str,
    patch: CoursePatch,
) -> AppResult<CourseView> {
    let txn = db::write_txn(db).await?;
    let existing = find(&txn, masl_id).await?;
    let before = view_of(&txn, existing.clone()).await?;
    let fields = patch.apply(&before).check().map_err(AppError::Validation)?;
    if fields == before.fields()? {
        return Ok(before);
    }
    let mut catalog = Catalog::load(&txn).await?;
    check_prerequisites(&mut catalog, &fields)?;
    let updated = write_row(&txn, Some(existing), &fields).await?;
    let prerequisite_ids = fields
        .prerequisites
        .iter()
        .filter_map(|p| catalog.ids.get(p).copied());
    write_prerequisites(&txn, updated.id, prerequisite_ids).await?;
    let view = view_of(&txn, updated).await?;
    audit::record(
        &txn,
        Change {
            actor: Some(actor.id),
            action: if before.active && !view.active {
                "course.archive"
            } else {
                "course.update"
            },
            entity: "course",
            entity_id: view.masl_id.clone(),
            before: snapshot(&before),
            after: snapshot(&view),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(view)
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
fn like_ci(column: course::Column, pattern: String) -> Expr {
    let pattern = Expr::Binary(
        Box::new(Func::lower(Expr::val(pattern)).into()),
        BinOper::Escape,
        Box::new(Expr::Constant('\\'.into())),
    );
    Expr::expr(Func::lower(Expr::col(column))).binary(BinOper::Like, pattern)
}

fn escape_like(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn course(masl: &str) -> NewCourse {
        NewCourse {
            masl_id: masl.into(),
            title: " Title ".into(),
            school: "School".into(),
            location: "Somewhere".into(),
            description: String::new(),
            category: Category::Pme,
            ecl_min: Some(80),
            opi_min: None,
            e_imet: false,
            audience: vec![Audience::Civilian, Audience::Officer, Audience::Officer],
            prerequisites: vec!["b000001".into()],
            active: None,
        }
    }

    #[test]
    fn check_names_every_bad_field() {
        let fields = course("b171807").check().unwrap();
        assert_eq!(fields.masl_id.as_str(), "B171807");
        assert_eq!(fields.title, "Title");
        assert_eq!(fields.audience.len(), 2);
        assert!(fields.active);

        let mut bad = course("X1");
        bad.title = "  ".into();
        bad.ecl_min = Some(101);
        bad.audience = vec![];
        bad.prerequisites = vec!["nope".into()];
        let errors = bad.check().unwrap_err();
        let named: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            named,
            ["audience", "ecl_min", "masl_id", "prerequisites", "title"]
        );
    }

    #[test]
    fn audience_is_stored_in_a_fixed_order() {
        let set: BTreeSet<Audience> = [Audience::Civilian, Audience::Officer].into();
        assert_eq!(encode_audience(&set), "officer;civilian");
        assert_eq!(
            decode_audience("officer;civilian").unwrap(),
            vec![Audience::Officer, Audience::Civilian]
        );
        assert!(decode_audience("pilot").is_err());
    }

    #[test]
    fn like_wildcards_are_escaped() {
        let cases = [
            ("50%", r"50\%"),
            ("a_b", r"a\_b"),
            (r"c\d", r"c\\d"),
            ("plain", "plain"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_like(input), expected);
        }
    }
}
