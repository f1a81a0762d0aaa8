use reqwest::StatusCode;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app},
    driver::Browser,
    web_client::WebClient,
};

#[tokio::test]
async fn admin_creates_a_user_and_field_errors_keep_the_input() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.goto("/users").await;
    browser.click("a[href='/users/new']").await;
    browser.expect_heading("Create a user").await;

    browser.fill("#name", "Aisha Khan").await;
    browser.fill("#email", "not-an-email").await;
    browser.select("#role", "country_liaison").await;
    browser.fill("#password", "short").await;
    browser
        .click("form[action='/users'] button[type=submit]")
        .await;
    browser.expect_heading("Create a user").await;

    let summary = browser.text(".error-summary").await;
    assert!(
        summary.contains("Email address must be a valid email address"),
        "{summary}"
    );
    assert!(
        summary.contains("Password must be at least 12 characters"),
        "{summary}"
    );
    assert_eq!(
        browser.text("#email-error").await,
        "Error: Email address must be a valid email address"
    );
    assert_eq!(
        browser.text("#password-error").await,
        "Error: Password must be at least 12 characters"
    );
    // Each summary entry links to its field; the field names its error.
    let link = browser.find(".error-summary a[href='#email']").await;
    assert!(link.text().await.unwrap().contains("valid email"));
    assert_eq!(
        browser
            .find("#email")
            .await
            .attr("aria-describedby")
            .await
            .unwrap()
            .as_deref(),
        Some("email-hint email-error")
    );
    assert_eq!(browser.value("#name").await, "Aisha Khan");
    assert_eq!(browser.value("#email").await, "not-an-email");
    assert_eq!(browser.value("#role").await, "country_liaison");
    assert!(browser.accessibility_problems().await.is_empty());
    browser.screenshot("user-form-errors").await;

    // A liaison without a country: the service's rule, shown at its field.
    browser.fill("#email", "aisha.khan@test.example").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/users'] button[type=submit]")
        .await;
    browser.expect_heading("Create a user").await;
    assert_eq!(
        browser.text("#country_code-error").await,
        "Error: Country a country liaison must belong to a country"
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#email-error"))
            .await
            .is_err()
    );

    browser.select("#country_code", "PK").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/users'] button[type=submit]")
        .await;
    browser.expect_heading("Users").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "Account created for aisha.khan@test.example."
    );
    let table = browser.text("table").await;
    assert!(table.contains("aisha.khan@test.example"), "{table}");
    // The account is real: it signs in through the API.
    app.login("aisha.khan@test.example", PASSWORD).await;
    browser.close().await;
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_and_a_reset_password_works() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (officer_id, _) = app
        .user(&admin, "officer@test.example", "program_officer", None)
        .await;
    let mut officer = WebClient::new(&app);
    officer.sign_in("officer@test.example", PASSWORD).await;
    assert_eq!(officer.get("/").await.status, StatusCode::OK);

    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.goto("/users").await;
    browser.expect_heading("Users").await;
    // An admin cannot deactivate their own account from the list.
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#user-1 form"))
            .await
            .is_err()
    );
    browser
        .click(&format!("#user-{officer_id} button[type=submit]"))
        .await;
    browser.expect_heading("Users").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "officer@test.example is deactivated and signed out."
    );
    assert_eq!(
        browser.text(&format!("#user-{officer_id} .tag")).await,
        "DEACTIVATED"
    );
    let page = officer.get("/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login");

    browser
        .click(&format!("#user-{officer_id} button[type=submit]"))
        .await;
    browser.expect_heading("Users").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "officer@test.example can sign in again."
    );

    browser
        .click(&format!(
            "#user-{officer_id} a[href='/users/{officer_id}/password']"
        ))
        .await;
    browser.expect_heading("Reset password").await;
    browser.fill("#password", "too short").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Reset password").await;
    assert_eq!(
        browser.text("#password-error").await,
        "Error: New password must be at least 12 characters"
    );
    browser.fill("#password", "a brand new passphrase").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Users").await;
    browser.close().await;

    let mut again = WebClient::new(&app);
    again
        .sign_in("officer@test.example", "a brand new passphrase")
        .await;
    assert_eq!(again.get("/").await.status, StatusCode::OK);
}
