//! Training plans in the browser: a liaison drafts and submits one, an
//! officer returns and then approves it, and a nomination fills a line of
//! the approved plan, which its report shows.
use std::time::{Duration, Instant};

use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, TestApp, spawn_app},
    driver::Browser,
    nominations::{LIAISON_PK, OFFICER, Stage, ready_student, stage, submitted},
    web_client::WebClient,
};

/// The liaison's plan of the stage's fiscal year through the API, with one
/// line of `quantity` students in the stage's class at priority A, moved
/// through `steps` (`submit` by the liaison, `approve` by the officer);
/// returns the plan's id and the line's.
async fn plan(app: &TestApp, s: &Stage, quantity: i32, steps: &[&str]) -> (i64, i64) {
    let liaison = app.login(LIAISON_PK, PASSWORD).await;
    let created = app
        .post(
            &liaison,
            "/api/v1/plans",
            json!({"country_code": "PK", "fiscal_year": s.fiscal_year}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    let line = app
        .post(
            &liaison,
            &format!("/api/v1/plans/{id}/lines"),
            json!({"masl_id": "B100001", "offering_id": s.offering, "quantity": quantity,
                   "priority": "A", "program": "IMET"}),
        )
        .await;
    assert_eq!(line.status, StatusCode::CREATED, "{}", line.body);
    for step in steps {
        let token = if *step == "submit" {
            &liaison
        } else {
            &s.officer
        };
        let moved = app
            .post(token, &format!("/api/v1/plans/{id}/{step}"), json!({}))
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{step}: {}", moved.body);
    }
    (id, line.body["id"].as_i64().expect("line id"))
}

async fn plan_json(app: &TestApp, id: i64) -> Value {
    let liaison = app.login(LIAISON_PK, PASSWORD).await;
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/plans/{id}"),
            Some(&liaison),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

async fn assert_accessible(browser: &Browser) {
    let problems = browser.accessibility_problems().await;
    assert!(
        problems.is_empty(),
        "{}: {problems:?}",
        browser.path().await
    );
}

/// Presses the button `css` of a form and waits for the page it answers
/// (which may show the same heading).
async fn send(browser: &Browser, css: &str) {
    let before = browser.find("html").await;
    browser.click(css).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    // The page before is gone once its root element is stale.
    while before.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "no page answered `{css}`");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The plan's status as its tag reads (the tag is in capitals).
async fn status(browser: &Browser) -> String {
    browser.text("#plan-status").await.to_lowercase()
}

async fn absent(browser: &Browser, css: &str) -> bool {
    browser.client.find(Locator::Css(css)).await.is_err()
}

/// Signs out and in again as `email`.
async fn switch_to(browser: &Browser, email: &str) {
    send(browser, "form[action='/logout'] button").await;
    browser.expect_heading("Sign in").await;
    browser
        .sign_in(email, PASSWORD, &format!("Welcome, {email}"))
        .await;
}

#[tokio::test]
async fn a_liaison_drafts_a_plan_and_submits_it_once_it_fits() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let fy = s.fiscal_year;
    let course = app
        .post(
            &s.admin,
            "/api/v1/courses",
            json!({"masl_id": "B200002", "title": "Signal Captains Career Course",
                   "school": "Cyber Center of Excellence", "location": "Fort Eisenhower, GA",
                   "category": "technical", "audience": ["officer"]}),
        )
        .await;
    assert_eq!(course.status, StatusCode::CREATED, "{}", course.body);

    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_PK, PASSWORD, &format!("Welcome, {LIAISON_PK}"))
        .await;
    browser.click("nav a[href='/plans']").await;
    browser.expect_heading("Training plans").await;
    assert!(browser.text("main").await.contains("No plan matches."));
    assert_accessible(&browser).await;
    browser.select("#start_year", &fy.to_string()).await;
    send(&browser, "form[action='/plans'] button").await;
    let heading = format!("Pakistan training plan FY{fy}");
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("The PK FY{fy} plan is started as a draft.")
    );
    assert_eq!(status(&browser).await, "draft");
    let id: i64 = browser
        .path()
        .await
        .trim_start_matches("/plans/")
        .parse()
        .expect("the plan's id in its address");

    // A line for the class, priced at its estimate; one at an entered cost.
    browser.fill("#masl_id", "B100001").await;
    browser
        .select("#offering_id", &s.offering.to_string())
        .await;
    browser.fill("#quantity", "3").await;
    send(&browser, "form[action$='/lines'] button").await;
    browser.expect_heading(&heading).await;
    assert!(
        browser
            .text(".alert-success")
            .await
            .contains("is added: 3 × B100001 Command and General Staff.")
    );
    browser.fill("#masl_id", "B200002").await;
    browser.fill("#quantity", "2").await;
    browser.select("#program", "FMF").await;
    browser.fill("#unit_cost", "50,000").await;
    send(&browser, "form[action$='/lines'] button").await;
    browser.expect_heading(&heading).await;
    let lines = browser.text("#plan-lines").await;
    for part in [
        "B100001 Command and General Staff",
        "$28,580.00 (class estimate) $85,740.00",
        "B200002 Signal Captains Career Course any class A FMF 2 $50,000.00 (entered) $100,000.00",
    ] {
        assert!(lines.contains(part), "{part} not in {lines}");
    }
    let totals = browser.text("#plan-totals").await;
    assert!(
        totals.contains("IMET A 3 $85,740.00") && totals.contains("FMF A 2 $100,000.00"),
        "{totals}"
    );
    let ceilings = browser.text("#plan-ceilings").await;
    assert!(
        ceilings.contains("IMET $1,000,000.00 $85,740.00 $0.00 FITS")
            && ceilings.contains("FMF none set $100,000.00 $100,000.00 OVER"),
        "{ceilings}"
    );
    assert!(
        browser
            .text("#ceiling-warning")
            .await
            .contains("FMF priority A lines total $100,000.00, $100,000.00 over")
    );
    assert_eq!(
        browser.text("#pme-share").await,
        "Professional military education is 46.16% of the priority A total. BELOW 50%"
    );
    assert_accessible(&browser).await;

    // A line of 501 students is refused, naming the field; the form keeps it.
    browser.fill("#masl_id", "B100001").await;
    browser.fill("#quantity", "501").await;
    browser.fill("#unit_cost", "1000").await;
    send(&browser, "form[action$='/lines'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".error-summary a[href='#quantity']").await,
        "Quantity must be between 1 and 500"
    );
    assert_eq!(browser.value("#quantity").await, "501");
    let title = browser.client.title().await.expect("title");
    assert!(title.starts_with("Error: "), "{title}");
    assert_accessible(&browser).await;

    // Over the FMF ceiling, the submission is refused with the excess.
    send(&browser, "form[action$='/submit'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".error-summary li").await,
        format!(
            "FMF priority A totals $100,000.00, $100,000.00 over its FY{fy} allocation of $0.00."
        )
    );
    assert_eq!(status(&browser).await, "draft");

    // The FMF line moves to the backup list: an edit, refused at 0 first.
    let line = plan_json(&app, id).await["lines"][1]["id"]
        .as_i64()
        .expect("the second line");
    browser
        .click(&format!("a[href='/plans/{id}/lines/{line}']"))
        .await;
    let edit_heading = format!("Line {line} of the PK FY{fy} plan");
    browser.expect_heading(&edit_heading).await;
    assert_eq!(browser.value("#masl_id").await, "B200002");
    assert_eq!(browser.value("#unit_cost").await, "50000.00");
    assert_accessible(&browser).await;
    browser.fill("#quantity", "0").await;
    send(&browser, "main form button").await;
    browser.expect_heading(&edit_heading).await;
    assert_eq!(
        browser.text(".error-summary a[href='#quantity']").await,
        "Quantity must be between 1 and 500"
    );
    browser.fill("#quantity", "4").await;
    browser.select("#priority", "B").await;
    send(&browser, "main form button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("Line {line} is changed: 4 × B200002 Signal Captains Career Course.")
    );
    assert!(
        browser
            .text("#plan-totals")
            .await
            .contains("FMF B 4 $200,000.00")
    );
    assert!(absent(&browser, "#ceiling-warning").await);
    assert_eq!(
        browser.text("#pme-share").await,
        "Professional military education is 100.00% of the priority A total."
    );

    // Removed after all.
    send(
        &browser,
        &format!("form[action='/plans/{id}/lines/{line}/remove'] button"),
    )
    .await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".alert-success").await,
        format!("Line {line} is removed.")
    );
    assert!(!browser.text("#plan-lines").await.contains("B200002"));

    send(&browser, "form[action$='/submit'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The plan is submitted for approval."
    );
    assert_eq!(status(&browser).await, "submitted");
    // A submitted plan's lines no longer change, and a liaison doesn't decide.
    for form in ["lines", "submit", "approve", "return", "reopen"] {
        assert!(
            absent(&browser, &format!("form[action$='/{form}']")).await,
            "{form}"
        );
    }
    assert_eq!(plan_json(&app, id).await["status"], "submitted");
    browser.close().await;
}

#[tokio::test]
async fn an_officer_returns_a_plan_and_approves_it_resubmitted() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let fy = s.fiscal_year;
    let (id, _) = plan(&app, &s, 2, &["submit"]).await;
    let heading = format!("Pakistan training plan FY{fy}");

    let browser = Browser::open(&app).await;
    browser
        .sign_in(OFFICER, PASSWORD, &format!("Welcome, {OFFICER}"))
        .await;
    browser.click("nav a[href='/plans']").await;
    browser.expect_heading("Training plans").await;
    browser.select("#country", "PK").await;
    browser.select("#fiscal_year", &fy.to_string()).await;
    send(&browser, "form.filters button").await;
    browser.expect_heading("Training plans").await;
    assert!(
        browser
            .text("#plans")
            .await
            .to_lowercase()
            .contains("submitted")
    );
    assert_accessible(&browser).await;
    browser
        .click(&format!("#plans a[href='/plans/{id}']"))
        .await;
    browser.expect_heading(&heading).await;
    assert!(absent(&browser, "form[action$='/lines']").await);

    // A return needs its reason.
    send(&browser, "form[action$='/return'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser
            .text(".error-summary a[href='#return_reason']")
            .await,
        "Reason for returning must not be blank"
    );
    assert_accessible(&browser).await;
    let reason = "Add the staff college as priority A.";
    browser.fill("#return_reason", reason).await;
    send(&browser, "form[action$='/return'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(status(&browser).await, "returned");

    // The liaison reads the reason, reopens the plan and submits it again.
    switch_to(&browser, LIAISON_PK).await;
    browser.goto(&format!("/plans/{id}")).await;
    browser.expect_heading(&heading).await;
    assert_eq!(status(&browser).await, "returned");
    assert!(browser.text("#return-reason").await.contains(reason));
    send(&browser, "form[action$='/reopen'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The plan is a draft again."
    );
    assert_eq!(status(&browser).await, "draft");
    send(&browser, "form[action$='/submit'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(status(&browser).await, "submitted");
    assert!(absent(&browser, "#return-reason").await);

    switch_to(&browser, OFFICER).await;
    browser.goto(&format!("/plans/{id}")).await;
    browser.expect_heading(&heading).await;
    send(&browser, "form[action$='/approve'] button").await;
    browser.expect_heading(&heading).await;
    assert_eq!(status(&browser).await, "approved");
    assert!(!absent(&browser, "form[action$='/reopen']").await);
    assert!(absent(&browser, "form[action$='/return']").await);

    // The allocation is cut after approval: the page warns on its next reading.
    let cut = app
        .call(
            Method::PUT,
            &format!("/api/v1/allocations/PK/IMET/{fy}"),
            Some(&s.officer),
            Some(json!({"allocated_cents": 1_000_000})),
        )
        .await;
    assert!(cut.status.is_success(), "{}", cut.body);
    browser.goto(&format!("/plans/{id}")).await;
    browser.expect_heading(&heading).await;
    let warning = browser.text("#ceiling-warning").await;
    assert!(
        warning.contains(&format!(
            "IMET priority A lines total $57,160.00, $47,160.00 over the FY{fy} allocation ($10,000.00)."
        )),
        "{warning}"
    );
    assert_accessible(&browser).await;
    browser.close().await;
}

#[tokio::test]
async fn a_nomination_fills_a_plan_line_and_the_report_shows_it() {
    let app = spawn_app().await;
    let s = stage(&app).await;
    let fy = s.fiscal_year;
    let (id, line) = plan(&app, &s, 1, &["submit", "approve"]).await;
    let raza = ready_student(&app, &s, "PK", "Raza", true).await;
    let malik = ready_student(&app, &s, "PK", "Malik", true).await;

    let browser = Browser::open(&app).await;
    browser
        .sign_in(LIAISON_PK, PASSWORD, &format!("Welcome, {LIAISON_PK}"))
        .await;
    browser.goto(&format!("/plans/{id}")).await;
    browser
        .expect_heading(&format!("Pakistan training plan FY{fy}"))
        .await;
    browser
        .click(&format!("a[href^='/nominations/new?plan_line_id={line}&']"))
        .await;
    browser.expect_heading("Nominate a student").await;
    assert_eq!(browser.value("#plan_line_id").await, line.to_string());
    assert_eq!(
        browser.text("#plan_line_id option:checked").await,
        format!(
            "PK FY{fy} · line {line} · B100001 Command and General Staff · priority A · IMET · 0 of 1 taken"
        )
    );
    assert_accessible(&browser).await;
    browser.select("#student_id", &raza.to_string()).await;
    browser.click("#offering_id").await;
    send(&browser, "button[value=check]").await;
    browser.expect_heading("Nominate a student").await;
    send(&browser, "button[value=submit]").await;
    browser.expect_heading("Captain Sami Raza — B100001").await;
    assert_eq!(
        browser.text("#plan-line").await,
        format!("Plan line {line} of the PK FY{fy} plan")
    );
    assert!(browser.text("dl").await.contains("Priority A"));

    // The line is full: the next nomination on it is refused on the form.
    browser
        .goto(&format!(
            "/nominations/new?plan_line_id={line}&q=B100001&program=IMET"
        ))
        .await;
    browser.expect_heading("Nominate a student").await;
    browser.select("#student_id", &malik.to_string()).await;
    browser.click("#offering_id").await;
    send(&browser, "button[value=check]").await;
    browser.expect_heading("Nominate a student").await;
    send(&browser, "button[value=submit]").await;
    browser.expect_heading("Nominate a student").await;
    assert_eq!(
        browser.text(".error-summary li").await,
        format!("All 1 places of plan line {line} are taken.")
    );
    // Nominated without a line, the student is unplanned.
    let unplanned = submitted(&app, LIAISON_PK, malik, s.offering).await;

    browser.goto(&format!("/plans/{id}")).await;
    browser
        .click(&format!("a[href='/plans/{id}/report']"))
        .await;
    browser
        .expect_heading(&format!("Plan report PK FY{fy}"))
        .await;
    let row = browser.text("#report-lines tbody tr").await;
    assert!(row.contains("A · IMET 1 1 0 0 $28,580.00 $0.00"), "{row}");
    let chart = browser.find("#plan-chart svg[role=img]").await;
    assert_eq!(
        chart
            .attr("aria-labelledby")
            .await
            .expect("attribute")
            .as_deref(),
        Some("plan-chart-title plan-chart-desc")
    );
    let bars = browser
        .client
        .find_all(Locator::Css("#plan-chart rect"))
        .await
        .expect("bars");
    assert_eq!(bars.len(), 2, "planned and nominated");
    assert!(
        browser
            .text("#unplanned")
            .await
            .contains("Captain Sami Malik B100001 Command and General Staff")
    );
    assert!(
        !absent(
            &browser,
            &format!("#unplanned a[href='/nominations/{unplanned}']")
        )
        .await
    );
    let csv_link = browser
        .find("a[download]")
        .await
        .attr("href")
        .await
        .expect("attribute");
    assert_eq!(
        csv_link.as_deref(),
        Some(format!("/plans/{id}/report.csv").as_str())
    );
    assert_accessible(&browser).await;
    browser.close().await;

    let mut client = WebClient::new(&app);
    client.sign_in(LIAISON_PK, PASSWORD).await;
    let csv = client.get(&format!("/plans/{id}/report.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    assert!(
        csv.body
            .starts_with("line_id,nomination_id,masl_id,course_title"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(&format!("\n{line},,B100001,")),
        "{}",
        csv.body
    );
}
