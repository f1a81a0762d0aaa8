use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{cast, spawn_app};

#[tokio::test]
async fn admin_creates_and_updates_countries_with_audit() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = app
        .post(
            &admin,
            "/api/v1/countries",
            json!({"code": "ke", "name": "Kenya", "travel_estimate_cents": 290000}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["code"], "KE");
    assert_eq!(created.body["active"], true);
    let updated = app
        .patch(
            &admin,
            "/api/v1/countries/KE",
            json!({"travel_estimate_cents": 300000, "active": false}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["travel_estimate_cents"], 300000);
    assert_eq!(updated.body["active"], false);
    let audit = app.get(&admin, "/api/v1/audit?entity=country&id=KE").await;
    let items = audit.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["before"]["travel_estimate_cents"], 290000);
    assert_eq!(items[0]["after"]["travel_estimate_cents"], 300000);
}

#[tokio::test]
async fn codes_must_be_assigned_iso_codes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for code in ["JJ", "UK", "PAK", "1A", ""] {
        let answer = app
            .post(
                &admin,
                "/api/v1/countries",
                json!({"code": code, "name": "X", "travel_estimate_cents": 1}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert!(
            !answer.field_errors("code").is_empty(),
            "{code}: {}",
            answer.body
        );
    }
    let kosovo = app
        .post(
            &admin,
            "/api/v1/countries",
            json!({"code": "XK", "name": "Kosovo", "travel_estimate_cents": 1}),
        )
        .await;
    assert_eq!(kosovo.status, StatusCode::CREATED);
    let list = app.get(&admin, "/api/v1/countries").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn duplicate_country_is_409() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let again = app
        .post(
            &c.admin,
            "/api/v1/countries",
            json!({"code": "PK", "name": "Pakistan", "travel_estimate_cents": 1}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["code"], "duplicate");
}

#[tokio::test]
async fn negative_travel_estimate_names_the_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let answer = app
        .post(
            &admin,
            "/api/v1/countries",
            json!({"code": "KE", "name": "Kenya", "travel_estimate_cents": -5}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!answer.field_errors("travel_estimate_cents").is_empty());
    let wrong_type = app
        .post(
            &admin,
            "/api/v1/countries",
            json!({"code": "KE", "name": "Kenya", "travel_estimate_cents": "lots"}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !wrong_type.field_errors("travel_estimate_cents").is_empty(),
        "{}",
        wrong_type.body
    );
}

#[tokio::test]
async fn liaison_sees_only_their_own_country() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let list = app.get(&c.liaison_pk, "/api/v1/countries").await;
    let codes: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].clone())
        .collect();
    assert_eq!(codes, vec![json!("PK")]);
    assert_eq!(
        app.get(&c.liaison_pk, "/api/v1/countries/PK").await.status,
        StatusCode::OK
    );
    let other = app.get(&c.liaison_pk, "/api/v1/countries/JO").await;
    let missing = app.get(&c.liaison_pk, "/api/v1/countries/KE").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.body, missing.body,
        "another country looks exactly like a missing one"
    );
    let mirrored = app.get(&c.liaison_jo, "/api/v1/countries/PK").await;
    assert_eq!(mirrored.status, StatusCode::NOT_FOUND);
    // Staff see all.
    for token in [&c.officer, &c.admin] {
        let all = app.get(token, "/api/v1/countries").await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            app.get(token, "/api/v1/countries/JO").await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn country_writes_are_admin_only() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for token in [&c.officer, &c.liaison_pk] {
        let create = app
            .post(
                token,
                "/api/v1/countries",
                json!({"code": "KE", "name": "Kenya", "travel_estimate_cents": 1}),
            )
            .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        let patch = app
            .patch(token, "/api/v1/countries/PK", json!({"name": "X"}))
            .await;
        assert_eq!(patch.status, StatusCode::FORBIDDEN);
    }
    // The audit log is for staff only.
    assert_eq!(
        app.get(&c.liaison_pk, "/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&c.officer, "/api/v1/audit").await.status,
        StatusCode::OK
    );
}
