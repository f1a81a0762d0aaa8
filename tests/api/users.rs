use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, cast, spawn_app};

#[tokio::test]
async fn admin_creates_lists_and_updates_users() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let list = app
        .get(&c.admin, "/api/v1/users?role=country_liaison")
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let emails: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].clone())
        .collect();
    assert_eq!(
        emails,
        vec![
            json!("liaison.pk@test.example"),
            json!("liaison.jo@test.example")
        ]
    );

    let id = list.body["items"][0]["id"].as_i64().unwrap();
    // Liaison moves to another country, then becomes an officer (country cleared).
    let moved = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{id}"),
            json!({"country_code": "JO"}),
        )
        .await;
    assert_eq!(moved.body["country_code"], "JO");
    let promoted = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "program_officer"}),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK);
    assert_eq!(promoted.body["role"], "program_officer");
    assert!(promoted.body["country_code"].is_null());

    // Every change is audited, and so is the sign-in in between.
    let audit = app
        .get(&c.officer, &format!("/api/v1/audit?entity=user&id={id}"))
        .await;
    let actions: Vec<_> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        vec![
            json!("user.update"),
            json!("user.update"),
            json!("auth.sign_in"),
            json!("user.create")
        ]
    );
    assert_eq!(audit.body["items"][0]["before"]["role"], "country_liaison");
    assert_eq!(audit.body["items"][0]["after"]["role"], "program_officer");
    assert!(
        audit.body["items"][0]["after"]
            .get("password_hash")
            .is_none()
    );
}

#[tokio::test]
async fn user_list_pages_without_duplicates() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.post(
            &admin,
            "/api/v1/users",
            json!({"email": format!("o{i}@test.example"), "name": "O", "role": "program_officer", "password": PASSWORD}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    loop {
        let page = app.get(&admin, &path).await;
        assert_eq!(page.status, StatusCode::OK);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|u| u["id"].as_i64().unwrap()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, (1..=6).collect::<Vec<_>>());
}

#[tokio::test]
async fn liaison_needs_a_registered_country_and_staff_none() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let cases = [
        (json!({"role": "country_liaison"}), "country_code"),
        (
            json!({"role": "country_liaison", "country_code": "KE"}),
            "country_code",
        ),
        (
            json!({"role": "country_liaison", "country_code": "JJ"}),
            "country_code",
        ),
        (
            json!({"role": "program_officer", "country_code": "PK"}),
            "country_code",
        ),
        (json!({"role": "emperor"}), "role"),
    ];
    for (extra, field) in cases {
        let mut body = json!({"email": "new@test.example", "name": "New", "password": PASSWORD});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let answer = app.post(&c.admin, "/api/v1/users", body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{body}: {}",
            answer.body
        );
    }
    // Nothing was stored.
    let list = app.get(&c.admin, "/api/v1/users").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn user_validation_names_each_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let answer = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"email": "not-an-email", "name": "", "role": "admin", "password": "short"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["email", "name", "password"] {
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field}: {}",
            answer.body
        );
    }
    let missing = app
        .post(&admin, "/api/v1/users", json!({"email": "a@test.example"}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!missing.field_errors("name").is_empty(), "{}", missing.body);
}

#[tokio::test]
async fn duplicate_email_is_409() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body =
        json!({"email": "dup@test.example", "name": "D", "role": "admin", "password": PASSWORD});
    assert_eq!(
        app.post(&admin, "/api/v1/users", body.clone()).await.status,
        StatusCode::CREATED
    );
    let mut upper = body.clone();
    upper["email"] = json!("DUP@test.example");
    let again = app.post(&admin, "/api/v1/users", upper).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["code"], "duplicate");
}

#[tokio::test]
async fn admin_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = app.get(&admin, "/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();
    let off = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!off.field_errors("active").is_empty());
    let demote = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "program_officer"}),
        )
        .await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn user_endpoints_are_admin_only_whatever_the_body() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for token in [&c.officer, &c.liaison_pk] {
        assert_eq!(
            app.get(token, "/api/v1/users").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(token, "/api/v1/users/1").await.status,
            StatusCode::FORBIDDEN
        );
        // Even an invalid body answers 403: authorization comes first.
        let create = app
            .post(token, "/api/v1/users", json!({"nonsense": true}))
            .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        let patch = app
            .client
            .patch(app.url("/api/v1/users/1"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(patch.status(), StatusCode::FORBIDDEN);
    }
    let unknown = app
        .call(
            Method::PATCH,
            "/api/v1/users/999",
            Some(&c.admin),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
