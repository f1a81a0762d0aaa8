use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_EMAIL, PASSWORD, cast, spawn_app, spawn_app_with};

#[tokio::test]
async fn bootstrap_admin_logs_in_and_sees_itself() {
    let app = spawn_app().await;
    let answer = app.login_answer(ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    let token = answer.body["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 32);
    assert_eq!(answer.body["user"]["role"], "admin");
    assert!(answer.body["user"].get("password_hash").is_none());
    let me = app.get(&token, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], ADMIN_EMAIL);
}

#[tokio::test]
async fn bootstrap_admin_only_when_no_user_exists() {
    let app = spawn_app().await;
    // A second start with other bootstrap settings leaves the accounts alone.
    let mut config = app.config.clone();
    config.bootstrap_admin = Some(("other@test.example".into(), PASSWORD.into()));
    imet::app::prepare(config).await.unwrap();
    assert_eq!(
        app.login_answer("other@test.example", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.admin().await;
    let users = app.get(&admin, "/api/v1/users").await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn serve_demo_seeds_the_demo_before_a_configured_bootstrap_admin() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::helpers::test_config(&dir).await;
    assert!(config.bootstrap_admin.is_some());
    let (_, seeded) = imet::app::prepare_demo(config.clone()).await.unwrap();
    assert!(seeded, "the empty database gets the demo");
    let url = config.database_url.clone();
    let app = spawn_app_with(move |c| c.database_url = url).await;
    // Every login `serve --demo` prints works.
    for line in imet::demo::logins().lines().skip(1) {
        let email = line.split_whitespace().next().unwrap();
        app.login(email, imet::demo::DEMO_PASSWORD).await;
    }
    // The bootstrap admin is not added to the demo's users.
    assert_eq!(
        app.login_answer(ADMIN_EMAIL, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A restart serves the same demo.
    let (_, seeded) = imet::app::prepare_demo(config).await.unwrap();
    assert!(!seeded);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_the_same() {
    let app = spawn_app().await;
    let unknown = app.login_answer("nobody@test.example", PASSWORD).await;
    let wrong = app.login_answer(ADMIN_EMAIL, "not the password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(unknown.content_type(), "application/problem+json");
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let other = app.admin().await;
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Other sessions of the same user are untouched.
    assert_eq!(app.get(&other, "/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn tokens_expire() {
    let app = spawn_app_with(|c| c.token_ttl = chrono::Duration::seconds(1)).await;
    let token = app.admin().await;
    assert_eq!(app.get(&token, "/api/v1/me").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn missing_or_garbage_credentials_are_401() {
    let app = spawn_app().await;
    let none = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("garbage", "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let basic = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deactivation_revokes_tokens_and_blocks_login() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let me = app.get(&c.liaison_pk, "/api/v1/me").await;
    let id = me.body["id"].as_i64().unwrap();
    let off = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        app.get(&c.liaison_pk, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_answer("liaison.pk@test.example", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn password_reset_revokes_tokens_and_takes_the_new_password() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let id = app.get(&c.officer, "/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();
    let reset = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{id}"),
            json!({"password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(
        app.get(&c.officer, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_answer("officer@test.example", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    app.login("officer@test.example", "a brand new passphrase")
        .await;
}

#[tokio::test]
async fn sixth_failure_for_an_account_is_throttled_until_the_window_passes() {
    let app = spawn_app().await;
    for attempt in 1..=5 {
        let answer = app.login_answer(ADMIN_EMAIL, "wrong password!").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let sixth = app.login_answer(ADMIN_EMAIL, "wrong password!").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = sixth.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((880..=900).contains(&retry), "retry-after {retry}");
    // Even the right password waits: the account is locked for the window.
    assert_eq!(
        app.login_answer(ADMIN_EMAIL, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another account from the same address is not locked.
    let admin_app_user = app
        .login_answer("someone@test.example", "whatever password")
        .await;
    assert_eq!(admin_app_user.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_success_resets_the_account_count() {
    let app = spawn_app().await;
    for _ in 0..4 {
        app.login_answer(ADMIN_EMAIL, "wrong password!").await;
    }
    app.admin().await;
    for attempt in 1..=5 {
        let answer = app.login_answer(ADMIN_EMAIL, "wrong password!").await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt} after a success"
        );
    }
    assert_eq!(
        app.login_answer(ADMIN_EMAIL, "wrong password!")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn twenty_first_failure_from_one_address_is_throttled() {
    let app = spawn_app().await;
    for i in 0..20 {
        // Different accounts, so no single account reaches its own limit.
        let answer = app
            .login_answer(&format!("user{}@test.example", i % 5), "wrong password!")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
    }
    let next = app
        .login_answer("fresh@test.example", "wrong password!")
        .await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(next.headers.contains_key("retry-after"));
    // The address is locked even for a correct password.
    assert_eq!(
        app.login_answer(ADMIN_EMAIL, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}
