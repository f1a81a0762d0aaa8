//! Accounts people run themselves, in Chromium: an invitation's link, a
//! forgotten password, the account page, and two-factor sign-in.
use chrono::Utc;
use imet::domain::second_factor::{Policy, generator};
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, TestApp, eventually, spawn_app, spawn_app_with},
    driver::Browser,
    smtp::eml_files_to,
};

/// The path (and query) of the newest link to `page` emailed to `to`, as
/// the `.eml` files of the test app hold it.
async fn emailed_link(app: &TestApp, to: &str, page: &str, seen: usize) -> String {
    let dir = app.config.mail_dir();
    let prefix = format!("{}{page}?token=", app.config.base_url);
    eventually(
        &format!("email {} to {to} with a link to {page}", seen + 1),
        || async {
            let links: Vec<String> = eml_files_to(&dir, to)
                .into_iter()
                .filter_map(|email| {
                    let start = email.text.find(&prefix)?;
                    let link: String = email.text[start..]
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .collect();
                    Some(link)
                })
                .collect();
            (links.len() > seen).then(|| links.last().cloned())?
        },
    )
    .await
    .trim_start_matches(&app.config.base_url)
    .to_owned()
}

async fn sign_out(browser: &Browser) {
    browser.click(".account button[type=submit]").await;
    browser.expect_heading("Sign in").await;
}

#[tokio::test]
async fn an_invited_liaison_chooses_a_password_through_the_emailed_link() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.goto("/users/new").await;
    browser.fill("#name", "Maj. Sara Qureshi").await;
    browser.fill("#email", "sara.qureshi@test.example").await;
    browser.select("#role", "country_liaison").await;
    browser.select("#country_code", "PK").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Users").await;
    assert!(
        browser
            .text(".alert-success")
            .await
            .contains("An invitation to choose a password is on its way"),
    );
    let listed = browser.text("tbody").await.to_lowercase();
    assert!(
        listed.contains("sara.qureshi@test.example country liaison pk invited"),
        "{listed}"
    );
    sign_out(&browser).await;

    let link = emailed_link(&app, "sara.qureshi@test.example", "/account/setup", 0).await;
    browser.goto(&link).await;
    browser.expect_heading("Choose your password").await;
    // The rule, with the GOV.UK-style error summary.
    browser.fill("#password", "Sara.Qureshi-2026").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Choose your password").await;
    assert_eq!(
        browser.text(".error-summary a[href='#password']").await,
        "Password must not contain the part of your email address before the @"
    );
    browser.fill("#password", "monsoon over the indus").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Sign in").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "Your password is set. Sign in with it."
    );
    browser
        .sign_in(
            "sara.qureshi@test.example",
            "monsoon over the indus",
            "Welcome, Maj. Sara Qureshi",
        )
        .await;
    sign_out(&browser).await;

    // The link worked once.
    browser.goto(&link).await;
    browser.expect_heading("This link no longer works").await;
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_emailed_link() {
    let app = spawn_app().await;
    let browser = Browser::open(&app).await;
    browser.goto("/login").await;
    browser.click("a[href='/account/forgot']").await;
    browser.expect_heading("Reset your password").await;
    browser.fill("#email", ADMIN_EMAIL).await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Check your email").await;
    let answered = browser.text("main").await;

    // An address without an account gets the same page.
    browser.goto("/account/forgot").await;
    browser.fill("#email", "nobody@test.example").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Check your email").await;
    assert_eq!(
        browser.text("main").await,
        answered.replace(ADMIN_EMAIL, "nobody@test.example")
    );

    // A session signed in before the reset ends with it.
    let token = app.login(ADMIN_EMAIL, PASSWORD).await;
    let link = emailed_link(&app, ADMIN_EMAIL, "/account/reset", 0).await;
    browser.goto(&link).await;
    browser.expect_heading("Choose a new password").await;
    browser.fill("#password", "a brand new passphrase").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Sign in").await;
    let me = app
        .call(reqwest::Method::GET, "/api/v1/me", Some(&token), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    browser
        .sign_in(
            ADMIN_EMAIL,
            "a brand new passphrase",
            "Welcome, Administrator",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_account_page_changes_the_password_and_ends_other_sign_ins() {
    let app = spawn_app().await;
    let other = app.login(ADMIN_EMAIL, PASSWORD).await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.click("a.account-name").await;
    browser.expect_heading("Your account").await;
    // This browser's session and the API token are listed.
    let listed = browser.text("#sign-ins tbody").await.to_lowercase();
    assert!(listed.contains("browser this one"), "{listed}");
    assert!(listed.contains("api token"), "{listed}");

    browser.fill("#current_password", "not my password").await;
    browser
        .fill("#new_password", "a brand new passphrase")
        .await;
    browser
        .click("form[action='/account/password'] button[type=submit]")
        .await;
    browser.expect_heading("Your account").await;
    assert_eq!(
        browser
            .text(".error-summary a[href='#current_password']")
            .await,
        "Current password is not your current password"
    );

    browser.fill("#current_password", PASSWORD).await;
    browser
        .fill("#new_password", "a brand new passphrase")
        .await;
    browser
        .click("form[action='/account/password'] button[type=submit]")
        .await;
    browser.expect_heading("Your account").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "Your password is changed. You were signed out everywhere else."
    );
    let me = app
        .call(reqwest::Method::GET, "/api/v1/me", Some(&other), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "the other token ended");
    let listed = browser.text("#sign-ins tbody").await.to_lowercase();
    assert!(!listed.contains("api token"), "{listed}");
    browser
        .client
        .execute(
            "document.getElementById('password-heading').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the password form");
    browser.screenshot("account").await;

    browser
        .click("form[action='/account/sessions/end-all'] button[type=submit]")
        .await;
    browser.expect_heading("Sign in").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "You have signed out everywhere."
    );
    browser.goto("/account").await;
    browser.expect_heading("Sign in").await;
    browser.close().await;
}

/// The code the authenticator app shows, `steps` periods from now.
fn code(secret: &str, email: &str, steps: i64) -> String {
    let at = Utc::now().timestamp() + steps * 30;
    generator(secret, email)
        .expect("the secret shown")
        .generate(at as u64)
        .to_string()
}

/// A code that none of the steps accepted around now gives.
fn wrong_code(secret: &str, email: &str) -> String {
    let accepted: Vec<String> = (-2..=2).map(|steps| code(secret, email, steps)).collect();
    (0..)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|candidate| !accepted.contains(candidate))
        .expect("a code not accepted")
}

#[tokio::test]
async fn an_officer_must_enrol_in_two_factor_sign_in_and_then_signs_in_with_a_code() {
    let app = spawn_app_with(|config| config.require_2fa = Policy::Staff).await;
    // The admin enrols first, through the API.
    let admin = app.admin().await;
    let enrolment = app.post(&admin, "/api/v1/me/2fa", json!({})).await;
    assert_eq!(enrolment.status, StatusCode::CREATED, "{}", enrolment.body);
    let admin_secret = enrolment.body["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let confirmed = app
        .post(
            &admin,
            "/api/v1/me/2fa/confirm",
            json!({"code": code(&admin_secret, ADMIN_EMAIL, 0)}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let officer = "officer@test.example";
    let created = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"email": officer, "name": "Marcus Bell", "role": "program_officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    let browser = Browser::open(&app).await;
    // Sent to enrolment before anything else.
    browser
        .sign_in(officer, PASSWORD, "Two-factor sign-in")
        .await;
    browser.goto("/nominations").await;
    browser.expect_heading("Two-factor sign-in").await;
    assert_eq!(browser.path().await, "/account/2fa");

    browser
        .click("form[action='/account/2fa/start'] button")
        .await;
    browser.expect_heading("Two-factor sign-in").await;
    let secret = browser.text("#totp-secret").await;
    assert!(
        browser
            .find(".qr-code svg")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    browser.screenshot("two-factor-enrolment").await;
    browser.fill("#code", &wrong_code(&secret, officer)).await;
    browser
        .click("form[action='/account/2fa/confirm'] button")
        .await;
    browser.expect_heading("Two-factor sign-in").await;
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("is not the code")
    );
    browser.fill("#code", &code(&secret, officer, 0)).await;
    browser
        .click("form[action='/account/2fa/confirm'] button")
        .await;
    browser.expect_heading("Save your recovery codes").await;
    let recovery: Vec<String> = browser
        .text("#recovery-codes")
        .await
        .split(' ')
        .map(str::to_owned)
        .collect();
    assert_eq!(recovery.len(), 10, "{recovery:?}");
    browser.goto("/nominations").await;
    browser.expect_heading("Review queue").await;
    sign_out(&browser).await;

    // Sign-in now asks for the code after the password; a wrong one is refused.
    browser.goto("/login?next=%2Fnominations").await;
    browser.fill("#email", officer).await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.expect_heading("Enter your sign-in code").await;
    browser.fill("#code", &wrong_code(&secret, officer)).await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Enter your sign-in code").await;
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("Enter the code your authenticator app shows now")
    );
    browser.fill("#code", &code(&secret, officer, 1)).await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Review queue").await;
    sign_out(&browser).await;

    // A recovery code signs in once.
    for attempt in 0..2 {
        browser
            .sign_in(officer, PASSWORD, "Enter your sign-in code")
            .await;
        browser.click("details summary").await;
        browser.fill("#recovery_code", &recovery[0]).await;
        browser.click("main form button[type=submit]").await;
        if attempt == 0 {
            browser.expect_heading("Welcome, Marcus Bell").await;
            sign_out(&browser).await;
        } else {
            browser.expect_heading("Enter your sign-in code").await;
        }
    }
    browser.close().await;
}
