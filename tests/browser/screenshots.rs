//! Walks the main pages of each role, checks each for machine-detectable
//! accessibility problems, and saves a screenshot of each for the README.
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, TestApp, eventually, spawn_app},
    driver::Browser,
};

async fn check(browser: &Browser, path: &str, heading: &str, screenshot: &str) {
    check_with(browser, path, heading, screenshot, &[]).await;
}

/// Like [`check`], with the page scrolled to the element `anchor` first.
async fn check_at(browser: &Browser, path: &str, heading: &str, anchor: &str, screenshot: &str) {
    browser.goto(path).await;
    browser.expect_heading(heading).await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{path}: {problems:?}");
    browser
        .client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView();",
            vec![json!(anchor)],
        )
        .await
        .expect("scroll to the anchor");
    browser.screenshot(screenshot).await;
}

/// Like [`check`], with form fields that default to today set to a fixed
/// date first, so that the screenshot is the same on every run.
async fn check_with(
    browser: &Browser,
    path: &str,
    heading: &str,
    screenshot: &str,
    fixed: &[(&str, &str)],
) {
    browser.goto(path).await;
    browser.expect_heading(heading).await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{path}: {problems:?}");
    // Set without typing, so that no field has the focus or scrolls the page.
    for (css, value) in fixed {
        browser
            .client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .expect("set a field");
    }
    browser.screenshot(screenshot).await;
}

/// The story the screenshots tell: Pakistan's suspension history, a small
/// catalog with classes, and students of two countries.
async fn seed(app: &TestApp, admin: &str) -> i64 {
    let created = |answer: crate::common::Answer| {
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body
    };
    created(
        app.post(
            admin,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["ALL"], "exempt_programs": ["IMET"],
                   "legal_basis": "presidential_decision", "effective_from": "2018-01-04",
                   "reason": "Security assistance suspended pending action against militant groups."}),
        )
        .await,
    );
    let imet = created(
        app.post(
            admin,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["IMET"], "legal_basis": "presidential_decision",
                   "effective_from": "2018-08-01", "reason": "IMET participation suspended."}),
        )
        .await,
    );
    let answer = app
        .post(
            admin,
            &format!("/api/v1/countries/PK/suspensions/{}/lift", imet["id"]),
            json!({"lifted_on": "2020-01-03", "reason": "IMET participation restored."}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let courses = [
        json!({"masl_id": "B171807", "title": "Command and General Staff Officer Course",
               "school": "Command and General Staff College", "location": "Fort Leavenworth, KS",
               "category": "pme", "ecl_min": 80, "opi_min": {"listening": "2", "speaking": "2"},
               "audience": ["officer"], "description": "Ten months of staff officer education."}),
        json!({"masl_id": "D309012", "title": "Civil-Military Relations",
               "school": "Defense Institute of International Legal Studies", "location": "Newport, RI",
               "category": "management", "ecl_min": 70, "e_imet": true,
               "audience": ["officer", "civilian"]}),
        json!({"masl_id": "P179003", "title": "Maritime Search and Rescue",
               "school": "Coast Guard Training Center", "location": "Yorktown, VA",
               "category": "technical", "ecl_min": 65, "audience": ["officer", "enlisted"]}),
    ];
    for course in courses {
        created(app.post(admin, "/api/v1/courses", course).await);
    }
    for (masl_id, start, end, seats) in [
        ("B171807", "2027-07-26", "2028-06-09", 12),
        ("D309012", "2027-03-01", "2027-03-19", 20),
        ("D309012", "2027-09-13", "2027-10-01", 20),
    ] {
        app.offering(admin, masl_id, start, end, seats).await;
    }
    let mut ids = Vec::new();
    for (country, given, family, rank, grade) in [
        ("PK", "Ali", "Raza", "Major", "O-4"),
        ("PK", "Sana", "Mirza", "Lieutenant Commander", "O-4"),
        ("JO", "Omar", "Khalil", "Captain", "O-3"),
    ] {
        let student = created(
            app.post(
                admin,
                "/api/v1/students",
                json!({"country_code": country, "given_names": given, "family_name": family,
                       "date_of_birth": "1988-05-20", "rank": rank, "grade": grade, "service": "army"}),
            )
            .await,
        );
        ids.push(student["id"].as_i64().expect("id"));
    }
    let raza = ids[0];
    created(
        app.post(
            admin,
            &format!("/api/v1/students/{raza}/tests"),
            json!({"kind": "ECL", "score": 84, "taken_on": "2026-01-15"}),
        )
        .await,
    );
    created(
        app.post(
            admin,
            &format!("/api/v1/students/{raza}/vetting"),
            json!({"status": "cleared", "case_reference": "INV-2026-0042", "decided_on": "2026-01-20"}),
        )
        .await,
    );
    raza
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

    let raza = seed(&app, &admin).await;
    // Every welcome email is sent (to `.eml` files) before the outbox is shown.
    eventually("the welcome emails to be sent", || async {
        let answer = app
            .call(reqwest::Method::GET, "/api/v1/outbox", Some(&admin), None)
            .await;
        let items = answer.body["items"].as_array().cloned().unwrap_or_default();
        Some(()).filter(|()| !items.is_empty() && items.iter().all(|m| m["status"] == "sent"))
    })
    .await;

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
    check_with(
        &browser,
        "/countries/PK/suspensions/new",
        "Impose a suspension",
        "suspension-form",
        &[("#effective_from", "2026-06-01")],
    )
    .await;
    check(&browser, "/courses", "Course catalog", "catalog").await;
    check(
        &browser,
        "/courses/D309012",
        "Civil-Military Relations",
        "course",
    )
    .await;
    check(&browser, "/courses/new", "Add a course", "course-form").await;
    check(
        &browser,
        "/courses/import",
        "Upload the catalog",
        "catalog-upload",
    )
    .await;
    let bad_csv = "masl_id,title,school,location,category,audience\n\
                   B171807,Command and General Staff Officer Course,CGSC,\"Fort Leavenworth, KS\",pme,officer\n\
                   X12,Naval Staff,NWC,\"Newport, RI\",seamanship,officer\n";
    browser
        .client
        .execute(
            "document.getElementById('csv').value = arguments[0];",
            vec![serde_json::Value::String(bad_csv.into())],
        )
        .await
        .expect("paste the CSV");
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Upload the catalog").await;
    assert!(browser.text(".error-summary").await.contains("line 3"));
    assert!(browser.accessibility_problems().await.is_empty());
    browser.screenshot("catalog-upload-errors").await;
    check(&browser, "/students", "Students", "students").await;
    check_with(
        &browser,
        &format!("/students/{raza}"),
        "Ali Raza",
        "student",
        &[("#taken_on", "2026-06-01"), ("#decided_on", "2026-06-01")],
    )
    .await;
    check(
        &browser,
        "/students/new",
        "Register a student",
        "student-form",
    )
    .await;
    browser.goto("/outbox").await;
    browser.expect_heading("Mail outbox").await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "/outbox: {problems:?}");
    // Queue times differ on every run: show one fixed time in the picture.
    browser
        .client
        .execute(
            "for (const td of document.querySelectorAll('td[data-label=Queued]')) td.textContent = '2026-06-01 09:00 UTC';",
            vec![],
        )
        .await
        .expect("fix the queue times");
    browser.screenshot("outbox").await;

    // On a phone, tables become one block per row.
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone-sized window");
    check(&browser, "/users", "Users", "users-phone").await;
    check(&browser, "/courses", "Course catalog", "catalog-phone").await;
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
    let nominated = nominations(&app, &admin).await;
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
    browser
        .goto("/nominations/new?q=B171807&from=2031-01-01")
        .await;
    browser.expect_heading("Nominate a student").await;
    browser.select("#student_id", &raza.to_string()).await;
    browser.click("#offering_id").await;
    browser.select("#priority", "A").await;
    browser.click("button[value=check]").await;
    browser.expect_heading("Nominate a student").await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "nominate: {problems:?}");
    browser
        .client
        .execute(
            "document.getElementById('preview').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the checks");
    browser.screenshot("nominate-checks").await;
    let path = format!("/nominations/{nominated}");
    browser.goto(&path).await;
    browser.expect_heading("Major Ali Raza — B171807").await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{path}: {problems:?}");
    // Times of the history differ on every run: show fixed ones in the picture.
    browser
        .client
        .execute(
            "for (const td of document.querySelectorAll('td[data-label=When], td[data-label=Granted]')) td.textContent = '2026-06-01 09:00 UTC';",
            vec![],
        )
        .await
        .expect("fix the history times");
    fix_today(&browser).await;
    browser
        .client
        .execute(
            "document.getElementById('checks-heading').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the checks");
    browser.screenshot("nomination").await;

    browser.click(".account button[type=submit]").await;
    browser.expect_heading("Sign in").await;
    browser
        .sign_in("officer@test.example", PASSWORD, "Welcome, Marcus Bell")
        .await;
    check(&browser, "/nominations", "Review queue", "review-queue").await;
    check_at(
        &browser,
        "/funding?fiscal_year=2031",
        "Funding FY2031",
        "allocations-heading",
        "funding",
    )
    .await;

    // Pakistan's FY2031 plan, submitted for the officer's review, and its
    // report against the nominations of the year.
    let plan = submitted_plan(&app).await;
    check_at(
        &browser,
        &format!("/plans/{plan}"),
        "Pakistan training plan FY2031",
        "ceilings-heading",
        "plan-review",
    )
    .await;
    let officer = app.login("officer@test.example", PASSWORD).await;
    let approved = app
        .post(
            &officer,
            &format!("/api/v1/plans/{plan}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    check_at(
        &browser,
        &format!("/plans/{plan}/report"),
        "Plan report PK FY2031",
        "report-lines-heading",
        "plan-report",
    )
    .await;
    browser.close().await;
}

/// Pakistan's FY2031 plan, drafted and submitted by its liaison: staff
/// college and civil-military relations in priority A, a backup list in B.
async fn submitted_plan(app: &TestApp) -> i64 {
    let liaison = app.login("liaison.pk@test.example", PASSWORD).await;
    let plan = app
        .post(
            &liaison,
            "/api/v1/plans",
            json!({"country_code": "PK", "fiscal_year": 2031}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.body);
    let plan = plan.body["id"].as_i64().expect("plan id");
    for (masl_id, quantity, priority, dollars) in [
        ("B171807", 4, "A", 98_000),
        ("D309012", 3, "A", 45_000),
        ("P179003", 2, "B", 38_000),
    ] {
        let line = app
            .post(
                &liaison,
                &format!("/api/v1/plans/{plan}/lines"),
                json!({"masl_id": masl_id, "quantity": quantity, "priority": priority,
                       "program": "IMET", "unit_cost_cents": dollars * 100}),
            )
            .await;
        assert_eq!(line.status, StatusCode::CREATED, "{}", line.body);
    }
    let submitted = app
        .post(&liaison, &format!("/api/v1/plans/{plan}/submit"), json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    plan
}

/// Checks name the day they ran: show one fixed day in the picture.
async fn fix_today(browser: &Browser) {
    let today = chrono::Utc::now().date_naive().to_string();
    browser
        .client
        .execute(
            "for (const td of document.querySelectorAll('td[data-label=Detail]')) td.textContent = td.textContent.replaceAll(arguments[0], '2026-06-01');",
            vec![json!(today)],
        )
        .await
        .expect("fix the day of the checks");
}

/// Nominations to a class of FY2031 for the nomination and funding pictures:
/// Ali Raza's (English waived, vetting too old for the class) and Sana
/// Mirza's (not tested, not vetted), with the allocations of both countries.
/// Returns the id of Ali Raza's.
async fn nominations(app: &TestApp, admin: &str) -> i64 {
    let offering = app
        .offering(admin, "B171807", "2031-01-06", "2031-05-30", 12)
        .await;
    let officer = app.login("officer@test.example", PASSWORD).await;
    for (country, cents) in [("PK", 1_500_000_000), ("JO", 800_000_000)] {
        let answer = app
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/allocations/{country}/IMET/2031"),
                Some(&officer),
                Some(json!({"allocated_cents": cents})),
            )
            .await;
        assert!(answer.status.is_success(), "{}", answer.body);
    }
    let answer = app
        .post(
            &officer,
            "/api/v1/allocations/transfers",
            json!({"from_country": "PK", "to_country": "JO", "program": "IMET", "fiscal_year": 2031,
                   "amount_cents": 25_000_000, "reason": "Jordan's staff college seats."}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let liaison = app.login("liaison.pk@test.example", PASSWORD).await;
    let students = app
        .call(
            reqwest::Method::GET,
            "/api/v1/students",
            Some(&liaison),
            None,
        )
        .await;
    let mut ids = Vec::new();
    for (student, priority) in students.body["items"]
        .as_array()
        .expect("students")
        .iter()
        .zip(["B", "A"])
    {
        let answer = app
            .post(
                &liaison,
                "/api/v1/nominations",
                json!({"student_id": student["id"], "offering_id": offering["id"],
                       "priority": priority, "submit": true}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        ids.push((
            student["family_name"].clone(),
            answer.body["id"].as_i64().expect("id"),
        ));
    }
    let raza = ids
        .iter()
        .find(|(name, _)| name == "Raza")
        .map(|(_, id)| *id)
        .expect("Raza's nomination");
    let answer = app
        .post(
            &officer,
            &format!("/api/v1/nominations/{raza}/waivers"),
            json!({"check": "english", "justification": "Retested in country; the new score is on its way."}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    raza
}
