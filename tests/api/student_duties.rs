//! Separation of duties over student records, and students changing country
//! (SPEC §8).
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, cast, spawn_app},
    nominations::{nominate, world},
    students::{student, student_body},
};

/// A student as an admin reads them.
async fn read(app: &TestApp, admin: &str, id: i64) -> Value {
    let answer = app.get(admin, &format!("/api/v1/students/{id}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn only_the_liaison_or_an_admin_keeps_student_records() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    let id = student(&app, &c.liaison_pk, "PK", "Raza").await;
    let path = format!("/api/v1/students/{id}");
    let test = json!({"kind": "ECL", "score": 100, "taken_on": "2026-01-15"});
    let training = json!({"masl_id": "B000001", "completed_on": "2024-06-30"});
    let edit = json!({"rank": "Colonel", "grade": "O-6"});

    // A program officer reads and vets, but enters nothing else: 403, even
    // with a body that would be refused anyway.
    let refused = [
        app.post(&c.officer, "/api/v1/students", student_body("PK", "Khan"))
            .await,
        app.patch(&c.officer, &path, edit.clone()).await,
        app.patch(&c.officer, &path, json!({"grade": "general"}))
            .await,
        app.post(&c.officer, &format!("{path}/tests"), test.clone())
            .await,
        app.post(&c.officer, &format!("{path}/training"), training.clone())
            .await,
    ];
    for answer in refused {
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        assert_eq!(answer.content_type(), "application/problem+json");
    }
    // Another country's liaison finds no such student.
    let hidden = [
        app.patch(&c.liaison_jo, &path, edit.clone()).await,
        app.post(&c.liaison_jo, &format!("{path}/tests"), test.clone())
            .await,
        app.post(&c.liaison_jo, &format!("{path}/training"), training.clone())
            .await,
        app.post(
            &c.liaison_jo,
            "/api/v1/students",
            student_body("PK", "Khan"),
        )
        .await,
    ];
    for answer in hidden {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    }
    // Nothing of it was stored.
    let stored = read(&app, &c.admin, id).await;
    assert_eq!(stored["rank"], "Major");
    assert_eq!(stored["tests"], json!([]));
    assert_eq!(stored["training"], json!([]));
    let list = app.get(&c.admin, "/api/v1/students").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    // The officer still records vetting.
    let vetting = app
        .post(
            &c.officer,
            &format!("{path}/vetting"),
            json!({"status": "cleared", "case_reference": "INV-1", "decided_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(vetting.status, StatusCode::CREATED, "{}", vetting.body);
    // The liaison keeps the records, and an admin may correct them.
    let by_liaison = app
        .post(&c.liaison_pk, &format!("{path}/tests"), test.clone())
        .await;
    assert_eq!(
        by_liaison.status,
        StatusCode::CREATED,
        "{}",
        by_liaison.body
    );
    let by_admin = app
        .post(&c.admin, &format!("{path}/training"), training)
        .await;
    assert_eq!(by_admin.status, StatusCode::CREATED, "{}", by_admin.body);
    let edited = app.patch(&c.admin, &path, edit).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["grade"], "O-6");
}

#[tokio::test]
async fn a_student_with_an_active_nomination_keeps_their_country() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let path = format!("/api/v1/students/{}", w.student);
    let draft = nominate(&app, &c.liaison_pk, w.student, w.offering, false).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let nomination = draft.body["id"].as_i64().unwrap();

    let moved = app
        .patch(
            &c.admin,
            &path,
            json!({"country_code": "JO", "rank": "Colonel"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.body);
    assert_eq!(moved.body["code"], "has_active_nominations");
    let stored = read(&app, &c.admin, w.student).await;
    assert_eq!(stored["country_code"], "PK");
    assert_eq!(
        stored["rank"], "Major",
        "nothing of the refused change stored"
    );
    // Naming the country the student is in is no move.
    let same = app
        .patch(
            &c.admin,
            &path,
            json!({"country_code": "PK", "rank": "Colonel"}),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);

    // Once the nomination is no longer active, the student may move, and
    // with them go to the other country's liaison.
    let withdrawn = app
        .post(
            &c.liaison_pk,
            &format!("/api/v1/nominations/{nomination}/withdraw"),
            json!({"reason": "Student reassigned"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let moved = app
        .patch(&c.admin, &path, json!({"country_code": "JO"}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["country_code"], "JO");
    assert_eq!(app.get(&c.liaison_jo, &path).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&c.liaison_pk, &path).await.status,
        StatusCode::NOT_FOUND
    );
}

/// A move and a nomination racing for one student: never a nomination left
/// behind in the country the student left.
#[tokio::test]
async fn a_move_racing_a_nomination_leaves_none_behind() {
    let app = spawn_app().await;
    let w = world(&app, 50).await;
    let c = &w.c;
    for round in 0..12 {
        let id = student(&app, &c.liaison_pk, "PK", &format!("Racer {round:02}")).await;
        // Half the nominations by the liaison, half by an admin (who sees
        // both countries, so may nominate after the move).
        let nominator = if round % 2 == 0 {
            &c.liaison_pk
        } else {
            &c.admin
        };
        let path = format!("/api/v1/students/{id}");
        let (moved, nominated) = tokio::join!(
            app.patch(&c.admin, &path, json!({"country_code": "JO"})),
            nominate(&app, nominator, id, w.offering, false),
        );
        let country = read(&app, &c.admin, id).await["country_code"].clone();
        match nominated.status {
            StatusCode::CREATED => {
                assert_eq!(
                    nominated.body["country_code"], country,
                    "round {round}: the nomination follows the student ({})",
                    moved.body
                );
                assert!(
                    moved.status == StatusCode::CONFLICT || country == "JO",
                    "round {round}: {} {}",
                    moved.status,
                    moved.body
                );
            }
            StatusCode::NOT_FOUND => {
                assert_eq!(moved.status, StatusCode::OK, "round {round}");
                assert_eq!(country, "JO");
            }
            other => panic!(
                "round {round}: nomination answered {other}: {}",
                nominated.body
            ),
        }
    }
}
