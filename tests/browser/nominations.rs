//! Nominating, reviewing and deciding in the browser.
use chrono::{Days, Utc};
use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, TestApp, spawn_app},
    driver::Browser,
    students::student,
    web_client::WebClient,
};

pub const LIAISON_PK: &str = "liaison.pk@test.example";
pub const LIAISON_JO: &str = "liaison.jo@test.example";
pub const OFFICER: &str = "officer@test.example";

/// The people and catalog of these tests: PK and JO, a liaison of each, an
/// officer, a PME course (ECL 70) with a class 90 days out, and an IMET
/// allocation for PK in that class's fiscal year ($1,000,000).
pub struct Stage {
    pub admin: String,
    pub officer: String,
    pub offering: i64,
    pub fiscal_year: i32,
}

pub async fn stage(app: &TestApp) -> Stage {
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(&admin, LIAISON_PK, "country_liaison", Some("PK"))
        .await;
    app.user(&admin, LIAISON_JO, "country_liaison", Some("JO"))
        .await;
    let (_, officer) = app.user(&admin, OFFICER, "program_officer", None).await;
    let created = app
        .post(
            &admin,
            "/api/v1/courses",
            json!({"masl_id": "B100001", "title": "Command and General Staff", "school": "CGSC",
                   "location": "Fort Leavenworth, KS", "category": "pme", "ecl_min": 70,
                   "audience": ["officer"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let start = Utc::now().date_naive() + Days::new(90);
    let end = start + Days::new(11);
    let offering = app
        .offering(&admin, "B100001", &start.to_string(), &end.to_string(), 10)
        .await;
    let fiscal_year = offering["fiscal_year"].as_i64().expect("fiscal year") as i32;
    let answer = app
        .call(
            Method::PUT,
            &format!("/api/v1/allocations/PK/IMET/{fiscal_year}"),
            Some(&officer),
            Some(json!({"allocated_cents": 100_000_000})),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);
    Stage {
        admin,
        officer,
        offering: offering["id"].as_i64().expect("id"),
        fiscal_year,
    }
}

/// A student of `country` with a valid ECL 80 and, when `vetted`, cleared
/// Leahy vetting: every check passes.
pub async fn ready_student(
    app: &TestApp,
    s: &Stage,
    country: &str,
    family: &str,
    vetted: bool,
) -> i64 {
    let id = student(app, &s.admin, country, family).await;
    let today = Utc::now().date_naive();
    let ecl = app
        .post(
            &s.admin,
            &format!("/api/v1/students/{id}/tests"),
            json!({"kind": "ECL", "score": 80, "taken_on": today - Days::new(10)}),
        )
        .await;
    assert_eq!(ecl.status, StatusCode::CREATED, "{}", ecl.body);
    if vetted {
        let vetting = app
            .post(
                &s.officer,
                &format!("/api/v1/students/{id}/vetting"),
                json!({"status": "cleared", "case_reference": format!("INV-{id}"),
                       "decided_on": today - Days::new(5)}),
            )
            .await;
        assert_eq!(vetting.status, StatusCode::CREATED, "{}", vetting.body);
    }
    id
}

/// A nomination submitted through the API by the student's country's
/// liaison; returns its id.
pub async fn submitted(app: &TestApp, liaison: &str, student: i64, offering: i64) -> i64 {
    let token = app.login(liaison, PASSWORD).await;
    let answer = app
        .post(
            &token,
            "/api/v1/nominations",
            json!({"student_id": student, "offering_id": offering, "priority": "B", "submit": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_i64().expect("id")
}

async fn nomination(app: &TestApp, token: &str, id: i64) -> Value {
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/nominations/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn a_liaison_checks_and_submits_a_nomination() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let id = ready_student(&app, &s, "PK", "Raza", true).await;
    // FMF stays suspended for Pakistan.
    let answer = app
        .post(
            &s.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["FMF"], "legal_basis": "presidential_decision",
                   "effective_from": "2018-01-04", "reason": "Security assistance suspended."}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);

    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_PK, PASSWORD, &format!("Welcome, {LIAISON_PK}"))
        .await;
    // The dashboard shows what is left to spend this fiscal year.
    browser.click("nav a[href='/nominations']").await;
    browser.expect_heading("Nominations").await;
    browser.click("main a[href='/nominations/new']").await;
    browser.expect_heading("Nominate a student").await;

    // The class search narrows the list; no match says so.
    browser.fill("#q", "no such course").await;
    browser.click("form[role=search] button[type=submit]").await;
    browser.expect_heading("Nominate a student").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("No open class matches this search.")
    );
    browser.fill("#q", "general staff").await;
    browser.click("form[role=search] button[type=submit]").await;
    browser.expect_heading("Nominate a student").await;
    assert!(
        browser
            .text(".class-choice")
            .await
            .contains("B100001 Command and General Staff")
    );

    // Nothing chosen: the error summary says what is missing.
    browser.click("button[value=check]").await;
    browser.expect_heading("Nominate a student").await;
    let summary = browser.text(".error-summary").await;
    assert!(
        summary.contains("Student must be chosen") && summary.contains("Class must be chosen"),
        "{summary}"
    );

    browser.select("#student_id", &id.to_string()).await;
    browser.click("#offering_id").await;
    browser.click("button[value=check]").await;
    browser.expect_heading("Nominate a student").await;
    let preview = browser.text("#preview").await;
    // $25,000 tuition + $2,500 travel + 12 days at $90.
    assert!(preview.contains("Estimated cost $28,580.00"), "{preview}");
    assert!(
        preview.contains(&format!("FY{}", s.fiscal_year)),
        "{preview}"
    );
    for check in [
        "Country eligible Pass",
        "English Pass",
        "Vetting Pass",
        "Funds Pass",
    ] {
        assert!(
            preview.to_lowercase().contains(&check.to_lowercase()),
            "{check}: {preview}"
        );
    }
    // What was chosen is kept.
    assert_eq!(browser.value("#student_id").await, id.to_string());

    // FMF is suspended: submitting says so and stores nothing.
    browser.select("#program", "FMF").await;
    browser.click("button[value=submit]").await;
    browser.expect_heading("Nominate a student").await;
    let summary = browser.text(".error-summary").await;
    assert!(
        summary.contains("PK is suspended for a program this nomination depends on"),
        "{summary}"
    );
    let title = browser.client.title().await.expect("title");
    assert!(title.starts_with("Error: "), "{title}");
    let token = app.login(LIAISON_PK, PASSWORD).await;
    let list = app
        .call(Method::GET, "/api/v1/nominations", Some(&token), None)
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));

    browser.select("#program", "IMET").await;
    browser.select("#priority", "A").await;
    browser.click("button[value=check]").await;
    browser.expect_heading("Nominate a student").await;
    browser.click("button[value=submit]").await;
    browser.expect_heading("Captain Sami Raza — B100001").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The nomination of Captain Sami Raza to Command and General Staff is submitted."
    );
    let summary = browser.text("dl").await;
    assert!(
        summary.contains("Priority A") && summary.contains("Estimated cost $28,580.00"),
        "{summary}"
    );
    assert!(
        browser
            .text("main")
            .await
            .to_lowercase()
            .contains("submitted")
    );
    assert!(browser.text(".checks-table").await.contains("English"));
    // A liaison neither decides nor waives.
    for form in ["approve", "reject", "waivers"] {
        assert!(
            browser
                .client
                .find(Locator::Css(&format!("form[action$='/{form}']")))
                .await
                .is_err(),
            "{form}"
        );
    }

    let list = app
        .call(Method::GET, "/api/v1/nominations", Some(&token), None)
        .await;
    let items = list.body["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "submitted");
    assert_eq!(items[0]["priority"], "A");
    assert_eq!(items[0]["program"], "IMET");

    // The dashboard lists it under its status.
    browser.click("nav a[href='/']").await;
    browser
        .expect_heading(&format!("Welcome, {LIAISON_PK}"))
        .await;
    let nominations = browser
        .text("section[aria-labelledby=nominations-heading]")
        .await;
    assert!(
        nominations.contains("Captain Sami Raza — B100001"),
        "{nominations}"
    );
    let funding = browser
        .text("section[aria-labelledby=funding-heading]")
        .await;
    assert!(
        funding.contains("IMET $1,000,000.00 $0.00 $1,000,000.00"),
        "{funding}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_officer_approves_one_rejects_one_and_sees_unmet_checks() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let raza = ready_student(&app, &s, "PK", "Raza", true).await;
    let mirza = ready_student(&app, &s, "PK", "Mirza", true).await;
    let khalil = ready_student(&app, &s, "PK", "Khalil", false).await;
    let first = submitted(&app, LIAISON_PK, raza, s.offering).await;
    let second = submitted(&app, LIAISON_PK, mirza, s.offering).await;
    let unvetted = submitted(&app, LIAISON_PK, khalil, s.offering).await;

    let browser = Browser::open(&app).await;
    browser
        .sign_in(OFFICER, PASSWORD, &format!("Welcome, {OFFICER}"))
        .await;
    assert!(
        browser
            .text(".panel")
            .await
            .contains("3 nominations await a decision.")
    );
    browser.click("nav a[href='/nominations']").await;
    browser.expect_heading("Review queue").await;
    let queue = browser.text("table").await;
    // Oldest first, with the checks at a glance.
    let at = |name: &str| {
        queue
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {queue}"))
    };
    assert!(
        at("Sami Raza") < at("Sami Mirza") && at("Sami Mirza") < at("Sami Khalil"),
        "{queue}"
    );
    assert!(browser.text(".check-glance").await.contains("English"));
    let failing = browser
        .text(&format!(
            "tr:has(a[href='/nominations/{unvetted}']) .check-glance"
        ))
        .await;
    assert!(failing.contains("✗ Vetting"), "{failing}");

    // Approving the unvetted one is refused, with the problem shown.
    browser
        .click(&format!("a[href='/nominations/{unvetted}']"))
        .await;
    browser
        .expect_heading("Captain Sami Khalil — B100001")
        .await;
    browser.click("form[action$='/approve'] button").await;
    browser
        .expect_heading("Captain Sami Khalil — B100001")
        .await;
    assert_eq!(
        browser.text(".error-summary li").await,
        "Unmet checks: vetting."
    );

    browser.goto(&format!("/nominations/{first}")).await;
    browser.click("form[action$='/approve'] button").await;
    browser.expect_heading("Captain Sami Raza — B100001").await;
    assert!(browser.text(".alert-success").await.contains("is approved"));
    let details = browser.text("dl").await;
    assert!(details.contains("Committed $28,580.00"), "{details}");

    browser.goto(&format!("/nominations/{second}")).await;
    browser.click("form[action$='/reject'] button").await;
    browser.expect_heading("Captain Sami Mirza — B100001").await;
    assert_eq!(
        browser.text("#reject_reason-error").await,
        "Error: Reason for rejecting must not be blank"
    );
    browser
        .fill(
            "#reject_reason",
            "The class is for staff officers with command experience.",
        )
        .await;
    browser.click("form[action$='/reject'] button").await;
    browser.expect_heading("Captain Sami Mirza — B100001").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The nomination is rejected."
    );
    assert!(browser.text("dl").await.contains("command experience"));
    assert!(browser.text("main").await.contains("submitted → rejected"));

    // The queue holds only what still awaits a decision.
    browser.click("nav a[href='/nominations']").await;
    browser.expect_heading("Review queue").await;
    let queue = browser.text("table").await;
    assert!(
        queue.contains("Sami Khalil")
            && !queue.contains("Sami Raza")
            && !queue.contains("Sami Mirza"),
        "{queue}"
    );
    browser
        .goto("/nominations?status=approved&country=PK&course=b100001")
        .await;
    assert!(browser.text("table").await.contains("Sami Raza"));
    browser.close().await;

    let approved = nomination(&app, &s.officer, first).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["committed_cents"], 2_858_000);
    let rejected = nomination(&app, &s.officer, second).await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        rejected["reason"],
        "The class is for staff officers with command experience."
    );
    assert_eq!(
        nomination(&app, &s.officer, unvetted).await["status"],
        "submitted"
    );
}

#[tokio::test]
async fn roles_and_countries_are_enforced_on_the_nomination_pages() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let raza = ready_student(&app, &s, "PK", "Raza", true).await;
    let pk = submitted(&app, LIAISON_PK, raza, s.offering).await;

    // Another country's liaison gets the 404 page, and sees nothing of it.
    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_JO, PASSWORD, &format!("Welcome, {LIAISON_JO}"))
        .await;
    browser.goto(&format!("/nominations/{pk}")).await;
    browser.expect_heading("Page not found").await;
    assert!(!browser.text("main").await.contains("Raza"));
    browser.goto("/nominations").await;
    browser.expect_heading("Nominations").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("No nomination matches these filters.")
    );
    browser.close().await;

    let mut jo = WebClient::new(&app);
    jo.sign_in(LIAISON_JO, PASSWORD).await;
    jo.get("/nominations").await;
    for action in ["withdraw", "submit"] {
        let page = jo
            .post_with_token(
                &format!("/nominations/{pk}/{action}"),
                &[("withdraw_reason", "Not ours.")],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{action}");
    }
    // The student of another country cannot be nominated either.
    let page = jo
        .post_with_token(
            "/nominations",
            &[
                ("student_id", &raza.to_string()),
                ("offering_id", &s.offering.to_string()),
                ("program", "IMET"),
                ("priority", "C"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A liaison may not decide, even on their own country's nominations.
    let mut liaison = WebClient::new(&app);
    liaison.sign_in(LIAISON_PK, PASSWORD).await;
    liaison.get(&format!("/nominations/{pk}")).await;
    for (action, fields) in [
        ("approve", vec![]),
        ("waitlist", vec![]),
        ("complete", vec![]),
        ("reject", vec![("reject_reason", "No.")]),
        (
            "waivers",
            vec![("check", "english"), ("justification", "Because.")],
        ),
    ] {
        let page = liaison
            .post_with_token(&format!("/nominations/{pk}/{action}"), &fields)
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}");
        assert!(page.content_type().starts_with("text/html"));
    }
    // A program officer does not nominate.
    let mut officer = WebClient::new(&app);
    officer.sign_in(OFFICER, PASSWORD).await;
    assert_eq!(
        officer.get("/nominations/new").await.status,
        StatusCode::FORBIDDEN
    );
    let page = officer
        .post_with_token(
            "/nominations",
            &[
                ("student_id", &raza.to_string()),
                ("offering_id", &s.offering.to_string()),
                ("program", "IMET"),
                ("priority", "C"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Without the CSRF token nothing happens.
    let page = officer
        .post(&format!("/nominations/{pk}/approve"), &[])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let n = nomination(&app, &s.officer, pk).await;
    assert_eq!(n["status"], "submitted");
    assert_eq!(n["waivers"].as_array().map(Vec::len), Some(0));
    let list = app
        .call(Method::GET, "/api/v1/nominations", Some(&s.officer), None)
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));

    // The liaison withdraws their own, with a reason.
    let page = liaison
        .post_with_token(
            &format!("/nominations/{pk}/withdraw"),
            &[("withdraw_reason", " ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("Reason for withdrawing must not be blank")
    );
    let page = liaison
        .post_with_token(
            &format!("/nominations/{pk}/withdraw"),
            &[("withdraw_reason", "The officer is deployed.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        nomination(&app, &s.officer, pk).await["status"],
        "withdrawn"
    );
}
