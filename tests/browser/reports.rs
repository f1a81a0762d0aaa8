//! The training report page: reached from the navigation, a fiscal year
//! chosen with the selector, the lines and subtotals, and the CSV link.
use imet::domain::fiscal_year::fiscal_year;
use reqwest::{Method, StatusCode};

use crate::{
    common::PASSWORD,
    driver::Browser,
    nominations::{LIAISON_PK, ready_student, stage, submitted},
};

#[tokio::test]
async fn a_liaison_reads_the_training_report_of_a_chosen_year() {
    let app = crate::common::spawn_app().await;
    let s = stage(&app).await;
    let raza = ready_student(&app, &s, "PK", "Raza", true).await;
    let id = submitted(&app, LIAISON_PK, raza, s.offering).await;
    let answer = app
        .call(
            Method::POST,
            &format!("/api/v1/nominations/{id}/approve"),
            Some(&s.officer),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let fy = s.fiscal_year;

    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_PK, PASSWORD, &format!("Welcome, {LIAISON_PK}"))
        .await;
    browser.click("nav a[href='/reports/training']").await;
    let current = fiscal_year(app.state.clock.today());
    browser
        .expect_heading(&format!("Training report FY{current}"))
        .await;
    browser.select("#fiscal_year", &fy.to_string()).await;
    browser.click("form.filters button").await;
    browser
        .expect_heading(&format!("Training report FY{fy}"))
        .await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");
    browser.screenshot("training-report").await;
    let line = browser.text("#training-classes tbody tr").await;
    for part in [
        "Pakistan (PK)",
        "IMET",
        "B100001 Command and General Staff",
        "CGSC",
        "Fort Leavenworth, KS",
        "$28,580.00",
    ] {
        assert!(line.contains(part), "{part} not in {line}");
    }
    assert!(
        browser
            .text("#training-countries tfoot")
            .await
            .contains("$28,580.00")
    );
    let csv_link = browser
        .find("a[download]")
        .await
        .attr("href")
        .await
        .expect("attribute");
    assert_eq!(
        csv_link.as_deref(),
        Some(format!("/reports/training.csv?fiscal_year={fy}").as_str())
    );
    browser.close().await;
}
