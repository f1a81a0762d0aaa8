use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app},
    driver::Browser,
};

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let browser = Browser::open(&app).await;

    browser.goto("/users").await;
    browser.expect_heading("Sign in").await;
    assert_eq!(browser.path().await, "/login?next=%2Fusers");
    browser.fill("#email", ADMIN_EMAIL).await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.expect_heading("Users").await;
    assert_eq!(browser.path().await, "/users");
    assert!(
        browser
            .text(".account-name")
            .await
            .contains("Administrator")
    );

    let cookie = browser
        .client
        .get_named_cookie("imet_session")
        .await
        .expect("session cookie");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(
        cookie.same_site().map(|s| s.to_string()).as_deref(),
        Some("Lax")
    );
    assert_ne!(cookie.secure(), Some(true), "plain http test server");

    browser.click(".account button[type=submit]").await;
    browser.expect_heading("Sign in").await;
    assert_eq!(browser.text(".alert-success").await, "You have signed out.");
    // The flash is shown once.
    browser.goto("/login").await;
    browser.expect_heading("Sign in").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css(".alert-success"))
            .await
            .is_err()
    );
    // The old session no longer opens pages.
    browser.goto("/users").await;
    browser.expect_heading("Sign in").await;
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_summary_and_keeps_the_email() {
    let app = spawn_app().await;
    let browser = Browser::open(&app).await;
    browser.goto("/login").await;
    browser.fill("#email", ADMIN_EMAIL).await;
    browser.fill("#password", "not the password").await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.expect_heading("Sign in").await;

    assert_eq!(
        browser.text(".error-summary h2").await,
        "There is a problem"
    );
    assert_eq!(
        browser.text(".error-summary li").await,
        "Enter a correct email address and password."
    );
    let title = browser.client.title().await.expect("title");
    assert!(title.starts_with("Error: Sign in"), "{title}");
    // The summary takes focus so a screen reader announces it.
    let focused = browser
        .client
        .execute("return document.activeElement.className", vec![])
        .await
        .expect("focused element");
    assert_eq!(focused, "error-summary");
    assert_eq!(browser.value("#email").await, ADMIN_EMAIL);
    assert_eq!(
        browser.value("#password").await,
        "",
        "a password is never sent back"
    );
    assert!(browser.accessibility_problems().await.is_empty());

    // The right password still works afterwards.
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.expect_heading("Welcome, Administrator").await;
    browser.close().await;
}
