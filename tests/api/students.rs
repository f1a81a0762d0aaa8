use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, cast, spawn_app};

pub fn student_body(country: &str, family: &str) -> Value {
    json!({"country_code": country, "given_names": "Ali", "family_name": family, "date_of_birth": "1990-04-02",
           "rank": "Major", "grade": "O-4", "service": "army", "email": "ali@example.org"})
}

/// Creates a student as `token` and returns its id.
pub async fn student(app: &TestApp, token: &str, country: &str, family: &str) -> i64 {
    let answer = app
        .post(token, "/api/v1/students", student_body(country, family))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn liaison_registers_and_updates_own_students() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let created = app
        .post(
            &c.liaison_pk,
            "/api/v1/students",
            student_body("PK", "Raza"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["audience"], "officer");
    assert_eq!(created.body["tests"], json!([]));
    let id = created.body["id"].as_i64().unwrap();
    let updated = app
        .patch(
            &c.liaison_pk,
            &format!("/api/v1/students/{id}"),
            json!({"rank": "Lt. Col.", "grade": "O-5"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["grade"], "O-5");
    let audit = app
        .get(&c.officer, &format!("/api/v1/audit?entity=student&id={id}"))
        .await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(audit.body["items"][0]["before"]["grade"], "O-4");
}

#[tokio::test]
async fn other_countries_students_are_invisible_to_a_liaison() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let jo_student = student(&app, &c.liaison_jo, "JO", "Haddad").await;
    let pk_student = student(&app, &c.liaison_pk, "PK", "Raza").await;
    let path = format!("/api/v1/students/{jo_student}");
    let hidden = app.get(&c.liaison_pk, &path).await;
    let missing = app.get(&c.liaison_pk, "/api/v1/students/9999").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body, missing.body);
    assert_eq!(
        app.patch(&c.liaison_pk, &path, json!({"rank": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let test = app
        .post(
            &c.liaison_pk,
            &format!("{path}/tests"),
            json!({"kind": "ECL", "score": 90, "taken_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(test.status, StatusCode::NOT_FOUND);
    // Creating one in another country, or moving one there, answers 404 and changes nothing.
    let foreign = app
        .post(
            &c.liaison_pk,
            "/api/v1/students",
            student_body("JO", "Smuggled"),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let moved = app
        .patch(
            &c.liaison_pk,
            &format!("/api/v1/students/{pk_student}"),
            json!({"country_code": "JO"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NOT_FOUND);
    let still = app
        .get(&c.liaison_pk, &format!("/api/v1/students/{pk_student}"))
        .await;
    assert_eq!(still.body["country_code"], "PK");
    // Lists hold only the caller's country; staff see all, and may filter.
    let list = app.get(&c.liaison_pk, "/api/v1/students").await;
    let names: Vec<Value> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["family_name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Raza")]);
    let cross = app.get(&c.liaison_pk, "/api/v1/students?country=JO").await;
    assert_eq!(cross.body["items"], json!([]));
    let all = app.get(&c.officer, "/api/v1/students").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    let jo = app.get(&c.officer, "/api/v1/students?country=JO").await;
    assert_eq!(jo.body["items"][0]["family_name"], "Haddad");
    // An admin may move a student between countries.
    let staff_move = app
        .patch(
            &c.admin,
            &format!("/api/v1/students/{pk_student}"),
            json!({"country_code": "JO"}),
        )
        .await;
    assert_eq!(staff_move.status, StatusCode::OK);
    assert_eq!(staff_move.body["country_code"], "JO");
}

#[tokio::test]
async fn student_validation_names_each_field() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let cases = [
        (json!({"given_names": " "}), "given_names"),
        (json!({"family_name": ""}), "family_name"),
        (json!({"date_of_birth": "2015-01-01"}), "date_of_birth"),
        (json!({"date_of_birth": "1940-01-01"}), "date_of_birth"),
        (json!({"date_of_birth": "02/04/1990"}), "date_of_birth"),
        (json!({"grade": "O-11"}), "grade"),
        (json!({"grade": "general"}), "grade"),
        (json!({"email": "not-an-email"}), "email"),
        (json!({"rank": null}), "rank"),
    ];
    for (change, field) in cases {
        let mut body = student_body("PK", "Raza");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = app
            .post(&c.liaison_pk, "/api/v1/students", body.clone())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field}: {}",
            answer.body
        );
    }
    let unknown_country = app
        .post(&c.admin, "/api/v1/students", student_body("KE", "Otieno"))
        .await;
    assert_eq!(unknown_country.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!unknown_country.field_errors("country_code").is_empty());
    let list = app.get(&c.officer, "/api/v1/students").await;
    assert_eq!(list.body["items"], json!([]), "nothing stored");
}

#[tokio::test]
async fn english_tests_keep_the_latest_of_each_kind() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let id = student(&app, &c.liaison_pk, "PK", "Raza").await;
    let path = format!("/api/v1/students/{id}/tests");
    for body in [
        json!({"kind": "ECL", "score": 82, "taken_on": "2026-05-01"}),
        json!({"kind": "ECL", "score": 74, "taken_on": "2026-02-01"}),
        json!({"kind": "OPI", "listening": "2+", "speaking": "2", "taken_on": "2026-05-01"}),
    ] {
        let answer = app.post(&c.liaison_pk, &path, body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let detail = app
        .get(&c.liaison_pk, &format!("/api/v1/students/{id}"))
        .await;
    assert_eq!(detail.body["tests"].as_array().unwrap().len(), 3);
    assert_eq!(
        detail.body["latest_ecl"]["score"], 82,
        "the latest by date, not by entry"
    );
    assert_eq!(detail.body["latest_opi"]["listening"], "2+");
    assert_eq!(detail.body["latest_opi"]["speaking"], "2");

    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    let bad = [
        (
            json!({"kind": "ECL", "score": 101, "taken_on": "2026-05-01"}),
            "score",
        ),
        (
            json!({"kind": "ECL", "score": -1, "taken_on": "2026-05-01"}),
            "score",
        ),
        (json!({"kind": "ECL", "taken_on": "2026-05-01"}), "score"),
        (
            json!({"kind": "ECL", "score": 90, "taken_on": tomorrow}),
            "taken_on",
        ),
        (
            json!({"kind": "OPI", "listening": "2++", "speaking": "2", "taken_on": "2026-05-01"}),
            "listening",
        ),
        (
            json!({"kind": "OPI", "listening": "2", "speaking": "5+", "taken_on": "2026-05-01"}),
            "speaking",
        ),
        (
            json!({"kind": "TOEFL", "score": 100, "taken_on": "2026-05-01"}),
            "kind",
        ),
    ];
    for (body, field) in bad {
        let answer = app.post(&c.liaison_pk, &path, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field}: {}",
            answer.body
        );
    }
    let after = app
        .get(&c.liaison_pk, &format!("/api/v1/students/{id}"))
        .await;
    assert_eq!(
        after.body["tests"].as_array().unwrap().len(),
        3,
        "nothing stored"
    );
}

async fn vet(app: &TestApp, c: &Cast, id: i64, status: &str, on: &str) -> crate::helpers::Answer {
    app.post(
        &c.officer,
        &format!("/api/v1/students/{id}/vetting"),
        json!({"status": status, "case_reference": format!("INV-{on}"), "decided_on": on}),
    )
    .await
}

#[tokio::test]
async fn vetting_is_for_staff_and_the_latest_decision_counts() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let raza = student(&app, &c.liaison_pk, "PK", "Raza").await;
    let khan = student(&app, &c.liaison_pk, "PK", "Khan").await;
    student(&app, &c.liaison_pk, "PK", "Malik").await;

    let liaison = app
        .post(
            &c.liaison_pk,
            &format!("/api/v1/students/{raza}/vetting"),
            json!({"status": "cleared", "case_reference": "X", "decided_on": "2026-05-10"}),
        )
        .await;
    assert_eq!(liaison.status, StatusCode::FORBIDDEN);

    assert_eq!(
        vet(&app, &c, raza, "pending", "2026-04-01").await.status,
        StatusCode::CREATED
    );
    let cleared = vet(&app, &c, raza, "cleared", "2026-05-10").await;
    assert_eq!(cleared.body["vetting_status"], "cleared");
    // A decision entered later but dated earlier does not override the newer one.
    let backdated = vet(&app, &c, raza, "denied", "2026-01-01").await;
    assert_eq!(backdated.body["vetting_status"], "cleared");
    assert_eq!(backdated.body["vetting"][0]["status"], "cleared");
    assert_eq!(backdated.body["vetting"].as_array().unwrap().len(), 3);
    assert_eq!(
        vet(&app, &c, khan, "denied", "2026-05-10").await.status,
        StatusCode::CREATED
    );

    let names = |answer: crate::helpers::Answer| -> Vec<Value> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["family_name"].clone())
            .collect()
    };
    assert_eq!(
        names(
            app.get(&c.liaison_pk, "/api/v1/students?vetting=cleared")
                .await
        ),
        vec![json!("Raza")]
    );
    assert_eq!(
        names(
            app.get(&c.liaison_pk, "/api/v1/students?vetting=denied")
                .await
        ),
        vec![json!("Khan")]
    );
    assert_eq!(
        names(
            app.get(&c.liaison_pk, "/api/v1/students?vetting=none")
                .await
        ),
        vec![json!("Malik")]
    );
    assert_eq!(
        names(app.get(&c.liaison_pk, "/api/v1/students?q=RAZ").await),
        vec![json!("Raza")]
    );
    assert_eq!(
        names(app.get(&c.liaison_pk, "/api/v1/students?q=ali").await).len(),
        3,
        "given names match too"
    );
    let bad = app.get(&c.officer, "/api/v1/students?vetting=maybe").await;
    assert!(!bad.field_errors("vetting").is_empty());

    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    for (body, field) in [
        (
            json!({"status": "approved", "case_reference": "X", "decided_on": "2026-05-10"}),
            "status",
        ),
        (
            json!({"status": "cleared", "case_reference": " ", "decided_on": "2026-05-10"}),
            "case_reference",
        ),
        (
            json!({"status": "cleared", "case_reference": "X", "decided_on": tomorrow}),
            "decided_on",
        ),
    ] {
        let answer = app
            .post(
                &c.officer,
                &format!("/api/v1/students/{khan}/vetting"),
                body,
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn student_list_pages_by_name_without_gaps() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for name in ["Zafar", "Ahmed", "Malik", "Ahmed", "Qureshi"] {
        student(&app, &c.liaison_pk, "PK", name).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/students?limit=2".to_owned();
    loop {
        let page = app.get(&c.liaison_pk, &path).await;
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["family_name"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/students?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["Ahmed", "Ahmed", "Malik", "Qureshi", "Zafar"]);
}

#[tokio::test]
async fn prior_training_names_catalog_courses_in_the_past() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    let id = student(&app, &c.liaison_pk, "PK", "Raza").await;
    let path = format!("/api/v1/students/{id}/training");
    let ok = app
        .post(
            &c.liaison_pk,
            &path,
            json!({"masl_id": "B000001", "completed_on": "2024-06-30"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.body["training"][0]["masl_id"], "B000001");
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    for (body, field) in [
        (
            json!({"masl_id": "B999999", "completed_on": "2024-06-30"}),
            "masl_id",
        ),
        (
            json!({"masl_id": "X12", "completed_on": "2024-06-30"}),
            "masl_id",
        ),
        (
            json!({"masl_id": "B000001", "completed_on": tomorrow}),
            "completed_on",
        ),
        (json!({"masl_id": "B000001"}), "completed_on"),
    ] {
        let answer = app.post(&c.liaison_pk, &path, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field}: {}",
            answer.body
        );
    }
    let other = app
        .post(
            &c.liaison_jo,
            &path,
            json!({"masl_id": "B000001", "completed_on": "2024-06-30"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let detail = app.get(&c.officer, &format!("/api/v1/students/{id}")).await;
    assert_eq!(
        detail.body["training"].as_array().unwrap().len(),
        1,
        "only the valid record was stored"
    );
}
