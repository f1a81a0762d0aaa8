//! Creating and editing students, scoped to the caller's country.
use super::*;

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
