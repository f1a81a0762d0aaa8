use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

async fn raw_post(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> crate::helpers::Answer {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    TestApp::answer(res).await
}

#[tokio::test]
async fn malformed_json_is_400_problem() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for body in ["{", "not json", "", "{\"code\": \"KE\",}"] {
        let answer = raw_post(
            &app,
            &admin,
            "/api/v1/countries",
            "application/json",
            body.into(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(answer.content_type(), "application/problem+json");
        assert_eq!(answer.body["status"], 400);
    }
}

#[tokio::test]
async fn wrong_content_type_is_400() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = br#"{"code":"KE","name":"Kenya","travel_estimate_cents":1}"#.to_vec();
    let answer = raw_post(&app, &admin, "/api/v1/countries", "text/plain", body).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn json_that_is_not_an_object_is_422() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let answer = raw_post(
        &app,
        &admin,
        "/api/v1/countries",
        "application/json",
        b"[1,2]".to_vec(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body["errors"].is_object());
}

#[tokio::test]
async fn oversized_body_is_413_and_stores_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let name = "x".repeat(1024 * 1024 + 10);
    let body = format!(r#"{{"code":"KE","name":"{name}","travel_estimate_cents":1}}"#);
    let answer = raw_post(
        &app,
        &admin,
        "/api/v1/countries",
        "application/json",
        body.into(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.content_type(), "application/problem+json");
    assert_eq!(
        app.get(&admin, "/api/v1/countries/KE").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn bad_query_parameters_name_the_parameter() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("limit=abc", "limit"),
        ("cursor=%21%21", "cursor"),
        ("active=maybe", "active"),
    ] {
        let answer = app.get(&admin, &format!("/api/v1/countries?{query}")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{query}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn unknown_route_is_a_problem_404() {
    let app = spawn_app().await;
    let answer = app.get("irrelevant", "/api/v1/nothing-here").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.content_type(), "application/problem+json");
}
