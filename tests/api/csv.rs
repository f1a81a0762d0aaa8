use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, cast, spawn_app};

const HEADER: &str = "masl_id,title,school,location,category,ecl_min,opi_min,e_imet,audience,prerequisites,active,description";

async fn import(app: &TestApp, admin: &str, body: impl Into<reqwest::Body>) -> Answer {
    app.send_raw(
        Method::POST,
        "/api/v1/courses/import",
        admin,
        "text/csv",
        body,
    )
    .await
}

async fn export(app: &TestApp, token: &str) -> String {
    let answer = app.get(token, "/api/v1/courses/export").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.content_type().starts_with("text/csv"));
    answer.body.as_str().expect("CSV text").to_owned()
}

async fn all_courses(app: &TestApp, token: &str) -> Vec<Value> {
    app.get(token, "/api/v1/courses?limit=200").await.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn audit_count(app: &TestApp, admin: &str) -> usize {
    app.get(admin, "/api/v1/audit?entity=course&limit=200")
        .await
        .body["items"]
        .as_array()
        .map_or(0, Vec::len)
}

/// (line, field) of each error of a refused import.
fn row_errors(answer: &Answer) -> Vec<(u64, String)> {
    answer.body["errors"]
        .as_array()
        .expect("errors list")
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn export_then_import_changes_nothing() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    let tricky = app
        .post(
            &c.admin,
            "/api/v1/courses",
            json!({"masl_id": "P179050", "title": "Civil-Military Relations, \"Executive\" Seminar",
                   "school": "Naval Postgraduate School; Institute for Security Governance",
                   "location": "Monterey, CA", "category": "management", "ecl_min": 70,
                   "opi_min": {"listening": "2+", "speaking": "2"}, "e_imet": true,
                   "audience": ["civilian", "officer"], "prerequisites": ["B000001"],
                   "description": "Line one, with a comma.\nLine two: \"quoted\"."}),
        )
        .await;
    assert_eq!(tricky.status, StatusCode::CREATED, "{}", tricky.body);
    app.course(&c.admin, "D000002", &["B000001", "P179050"])
        .await;
    app.patch(
        &c.admin,
        "/api/v1/courses/D000002",
        json!({"active": false}),
    )
    .await;

    let file = export(&app, &c.liaison_pk).await;
    assert!(file.starts_with(HEADER), "{file}");
    assert!(file.contains("2+/2"), "{file}");
    assert!(file.contains("officer;civilian"), "{file}");
    assert!(file.contains("B000001;P179050"), "{file}");

    let before = all_courses(&app, &c.admin).await;
    let audits = audit_count(&app, &c.admin).await;
    let answer = import(&app, &c.admin, file.clone()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"created": 0, "updated": 0, "unchanged": 3})
    );
    assert_eq!(all_courses(&app, &c.admin).await, before);
    assert_eq!(audit_count(&app, &c.admin).await, audits);
    assert_eq!(export(&app, &c.admin).await, file);

    // Into an empty catalog the same file recreates the same courses.
    let other = spawn_app().await;
    let admin = other.admin().await;
    let created = import(&other, &admin, file.clone()).await;
    assert_eq!(
        created.body,
        json!({"created": 3, "updated": 0, "unchanged": 0})
    );
    assert_eq!(export(&other, &admin).await, file);
}

#[tokio::test]
async fn import_creates_and_updates_with_forward_prerequisites() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    // Only some columns, in another order; B000003 names a course defined below it.
    let file = "audience,masl_id,title,school,location,category,prerequisites\n\
                officer,B000001,Renamed,School,Here,pme,\n\
                officer;enlisted,B000003,Advanced,School,Here,technical,B000004;B000001\n\
                enlisted,b000004,Basic,School,Here,technical,\n";
    let answer = import(&app, &c.admin, file).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"created": 2, "updated": 1, "unchanged": 0})
    );
    let advanced = app.get(&c.officer, "/api/v1/courses/B000003").await;
    assert_eq!(
        advanced.body["prerequisites"],
        json!(["B000001", "B000004"])
    );
    assert_eq!(advanced.body["audience"], json!(["officer", "enlisted"]));
    assert_eq!(advanced.body["e_imet"], false);
    assert_eq!(advanced.body["active"], true);
    assert_eq!(advanced.body["ecl_min"], Value::Null);
    assert_eq!(
        app.get(&c.officer, "/api/v1/courses/B000001").await.body["title"],
        "Renamed"
    );
    let audit = app
        .get(&c.admin, "/api/v1/audit?entity=course&id=B000001")
        .await;
    assert_eq!(audit.body["items"][0]["action"], "course.import");
    assert_eq!(audit.body["items"][0]["before"]["title"], "Course B000001");
    assert_eq!(audit.body["items"][0]["after"]["title"], "Renamed");
}

#[tokio::test]
async fn several_bad_rows_are_all_listed_and_nothing_is_stored() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    let file = format!(
        "{HEADER}\n\
         B000002,Good,School,Here,pme,80,2/2,false,officer,B000001,true,fine\n\
         X12,Bad id,School,Here,pme,,,false,officer,,true,\n\
         B000003,,School,Here,cooking,101,2/7,maybe,pilots,,true,\n\
         B000002,Twice,School,Here,pme,,,false,officer,,true,\n\
         B000005,Short row,School\n\
         B000006,Dangling,School,Here,pme,,,false,officer,D999999,true,\n"
    );
    let answer = import(&app, &c.admin, file).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(answer.content_type(), "application/problem+json");
    let expected: Vec<(u64, String)> = [
        (3, "masl_id"),
        (4, "audience"),
        (4, "category"),
        (4, "e_imet"),
        (4, "ecl_min"),
        (4, "opi_min"),
        (4, "title"),
        (5, "masl_id"),
        (6, "row"),
    ]
    .iter()
    .map(|(l, f)| (*l, f.to_string()))
    .collect();
    assert_eq!(row_errors(&answer), expected, "{}", answer.body);
    let courses = all_courses(&app, &c.admin).await;
    assert_eq!(courses.len(), 1);
    assert_eq!(audit_count(&app, &c.admin).await, 1);

    // Cross-row checks run once every row reads well: a missing prerequisite...
    let dangling = format!(
        "{HEADER}\nB000002,Good,School,Here,pme,,,false,officer,,true,\n\
         B000006,Dangling,School,Here,pme,,,false,officer,D999999,true,\n"
    );
    let answer = import(&app, &c.admin, dangling).await;
    assert_eq!(row_errors(&answer), [(3, "prerequisites".to_owned())]);
    // ...and a cycle through the file and the catalog, named by its path.
    let cycle = format!(
        "{HEADER}\nB000002,Two,School,Here,pme,,,false,officer,B000003,true,\n\
         B000003,Three,School,Here,pme,,,false,officer,B000001,true,\n\
         B000001,One,School,Here,pme,,,false,officer,B000002,true,\n"
    );
    let answer = import(&app, &c.admin, cycle).await;
    assert_eq!(row_errors(&answer), [(2, "prerequisites".to_owned())]);
    let message = answer.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("B000001 → B000002 → B000003 → B000001"),
        "{message}"
    );
    assert_eq!(all_courses(&app, &c.admin).await, courses);
}

#[tokio::test]
async fn bom_crlf_and_quoted_newlines_keep_physical_line_numbers() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let file = format!(
        "\u{feff}{HEADER}\r\n\
         B000001,One,School,Here,pme,,,false,officer,,true,\"first line\r\nsecond line\r\nthird\"\r\n\
         \r\n\
         B000002,,School,Here,pme,,,false,officer,,true,\r\n\
         B000003,Three,School,Here,pme,,,false,officer,B000001,true,\"a, b\"\r\n"
    );
    let refused = import(&app, &c.admin, file.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(row_errors(&refused), [(6, "title".to_owned())]);

    let fixed = file.replace("B000002,,", "B000002,Two,");
    let answer = import(&app, &c.admin, fixed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["created"], 3);
    let one = app.get(&c.admin, "/api/v1/courses/B000001").await;
    assert_eq!(
        one.body["description"],
        "first line\r\nsecond line\r\nthird"
    );
    let three = app.get(&c.admin, "/api/v1/courses/B000003").await;
    assert_eq!(three.body["description"], "a, b");
    assert_eq!(three.body["prerequisites"], json!(["B000001"]));
}

#[tokio::test]
async fn import_needs_csv_under_ten_mebibytes() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let small = "masl_id,title,school,location,category,audience\nB000001,T,S,L,pme,officer\n";
    let json_typed = app
        .send_raw(
            Method::POST,
            "/api/v1/courses/import",
            &c.admin,
            "application/json",
            small,
        )
        .await;
    assert_eq!(json_typed.status, StatusCode::BAD_REQUEST);

    // Over the 1 MiB JSON limit but under 10 MiB: read, then judged on content.
    let long = format!(
        "masl_id,title,school,location,category,audience,description\nB000001,T,S,L,pme,officer,{}\n",
        "x".repeat(2 * 1024 * 1024)
    );
    let judged = import(&app, &c.admin, long).await;
    assert_eq!(judged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(row_errors(&judged), [(2, "description".to_owned())]);

    let huge = format!("{small}{}", "#".repeat(10 * 1024 * 1024));
    let too_large = import(&app, &c.admin, huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.content_type(), "application/problem+json");

    let empty = import(&app, &c.admin, "").await;
    assert_eq!(row_errors(&empty), [(1, "file".to_owned())]);
    let bad_header = import(&app, &c.admin, "masl,title\n").await;
    assert!(row_errors(&bad_header).iter().all(|(line, _)| *line == 1));
    assert!(all_courses(&app, &c.admin).await.is_empty());

    let fine = import(&app, &c.admin, small).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);
    assert_eq!(fine.body["created"], 1);
}
