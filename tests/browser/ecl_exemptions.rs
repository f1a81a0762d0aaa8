//! The ECL exemptions page: an admin reaches it from the navigation, puts a
//! country on a fiscal year's list (a blank note is shown in the error
//! summary), changes its note and removes it; a liaison reads their own
//! country's exemption, without the forms.
use imet::domain::fiscal_year::fiscal_year;
use reqwest::Method;
use serde_json::json;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app},
    driver::Browser,
};

const PUT_FORM: &str = "form[method=post][action='/ecl-exemptions'] button[type=submit]";

#[tokio::test]
async fn an_admin_exempts_a_country_changes_the_note_and_removes_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PH", "Philippines").await;
    app.country(&admin, "JO", "Jordan").await;
    let fy = fiscal_year(app.state.clock.today());
    let next = fy + 1;

    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.click("nav a[href='/ecl-exemptions']").await;
    browser
        .expect_heading(&format!("ECL exemptions FY{fy}"))
        .await;
    assert!(
        browser
            .text("main")
            .await
            .contains(&format!("No country is exempt from ECL testing in FY{fy}."))
    );

    // A blank note: the error summary names it, the choices stay made.
    browser.select("#fiscal_year", &next.to_string()).await;
    browser.select("#country_code", "PH").await;
    browser.fill("#note", "   ").await;
    browser.click(PUT_FORM).await;
    browser
        .expect_heading(&format!("ECL exemptions FY{next}"))
        .await;
    assert_eq!(
        browser.text(".error-summary li").await,
        "Note must not be blank"
    );
    assert_eq!(
        browser.text("#note-error").await,
        "Error: Note must not be blank"
    );
    assert_eq!(browser.value("#country_code").await, "PH");
    assert_eq!(browser.value("#fiscal_year").await, next.to_string());
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");

    browser
        .fill("#note", "English is a language of command.")
        .await;
    browser.click(PUT_FORM).await;
    browser
        .expect_heading(&format!("ECL exemptions FY{next}"))
        .await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("Philippines (PH) is exempt from ECL testing in FY{next}.")
    );
    let row = browser.text("#exemption-PH").await;
    assert!(
        row.contains("Philippines (PH)") && row.contains("English is a language of command."),
        "{row}"
    );
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");

    // Choosing the country again changes its note.
    browser.select("#country_code", "PH").await;
    browser
        .fill("#note", "The armed forces train in English.")
        .await;
    browser.click(PUT_FORM).await;
    browser
        .expect_heading(&format!("ECL exemptions FY{next}"))
        .await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("The note on the FY{next} exemption of Philippines (PH) is saved.")
    );
    assert!(
        browser
            .text("#exemption-PH")
            .await
            .contains("The armed forces train in English.")
    );
    let listed = app
        .call(
            Method::GET,
            &format!("/api/v1/ecl-exemptions?fiscal_year={next}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(listed.body["items"][0]["country_code"], "PH");
    assert_eq!(
        listed.body["items"][0]["note"],
        "The armed forces train in English."
    );
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    browser.click("#exemption-PH button[type=submit]").await;
    browser
        .expect_heading(&format!("ECL exemptions FY{next}"))
        .await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("Philippines (PH) is no longer exempt from ECL testing in FY{next}.")
    );
    assert!(browser.text("main").await.contains(&format!(
        "No country is exempt from ECL testing in FY{next}."
    )));
    browser.close().await;
}

#[tokio::test]
async fn a_liaison_reads_their_own_countrys_exemption() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PH", "Philippines").await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(
        &admin,
        "liaison.ph@test.example",
        "country_liaison",
        Some("PH"),
    )
    .await;
    let fy = fiscal_year(app.state.clock.today());
    for country in ["PH", "JO"] {
        let answer = app
            .call(
                Method::PUT,
                &format!("/api/v1/ecl-exemptions/{fy}/{country}"),
                Some(&admin),
                Some(json!({"note": format!("{country} trains in English.")})),
            )
            .await;
        assert_eq!(answer.status, reqwest::StatusCode::CREATED);
    }

    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "liaison.ph@test.example",
            PASSWORD,
            "Welcome, liaison.ph@test.example",
        )
        .await;
    browser.click("nav a[href='/ecl-exemptions']").await;
    browser
        .expect_heading(&format!("ECL exemptions FY{fy}"))
        .await;
    let table = browser.text("#ecl-exemptions").await;
    assert!(
        table.contains("PH trains in English.") && !table.contains("Jordan"),
        "{table}"
    );
    for css in [
        "form[method=post][action='/ecl-exemptions']",
        "#exemption-PH button",
    ] {
        assert!(
            browser
                .client
                .find(fantoccini::Locator::Css(css))
                .await
                .is_err(),
            "{css}"
        );
    }
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{problems:?}");
    browser.close().await;
}
