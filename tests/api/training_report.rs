//! The training report (SPEC §6) end to end, on SQLite and PostgreSQL: a
//! line per country × class × program for approved and completed
//! nominations, whose students and cost, subtotals and total are those
//! nominations' committed cents; the CSV; a liaison's own country; the
//! fiscal year asked for; the page and its CSV link.
use chrono::{Days, NaiveDate, Utc};
use imet::domain::fiscal_year::{fiscal_year, fiscal_year_end};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{
    approvals::act,
    helpers::{Cast, PASSWORD, TestApp, cast, spawn_app_with},
    nominations::ready_student,
    web_client::WebClient,
};

const CSV_HEADER: &str = "fiscal_year,country_code,country_name,program,masl_id,course_title,school,location,start_date,end_date,students,total_cost_cents";

/// Schedules a twelve-day class of a new course `masl_id` starting on `start`.
async fn class(app: &TestApp, c: &Cast, masl_id: &str, start: NaiveDate, tuition: i64) -> Value {
    app.course(&c.admin, masl_id, &[]).await;
    let answer = app
        .post(
            &c.admin,
            &format!("/api/v1/courses/{masl_id}/offerings"),
            json!({"start_date": start, "end_date": start + Days::new(11), "seats": 20,
                   "tuition_cents": tuition, "living_allowance_per_day_cents": 9_000}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

fn liaison<'a>(c: &'a Cast, country: &str) -> &'a str {
    if country == "PK" {
        &c.liaison_pk
    } else {
        &c.liaison_jo
    }
}

/// A new ready student of `country` nominated to `class` under `program`;
/// submitted unless `draft`. Returns the nomination's id.
async fn nominated(
    app: &TestApp,
    c: &Cast,
    country: &str,
    family: &str,
    class: &Value,
    program: &str,
    draft: bool,
) -> i64 {
    let student = ready_student(app, c, country, family).await;
    let answer = app
        .post(
            liaison(c, country),
            "/api/v1/nominations",
            json!({"student_id": student, "offering_id": class["id"], "program": program,
                   "submit": !draft}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_i64().unwrap()
}

/// Like [`nominated`], then approved by the officer.
async fn approved(
    app: &TestApp,
    c: &Cast,
    country: &str,
    family: &str,
    class: &Value,
    program: &str,
) -> i64 {
    let id = nominated(app, c, country, family, class, program, false).await;
    let answer = act(app, &c.officer, id, "approve", json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    id
}

async fn committed(app: &TestApp, c: &Cast, ids: &[i64]) -> i64 {
    let mut sum = 0;
    for id in ids {
        let n = app
            .get(&c.officer, &format!("/api/v1/nominations/{id}"))
            .await;
        let cents = n.body["committed_cents"].as_i64().unwrap();
        assert!(cents > 0, "{}", n.body);
        sum += cents;
    }
    sum
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let answer = app
        .get(token, &format!("/api/v1/reports/training{query}"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

async fn csv(app: &TestApp, token: &str, fy: i32) -> (String, String) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/reports/training?fiscal_year={fy}")))
        .bearer_auth(token)
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .expect("report");
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, res.text().await.expect("csv"))
}

/// The lines of a report as (country, masl_id, program, students, cost).
fn lines(report: &Value) -> Vec<(String, String, String, i64, i64)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["country_code"].as_str().unwrap().to_owned(),
                r["masl_id"].as_str().unwrap().to_owned(),
                r["program"].as_str().unwrap().to_owned(),
                r["students"].as_i64().unwrap(),
                r["total_cost_cents"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// (key, students, cost) of each subtotal of `report[list]`.
fn subtotals(report: &Value, list: &str, key: &str) -> Vec<(String, i64, i64)> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s[key].as_str().unwrap().to_owned(),
                s["students"].as_i64().unwrap(),
                s["total_cost_cents"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Sums the lines whose `pick` holds: (students, cost).
fn sum(
    lines: &[(String, String, String, i64, i64)],
    pick: impl Fn(&(String, String, String, i64, i64)) -> bool,
) -> (i64, i64) {
    lines
        .iter()
        .filter(|l| pick(l))
        .fold((0, 0), |(n, c), l| (n + l.3, c + l.4))
}

/// The subtotals and total agree with the lines.
fn assert_adds_up(report: &Value) {
    let lines = lines(report);
    for (code, students, cost) in subtotals(report, "countries", "country_code") {
        assert_eq!(sum(&lines, |l| l.0 == code), (students, cost), "{code}");
    }
    for (program, students, cost) in subtotals(report, "programs", "program") {
        assert_eq!(
            sum(&lines, |l| l.2 == program),
            (students, cost),
            "{program}"
        );
    }
    let total = &report["total"];
    assert_eq!(
        sum(&lines, |_| true),
        (
            total["students"].as_i64().unwrap(),
            total["total_cost_cents"].as_i64().unwrap()
        )
    );
}

#[tokio::test]
async fn the_report_counts_approved_and_completed_nominations_per_country_class_and_program() {
    // Vetting valid long enough for a class of next fiscal year.
    let app = spawn_app_with(|config| config.validity.vetting = 900).await;
    let c = cast(&app).await;
    // Classes starting in 45 days (fiscal year `fy`, a late withdrawal away),
    // and one ten days into the next fiscal year.
    let start = Utc::now().date_naive() + Days::new(45);
    let fy = fiscal_year(start);
    let x = class(&app, &c, "B300001", start, 2_500_000).await;
    let y = class(&app, &c, "B300002", start, 1_800_000).await;
    let z = class(
        &app,
        &c,
        "B300003",
        fiscal_year_end(fy) + Days::new(10),
        3_100_000,
    )
    .await;
    for country in ["PK", "JO"] {
        for program in ["IMET", "FMF"] {
            for year in [fy, fy + 1] {
                let answer = app
                    .put(
                        &c.officer,
                        &format!("/api/v1/allocations/{country}/{program}/{year}"),
                        json!({"allocated_cents": 100_000_000}),
                    )
                    .await;
                assert!(answer.status.is_success(), "{}", answer.body);
            }
        }
    }

    let pk_done = approved(&app, &c, "PK", "Done", &x, "IMET").await;
    let pk_imet = approved(&app, &c, "PK", "Imet", &x, "IMET").await;
    let pk_fmf = approved(&app, &c, "PK", "Fmf", &x, "FMF").await;
    let pk_y = approved(&app, &c, "PK", "Yankee", &y, "IMET").await;
    let pk_z = approved(&app, &c, "PK", "Zulu", &z, "IMET").await;
    let jo_imet = approved(&app, &c, "JO", "Haddad", &x, "IMET").await;
    let jo_fmf = approved(&app, &c, "JO", "Nasser", &y, "FMF").await;
    // Not training: submitted, draft, rejected, waitlisted, withdrawn late.
    nominated(&app, &c, "PK", "Pending", &x, "IMET", false).await;
    nominated(&app, &c, "PK", "Drafted", &x, "IMET", true).await;
    let rejected = nominated(&app, &c, "PK", "Rejected", &x, "IMET", false).await;
    let answer = act(
        &app,
        &c.officer,
        rejected,
        "reject",
        json!({"reason": "Report"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let waiting = nominated(&app, &c, "JO", "Waiting", &y, "FMF", false).await;
    let answer = act(&app, &c.officer, waiting, "waitlist", json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let late = approved(&app, &c, "PK", "Late", &x, "IMET").await;
    let withdrawn = act(
        &app,
        &c.liaison_pk,
        late,
        "withdraw",
        json!({"reason": "illness"}),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let penalty = withdrawn.body["committed_cents"].as_i64().unwrap();
    assert!(
        penalty > 0,
        "the penalty stays committed: {}",
        withdrawn.body
    );
    // The class ran: the first student completes it.
    let x_end: NaiveDate = x["end_date"].as_str().unwrap().parse().unwrap();
    app.state.clock.set(
        (x_end + Days::new(1))
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc(),
    );
    let done = act(&app, &c.officer, pk_done, "complete", json!({})).await;
    assert_eq!(done.body["status"], "completed", "{}", done.body);

    let all = report(&app, &c.admin, &format!("?fiscal_year={fy}")).await;
    assert_eq!(all["fiscal_year"], fy);
    let line = |country: &str, masl: &str, program: &str, students: i64, cost: i64| {
        (
            country.to_owned(),
            masl.to_owned(),
            program.to_owned(),
            students,
            cost,
        )
    };
    let expected = vec![
        line(
            "JO",
            "B300001",
            "IMET",
            1,
            committed(&app, &c, &[jo_imet]).await,
        ),
        line(
            "JO",
            "B300002",
            "FMF",
            1,
            committed(&app, &c, &[jo_fmf]).await,
        ),
        line(
            "PK",
            "B300001",
            "FMF",
            1,
            committed(&app, &c, &[pk_fmf]).await,
        ),
        line(
            "PK",
            "B300001",
            "IMET",
            2,
            committed(&app, &c, &[pk_done, pk_imet]).await,
        ),
        line(
            "PK",
            "B300002",
            "IMET",
            1,
            committed(&app, &c, &[pk_y]).await,
        ),
    ];
    assert_eq!(lines(&all), expected, "{all}");
    let first = &all["rows"][0];
    for (field, value) in [
        ("country_name", json!("Jordan")),
        ("course_title", json!("Course B300001")),
        ("school", json!("Test School")),
        ("location", json!("Fort Test, KS")),
        ("start_date", x["start_date"].clone()),
        ("end_date", x["end_date"].clone()),
        ("offering_id", x["id"].clone()),
    ] {
        assert_eq!(first[field], value, "{field}: {first}");
    }
    assert_adds_up(&all);
    assert_eq!(
        subtotals(&all, "countries", "country_code")
            .into_iter()
            .map(|(code, students, _)| (code, students))
            .collect::<Vec<_>>(),
        [("JO".to_owned(), 2), ("PK".to_owned(), 4)]
    );
    assert_eq!(
        subtotals(&all, "programs", "program")
            .into_iter()
            .map(|(program, students, _)| (program, students))
            .collect::<Vec<_>>(),
        [("IMET".to_owned(), 4), ("FMF".to_owned(), 2)]
    );
    assert_eq!(all["total"]["students"], 6);
    // The late withdrawal's penalty is committed to the allocation, not
    // reported as training.
    let allocation = app
        .get(
            &c.officer,
            &format!("/api/v1/allocations?fiscal_year={fy}&country=PK&program=IMET"),
        )
        .await;
    let pk_imet_committed = allocation.body["items"][0]["committed_cents"]
        .as_i64()
        .unwrap();
    let pk_imet_reported = sum(&lines(&all), |l| l.0 == "PK" && l.2 == "IMET").1;
    assert_eq!(pk_imet_committed, pk_imet_reported + penalty);

    // Program officers see every country too; a liaison only their own.
    assert_eq!(
        report(&app, &c.officer, &format!("?fiscal_year={fy}")).await,
        all
    );
    for (token, country) in [(&c.liaison_pk, "PK"), (&c.liaison_jo, "JO")] {
        let own = report(&app, token, &format!("?fiscal_year={fy}")).await;
        let mine: Vec<_> = expected
            .iter()
            .filter(|l| l.0 == country)
            .cloned()
            .collect();
        assert_eq!(lines(&own), mine, "{country}: {own}");
        assert_eq!(
            subtotals(&own, "countries", "country_code")
                .into_iter()
                .map(|s| s.0)
                .collect::<Vec<_>>(),
            [country]
        );
        assert_adds_up(&own);
    }

    // The CSV: the spec's header, then the JSON lines in order.
    let (content_type, text) = csv(&app, &c.admin, fy).await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert_eq!(text.lines().next(), Some(CSV_HEADER));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected.len(), "{text}");
    for (record, row) in records.iter().zip(all["rows"].as_array().unwrap()) {
        let cell = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let from_json: Vec<String> = std::iter::once(fy.to_string())
            .chain(
                CSV_HEADER
                    .split(',')
                    .skip(1)
                    .map(|column| cell(&row[column])),
            )
            .collect();
        assert_eq!(record.iter().collect::<Vec<_>>(), from_json);
    }
    let (_, pk_text) = csv(&app, &c.liaison_pk, fy).await;
    assert!(
        pk_text.lines().skip(1).all(|l| l.contains(",PK,Pakistan,")),
        "{pk_text}"
    );
    assert_eq!(pk_text.lines().count(), 4, "{pk_text}");

    // Another fiscal year: next year's class alone; the year before, nothing.
    let next = report(&app, &c.admin, &format!("?fiscal_year={}", fy + 1)).await;
    assert_eq!(
        lines(&next),
        [line(
            "PK",
            "B300003",
            "IMET",
            1,
            committed(&app, &c, &[pk_z]).await
        )]
    );
    assert_adds_up(&next);
    let before = report(&app, &c.admin, &format!("?fiscal_year={}", fy - 1)).await;
    assert_eq!(before["rows"], json!([]));
    assert_eq!(before["countries"], json!([]));
    assert_eq!(
        before["total"],
        json!({"students": 0, "total_cost_cents": 0})
    );
    // No year: the current one, by the service's clock.
    let current = report(&app, &c.admin, "").await;
    assert_eq!(current["fiscal_year"], fiscal_year(app.state.clock.today()));

    // The page shows the lines and links the same CSV.
    let mut web = WebClient::new(&app);
    web.sign_in("liaison.pk@test.example", PASSWORD).await;
    let page = web
        .get(&format!("/reports/training?fiscal_year={fy}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("Training report FY{fy}")));
    assert!(
        page.body
            .contains(&format!("href=\"/reports/training.csv?fiscal_year={fy}\"")),
        "no CSV link"
    );
    assert!(page.body.contains("Course B300001") && page.body.contains("Course B300002"));
    assert!(
        !page.body.contains("Jordan"),
        "another country on a liaison's page"
    );
    let download = web
        .get(&format!("/reports/training.csv?fiscal_year={fy}"))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.content_type().starts_with("text/csv"));
    assert_eq!(download.body, pk_text);
}

#[tokio::test]
async fn a_fiscal_year_that_is_not_one_is_a_422_naming_it() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.admin().await;
    for bad in ["abc", "1999", "2101", "2026.5"] {
        let answer = app
            .get(
                &admin,
                &format!("/api/v1/reports/training?fiscal_year={bad}"),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(answer.content_type(), "application/problem+json", "{bad}");
        assert!(
            !answer.field_errors("fiscal_year").is_empty(),
            "{bad}: {}",
            answer.body
        );
    }
    let mut web = WebClient::new(&app);
    web.sign_in(crate::helpers::ADMIN_EMAIL, PASSWORD).await;
    let page = web.get("/reports/training?fiscal_year=1999").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_demo_reports_training_this_fiscal_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir).await;
    config.bootstrap_admin = None;
    let state = imet::app::prepare(config.clone()).await.unwrap();
    assert!(imet::demo::seed(&state).await.unwrap());
    let url = config.database_url.clone();
    let app = spawn_app_with(move |c| c.database_url = url).await;
    let officer = app
        .login("officer@imet.example", imet::demo::DEMO_PASSWORD)
        .await;
    let current = report(&app, &officer, "").await;
    assert_eq!(current["fiscal_year"], fiscal_year(Utc::now().date_naive()));
    assert!(!current["rows"].as_array().unwrap().is_empty(), "{current}");
    assert_adds_up(&current);
}
