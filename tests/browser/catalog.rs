use reqwest::{Method, StatusCode};

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app},
    driver::Browser,
    web_client::WebClient,
};

const HEADER: &str = "masl_id,title,school,location,category,ecl_min,opi_min,e_imet,audience,prerequisites,active,description";

/// A CSV file on disk, for the browser's file input.
fn csv_file(dir: &tempfile::TempDir, name: &str, rows: &[&str]) -> String {
    let path = dir.path().join(name);
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write the CSV");
    path.display().to_string()
}

#[tokio::test]
async fn an_admin_uploads_a_csv_with_a_bad_row_then_a_good_one() {
    let app = spawn_app().await;
    let files = tempfile::tempdir().expect("temp dir");
    let staff_college = "B171807,Command and General Staff,CGSC,\"Fort Leavenworth, KS\",pme,80,2/2,false,officer,,true,";
    let bad = csv_file(
        &files,
        "bad.csv",
        &[
            staff_college,
            "P000123,Naval Staff,NWC,\"Newport, RI\",seamanship,,,false,officer;civilian,,true,",
        ],
    );
    let good = csv_file(
        &files,
        "good.csv",
        &[
            staff_college,
            "P000123,Naval Staff,NWC,\"Newport, RI\",pme,,,true,officer;civilian,B171807,true,",
        ],
    );
    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.click("nav a[href='/courses']").await;
    browser.expect_heading("Course catalog").await;
    browser.click("a[href='/courses/import']").await;
    browser.expect_heading("Upload the catalog").await;

    // No file and nothing pasted.
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Upload the catalog").await;
    assert_eq!(
        browser.text(".error-summary li").await,
        "Choose a CSV file, or paste the CSV."
    );

    browser
        .find("#file")
        .await
        .send_keys(&bad)
        .await
        .expect("choose the file");
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Upload the catalog").await;
    let problems = browser.text(".error-summary").await;
    assert!(
        problems.contains("line 3, category: `seamanship` is not a category"),
        "{problems}"
    );
    // All or nothing: the good first row was not stored either.
    let admin = app.admin().await;
    let answer = app
        .call(Method::GET, "/api/v1/courses", Some(&admin), None)
        .await;
    assert_eq!(answer.body["items"].as_array().map(Vec::len), Some(0));

    browser
        .find("#file")
        .await
        .send_keys(&good)
        .await
        .expect("choose the file");
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Course catalog").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The catalog is imported: 2 created, 0 updated, 0 unchanged."
    );
    let table = browser.text("table").await;
    assert!(
        table.contains("B171807") && table.contains("Naval Staff"),
        "{table}"
    );

    // The same file pasted: nothing changes.
    browser.goto("/courses/import").await;
    let text = std::fs::read_to_string(&good).expect("read the CSV");
    browser
        .client
        .execute(
            "document.getElementById('csv').value = arguments[0];",
            vec![serde_json::Value::String(text)],
        )
        .await
        .expect("paste the CSV");
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Course catalog").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "The catalog is imported: 0 created, 0 updated, 2 unchanged."
    );

    // The course page shows what the file said.
    browser.click("a[href='/courses/P000123']").await;
    browser.expect_heading("Naval Staff").await;
    let details = browser.text("dl").await;
    assert!(
        details.contains("Officers, Civilians") && details.contains("B171807"),
        "{details}"
    );
    browser.close().await;

    // Everyone downloads the catalog in the import format.
    let mut web = WebClient::new(&app);
    web.sign_in(ADMIN_EMAIL, PASSWORD).await;
    let csv = web.get("/courses/export").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(csv.body.starts_with(HEADER), "{}", csv.body);
    assert!(csv.body.contains("P000123,Naval Staff"), "{}", csv.body);
}

#[tokio::test]
async fn an_admin_adds_a_course_and_schedules_and_closes_a_class() {
    let app = spawn_app().await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.goto("/courses/new").await;
    browser.expect_heading("Add a course").await;
    browser.fill("#masl_id", "X12").await;
    browser.fill("#title", "Civil-Military Relations").await;
    browser.fill("#school", "DIILS").await;
    browser.fill("#location", "Newport, RI").await;
    browser.fill("#opi_listening", "2+").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Add a course").await;
    let summary = browser.text(".error-summary").await;
    for expected in [
        "MASL id",
        "Category must be chosen",
        "Audience must name at least one",
        "Minimum OPI speaking level is needed with the other OPI level",
    ] {
        assert!(summary.contains(expected), "{expected}: {summary}");
    }
    assert_eq!(browser.value("#title").await, "Civil-Military Relations");
    assert_eq!(browser.value("#opi_listening").await, "2+");

    browser.fill("#masl_id", "d309012").await;
    browser.select("#category", "management").await;
    browser.click("#audience-civilian").await;
    browser.click("#audience").await;
    browser.fill("#opi_speaking", "2").await;
    browser.click("#e_imet").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Civil-Military Relations").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "D309012 Civil-Military Relations is in the catalog."
    );
    assert_eq!(browser.text(".caption").await, "D309012 · Air Force");
    let details = browser.text("dl").await;
    assert!(
        details.contains("Officers, Civilians") && details.contains("2+/2"),
        "{details}"
    );

    browser
        .click("a[href='/courses/D309012/offerings/new']")
        .await;
    browser.expect_heading("Schedule a class").await;
    browser.fill("#start_date", "2027-03-01").await;
    browser.fill("#end_date", "2027-02-01").await;
    browser.fill("#seats", "12").await;
    browser.fill("#tuition_cents", "18,500").await;
    browser
        .fill("#living_allowance_per_day_cents", "ninety")
        .await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Schedule a class").await;
    assert!(
        browser
            .text("#living_allowance_per_day_cents-error")
            .await
            .contains("must be an amount in dollars")
    );
    browser.fill("#living_allowance_per_day_cents", "90").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Schedule a class").await;
    assert!(browser.text(".error-summary").await.contains("End date"));
    browser.fill("#end_date", "2027-04-30").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Civil-Military Relations").await;
    let row = browser.text("table tbody tr").await;
    for expected in [
        "2027-03-01 to 2027-04-30",
        "FY2027",
        "12",
        "$18,500.00",
        "$90.00",
        "OPEN",
    ] {
        assert!(row.contains(expected), "{expected}: {row}");
    }

    browser.click("table a[href$='/edit']").await;
    browser.expect_heading("Edit the class of 2027-03-01").await;
    assert_eq!(browser.value("#tuition_cents").await, "18500.00");
    browser.select("#status", "closed").await;
    browser.fill("#seats", "15").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Civil-Military Relations").await;
    let row = browser.text("table tbody tr").await;
    assert!(row.contains("CLOSED") && row.contains("15"), "{row}");

    // Filters: the search finds it by school, the category filter excludes it.
    browser.goto("/courses?q=diils").await;
    assert!(browser.text("table").await.contains("D309012"));
    browser.goto("/courses?category=pme").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("No course matches this search.")
    );
    browser.goto("/courses?e_imet=true&ecl_max=50").await;
    assert!(browser.text("table").await.contains("D309012"));
    browser.goto("/courses?ecl_max=lots").await;
    browser.expect_heading("Course catalog").await;
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("The ECL score must be a whole number from 0 to 100")
    );
    browser.close().await;
}

#[tokio::test]
async fn the_catalog_is_read_only_for_liaisons_and_officers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.course(&admin, "B000001", &[]).await;
    app.offering(&admin, "B000001", "2027-01-11", "2027-03-19", 10)
        .await;
    app.user(
        &admin,
        "liaison.pk@test.example",
        "country_liaison",
        Some("PK"),
    )
    .await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    for (email, heading) in [
        (
            "liaison.pk@test.example",
            "Welcome, liaison.pk@test.example",
        ),
        ("officer@test.example", "Welcome, officer@test.example"),
    ] {
        let browser = Browser::open(&app).await;
        browser.sign_in(email, PASSWORD, heading).await;
        browser.click("nav a[href='/courses']").await;
        browser.expect_heading("Course catalog").await;
        for absent in ["a[href='/courses/new']", "a[href='/courses/import']"] {
            assert!(
                browser
                    .client
                    .find(fantoccini::Locator::Css(absent))
                    .await
                    .is_err(),
                "{email} sees {absent}"
            );
        }
        browser.click("a[href='/courses/B000001']").await;
        browser.expect_heading("Course B000001").await;
        let row = browser.text("table tbody tr").await;
        assert!(row.contains("FY2027") && row.contains("10"), "{row}");
        for path in [
            "/courses/new",
            "/courses/import",
            "/courses/B000001/edit",
            "/courses/B000001/offerings/new",
        ] {
            browser.goto(path).await;
            browser
                .expect_heading("You do not have permission to see this page")
                .await;
        }
        browser.close().await;

        // An upload from another role is refused, with or without a file.
        let mut web = WebClient::new(&app);
        web.sign_in(email, PASSWORD).await;
        web.get("/courses").await;
        let token = web.csrf_token.clone().expect("a token");
        let csv = format!("{HEADER}\n");
        let page = web
            .post_multipart(
                "/courses/import",
                &[("csrf_token", None, &token), ("csv", None, &csv)],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{email}");
        let page = web
            .post_with_token("/courses/B000001", &[("title", "Changed")])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{email}");
    }
    let answer = app
        .call(Method::GET, "/api/v1/courses/B000001", Some(&admin), None)
        .await;
    assert_eq!(answer.body["title"], "Course B000001");
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mut web = WebClient::new(&app);
    web.sign_in(ADMIN_EMAIL, PASSWORD).await;
    web.get("/courses/import").await;
    let csv = format!("{HEADER}\nB171807,Staff,CGSC,Leavenworth,pme,,,false,officer,,true,\n");
    let page = web
        .post_multipart("/courses/import", &[("csv", None, &csv)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("This form could not be accepted"));
    let forged = "0".repeat(64);
    let page = web
        .post_multipart(
            "/courses/import",
            &[("csrf_token", None, &forged), ("csv", None, &csv)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    let answer = app
        .call(Method::GET, "/api/v1/courses", Some(&admin), None)
        .await;
    assert_eq!(answer.body["items"].as_array().map(Vec::len), Some(0));

    let token = web.csrf_token.clone().expect("a token");
    let page = web
        .post_multipart(
            "/courses/import",
            &[
                ("csrf_token", None, &token),
                ("file", Some("courses.csv"), &csv),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/courses");
}
