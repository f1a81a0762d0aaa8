//! Answers kept in memory between requests (a bearer token's caller, catalog
//! pages) are never served once a change has committed.
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{cast, spawn_app};

#[tokio::test]
async fn a_changed_caller_is_seen_by_the_very_next_request() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let me = app.get(&c.liaison_pk, "/api/v1/me").await;
    let id = me.body["id"].as_i64().unwrap();
    for _ in 0..3 {
        let again = app.get(&c.liaison_pk, "/api/v1/me").await;
        assert_eq!(again.body["role"], "country_liaison");
    }

    let promoted = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "program_officer"}),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK);
    let me = app.get(&c.liaison_pk, "/api/v1/me").await;
    assert_eq!(me.body["role"], "program_officer");
    // The new role's rights apply at once: an officer may read the audit log.
    let audit = app.get(&c.liaison_pk, "/api/v1/audit").await;
    assert_eq!(audit.status, StatusCode::OK);

    let deactivated = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK);
    let me = app.get(&c.liaison_pk, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_token_fails_on_its_next_use() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for _ in 0..3 {
        assert_eq!(
            app.get(&c.officer, "/api/v1/courses").await.status,
            StatusCode::OK
        );
    }
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&c.officer), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = app.get(&c.officer, "/api/v1/courses").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn catalog_pages_carry_an_etag_and_follow_every_edit() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B100001", &[]).await;
    let path = "/api/v1/courses?limit=50";
    let first = app.get(&c.liaison_pk, path).await;
    let second = app.get(&c.liaison_pk, path).await;
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(second.headers["etag"], etag.as_str());
    assert_eq!(first.body, second.body);

    let unchanged = app
        .client
        .get(app.url(path))
        .bearer_auth(&c.liaison_pk)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()["etag"], etag.as_str());
    assert!(unchanged.text().await.unwrap().is_empty());

    let renamed = app
        .patch(
            &c.admin,
            "/api/v1/courses/B100001",
            json!({"title": "Renamed Course"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    let after = app.get(&c.liaison_pk, path).await;
    assert_eq!(after.body["items"][0]["title"], "Renamed Course");
    assert_ne!(after.headers["etag"], etag.as_str());
    let stale = app
        .client
        .get(app.url(path))
        .bearer_auth(&c.liaison_pk)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);

    // A course added shows at once too, with its prerequisites.
    app.course(&c.admin, "B100002", &["B100001"]).await;
    let grown = app.get(&c.liaison_pk, path).await;
    assert_eq!(grown.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(grown.body["items"][1]["prerequisites"], json!(["B100001"]));
}
