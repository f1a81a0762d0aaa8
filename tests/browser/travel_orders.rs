//! Issuing and amending a travel order from the nomination page, and the
//! liaison's read-only view of it; saves the page and the PDF's first page
//! (rendered by poppler's `pdftoppm`) for the README.
use std::{path::PathBuf, process::Command};

use chrono::{Days, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    common::{PASSWORD, spawn_app},
    driver::Browser,
    nominations::{LIAISON_PK, OFFICER, ready_student, stage, submitted},
};

#[tokio::test]
async fn an_officer_issues_and_amends_a_travel_order_from_the_nomination_page() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let student = ready_student(&app, &s, "PK", "Raza", true).await;
    let id = submitted(&app, LIAISON_PK, student, s.offering).await;
    let approved = app
        .post(
            &s.officer,
            &format!("/api/v1/nominations/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);

    let browser = Browser::open(&app).await;
    let heading = "Captain Sami Raza — B100001";
    browser
        .sign_in(OFFICER, PASSWORD, &format!("Welcome, {OFFICER}"))
        .await;

    // The officer records the security screening on the student's page.
    browser.goto(&format!("/students/{student}")).await;
    browser.expect_heading("Sami Raza").await;
    browser.select("#vetting_kind", "security").await;
    browser.select("#status", "cleared").await;
    browser.fill("#case_reference", "DCSA-0042").await;
    let decided = Utc::now().date_naive() - Days::new(2);
    browser.fill("#decided_on", &decided.to_string()).await;
    browser
        .click("form[action$='/vetting'] button[type=submit]")
        .await;
    browser.expect_heading("Sami Raza").await;
    let summary = browser.text(".summary-list").await;
    assert!(
        summary.contains("Security screening\nCLEARED")
            || summary.contains("Security screening CLEARED"),
        "{summary}"
    );

    browser.goto(&format!("/nominations/{id}")).await;
    browser.expect_heading(heading).await;
    let section = browser.text(".travel-order").await;
    assert!(section.contains("No travel order is issued."), "{section}");

    // Too long remarks: the page says so, and nothing is issued.
    browser.fill("#ito_remarks", &"x".repeat(1001)).await;
    browser
        .click("form[action$='/ito'] button[type=submit]")
        .await;
    browser.expect_heading(heading).await;
    let summary = browser.text(".error-summary").await;
    assert!(summary.contains("Remarks on the travel order"), "{summary}");

    browser
        .fill(
            "#ito_remarks",
            "Report to the International Military Student Office on arrival.",
        )
        .await;
    browser
        .click("form[action$='/ito'] button[type=submit]")
        .await;
    browser.expect_heading(heading).await;
    let number = format!("PK-{}-00001", s.fiscal_year);
    let section = browser.text(".travel-order").await;
    for shown in [
        number.as_str(),
        "In force",
        "Report to the International Military Student Office on arrival.",
        "$28,580.00",
        "Dependents authorized",
    ] {
        // Tags are shown in capitals.
        let found = section.to_lowercase().contains(&shown.to_lowercase());
        assert!(found, "{shown} in {section}");
    }
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");
    browser
        .client
        .execute(
            "document.getElementById('travel-order-heading').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the travel order");
    browser.screenshot("travel-order").await;

    // An amendment from the page supersedes the first revision.
    browser
        .fill("#amend_reason", "The school moved the report date.")
        .await;
    browser
        .click("form[action$='/ito/amend'] button[type=submit]")
        .await;
    browser.expect_heading(heading).await;
    let section = browser.text(".travel-order").await;
    assert!(section.contains(&format!("{number}-A1")), "{section}");
    assert!(section.contains("SUPERSEDED"), "{section}");
    browser.close().await;

    // The liaison sees the order and its PDF link, and no form.
    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_PK, PASSWORD, &format!("Welcome, {LIAISON_PK}"))
        .await;
    browser.goto(&format!("/nominations/{id}")).await;
    browser.expect_heading(heading).await;
    let link = browser.find(".travel-order a[href$='/ito.pdf']").await;
    assert!(link.text().await.expect("link text").contains(&number));
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#amend_reason"))
            .await
            .is_err(),
        "a liaison has no amend form"
    );
    browser.close().await;

    // The PDF's first page, as an image for the README.
    let token = app.login(OFFICER, PASSWORD).await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/nominations/{id}/ito.pdf")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the PDF");
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = res.bytes().await.expect("PDF bytes");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("order.pdf");
    std::fs::write(&path, &pdf).expect("write the PDF");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots/travel-order-pdf");
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-singlefile", "-f", "1"])
        .arg(&path)
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) is missing: run the tests with scripts/test");
    assert!(rendered.success());
}
