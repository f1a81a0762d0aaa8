use chrono::Utc;
use reqwest::{Method, StatusCode};

use crate::{
    common::{PASSWORD, spawn_app},
    driver::Browser,
    web_client::WebClient,
};

#[tokio::test]
async fn an_officer_imposes_a_suspension_and_the_liaison_sees_the_banner() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    app.user(
        &admin,
        "liaison.pk@test.example",
        "country_liaison",
        Some("PK"),
    )
    .await;
    app.user(
        &admin,
        "liaison.jo@test.example",
        "country_liaison",
        Some("JO"),
    )
    .await;

    let officer = Browser::open(&app).await;
    officer
        .sign_in(
            "officer@test.example",
            PASSWORD,
            "Welcome, officer@test.example",
        )
        .await;
    officer.goto("/countries/PK").await;
    officer.expect_heading("Pakistan").await;
    assert!(
        officer
            .client
            .find(fantoccini::Locator::Css(".suspension-banner"))
            .await
            .is_err()
    );
    assert!(
        officer
            .text("main")
            .await
            .contains("No suspension has ever been imposed on Pakistan.")
    );
    officer
        .click("a[href='/countries/PK/suspensions/new']")
        .await;
    officer.expect_heading("Impose a suspension").await;
    let today = Utc::now().date_naive().to_string();
    assert_eq!(officer.value("#effective_from").await, today);

    // Exempting a program without suspending all of them, and no legal basis.
    officer.click("#programs-FMF").await;
    officer.click("#exempt_programs").await;
    officer
        .fill(
            "#reason",
            "Failure to take action against terrorist groups.",
        )
        .await;
    officer.click("main form button[type=submit]").await;
    officer.expect_heading("Impose a suspension").await;
    let summary = officer.text(".error-summary").await;
    assert!(summary.contains("Legal basis must be chosen"), "{summary}");
    assert!(summary.contains("Exempt programs"), "{summary}");
    assert_eq!(
        officer.value("#reason").await,
        "Failure to take action against terrorist groups."
    );

    officer.click("#programs-FMF").await;
    officer.click("#programs").await;
    officer
        .select("#legal_basis", "presidential_decision")
        .await;
    officer.click("main form button[type=submit]").await;
    officer.expect_heading("Pakistan").await;
    assert_eq!(
        officer.text(".alert-success").await,
        format!("All programs except IMET suspended for Pakistan from {today}.")
    );
    let banner = officer.text(".suspension-banner").await;
    assert!(
        banner.contains("All programs except IMET suspended since")
            && banner.contains("Presidential decision"),
        "{banner}"
    );
    let programs = officer.text(".program-status").await;
    assert!(
        programs.contains("IMET ELIGIBLE") && programs.contains("FMF SUSPENDED"),
        "{programs}"
    );
    officer.close().await;

    // The liaison of Pakistan sees the banner on their dashboard and country page.
    let liaison = Browser::open(&app).await;
    liaison
        .sign_in(
            "liaison.pk@test.example",
            PASSWORD,
            "Welcome, liaison.pk@test.example",
        )
        .await;
    let banner = liaison.text(".suspension-banner").await;
    assert!(
        banner.contains("Presidential decision") && banner.contains(&today),
        "{banner}"
    );
    liaison.click("nav a[href='/countries/PK']").await;
    liaison.expect_heading("Pakistan").await;
    let banner = liaison.text(".suspension-banner").await;
    assert!(
        banner.contains("Failure to take action against terrorist groups."),
        "{banner}"
    );
    let timeline = liaison.text(".timeline").await;
    assert!(timeline.contains("IN EFFECT"), "{timeline}");
    // A liaison can neither impose nor lift.
    for absent in [
        "a[href='/countries/PK/suspensions/new']",
        "a[href$='/lift']",
    ] {
        assert!(
            liaison
                .client
                .find(fantoccini::Locator::Css(absent))
                .await
                .is_err(),
            "{absent}"
        );
    }
    liaison.goto("/countries/PK/suspensions/new").await;
    liaison
        .expect_heading("You do not have permission to see this page")
        .await;
    liaison.close().await;

    // Jordan's liaison sees nothing of it.
    let jordan = Browser::open(&app).await;
    jordan
        .sign_in(
            "liaison.jo@test.example",
            PASSWORD,
            "Welcome, liaison.jo@test.example",
        )
        .await;
    assert!(
        jordan
            .client
            .find(fantoccini::Locator::Css(".suspension-banner"))
            .await
            .is_err()
    );
    jordan.goto("/countries/PK").await;
    jordan.expect_heading("Page not found").await;
    jordan.close().await;

    // Liaisons' forms are refused whatever they send.
    let answer = app
        .call(Method::GET, "/api/v1/countries/PK", Some(&admin), None)
        .await;
    let id = answer.body["suspensions"][0]["id"].as_i64().expect("id");
    let mut web = WebClient::new(&app);
    web.sign_in("liaison.pk@test.example", PASSWORD).await;
    web.get("/countries/PK").await;
    let page = web
        .post_with_token(
            &format!("/countries/PK/suspensions/{id}/lift"),
            &[("lifted_on", &today), ("reason", "Resolved.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = web
        .post_with_token(
            "/countries/PK/suspensions",
            &[
                ("programs", "ALL"),
                ("legal_basis", "other"),
                ("reason", "x"),
                ("effective_from", &today),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let answer = app
        .call(Method::GET, "/api/v1/countries/PK", Some(&admin), None)
        .await;
    assert_eq!(answer.body["suspensions"].as_array().map(Vec::len), Some(1));
    assert!(answer.body["suspensions"][0]["lifted_on"].is_null());
}

#[tokio::test]
async fn an_officer_lifts_a_suspension_and_the_timeline_keeps_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    let answer = app
        .post(
            &admin,
            "/api/v1/countries/PK/suspensions",
            serde_json::json!({"programs": ["IMET"], "legal_basis": "faa_620q",
                               "reason": "Arrears.", "effective_from": "2018-08-01"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = answer.body["id"].as_i64().expect("id");

    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "officer@test.example",
            PASSWORD,
            "Welcome, officer@test.example",
        )
        .await;
    browser.goto("/countries/PK").await;
    assert!(
        browser
            .text(".suspension-banner")
            .await
            .contains("FAA section 620q")
    );
    browser
        .click(&format!("a[href='/countries/PK/suspensions/{id}/lift']"))
        .await;
    browser.expect_heading("Lift a suspension").await;
    browser.fill("#lifted_on", "2018-01-01").await;
    browser.fill("#reason", "Arrears paid.").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Lift a suspension").await;
    assert_eq!(
        browser.text("#lifted_on-error").await,
        "Error: Lifted on must be on or after the effective date 2018-08-01"
    );
    browser.fill("#lifted_on", "2020-01-03").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Pakistan").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The suspension of IMET is lifted on 2020-01-03."
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css(".suspension-banner"))
            .await
            .is_err()
    );
    let timeline = browser.text(".timeline").await;
    for expected in ["IMET LIFTED", "2018-08-01", "2020-01-03", "Arrears paid."] {
        assert!(timeline.contains(expected), "{expected}: {timeline}");
    }
    // Lifted once: no second lift.
    browser
        .goto(&format!("/countries/PK/suspensions/{id}/lift"))
        .await;
    browser.expect_heading("Lift a suspension").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("This suspension was lifted on 2020-01-03.")
    );
    browser.close().await;
}
