//! Creating and editing students, and the English tests, prior training and vetting added to them, each audited.
use super::*;

/// Finds a student the caller may see; another country's answers 404.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<student::Model> {
    visible(caller, student::Entity::find_by_id(id).one(db).await?)
}

/// [`find_visible`], locking the student's row until the transaction ends
/// (PostgreSQL; an SQLite write transaction holds the whole file already):
/// `LockType::Update` to change the student, `LockType::Share` to attach a
/// nomination to them. A nomination is thus created either before a move to
/// another country (which then sees it) or after (and takes the new country).
pub async fn lock_visible<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
    lock: LockType,
) -> AppResult<student::Model> {
    visible(
        caller,
        student::Entity::find_by_id(id).lock(lock).one(db).await?,
    )
}

fn visible(caller: &Actor, found: Option<student::Model>) -> AppResult<student::Model> {
    found
        .filter(|s| caller.sees_country(&s.country_code))
        .ok_or_else(|| AppError::not_found("Student"))
}

/// Students, their English tests and prior training are kept by their
/// country's liaison or an admin; a program officer only reads them (SPEC §8).
fn keeps_records(caller: &Actor) -> AppResult<()> {
    if caller.role.may_keep_student_records() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses to move a student to another country while a nomination of theirs
/// is active: it would stay behind with the old country (SPEC §8). Run with
/// the student's row locked (see [`lock_visible`]).
async fn ensure_no_active_nominations<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<()> {
    let active = nomination::Entity::find()
        .filter(nomination::Column::StudentId.eq(id))
        .filter(nomination::Column::Status.is_in(nominations::active_statuses()))
        .count(db)
        .await?;
    if active == 0 {
        return Ok(());
    }
    Err(AppError::conflict(
        ConflictCode::HasActiveNominations,
        format!(
            "The student has {active} active nomination(s); withdraw or finish them before moving the student to another country."
        ),
    ))
}

/// The country a student may be put in by the caller: one they see and that
/// exists. A liaison naming another country gets 404, like a missing one.
pub(super) async fn target_country<C: ConnectionTrait>(
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
    keeps_records(caller)?;
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
    keeps_records(caller)?;
    if let Some(dob) = patch.date_of_birth {
        check_date_of_birth(dob, Utc::now().date_naive())
            .map_err(|e| AppError::field("date_of_birth", e))?;
    }
    let txn = db::write_txn(db).await?;
    let existing = lock_visible(&txn, caller, id, LockType::Update).await?;
    let before = StudentView::from(existing.clone());
    let country = match patch.country_code {
        Some(code) => Some(target_country(&txn, caller, &code).await?),
        None => None,
    };
    if let Some(code) = &country
        && *code != before.country_code
    {
        ensure_no_active_nominations(&txn, id).await?;
    }
    let mut model: student::ActiveModel = existing.into();
    if let Some(code) = country {
        model.country_code = Set(code);
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

pub(super) async fn record<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    action: &str,
    id: i32,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    audit::record(
        db,
        Change::new(Some(caller.id), action, "student", id)
            .before(before)
            .after(after),
    )
    .await?;
    Ok(())
}

/// Audits a record added to `student` (`action`), commits, and answers the
/// student with their records.
async fn added(
    txn: db::WriteTxn,
    caller: &Actor,
    action: &str,
    student: StudentView,
    added: Option<serde_json::Value>,
) -> AppResult<StudentDetail> {
    record(&txn, caller, action, student.id, None, added).await?;
    let detail = detail_of(&txn, student).await?;
    txn.commit().await?;
    Ok(detail)
}

pub async fn add_test(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    id: i32,
    test: NewTest,
) -> AppResult<StudentDetail> {
    keeps_records(caller)?;
    let txn = db::write_txn(db).await?;
    let student = find_visible(&txn, caller, id).await?;
    let taken_on = test.taken_on;
    let (kind, score, listening, speaking) = match test.result()? {
        TestResult::Ecl(score) => ("ECL", Some(score.get()), None, None),
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
    let record = snapshot(&TestView::from(created));
    added(
        txn,
        caller,
        "student.test",
        StudentView::from(student),
        record,
    )
    .await
}

/// Records prior training: a catalog course completed on a day not in the future.
pub async fn add_training(
    db: &sea_orm::DatabaseConnection,
    caller: &Actor,
    id: i32,
    training: NewTraining,
) -> AppResult<StudentDetail> {
    keeps_records(caller)?;
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
    let record = snapshot(&TrainingView::from(created));
    added(
        txn,
        caller,
        "student.training",
        StudentView::from(student),
        record,
    )
    .await
}

/// Records a vetting decision (program officers and admins); the latest
/// Leahy decision becomes the student's vetting status.
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
        kind: Set(vetting.kind),
        status: Set(vetting.status),
        case_reference: Set(vetting.case_reference.trim().to_owned()),
        decided_on: Set(vetting.decided_on),
        recorded_by: Set(caller.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let latest = latest_vetting(&txn, student.id, VettingKind::Leahy).await?;
    let mut model: student::ActiveModel = student.into();
    model.vetting_status = Set(latest.map(|v| v.status));
    model.updated_at = Set(Utc::now());
    let view = StudentView::from(model.update(&txn).await?);
    let record = snapshot(&VettingView::from(created));
    added(txn, caller, "student.vetting", view, record).await
}
