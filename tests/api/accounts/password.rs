//! The password rule on every path that sets a password (an admin creating
//! or changing an account, a reset link, one's own change), and changing
//! one's own password.
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{assert_names, forgot, my_id, new_link, redeem, user_audit};
use crate::{
    helpers::{PASSWORD, TestApp, spawn_app},
    web_client::WebClient,
};

/// Passwords the rule refuses for an account of `local@…`, and why.
fn refused(local: &str) -> Vec<(String, &'static str)> {
    vec![
        ("short pw".into(), "shorter than 12"),
        ("elevenchars".into(), "11 characters"),
        ("x".repeat(129), "129 characters"),
        ("ü".repeat(129), "129 characters of two bytes"),
        (" ".repeat(12), "blank"),
        ("password1234".into(), "common"),
        ("QWERTY123456".into(), "common, in capitals"),
        (
            format!("my {} secret", local.to_uppercase()),
            "the email's local part",
        ),
    ]
}

/// Passwords the rule takes, at its edges.
fn accepted() -> Vec<String> {
    vec![
        "twelve chars".into(),
        "x".repeat(127) + "y",
        "ü".repeat(128),
    ]
}

#[tokio::test]
async fn an_admin_creating_an_account_is_held_to_the_rule() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "rule.keeper@test.example";
    let body = |password: &str| json!({"email": email, "name": "Rule Keeper", "role": "program_officer", "password": password});
    for (password, why) in refused("rule.keeper") {
        let answer = app.post(&admin, "/api/v1/users", body(&password)).await;
        assert_names(&answer, "password", why);
    }
    // Nothing was stored, nor queued.
    let users = app.get(&admin, "/api/v1/users").await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
    let outbox = app.get(&admin, "/api/v1/outbox?limit=200").await;
    assert!(
        !outbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["recipients"] == json!([email])),
        "{}",
        outbox.body
    );

    for (n, password) in accepted().into_iter().enumerate() {
        let email = format!("keeper{n}@test.example");
        let created = app
            .post(
                &admin,
                "/api/v1/users",
                json!({"email": email, "name": "Keeper", "role": "program_officer", "password": password}),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{password:?}: {}",
            created.body
        );
        app.login(&email, &password).await;
    }
    // A local part under three characters is too common to forbid.
    let short_local = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"email": "al@test.example", "name": "Al", "role": "program_officer", "password": "a long passphrase, al"}),
        )
        .await;
    assert_eq!(
        short_local.status,
        StatusCode::CREATED,
        "{}",
        short_local.body
    );
}

#[tokio::test]
async fn an_admin_changing_a_password_is_held_to_the_rule() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "rule.keeper@test.example";
    let (id, token) = app.user(&admin, email, "program_officer", None).await;
    let path = format!("/api/v1/users/{id}");
    for (password, why) in refused("rule.keeper") {
        let answer = app
            .patch(&admin, &path, json!({"password": password}))
            .await;
        assert_names(&answer, "password", why);
    }
    // Nothing changed: the account's token and password still work.
    assert_eq!(app.get(&token, "/api/v1/me").await.status, StatusCode::OK);
    app.login(email, PASSWORD).await;
    let changes: Vec<Value> = user_audit(&app, &admin, id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "user.update_password")
        .collect();
    assert!(changes.is_empty(), "{changes:?}");

    for password in accepted() {
        let answer = app
            .patch(&admin, &path, json!({"password": password}))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{password:?}: {}",
            answer.body
        );
        app.login(email, &password).await;
    }
}

#[tokio::test]
async fn a_reset_link_is_held_to_the_rule_and_survives_a_refusal() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "rule.keeper@test.example";
    let (_, token) = app.user(&admin, email, "program_officer", None).await;
    assert_eq!(forgot(&app, email).await.status, StatusCode::ACCEPTED);
    let link = new_link(&app, email, "/account/reset", 2, &[]).await;
    for (password, why) in refused("rule.keeper") {
        assert_names(&redeem(&app, &link, &password).await, "password", why);
    }
    // Nothing changed, and the link still works.
    assert_eq!(app.get(&token, "/api/v1/me").await.status, StatusCode::OK);
    app.login(email, PASSWORD).await;
    let longest = "ü".repeat(128);
    let done = redeem(&app, &link, &longest).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    app.login(email, &longest).await;
}

/// `POST /me/password`.
async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> crate::helpers::Answer {
    app.post(
        token,
        "/api/v1/me/password",
        json!({"current_password": current, "new_password": new}),
    )
    .await
}

#[tokio::test]
async fn changing_ones_password_checks_the_current_one_and_ends_other_sign_ins() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "changer@test.example";
    let (id, this) = app.user(&admin, email, "program_officer", None).await;
    let other = app.login(email, PASSWORD).await;
    let mut browser = WebClient::new(&app);
    browser.sign_in(email, PASSWORD).await;
    assert_eq!(browser.get("/").await.status, StatusCode::OK);

    // A wrong current password is named, and nothing changes.
    let wrong = change(&app, &this, "not my password", "a new passphrase").await;
    assert_names(&wrong, "current_password", "a wrong current password");
    assert!(
        wrong.field_errors("new_password").is_empty(),
        "{}",
        wrong.body
    );
    // A new password the rule refuses is named.
    for (password, why) in refused("changer") {
        assert_names(
            &change(&app, &this, PASSWORD, &password).await,
            "new_password",
            why,
        );
    }
    for token in [&this, &other] {
        assert_eq!(app.get(token, "/api/v1/me").await.status, StatusCode::OK);
    }
    assert_eq!(browser.get("/").await.status, StatusCode::OK);
    app.login(email, PASSWORD).await;

    // The change ends every other sign-in, the browser's too, but not this one.
    let done = change(&app, &this, PASSWORD, "a new passphrase").await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    assert_eq!(app.get(&this, "/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(
        app.get(&other, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let signed_out = browser.get("/").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        signed_out.location().starts_with("/login"),
        "{}",
        signed_out.location()
    );
    assert_eq!(
        app.login_answer(email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.login(email, "a new passphrase").await;
    // The old password is no longer the current one.
    assert_names(
        &change(&app, &this, PASSWORD, "a third passphrase").await,
        "current_password",
        "the old password as the current one",
    );
    let audited = user_audit(&app, &admin, id)
        .await
        .iter()
        .filter(|e| e["action"] == "user.change_password")
        .count();
    assert_eq!(audited, 1);
    assert_eq!(my_id(&app, &this).await, id);
}
