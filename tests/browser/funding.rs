//! The funding page: allocations, the chart per country, setting and
//! transferring funds, and the CSV report.
use fantoccini::Locator;
use reqwest::{Method, StatusCode, header};

use crate::{
    common::{PASSWORD, TestApp},
    driver::Browser,
    nominations::{LIAISON_PK, OFFICER, ready_student, stage, submitted},
    web_client::WebClient,
};

/// The funding report as the API answers it in CSV.
async fn api_csv(app: &TestApp, token: &str, fy: i32) -> String {
    let answer = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/reports/funding?fiscal_year={fy}")))
        .bearer_auth(token)
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .expect("report");
    assert_eq!(answer.status(), StatusCode::OK);
    answer.text().await.expect("csv")
}

#[tokio::test]
async fn an_officer_sees_the_chart_sets_and_transfers_funds_and_downloads_the_report() {
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
        .sign_in(OFFICER, PASSWORD, &format!("Welcome, {OFFICER}"))
        .await;
    browser.click("nav a[href='/funding']").await;
    browser.goto(&format!("/funding?fiscal_year={fy}")).await;
    browser.expect_heading(&format!("Funding FY{fy}")).await;
    let table = browser.text("table").await;
    assert!(
        table
            .to_lowercase()
            .contains("pk imet $1,000,000.00 $28,580.00 $971,420.00 open"),
        "{table}"
    );
    let title = browser
        .client
        .execute(
            "return document.querySelector('#chart-PK svg > title').textContent",
            vec![],
        )
        .await
        .expect("chart title");
    assert_eq!(
        title,
        format!("Pakistan: committed against allocated by month, FY{fy}")
    );
    let labelled = browser
        .find("#chart-PK svg")
        .await
        .attr("aria-labelledby")
        .await
        .expect("attribute");
    assert_eq!(labelled.as_deref(), Some("chart-PK-title chart-PK-desc"));
    // One bar per month with a commitment, and the allocated line.
    let bars = browser
        .client
        .find_all(Locator::Css("#chart-PK rect.chart-bar"))
        .await
        .expect("bars");
    assert!(!bars.is_empty() && bars.len() <= 12, "{}", bars.len());
    browser.find("#chart-PK line.chart-allocated").await;

    // A transfer needs a reason.
    browser.select("#from_country", "PK").await;
    browser.select("#to_country", "JO").await;
    browser.fill("#amount", "5000").await;
    browser
        .click("form[action='/funding/transfers'] button")
        .await;
    browser.expect_heading(&format!("Funding FY{fy}")).await;
    assert_eq!(
        browser.text("#reason-error").await,
        "Error: Reason must not be blank"
    );
    assert_eq!(browser.value("#amount").await, "5000");
    browser
        .fill("#reason", "Jordan's staff college seats.")
        .await;
    browser
        .click("form[action='/funding/transfers'] button")
        .await;
    browser.expect_heading(&format!("Funding FY{fy}")).await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("$5,000.00 of IMET FY{fy} moved from PK to JO.")
    );

    // Setting below what is committed is refused with the service's words.
    browser.select("#country_code", "PK").await;
    browser.fill("#allocated", "100").await;
    browser
        .click("form[action='/funding/allocations'] button")
        .await;
    browser.expect_heading(&format!("Funding FY{fy}")).await;
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("cannot be set"),
        "{}",
        browser.text(".error-summary").await
    );
    browser.fill("#allocated", "1,200,000").await;
    browser
        .click("form[action='/funding/allocations'] button")
        .await;
    browser.expect_heading(&format!("Funding FY{fy}")).await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("The PK IMET allocation for FY{fy} is $1,200,000.00.")
    );
    browser.close().await;

    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/allocations?fiscal_year={fy}"),
            Some(&s.officer),
            None,
        )
        .await;
    let items = answer.body["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 2, "{}", answer.body);
    assert_eq!(items[0]["country_code"], "JO");
    assert_eq!(items[0]["allocated_cents"], 500_000);
    assert_eq!(items[1]["allocated_cents"], 120_000_000);

    // The CSV download is the API's report.
    let mut officer = WebClient::new(&app);
    officer.sign_in(OFFICER, PASSWORD).await;
    let csv = officer
        .get(&format!("/funding/report.csv?fiscal_year={fy}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(
        csv.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(&format!("funding-fy{fy}.csv"))
    );
    assert_eq!(csv.body, api_csv(&app, &s.officer, fy).await);
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
}

#[tokio::test]
async fn a_liaison_sees_only_their_countrys_funding_and_may_not_change_it() {
    let app = crate::common::spawn_app().await;
    let s = stage(&app).await;
    let fy = s.fiscal_year;
    let answer = app
        .call(
            Method::PUT,
            &format!("/api/v1/allocations/JO/IMET/{fy}"),
            Some(&s.officer),
            Some(serde_json::json!({"allocated_cents": 50_000_000})),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);

    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_PK, PASSWORD, &format!("Welcome, {LIAISON_PK}"))
        .await;
    browser.goto(&format!("/funding?fiscal_year={fy}")).await;
    browser.expect_heading(&format!("Funding FY{fy}")).await;
    let table = browser.text("table").await;
    assert!(table.contains("PK") && !table.contains("JO"), "{table}");
    browser.find("#chart-PK svg").await;
    assert!(
        browser
            .client
            .find(Locator::Css("#chart-JO"))
            .await
            .is_err()
    );
    for form in ["/funding/allocations", "/funding/transfers"] {
        assert!(
            browser
                .client
                .find(Locator::Css(&format!("form[action='{form}']")))
                .await
                .is_err()
        );
    }
    browser.close().await;

    let mut liaison = WebClient::new(&app);
    liaison.sign_in(LIAISON_PK, PASSWORD).await;
    let csv = liaison
        .get(&format!("/funding/report.csv?fiscal_year={fy}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let token = app.login(LIAISON_PK, PASSWORD).await;
    assert_eq!(csv.body, api_csv(&app, &token, fy).await);
    assert!(csv.body.contains("PK") && !csv.body.contains("JO"));

    liaison.get("/funding").await;
    let fy_text = fy.to_string();
    let page = liaison
        .post_with_token(
            "/funding/allocations",
            &[
                ("fiscal_year", &fy_text),
                ("country_code", "PK"),
                ("program", "IMET"),
                ("allocated", "9999999"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = liaison
        .post_with_token(
            "/funding/transfers",
            &[
                ("fiscal_year", &fy_text),
                ("from_country", "JO"),
                ("to_country", "PK"),
                ("transfer_program", "IMET"),
                ("amount", "1000"),
                ("reason", "Mine now."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/allocations?fiscal_year={fy}"),
            Some(&s.officer),
            None,
        )
        .await;
    let amounts: Vec<_> = answer.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["allocated_cents"].clone())
        .collect();
    assert_eq!(
        amounts,
        vec![
            serde_json::json!(50_000_000),
            serde_json::json!(100_000_000)
        ]
    );
}
