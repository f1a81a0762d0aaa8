use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, TestApp, eventually, spawn_app_with},
    driver::Browser,
    smtp::SmtpServer,
    web_client::WebClient,
};

/// The outbox as the API shows it, newest first; `status` empty for every message.
async fn messages(app: &TestApp, admin: &str, status: &str) -> Vec<serde_json::Value> {
    let path = if status.is_empty() {
        "/api/v1/outbox".to_owned()
    } else {
        format!("/api/v1/outbox?status={status}")
    };
    let answer = app.call(Method::GET, &path, Some(admin), None).await;
    answer.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_admin_sees_a_failed_message_and_sends_it_again() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let admin = app.admin().await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    // The test mail server refuses this domain for good: the welcome email fails.
    let answer = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"email": "officer@reject.test", "name": "R. Jected",
                   "role": "program_officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let failed = eventually("the welcome email to fail", || async {
        messages(&app, &admin, "failed").await.into_iter().next()
    })
    .await;
    let id = failed["id"].as_i64().expect("id");
    eventually("the other welcome email to be sent", || async {
        messages(&app, &admin, "sent")
            .await
            .into_iter()
            .find(|m| m["recipients"][0] == "officer@test.example")
    })
    .await;

    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.click("nav a[href='/outbox']").await;
    browser.expect_heading("Mail outbox").await;
    let table = browser.text("table").await;
    assert!(
        table.contains("officer@reject.test")
            && table.contains("officer@test.example")
            && table.contains("FAILED")
            && table.contains("SENT"),
        "{table}"
    );
    browser.select("#status", "failed").await;
    browser
        .click("main form[method=get] button[type=submit]")
        .await;
    browser.expect_heading("Mail outbox").await;
    assert_eq!(browser.path().await, "/outbox?status=failed");
    let row = browser.text(&format!("#message-{id}")).await;
    assert!(row.contains("550"), "the last error is shown: {row}");
    assert!(!browser.text("table").await.contains("officer@test.example"));

    browser
        .click(&format!("form[action='/outbox/{id}/retry'] button"))
        .await;
    browser.expect_heading("Mail outbox").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "“Your IMET enrollment account” is queued to be sent again."
    );
    browser.close().await;
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?entity=outbox&id={id}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(
        answer.body.to_string().contains("outbox.retry"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn only_admins_open_the_outbox() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    app.user(
        &admin,
        "liaison.pk@test.example",
        "country_liaison",
        Some("PK"),
    )
    .await;
    let message = messages(&app, &admin, "").await[0]["id"]
        .as_i64()
        .expect("a queued message");
    for email in ["officer@test.example", "liaison.pk@test.example"] {
        let mut web = WebClient::new(&app);
        web.sign_in(email, PASSWORD).await;
        let page = web.get("/").await;
        assert!(!page.body.contains("href=\"/outbox\""), "{email}");
        let page = web.get("/outbox").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{email}");
        assert!(
            page.body
                .contains("You do not have permission to see this page")
        );
        let page = web
            .post_with_token(&format!("/outbox/{message}/retry"), &[])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{email}");
    }
}
