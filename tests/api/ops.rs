use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_ready_and_metrics_need_no_authentication() {
    let app = spawn_app().await;
    let health = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(health.headers().contains_key("x-request-id"));
    let ready = app.client.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    app.admin().await;
    let metrics = app.text("/metrics").await;
    assert!(metrics.contains("axum_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains(r#"endpoint="/api/v1/auth/login""#),
        "{metrics}"
    );
    assert!(
        metrics.contains("axum_http_requests_duration_seconds_bucket"),
        "{metrics}"
    );
}

#[tokio::test]
async fn openapi_document_and_offline_docs_are_served() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.openapi().await;
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/countries/{code}"]["patch"].is_object());
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(!html.contains("cdn"), "docs must work offline");
    let js = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
}
