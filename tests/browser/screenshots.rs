//! Walks the main pages of each role, checks each for machine-detectable
//! accessibility problems, and saves a screenshot of each for the README.
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app},
    driver::Browser,
};

async fn check(browser: &Browser, path: &str, heading: &str, screenshot: &str) {
    browser.goto(path).await;
    browser.expect_heading(heading).await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{path}: {problems:?}");
    browser.screenshot(screenshot).await;
}

#[tokio::test]
async fn main_pages_are_accessible_and_photographed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (code, name) in [
        ("PK", "Pakistan"),
        ("JO", "Jordan"),
        ("PH", "Philippines"),
        ("CO", "Colombia"),
    ] {
        app.country(&admin, code, name).await;
    }
    let people = [
        (
            "officer@test.example",
            "Marcus Bell",
            "program_officer",
            None,
        ),
        (
            "liaison.pk@test.example",
            "Lt Col Imran Qureshi",
            "country_liaison",
            Some("PK"),
        ),
        (
            "liaison.jo@test.example",
            "Maj. Rania Haddad",
            "country_liaison",
            Some("JO"),
        ),
    ];
    for (email, name, role, country) in people {
        let answer = app
            .post(
                &admin,
                "/api/v1/users",
                json!({"email": email, "name": name, "role": role, "country_code": country, "password": PASSWORD}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }

    let browser = Browser::open(&app).await;
    check(&browser, "/login", "Sign in", "sign-in").await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    check(&browser, "/", "Welcome, Administrator", "dashboard-admin").await;
    check(&browser, "/users", "Users", "users").await;
    check(&browser, "/users/new", "Create a user", "user-form").await;
    check(&browser, "/countries", "Countries", "countries").await;
    check(&browser, "/countries/PK", "Pakistan", "country").await;
    check(
        &browser,
        "/countries/PK/edit",
        "Edit Pakistan",
        "country-form",
    )
    .await;
    check(&browser, "/no-such-page", "Page not found", "not-found").await;

    // On a phone, tables become one block per row.
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone-sized window");
    check(&browser, "/users", "Users", "users-phone").await;
    let header_hidden = browser
        .client
        .execute(
            "return document.querySelector('thead').getBoundingClientRect().height <= 1",
            vec![],
        )
        .await
        .expect("table layout");
    assert_eq!(
        header_hidden, true,
        "the table header is folded into each row"
    );
    browser
        .client
        .set_window_size(1280, 900)
        .await
        .expect("laptop-sized window");

    browser.click(".account button[type=submit]").await;
    browser.expect_heading("Sign in").await;
    browser
        .sign_in(
            "liaison.pk@test.example",
            PASSWORD,
            "Welcome, Lt Col Imran Qureshi",
        )
        .await;
    check(
        &browser,
        "/",
        "Welcome, Lt Col Imran Qureshi",
        "dashboard-liaison",
    )
    .await;
    browser.close().await;
}
