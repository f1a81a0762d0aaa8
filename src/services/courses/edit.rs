//! Creating and updating courses with their prerequisites, refusing cycles.
use super::*;

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
pub(super) fn check_prerequisites(catalog: &mut Catalog, fields: &CourseFields) -> AppResult<()> {
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
    model.category = Set(fields.category);
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
        Change::new(Some(actor.id), "course.create", "course", &view.masl_id)
            .after(snapshot(&view)),
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
        Change::new(
            Some(actor.id),
            if before.active && !view.active {
                "course.archive"
            } else {
                "course.update"
            },
            "course",
            &view.masl_id,
        )
        .before(snapshot(&before))
        .after(snapshot(&view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}
