use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, cast, spawn_app};

fn staff_college() -> Value {
    json!({
        "masl_id": "B171807", "title": "Command and General Staff Officer Course",
        "school": "U.S. Army Command and General Staff College", "location": "Fort Leavenworth, KS",
        "category": "pme", "ecl_min": 80, "opi_min": {"listening": "2", "speaking": "2+"},
        "e_imet": false, "audience": ["officer"], "prerequisites": ["B000001"],
        "description": "Ten-month intermediate-level education for majors."
    })
}

fn items(answer: &crate::helpers::Answer) -> Vec<Value> {
    answer.body["items"].as_array().cloned().unwrap_or_default()
}

fn masl_ids(answer: &crate::helpers::Answer) -> Vec<String> {
    items(answer)
        .iter()
        .map(|c| c["masl_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn admin_creates_reads_updates_and_archives_a_course() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    let created = app.post(&c.admin, "/api/v1/courses", staff_college()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = &created.body;
    assert!(body["id"].as_i64().is_some());
    assert_eq!(body["masl_id"], "B171807");
    assert_eq!(body["agency"], "army");
    assert_eq!(body["ecl_min"], 80);
    assert_eq!(body["opi_min"], json!({"listening": "2", "speaking": "2+"}));
    assert_eq!(body["audience"], json!(["officer"]));
    assert_eq!(body["prerequisites"], json!(["B000001"]));
    assert_eq!(body["active"], true);
    assert!(body["created_at"].is_string() && body["updated_at"].is_string());

    // Everyone signed in reads it, a liaison included.
    let read = app.get(&c.liaison_pk, "/api/v1/courses/b171807").await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);

    let updated = app
        .patch(
            &c.admin,
            "/api/v1/courses/B171807",
            json!({"ecl_min": null, "opi_min": null, "audience": ["officer", "civilian"],
                   "prerequisites": [], "title": "  CGSOC  "}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["ecl_min"], Value::Null);
    assert_eq!(updated.body["opi_min"], Value::Null);
    assert_eq!(updated.body["audience"], json!(["officer", "civilian"]));
    assert_eq!(updated.body["prerequisites"], json!([]));
    assert_eq!(updated.body["title"], "CGSOC");
    assert_eq!(updated.body["school"], created.body["school"]);

    let archived = app
        .patch(
            &c.admin,
            "/api/v1/courses/B171807",
            json!({"active": false}),
        )
        .await;
    assert_eq!(archived.body["active"], false);
    let still_there = app.get(&c.officer, "/api/v1/courses/B171807").await;
    assert_eq!(still_there.status, StatusCode::OK);
    assert_eq!(still_there.body["active"], false);

    let audit = app
        .get(&c.admin, "/api/v1/audit?entity=course&id=B171807")
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["course.archive", "course.update", "course.create"]
    );
    assert_eq!(audit.body["items"][1]["before"]["ecl_min"], 80);

    // A patch that changes nothing writes nothing.
    let same = app
        .patch(
            &c.admin,
            "/api/v1/courses/B171807",
            json!({"title": "CGSOC"}),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.body["updated_at"], archived.body["updated_at"]);
    let audit_again = app
        .get(&c.admin, "/api/v1/audit?entity=course&id=B171807")
        .await;
    assert_eq!(items(&audit_again).len(), 3);

    for missing in ["B999999", "not-a-masl"] {
        let answer = app
            .get(&c.admin, &format!("/api/v1/courses/{missing}"))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn officers_and_liaisons_cannot_write_the_catalog() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    let offering = app
        .offering(&c.admin, "B000001", "2027-01-11", "2027-03-19", 10)
        .await;
    let offering_path = format!("/api/v1/offerings/{}", offering["id"]);
    for token in [&c.officer, &c.liaison_pk] {
        // Valid and invalid bodies alike: the role decides first.
        for body in [staff_college(), json!({"masl_id": 5})] {
            let answer = app.post(token, "/api/v1/courses", body).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN);
        }
        let patch = app
            .patch(token, "/api/v1/courses/B000001", json!({"active": false}))
            .await;
        assert_eq!(patch.status, StatusCode::FORBIDDEN);
        let schedule = app
            .post(
                token,
                "/api/v1/courses/B000001/offerings",
                json!({"start_date": "2027-05-03", "end_date": "2027-06-04", "seats": 5,
                       "tuition_cents": 1, "living_allowance_per_day_cents": 1}),
            )
            .await;
        assert_eq!(schedule.status, StatusCode::FORBIDDEN);
        let edit = app.patch(token, &offering_path, json!({"seats": 99})).await;
        assert_eq!(edit.status, StatusCode::FORBIDDEN);
        let import = app
            .send_raw(
                Method::POST,
                "/api/v1/courses/import",
                token,
                "text/csv",
                "masl_id,title,school,location,category,audience\nB000002,T,S,L,pme,officer\n",
            )
            .await;
        assert_eq!(import.status, StatusCode::FORBIDDEN);
        // Reads are open to every role.
        for path in [
            "/api/v1/courses",
            "/api/v1/courses/B000001",
            "/api/v1/offerings",
            offering_path.as_str(),
            "/api/v1/courses/export",
        ] {
            assert_eq!(app.get(token, path).await.status, StatusCode::OK, "{path}");
        }
    }
    let unchanged = app.get(&c.admin, "/api/v1/courses").await;
    assert_eq!(masl_ids(&unchanged), ["B000001"]);
    assert_eq!(unchanged.body["items"][0]["active"], true);
    let class = app.get(&c.admin, &offering_path).await;
    assert_eq!(class.body["seats"], 10);
    assert_eq!(
        app.get(&c.admin, "/api/v1/offerings").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let anonymous = app.call(Method::GET, "/api/v1/courses", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_courses_name_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let cases = [
        ("masl_id", json!("A171807")),
        ("masl_id", json!("B17180")),
        ("title", json!("   ")),
        ("category", json!("cooking")),
        ("ecl_min", json!(101)),
        ("ecl_min", json!(-1)),
        ("ecl_min", json!("high")),
        (
            "opi_min.listening",
            json!({"listening": "6", "speaking": "2"}),
        ),
        (
            "opi_min.speaking",
            json!({"listening": "2", "speaking": "5+"}),
        ),
        ("opi_min.speaking", json!({"listening": "2"})),
        ("audience", json!([])),
        ("audience[0]", json!(["general"])),
        ("prerequisites", json!(["B000001"])),
        ("prerequisites", json!(["nonsense"])),
        ("e_imet", json!("yes")),
    ];
    for (field, value) in cases {
        let mut body = staff_college();
        let key = field.split(['.', '[']).next().unwrap();
        body[key] = value.clone();
        if key != "prerequisites" {
            body["prerequisites"] = json!([]);
        }
        let answer = app.post(&c.admin, "/api/v1/courses", body).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {value}"
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field} {value}: {}",
            answer.body
        );
    }
    let mut missing = staff_college();
    missing.as_object_mut().unwrap().remove("school");
    let answer = app.post(&c.admin, "/api/v1/courses", missing).await;
    assert_eq!(answer.field_errors("school"), ["is required"]);
    let list = app.get(&c.admin, "/api/v1/courses").await;
    assert!(items(&list).is_empty());
    let audit = app.get(&c.admin, "/api/v1/audit?entity=course").await;
    assert!(items(&audit).is_empty());

    let bad_query = app.get(&c.admin, "/api/v1/courses?ecl_max=120").await;
    assert!(!bad_query.field_errors("ecl_max").is_empty());
    let bad_agency = app.get(&c.admin, "/api/v1/courses?agency=marines").await;
    assert!(!bad_agency.field_errors("agency").is_empty());
}

#[tokio::test]
async fn duplicates_and_prerequisite_cycles_are_refused() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    app.course(&c.admin, "B000002", &["B000001"]).await;
    app.course(&c.admin, "D000003", &["B000002"]).await;

    let again = app
        .post(
            &c.admin,
            "/api/v1/courses",
            json!({"masl_id": "b000001", "title": "T", "school": "S", "location": "L",
                   "category": "pme", "audience": ["officer"]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["code"], "duplicate");

    let cycle = app
        .patch(
            &c.admin,
            "/api/v1/courses/B000001",
            json!({"prerequisites": ["D000003"]}),
        )
        .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = cycle.field_errors("prerequisites").join(" ");
    assert!(
        message.contains("B000001 → D000003 → B000002 → B000001"),
        "{message}"
    );
    let itself = app
        .patch(
            &c.admin,
            "/api/v1/courses/B000002",
            json!({"prerequisites": ["B000002"]}),
        )
        .await;
    assert!(
        itself
            .field_errors("prerequisites")
            .join(" ")
            .contains("B000002 → B000002"),
        "{}",
        itself.body
    );
    let unchanged = app.get(&c.admin, "/api/v1/courses/B000001").await;
    assert_eq!(unchanged.body["prerequisites"], json!([]));
}

/// Creates a course with the given fields over a valid base.
async fn course_with(app: &TestApp, admin: &str, masl_id: &str, fields: Value) {
    let mut body = json!({"masl_id": masl_id, "title": format!("Course {masl_id}"), "school": "School",
                          "location": "Somewhere", "category": "technical", "audience": ["officer"]});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let answer = app.post(admin, "/api/v1/courses", body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[tokio::test]
async fn search_filters_combine() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    course_with(
        &app,
        &c.admin,
        "B171807",
        json!({"title": "Command and General Staff Officer Course",
        "school": "Army Command and General Staff College", "category": "pme", "ecl_min": 80}),
    )
    .await;
    course_with(
        &app,
        &c.admin,
        "B171900",
        json!({"title": "Signal Officer Basic",
        "school": "Signal School", "ecl_min": 70}),
    )
    .await;
    course_with(
        &app,
        &c.admin,
        "D309010",
        json!({"title": "Aircraft Maintenance 100% Readiness",
        "school": "Inter-American Air Forces Academy", "ecl_min": 65}),
    )
    .await;
    course_with(
        &app,
        &c.admin,
        "P179050",
        json!({"title": "Civil-Military Relations",
        "school": "Naval Postgraduate School", "category": "management", "e_imet": true,
        "audience": ["officer", "civilian"]}),
    )
    .await;
    course_with(&app, &c.admin, "P112233", json!({"title": "English for Naval Staff",
        "school": "Defense Language Institute English Language Center", "category": "english_language",
        "ecl_min": 40, "active": false})).await;

    let cases = [
        ("q=b171", vec!["B171807", "B171900"]),
        ("q=B1718", vec!["B171807"]),
        ("q=STAFF", vec!["B171807", "P112233"]),
        ("q=naval%20postgraduate", vec!["P179050"]),
        ("q=100%25", vec!["D309010"]),
        ("q=%25", vec!["D309010"]),
        ("q=_", vec![]),
        (
            "q=%20",
            vec!["B171807", "B171900", "D309010", "P112233", "P179050"],
        ),
        ("category=pme", vec!["B171807"]),
        ("category=technical", vec!["B171900", "D309010"]),
        ("agency=army", vec!["B171807", "B171900"]),
        ("agency=air_force", vec!["D309010"]),
        ("agency=navy", vec!["P112233", "P179050"]),
        ("e_imet=true", vec!["P179050"]),
        (
            "e_imet=false",
            vec!["B171807", "B171900", "D309010", "P112233"],
        ),
        (
            "ecl_max=70",
            vec!["B171900", "D309010", "P112233", "P179050"],
        ),
        ("ecl_max=64", vec!["P112233", "P179050"]),
        ("active=false", vec!["P112233"]),
        ("active=true&ecl_max=64", vec!["P179050"]),
        ("agency=army&q=signal", vec!["B171900"]),
        ("q=staff&category=english_language&active=true", vec![]),
    ];
    for (query, expected) in cases {
        let answer = app
            .get(&c.liaison_jo, &format!("/api/v1/courses?{query}"))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
        assert_eq!(masl_ids(&answer), expected, "{query}");
    }
}

/// Walks a list page by page, running `between` after each page.
async fn walk(
    app: &TestApp,
    token: &str,
    path: &str,
    mut between: impl AsyncFnMut(usize),
) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0.. {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=4&cursor={c}"),
            None => format!("{path}{sep}limit=4"),
        };
        let answer = app.get(token, &url).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(items(&answer).len() <= 4);
        seen.extend(items(&answer));
        between(page).await;
        match answer.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn course_pages_neither_repeat_nor_skip_while_courses_are_added() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let originals: Vec<String> = (10..=30).step_by(2).map(|n| format!("B0000{n}")).collect();
    for masl in &originals {
        app.course(&c.admin, masl, &[]).await;
    }
    let seen = walk(&app, &c.liaison_pk, "/api/v1/courses", async |page| {
        // One course sorting before the cursor, one after it.
        app.course(&c.admin, &format!("B00000{page}"), &[]).await;
        app.course(&c.admin, &format!("P00000{page}"), &[]).await;
    })
    .await;
    let ids: Vec<String> = seen
        .iter()
        .map(|c| c["masl_id"].as_str().unwrap().to_owned())
        .collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates in {ids:?}");
    for masl in &originals {
        assert!(ids.contains(masl), "{masl} skipped: {ids:?}");
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    // Courses added behind the cursor are not seen; those ahead of it are.
    assert!(!ids.contains(&"B000001".to_owned()));
    assert!(ids.contains(&"P000000".to_owned()));
}

#[tokio::test]
async fn offerings_are_scheduled_edited_and_closed() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B171807", &[]).await;
    let created = app
        .post(
            &c.admin,
            "/api/v1/courses/b171807/offerings",
            json!({"start_date": "2026-08-03", "end_date": "2026-12-11", "seats": 12,
                   "tuition_cents": 2_500_000, "living_allowance_per_day_cents": 9_000}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let o = &created.body;
    assert_eq!(o["course_masl_id"], "B171807");
    assert_eq!(o["course_title"], "Course B171807");
    assert_eq!(o["fiscal_year"], 2026);
    assert_eq!(o["seats"], 12);
    assert_eq!(o["seats_taken"], 0);
    assert_eq!(o["seats_available"], 12);
    assert_eq!(o["status"], "open");
    let path = format!("/api/v1/offerings/{}", o["id"]);
    assert_eq!(app.get(&c.liaison_pk, &path).await.body, created.body);

    // Seats may go down while still at or above those taken, and up.
    let fewer = app.patch(&c.admin, &path, json!({"seats": 1})).await;
    assert_eq!(fewer.status, StatusCode::OK, "{}", fewer.body);
    assert_eq!(fewer.body["seats_available"], 1);
    let more = app.patch(&c.admin, &path, json!({"seats": 20})).await;
    assert_eq!(more.body["seats"], 20);

    // Moving the start into the next fiscal year shows in the view.
    let moved = app
        .patch(
            &c.admin,
            &path,
            json!({"start_date": "2026-10-01", "end_date": "2027-02-12"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["fiscal_year"], 2027);

    let closed = app
        .patch(&c.admin, &path, json!({"status": "closed"}))
        .await;
    assert_eq!(closed.body["status"], "closed");
    let reopened = app.patch(&c.admin, &path, json!({"status": "open"})).await;
    assert_eq!(reopened.body["status"], "open");
    let cancelled = app
        .patch(&c.admin, &path, json!({"status": "cancelled"}))
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    for change in [
        json!({"status": "open"}),
        json!({"status": "closed"}),
        json!({"seats": 30}),
        json!({"tuition_cents": 1}),
    ] {
        let answer = app.patch(&c.admin, &path, change.clone()).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{change}");
        assert_eq!(answer.body["code"], "invalid_transition");
    }
    let restated = app
        .patch(&c.admin, &path, json!({"status": "cancelled", "seats": 20}))
        .await;
    assert_eq!(restated.status, StatusCode::OK);
    assert_eq!(restated.body, cancelled.body);
    let final_state = app.get(&c.admin, &path).await;
    assert_eq!(final_state.body["seats"], 20);
    assert_eq!(final_state.body["status"], "cancelled");

    let audit = app
        .get(
            &c.admin,
            &format!("/api/v1/audit?entity=offering&id={}", o["id"]),
        )
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "offering.cancel",
            "offering.update",
            "offering.update",
            "offering.update",
            "offering.update",
            "offering.update",
            "offering.create"
        ]
    );
}

#[tokio::test]
async fn invalid_offerings_name_the_field() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B171807", &[]).await;
    let base = json!({"start_date": "2026-08-03", "end_date": "2026-12-11", "seats": 12,
                      "tuition_cents": 2_500_000, "living_allowance_per_day_cents": 9_000});
    let cases = [
        ("seats", json!(0)),
        ("seats", json!(-3)),
        ("seats", json!("many")),
        ("end_date", json!("2026-08-02")),
        ("start_date", json!("2026-13-01")),
        ("tuition_cents", json!(-1)),
        ("tuition_cents", json!(1.5)),
        ("living_allowance_per_day_cents", json!(-100)),
        ("status", json!("cancelled")),
        ("status", json!("full")),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        let answer = app
            .post(&c.admin, "/api/v1/courses/B171807/offerings", body)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {value}"
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{field} {value}: {}",
            answer.body
        );
    }
    assert!(items(&app.get(&c.admin, "/api/v1/offerings").await).is_empty());

    let offering = app
        .offering(&c.admin, "B171807", "2026-08-03", "2026-12-11", 12)
        .await;
    let path = format!("/api/v1/offerings/{}", offering["id"]);
    for (patch, field) in [
        (json!({"seats": 0}), "seats"),
        (json!({"end_date": "2026-01-01"}), "end_date"),
        (json!({"start_date": "2027-01-01"}), "end_date"),
        (json!({"tuition_cents": -5}), "tuition_cents"),
    ] {
        let answer = app.patch(&c.admin, &path, patch.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{patch}: {}",
            answer.body
        );
    }
    assert_eq!(app.get(&c.admin, &path).await.body, offering);

    let missing_course = app
        .post(&c.admin, "/api/v1/courses/B999999/offerings", base.clone())
        .await;
    assert_eq!(missing_course.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&c.admin, "/api/v1/offerings/9999", json!({"seats": 3}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.patch(
        &c.admin,
        "/api/v1/courses/B171807",
        json!({"active": false}),
    )
    .await;
    let archived = app
        .post(&c.admin, "/api/v1/courses/B171807/offerings", base)
        .await;
    assert_eq!(archived.status, StatusCode::CONFLICT);
    assert_eq!(archived.body["code"], "invalid_transition");
}

#[tokio::test]
async fn offering_list_filters_and_pages_while_classes_are_added() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.course(&c.admin, "B000001", &[]).await;
    app.course(&c.admin, "P000002", &[]).await;
    let mut originals = Vec::new();
    for (masl, start) in [
        ("B000001", "2027-01-04"),
        ("P000002", "2027-01-04"),
        ("B000001", "2027-02-01"),
        ("P000002", "2027-03-01"),
        ("B000001", "2027-03-01"),
        ("B000001", "2027-04-05"),
        ("P000002", "2027-05-03"),
        ("B000001", "2027-06-07"),
        ("P000002", "2027-07-05"),
        ("B000001", "2027-08-02"),
    ] {
        let o = app.offering(&c.admin, masl, start, "2027-12-17", 10).await;
        originals.push(o["id"].as_i64().unwrap());
    }
    let closed = originals[3];
    app.patch(
        &c.admin,
        &format!("/api/v1/offerings/{closed}"),
        json!({"status": "closed"}),
    )
    .await;

    let starts = |answer: &crate::helpers::Answer| -> Vec<(String, String)> {
        items(answer)
            .iter()
            .map(|o| {
                (
                    o["course_masl_id"].as_str().unwrap().to_owned(),
                    o["start_date"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let by_course = app
        .get(&c.liaison_pk, "/api/v1/offerings?course=p000002")
        .await;
    assert_eq!(items(&by_course).len(), 4);
    assert!(starts(&by_course).iter().all(|(m, _)| m == "P000002"));
    let window = app
        .get(
            &c.officer,
            "/api/v1/offerings?from=2027-02-01&to=2027-04-05",
        )
        .await;
    assert_eq!(
        starts(&window)
            .iter()
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>(),
        ["2027-02-01", "2027-03-01", "2027-03-01", "2027-04-05"]
    );
    let closed_only = app.get(&c.officer, "/api/v1/offerings?status=closed").await;
    assert_eq!(items(&closed_only).len(), 1);
    assert_eq!(closed_only.body["items"][0]["id"], closed);
    let open_b = app
        .get(
            &c.officer,
            "/api/v1/offerings?status=open&course=B000001&from=2027-03-01",
        )
        .await;
    assert_eq!(items(&open_b).len(), 4);
    let unknown = app
        .get(&c.officer, "/api/v1/offerings?course=D999999")
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(items(&unknown).is_empty());
    for (query, field) in [
        ("course=XYZ", "course"),
        ("from=2027-13-01", "from"),
        ("from=2027-05-01&to=2027-04-01", "to"),
        ("status=full", "status"),
        ("cursor=WyJ4Il0", "cursor"),
    ] {
        let answer = app
            .get(&c.officer, &format!("/api/v1/offerings?{query}"))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{query}: {}",
            answer.body
        );
    }

    let seen = walk(&app, &c.liaison_jo, "/api/v1/offerings", async |page| {
        // A class sharing the first start date (behind the cursor) and one far ahead.
        app.offering(&c.admin, "B000001", "2027-01-04", "2027-12-17", 5)
            .await;
        let late = format!("2028-0{}-01", page + 1);
        app.offering(&c.admin, "P000002", &late, "2028-12-15", 5)
            .await;
    })
    .await;
    let ids: Vec<i64> = seen.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates in {ids:?}");
    for id in &originals {
        assert!(ids.contains(id), "{id} skipped");
    }
    let keys: Vec<(String, i64)> = seen
        .iter()
        .map(|o| {
            (
                o["start_date"].as_str().unwrap().to_owned(),
                o["id"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(seen.iter().any(|o| o["start_date"] == "2028-01-01"));
}

#[tokio::test]
async fn demo_catalog_is_current_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir).await;
    config.bootstrap_admin = None;
    let state = imet::app::prepare(config.clone()).await.unwrap();
    assert!(imet::demo::seed(&state).await.unwrap());
    let url = config.database_url.clone();
    let app = crate::helpers::spawn_app_with(move |c| c.database_url = url).await;
    let liaison = app
        .login("liaison.pk@imet.example", imet::demo::DEMO_PASSWORD)
        .await;

    let all = app.get(&liaison, "/api/v1/courses?limit=200").await;
    let courses = items(&all);
    assert!(courses.len() >= 25, "{}", courses.len());
    for agency in ["army", "air_force", "navy"] {
        assert!(
            courses.iter().filter(|c| c["agency"] == agency).count() >= 5,
            "{agency}"
        );
    }
    let e_imet = app.get(&liaison, "/api/v1/courses?e_imet=true").await;
    assert!(items(&e_imet).iter().all(|c| {
        c["audience"]
            .as_array()
            .unwrap()
            .contains(&json!("civilian"))
    }));
    assert!(items(&e_imet).len() >= 4);
    let staff_colleges = app
        .get(&liaison, "/api/v1/courses?category=pme&ecl_max=79")
        .await;
    assert!(items(&staff_colleges).is_empty(), "{}", staff_colleges.body);

    let today = chrono::Utc::now().date_naive();
    let horizon = today + chrono::Days::new(548);
    let classes = walk(&app, &liaison, "/api/v1/offerings", async |_| {}).await;
    assert!(classes.len() >= 50, "{}", classes.len());
    for class in &classes {
        let start: chrono::NaiveDate = class["start_date"].as_str().unwrap().parse().unwrap();
        let tuition = class["tuition_cents"].as_i64().unwrap();
        assert!((500_000..=9_000_000).contains(&tuition), "{class}");
        if class["status"] == "open" {
            assert!(start > today && start <= horizon, "{class}");
        } else {
            // The one class that already ran, closed, with its completed student.
            assert_eq!(class["status"], "closed", "{class}");
            assert!(start <= today && class["seats_taken"] == 1, "{class}");
        }
    }
    let cgsoc = app.get(&liaison, "/api/v1/courses/B171807").await;
    assert_eq!(cgsoc.body["ecl_min"], 80);
    assert_eq!(
        cgsoc.body["opi_min"],
        json!({"listening": "2", "speaking": "2"})
    );
    assert_eq!(cgsoc.body["prerequisites"], json!(["B171850"]));
}

#[tokio::test]
async fn openapi_describes_the_catalog() {
    let app = spawn_app().await;
    let doc: Value = app.openapi().await;
    for (path, method) in [
        ("/api/v1/courses", "get"),
        ("/api/v1/courses", "post"),
        ("/api/v1/courses/{masl_id}", "patch"),
        ("/api/v1/courses/import", "post"),
        ("/api/v1/courses/export", "get"),
        ("/api/v1/courses/{masl_id}/offerings", "post"),
        ("/api/v1/offerings", "get"),
        ("/api/v1/offerings/{id}", "patch"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let import = &doc["paths"]["/api/v1/courses/import"]["post"];
    assert!(import["requestBody"]["content"]["text/csv"].is_object());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Opi"]["properties"]["listening"]["type"], "string");
    assert_eq!(
        import["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    assert!(schemas["RowError"].is_object() && schemas["OfferingView"].is_object());
}
