//! English tests, prior training and vetting: records added to a student, each audited.
use super::*;

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
