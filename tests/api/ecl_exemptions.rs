//! ECL exemptions through HTTP: the admin's list per fiscal year, its
//! audit, who may change it, what is refused, and the english check of a
//! student of an exempt country at nomination, approval, travel order and
//! in the daily ECL expiry warning.
use chrono::{Days, Utc};
use imet::domain::fiscal_year::{fiscal_year, fiscal_year_start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    approvals::{COST, act, allocate},
    helpers::{Answer, Cast, TestApp, cast, spawn_app},
    nominations::{nominate, world},
    students::student,
    travel_orders::vet,
};

fn path(fy: i32, country: &str) -> String {
    format!("/api/v1/ecl-exemptions/{fy}/{country}")
}

async fn exempt(app: &TestApp, admin: &str, fy: i32, country: &str, note: &str) -> Answer {
    app.put(admin, &path(fy, country), json!({ "note": note }))
        .await
}

/// The countries of a list answer, as "FY/CODE".
fn listed(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["fiscal_year"],
                e["country_code"].as_str().unwrap()
            )
        })
        .collect()
}

/// The audit actions on one exemption, newest first.
async fn audited(app: &TestApp, c: &Cast, id: &str) -> Vec<Value> {
    let audit = app
        .get(
            &c.officer,
            &format!("/api/v1/audit?entity=ecl_exemption&id={id}"),
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    audit.body["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn admins_keep_the_list_per_fiscal_year_and_every_change_is_audited() {
    let app = spawn_app().await;
    let c = cast(&app).await;

    let created = exempt(
        &app,
        &c.admin,
        2027,
        "pk",
        "  Trains its officers in English.  ",
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["fiscal_year"], 2027);
    assert_eq!(created.body["country_code"], "PK");
    assert_eq!(created.body["country_name"], "Pakistan");
    assert_eq!(created.body["note"], "Trains its officers in English.");
    let changed = exempt(
        &app,
        &c.admin,
        2027,
        "PK",
        "Staff colleges teach in English.",
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["note"], "Staff colleges teach in English.");
    assert_eq!(changed.body["created_at"], created.body["created_at"]);
    let jordan = exempt(&app, &c.admin, 2028, "JO", "Anglophone academy.").await;
    assert_eq!(jordan.status, StatusCode::CREATED, "{}", jordan.body);

    // Everyone reads; a liaison only their own country.
    let everything = app.get(&c.officer, "/api/v1/ecl-exemptions").await;
    assert_eq!(listed(&everything), ["2027/PK", "2028/JO"]);
    let of_2027 = app
        .get(&c.admin, "/api/v1/ecl-exemptions?fiscal_year=2027")
        .await;
    assert_eq!(listed(&of_2027), ["2027/PK"]);
    assert_eq!(
        of_2027.body["items"][0]["note"],
        "Staff colleges teach in English."
    );
    let of_2029 = app
        .get(&c.officer, "/api/v1/ecl-exemptions?fiscal_year=2029")
        .await;
    assert!(listed(&of_2029).is_empty());
    let pk = app.get(&c.liaison_pk, "/api/v1/ecl-exemptions").await;
    assert_eq!(listed(&pk), ["2027/PK"]);
    let jo = app.get(&c.liaison_jo, "/api/v1/ecl-exemptions").await;
    assert_eq!(listed(&jo), ["2028/JO"]);
    // A page at a time.
    let first = app.get(&c.admin, "/api/v1/ecl-exemptions?limit=1").await;
    assert_eq!(listed(&first), ["2027/PK"]);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(
            &c.admin,
            &format!("/api/v1/ecl-exemptions?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(listed(&second), ["2028/JO"]);
    assert!(second.body["next_cursor"].is_null());

    // Removed: gone from the list, a second removal finds nothing; put back,
    // it is new again.
    let removed = app.delete(&c.admin, &path(2027, "PK")).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(removed.body, Value::Null);
    let again = app.delete(&c.admin, &path(2027, "PK")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    let never = app.delete(&c.admin, &path(2028, "PK")).await;
    assert_eq!(never.status, StatusCode::NOT_FOUND, "{}", never.body);
    let after = app
        .get(&c.admin, "/api/v1/ecl-exemptions?fiscal_year=2027")
        .await;
    assert!(listed(&after).is_empty());
    let back = exempt(&app, &c.admin, 2027, "PK", "Back on the list.").await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);

    // A country that is not registered: 404, like other paths naming one.
    for unknown in ["ZZ", "JJ"] {
        let put = exempt(&app, &c.admin, 2027, unknown, "Nobody.").await;
        assert_eq!(put.status, StatusCode::NOT_FOUND, "{}", put.body);
        let delete = app.delete(&c.admin, &path(2027, unknown)).await;
        assert_eq!(delete.status, StatusCode::NOT_FOUND, "{}", delete.body);
    }

    let trail = audited(&app, &c, "2027/PK").await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "ecl_exemption.create",
            "ecl_exemption.delete",
            "ecl_exemption.update",
            "ecl_exemption.create"
        ]
    );
    let update = &trail[2];
    assert_eq!(update["before"]["note"], "Trains its officers in English.");
    assert_eq!(update["after"]["note"], "Staff colleges teach in English.");
    assert_eq!(
        trail[1]["before"]["note"],
        "Staff colleges teach in English."
    );
    assert!(trail[1]["after"].is_null());
    assert!(trail.iter().all(|e| e["actor_id"].is_number()));
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let cases = [
        (path(2027, "PK"), json!({"note": "   "}), "note"),
        (path(2027, "PK"), json!({"note": "x".repeat(501)}), "note"),
        (path(2027, "PK"), json!({}), "note"),
        (path(2027, "PK"), json!({"note": 7}), "note"),
        (path(2027, "PK"), json!({"note": "one\nline"}), "note"),
        (path(2027, "PK"), json!({"note": "a\u{0}b"}), "note"),
        (path(1999, "PK"), json!({"note": "x"}), "fiscal_year"),
        (path(2101, "PK"), json!({"note": "x"}), "fiscal_year"),
        (
            "/api/v1/ecl-exemptions/FY2027/PK".into(),
            json!({"note": "x"}),
            "fiscal_year",
        ),
        (
            "/api/v1/ecl-exemptions/99999999999/PK".into(),
            json!({"note": "x"}),
            "fiscal_year",
        ),
    ];
    for (target, body, field) in cases {
        let answer = app.put(&c.admin, &target, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{target} {body}: {}",
            answer.body
        );
        assert_eq!(answer.content_type(), "application/problem+json");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{target} {body}: {}",
            answer.body
        );
    }
    for target in ["/api/v1/ecl-exemptions/x/PK", &path(1999, "PK")] {
        let answer = app.delete(&c.admin, target).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{target}");
        assert!(!answer.field_errors("fiscal_year").is_empty(), "{target}");
    }
    for (query, field) in [
        ("fiscal_year=3000", "fiscal_year"),
        ("fiscal_year=soon", "fiscal_year"),
        ("cursor=%25%25", "cursor"),
        ("limit=0", "limit"),
    ] {
        let answer = app
            .get(&c.officer, &format!("/api/v1/ecl-exemptions?{query}"))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{query}: {}",
            answer.body
        );
    }
    let not_json = app
        .send_raw(
            Method::PUT,
            &path(2027, "PK"),
            &c.admin,
            "application/json",
            "{note:",
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);

    let list = app.get(&c.admin, "/api/v1/ecl-exemptions").await;
    assert!(listed(&list).is_empty(), "{}", list.body);
    assert!(audited(&app, &c, "2027/PK").await.is_empty());
    // 500 characters is the limit.
    let longest = exempt(&app, &c.admin, 2027, "PK", &"x".repeat(500)).await;
    assert_eq!(longest.status, StatusCode::CREATED, "{}", longest.body);
}

#[tokio::test]
async fn only_admins_change_the_list_and_everyone_signed_in_reads_it() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    assert_eq!(
        exempt(&app, &c.admin, 2027, "PK", "Kept.").await.status,
        StatusCode::CREATED
    );
    for token in [&c.officer, &c.liaison_pk, &c.liaison_jo] {
        // Refused before the body is read: a bad body answers 403 as well.
        for body in [json!({"note": "Mine."}), json!({"note": 1})] {
            let put = app.put(token, &path(2027, "PK"), body).await;
            assert_eq!(put.status, StatusCode::FORBIDDEN, "{}", put.body);
        }
        let delete = app.delete(token, &path(2027, "PK")).await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN, "{}", delete.body);
        let list = app.get(token, "/api/v1/ecl-exemptions").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    }
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(json!({"note": "Anyone."}))),
        (Method::DELETE, None),
    ] {
        let target = if method == Method::GET {
            "/api/v1/ecl-exemptions".to_owned()
        } else {
            path(2027, "PK")
        };
        let answer = app.call(method.clone(), &target, None, body).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method}");
    }
    let kept = app
        .get(&c.admin, "/api/v1/ecl-exemptions?fiscal_year=2027")
        .await;
    assert_eq!(kept.body["items"][0]["note"], "Kept.");
    assert_eq!(audited(&app, &c, "2027/PK").await.len(), 1);
}

/// The english check of a nomination answer.
fn english(nomination: &Answer) -> (bool, String) {
    let check = nomination.body["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks in {}", nomination.body))
        .iter()
        .find(|c| c["name"] == "english")
        .expect("an english check");
    (
        check["passed"].as_bool().unwrap(),
        check["detail"].as_str().unwrap().to_owned(),
    )
}

/// A PK student with cleared Leahy vetting and no English test at all.
async fn untested_student(app: &TestApp, c: &Cast, family: &str) -> i64 {
    let id = student(app, &c.liaison_pk, "PK", family).await;
    vet(app, &c.officer, id, "leahy", "cleared").await;
    id
}

#[tokio::test]
async fn a_student_of_a_country_exempt_in_the_classes_fiscal_year_meets_the_ecl_minimum() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let fy = fiscal_year(w.start);
    // A class of the same course (ECL 70) in the next fiscal year.
    let later_start = fiscal_year_start(fy + 1) + Days::new(14);
    let later = app
        .offering(
            &c.admin,
            "B100001",
            &later_start.to_string(),
            &(later_start + Days::new(11)).to_string(),
            5,
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // No ECL score and no exemption: the check fails.
    let noor = untested_student(&app, c, "Noor").await;
    let before = nominate(&app, &c.liaison_pk, noor, w.offering, false).await;
    assert_eq!(before.status, StatusCode::CREATED, "{}", before.body);
    assert_eq!(
        english(&before),
        (false, "no ECL score (ECL 70 required)".to_owned())
    );
    // An exemption of another fiscal year doesn't count.
    assert_eq!(
        exempt(&app, &c.admin, fy + 1, "PK", "Next year only.")
            .await
            .status,
        StatusCode::CREATED
    );
    let other_year = nominate(
        &app,
        &c.liaison_pk,
        untested_student(&app, c, "Iqbal").await,
        w.offering,
        false,
    )
    .await;
    assert!(!english(&other_year).0, "{}", other_year.body);

    // Exempt in the fiscal year of the class's start: met without a score.
    assert_eq!(
        exempt(&app, &c.admin, fy, "PK", "Trains in English.")
            .await
            .status,
        StatusCode::CREATED
    );
    let hamid = untested_student(&app, c, "Hamid").await;
    let exempted = nominate(&app, &c.liaison_pk, hamid, w.offering, true).await;
    assert_eq!(exempted.status, StatusCode::CREATED, "{}", exempted.body);
    let (passed, detail) = english(&exempted);
    assert!(passed, "{detail}");
    assert!(
        detail.starts_with(&format!("exempt from ECL testing in FY{fy}")),
        "{detail}"
    );
    // The first draft's checks run again when it is submitted.
    let id = before.body["id"].as_i64().unwrap();
    let submitted = act(&app, &c.liaison_pk, id, "submit", json!({})).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert!(english(&submitted).0, "{}", submitted.body);
    // The exemption for the class's year is what counts: the later class
    // (FY + 1) is covered by the other one; Jordan is not exempt at all.
    let later_nomination = nominate(
        &app,
        &c.liaison_pk,
        untested_student(&app, c, "Latif").await,
        later,
        false,
    )
    .await;
    let (passed, detail) = english(&later_nomination);
    assert!(
        passed && detail.starts_with(&format!("exempt from ECL testing in FY{}", fy + 1)),
        "{detail}"
    );
    let jordanian = student(&app, &c.liaison_jo, "JO", "Saleh").await;
    let jo = nominate(&app, &c.liaison_jo, jordanian, w.offering, false).await;
    assert!(!english(&jo).0, "{}", jo.body);

    // Approval and the travel order run the same check.
    allocate(&app, &c.officer, "PK", fy, 10 * COST).await;
    let exempted_id = exempted.body["id"].as_i64().unwrap();
    let approved = act(&app, &c.officer, exempted_id, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert!(english(&approved).0, "{}", approved.body);
    vet(&app, &c.officer, hamid, "security", "cleared").await;
    let order = act(&app, &c.officer, exempted_id, "ito", json!({})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    // Removed: the check fails again, for an amendment as for a nomination.
    let removed = app.delete(&c.admin, &path(fy, "PK")).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let amend = act(
        &app,
        &c.officer,
        exempted_id,
        "ito/amend",
        json!({"reason": "The report date moved."}),
    )
    .await;
    assert_eq!(amend.status, StatusCode::CONFLICT, "{}", amend.body);
    assert_eq!(amend.body["unmet"], json!(["english"]), "{}", amend.body);
    let after = nominate(
        &app,
        &c.liaison_pk,
        untested_student(&app, c, "Rauf").await,
        w.offering,
        false,
    )
    .await;
    assert!(!english(&after).0, "{}", after.body);
}

#[tokio::test]
async fn an_exemption_leaves_opi_minimums_in_force() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let created = app
        .post(
            &c.admin,
            "/api/v1/courses",
            json!({"masl_id": "B100002", "title": "Instructor Development", "school": "DLIELC", "location": "Lackland AFB, TX",
                   "category": "english_language", "ecl_min": 80, "opi_min": {"listening": "2", "speaking": "2"},
                   "audience": ["officer"], "e_imet": false}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let class = app
        .offering(
            &c.admin,
            "B100002",
            &w.start.to_string(),
            &w.end.to_string(),
            5,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let fy = fiscal_year(w.start);
    assert_eq!(
        exempt(&app, &c.admin, fy, "PK", "Trains in English.")
            .await
            .status,
        StatusCode::CREATED
    );

    let noor = untested_student(&app, c, "Noor").await;
    let without_opi = nominate(&app, &c.liaison_pk, noor, class, false).await;
    assert_eq!(
        without_opi.status,
        StatusCode::CREATED,
        "{}",
        without_opi.body
    );
    let (passed, detail) = english(&without_opi);
    assert!(!passed, "{detail}");
    assert_eq!(detail, "no OPI score (OPI 2/2 required)");

    let today = Utc::now().date_naive();
    let opi = app
        .post(
            &c.liaison_pk,
            &format!("/api/v1/students/{noor}/tests"),
            json!({"kind": "OPI", "listening": "2", "speaking": "2+", "taken_on": today - Days::new(3)}),
        )
        .await;
    assert_eq!(opi.status, StatusCode::CREATED, "{}", opi.body);
    let id = without_opi.body["id"].as_i64().unwrap();
    let submitted = act(&app, &c.liaison_pk, id, "submit", json!({})).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let (passed, detail) = english(&submitted);
    assert!(passed, "{detail}");
    assert!(
        detail.starts_with(&format!("exempt from ECL testing in FY{fy}; OPI 2/2+")),
        "{detail}"
    );
}

#[tokio::test]
async fn no_ecl_expiry_warning_for_a_student_of_an_exempt_country() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let fy = fiscal_year(w.start);
    allocate(&app, &c.officer, "PK", fy, 10 * COST).await;
    // Valid today, expired before the class starts in 90 days.
    let khan = untested_student(&app, c, "Khan").await;
    let today = Utc::now().date_naive();
    let ecl = app
        .post(
            &c.liaison_pk,
            &format!("/api/v1/students/{khan}/tests"),
            json!({"kind": "ECL", "score": 85, "taken_on": today - Days::new(100)}),
        )
        .await;
    assert_eq!(ecl.status, StatusCode::CREATED, "{}", ecl.body);
    let nomination = nominate(&app, &c.liaison_pk, khan, w.offering, true).await;
    let id = nomination.body["id"].as_i64().unwrap();
    let approved = act(&app, &c.officer, id, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);

    assert_eq!(
        exempt(&app, &c.admin, fy, "PK", "Trains in English.")
            .await
            .status,
        StatusCode::CREATED
    );
    let exempted = imet::jobs::run_daily(&app.state).await.unwrap();
    assert_eq!(exempted.ecl_warnings, 0);
    assert_eq!(
        app.delete(&c.admin, &path(fy, "PK")).await.status,
        StatusCode::NO_CONTENT
    );
    let not_exempt = imet::jobs::run_daily(&app.state).await.unwrap();
    assert_eq!(not_exempt.ecl_warnings, 1);
}

#[tokio::test]
async fn parallel_puts_of_one_new_exemption_create_it_once() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..12 {
        let request = app
            .client
            .put(app.url(&path(2027, "PK")))
            .bearer_auth(&c.admin)
            .json(&json!({ "note": format!("Note {i}") }));
        requests.spawn(async move { request.send().await.unwrap().status() });
    }
    let mut statuses = Vec::new();
    while let Some(joined) = requests.join_next().await {
        statuses.push(joined.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let changed = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!((created, changed), (1, 11), "{statuses:?}");
    let trail = audited(&app, &c, "2027/PK").await;
    assert_eq!(trail.len(), 12);
    assert_eq!(
        trail.last().unwrap()["action"],
        "ecl_exemption.create",
        "the first change created it"
    );
}
