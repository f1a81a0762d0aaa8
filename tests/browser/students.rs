use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    common::{PASSWORD, TestApp, spawn_app},
    driver::Browser,
    web_client::WebClient,
};

/// Registers a student through the API (as admin); returns its id.
pub async fn student(app: &TestApp, admin: &str, country: &str, family_name: &str) -> i64 {
    let answer = app
        .post(
            admin,
            "/api/v1/students",
            json!({"country_code": country, "given_names": "Sami", "family_name": family_name,
                   "date_of_birth": "1988-03-14", "rank": "Captain", "grade": "O-3",
                   "service": "navy"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_liaison_registers_a_student_and_records_a_test() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.user(
        &admin,
        "liaison.pk@test.example",
        "country_liaison",
        Some("PK"),
    )
    .await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "liaison.pk@test.example",
            PASSWORD,
            "Welcome, liaison.pk@test.example",
        )
        .await;
    browser.click("nav a[href='/students']").await;
    browser.expect_heading("Students").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("No student is registered yet.")
    );
    browser.click("a[href='/students/new']").await;
    browser.expect_heading("Register a student").await;
    // A liaison's students are of their country: there is nothing to choose.
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#country_code"))
            .await
            .is_err()
    );

    browser.fill("#given_names", "Ali").await;
    browser.fill("#family_name", "Raza").await;
    browser.fill("#date_of_birth", "1990-02-30").await;
    browser.fill("#rank", "Major").await;
    browser.select("#grade", "O-4").await;
    browser.fill("#service", "army").await;
    browser.fill("#email", "ali@example.org").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Register a student").await;
    assert_eq!(
        browser.text(".error-summary li").await,
        "Date of birth must be a real date, year-month-day, like 2026-05-01"
    );
    assert_eq!(
        browser.text("#date_of_birth-error").await,
        "Error: Date of birth must be a real date, year-month-day, like 2026-05-01"
    );
    let title = browser.client.title().await.expect("title");
    assert!(title.starts_with("Error: "), "{title}");
    // What was typed is kept.
    assert_eq!(browser.value("#given_names").await, "Ali");
    assert_eq!(browser.value("#family_name").await, "Raza");
    assert_eq!(browser.value("#date_of_birth").await, "1990-02-30");
    assert_eq!(browser.value("#grade").await, "O-4");
    assert_eq!(browser.value("#email").await, "ali@example.org");

    // The error summary's link leads to the field.
    browser
        .click(".error-summary a[href='#date_of_birth']")
        .await;
    browser.fill("#date_of_birth", "1990-04-02").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Ali Raza").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "Ali Raza is registered."
    );
    let details = browser.text("dl").await;
    assert!(
        details.contains("PK") && details.contains("Major (O-4)") && details.contains("NOT VETTED"),
        "{details}"
    );
    // The liaison keeps the student's records: the edit link and the test form.
    let path = browser.path().await;
    browser.find(&format!("a[href='{path}/edit']")).await;
    browser.find("form[action$='/tests']").await;
    // Vetting is for program officers.
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("form[action$='/vetting']"))
            .await
            .is_err()
    );

    // An ECL score out of range, then a good one.
    browser.select("#kind", "ECL").await;
    browser.fill("#score", "120").await;
    browser.fill("#taken_on", "2026-01-15").await;
    browser
        .click("form[action$='/tests'] button[type=submit]")
        .await;
    browser.expect_heading("Ali Raza").await;
    assert_eq!(
        browser.text("#score-error").await,
        "Error: ECL score must be between 0 and 100"
    );
    assert_eq!(browser.value("#score").await, "120");
    browser.fill("#score", "85").await;
    browser
        .click("form[action$='/tests'] button[type=submit]")
        .await;
    browser.expect_heading("Ali Raza").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The ECL result is recorded."
    );
    let tests = browser.text("table").await;
    assert!(
        tests.contains("ECL LATEST") && tests.contains("85") && tests.contains("2026-01-15"),
        "{tests}"
    );

    // The same student through the API, in the liaison's country.
    let answer = app
        .call(Method::GET, "/api/v1/students", Some(&admin), None)
        .await;
    let items = answer.body["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["country_code"], "PK");
    assert_eq!(items[0]["date_of_birth"], "1990-04-02");

    // The list finds them by name, and not by another.
    browser.goto("/students?q=raz").await;
    assert!(browser.text("table").await.contains("Raza, Ali"));
    browser.goto("/students?q=nobody").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("No student matches this search.")
    );
    browser.close().await;
}

#[tokio::test]
async fn a_liaison_opening_another_countrys_student_gets_the_not_found_page() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(
        &admin,
        "liaison.pk@test.example",
        "country_liaison",
        Some("PK"),
    )
    .await;
    let own = student(&app, &admin, "PK", "Qureshi").await;
    let other = student(&app, &admin, "JO", "Haddad").await;

    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "liaison.pk@test.example",
            PASSWORD,
            "Welcome, liaison.pk@test.example",
        )
        .await;
    browser.goto("/students").await;
    let list = browser.text("table").await;
    assert!(
        list.contains("Qureshi") && !list.contains("Haddad"),
        "{list}"
    );
    for path in [
        format!("/students/{other}"),
        format!("/students/{other}/edit"),
        "/students/999999".to_owned(),
    ] {
        browser.goto(&path).await;
        browser.expect_heading("Page not found").await;
        assert!(!browser.text("main").await.contains("Haddad"), "{path}");
    }
    browser.goto(&format!("/students/{own}")).await;
    browser.expect_heading("Sami Qureshi").await;
    browser.close().await;

    // Posting to another country's student changes nothing.
    let mut liaison = WebClient::new(&app);
    liaison.sign_in("liaison.pk@test.example", PASSWORD).await;
    liaison.get(&format!("/students/{own}")).await;
    let page = liaison
        .post_with_token(
            &format!("/students/{other}/tests"),
            &[("kind", "ECL"), ("score", "90"), ("taken_on", "2026-01-15")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = liaison
        .post_with_token(
            &format!("/students/{other}"),
            &[
                ("given_names", "Changed"),
                ("family_name", "Haddad"),
                ("date_of_birth", "1988-03-14"),
                ("rank", "Captain"),
                ("grade", "O-3"),
                ("service", "navy"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // A liaison may not record vetting, even for their own students.
    let page = liaison
        .post_with_token(
            &format!("/students/{own}/vetting"),
            &[
                ("status", "cleared"),
                ("case_reference", "INV-1"),
                ("decided_on", "2026-01-15"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/students/{other}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(answer.body["given_names"], "Sami");
    assert_eq!(answer.body["tests"].as_array().map(Vec::len), Some(0));
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/students/{own}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(answer.body["vetting"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn an_officer_records_vetting_and_keeps_no_other_record() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    let id = student(&app, &admin, "JO", "Haddad").await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "officer@test.example",
            PASSWORD,
            "Welcome, officer@test.example",
        )
        .await;
    browser.goto("/students?vetting=none").await;
    browser.expect_heading("Students").await;
    assert!(absent(&browser, "a[href='/students/new']").await);
    browser.click(&format!("a[href='/students/{id}']")).await;
    browser.expect_heading("Sami Haddad").await;
    // Students, tests and training are the liaison's (SPEC §8): no form for them.
    assert!(absent(&browser, "a[href$='/edit']").await);
    assert!(absent(&browser, "form[action$='/tests']").await);

    browser.fill("#case_reference", "INV-2026-0042").await;
    browser.fill("#decided_on", "2026-01-10").await;
    browser
        .click("form[action$='/vetting'] button[type=submit]")
        .await;
    browser.expect_heading("Sami Haddad").await;
    assert_eq!(
        browser.text("#status-error").await,
        "Error: Decision must be chosen"
    );
    assert_eq!(browser.value("#case_reference").await, "INV-2026-0042");
    browser.select("#status", "cleared").await;
    browser
        .click("form[action$='/vetting'] button[type=submit]")
        .await;
    browser.expect_heading("Sami Haddad").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The vetting decision is recorded."
    );
    assert!(browser.text("dl").await.contains("CLEARED"));
    browser.goto("/students?vetting=cleared").await;
    assert!(browser.text("table").await.contains("Haddad, Sami"));
    browser.goto("/students?vetting=none").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("No student matches this search.")
    );
    for path in [format!("/students/{id}/edit"), "/students/new".to_owned()] {
        browser.goto(&path).await;
        browser
            .expect_heading("You do not have permission to see this page")
            .await;
    }
    browser.close().await;

    // Forms posted anyway are refused, and change nothing.
    let mut officer = WebClient::new(&app);
    officer.sign_in("officer@test.example", PASSWORD).await;
    officer.get(&format!("/students/{id}")).await;
    let posts: [(String, &[(&str, &str)]); 3] = [
        (
            format!("/students/{id}/tests"),
            &[
                ("kind", "ECL"),
                ("score", "100"),
                ("taken_on", "2026-01-15"),
            ],
        ),
        (
            format!("/students/{id}"),
            &[
                ("country_code", "JO"),
                ("given_names", "Changed"),
                ("family_name", "Haddad"),
                ("date_of_birth", "1988-03-14"),
                ("rank", "Captain"),
                ("grade", "O-3"),
                ("service", "navy"),
            ],
        ),
        (
            "/students".to_owned(),
            &[
                ("country_code", "JO"),
                ("given_names", "New"),
                ("family_name", "Student"),
                ("date_of_birth", "1988-03-14"),
                ("rank", "Captain"),
                ("grade", "O-3"),
                ("service", "navy"),
            ],
        ),
    ];
    for (path, fields) in posts {
        let page = officer.post_with_token(&path, fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let answer = app
        .call(Method::GET, "/api/v1/students", Some(&admin), None)
        .await;
    let items = answer.body["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["given_names"], "Sami");
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/students/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(answer.body["tests"], json!([]));
}

#[tokio::test]
async fn the_edit_form_refuses_to_move_a_student_with_an_active_nomination() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    let id = student(&app, &admin, "JO", "Haddad").await;
    app.course(&admin, "B100001", &[]).await;
    let offering = app
        .offering(&admin, "B100001", "2099-01-05", "2099-01-30", 5)
        .await;
    let draft = app
        .post(
            &admin,
            "/api/v1/nominations",
            json!({"student_id": id, "offering_id": offering["id"]}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);

    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            crate::common::ADMIN_EMAIL,
            PASSWORD,
            "Welcome, Administrator",
        )
        .await;
    browser.goto(&format!("/students/{id}/edit")).await;
    browser.expect_heading("Edit Sami Haddad").await;
    browser.select("#country_code", "PK").await;
    browser.fill("#rank", "Major").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Edit Sami Haddad").await;
    let problem = browser.text(".error-summary li").await;
    assert!(problem.contains("active nomination"), "{problem}");
    // What was chosen is kept, and nothing is stored.
    assert_eq!(browser.value("#country_code").await, "PK");
    browser.goto(&format!("/students/{id}")).await;
    let details = browser.text("dl").await;
    assert!(
        details.contains("JO") && details.contains("Captain (O-3)"),
        "{details}"
    );
    browser.close().await;
}

/// Whether the page has no element matching `css`.
async fn absent(browser: &Browser, css: &str) -> bool {
    browser
        .client
        .find(fantoccini::Locator::Css(css))
        .await
        .is_err()
}
