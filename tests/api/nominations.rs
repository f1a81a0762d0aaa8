//! The nomination workflow end to end, through HTTP.
use chrono::{Days, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Answer, Cast, TestApp, cast, spawn_app},
    students::student,
};

/// A class starting `days` from today, twelve days long.
pub fn class_dates(days: u64) -> (NaiveDate, NaiveDate) {
    let start = Utc::now().date_naive() + Days::new(days);
    (start, start + Days::new(11))
}

/// The catalog and people most tests need: a PME course (ECL 70) with a
/// class 90 days out (`seats` seats), and a PK student ready to nominate
/// (ECL 80, vetting cleared).
pub struct World {
    pub c: Cast,
    pub offering: i64,
    pub student: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

pub async fn world(app: &TestApp, seats: i32) -> World {
    let c = cast(app).await;
    let created = app
        .post(
            &c.admin,
            "/api/v1/courses",
            json!({"masl_id": "B100001", "title": "Command and General Staff", "school": "CGSC", "location": "Fort Leavenworth, KS",
                   "category": "pme", "ecl_min": 70, "audience": ["officer"], "e_imet": false}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let (start, end) = class_dates(90);
    let offering = app
        .offering(
            &c.admin,
            "B100001",
            &start.to_string(),
            &end.to_string(),
            seats,
        )
        .await;
    let student = ready_student(app, &c, "PK", "Raza").await;
    World {
        c,
        offering: offering["id"].as_i64().unwrap(),
        student,
        start,
        end,
    }
}

/// A student of `country` with a valid ECL 80 and cleared vetting.
pub async fn ready_student(app: &TestApp, c: &Cast, country: &str, family: &str) -> i64 {
    let token = if country == "PK" {
        &c.liaison_pk
    } else {
        &c.liaison_jo
    };
    let id = student(app, token, country, family).await;
    let today = Utc::now().date_naive();
    let ecl = app
        .post(
            token,
            &format!("/api/v1/students/{id}/tests"),
            json!({"kind": "ECL", "score": 80, "taken_on": today - Days::new(10)}),
        )
        .await;
    assert_eq!(ecl.status, StatusCode::CREATED, "{}", ecl.body);
    let vetting = app
        .post(
            &c.officer,
            &format!("/api/v1/students/{id}/vetting"),
            json!({"status": "cleared", "case_reference": format!("INV-{id}"), "decided_on": today - Days::new(5)}),
        )
        .await;
    assert_eq!(vetting.status, StatusCode::CREATED, "{}", vetting.body);
    id
}

pub async fn nominate(
    app: &TestApp,
    token: &str,
    student: i64,
    offering: i64,
    submit: bool,
) -> Answer {
    app.post(
        token,
        "/api/v1/nominations",
        json!({"student_id": student, "offering_id": offering, "submit": submit}),
    )
    .await
}

fn check<'a>(nomination: &'a Value, name: &str) -> &'a Value {
    nomination["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {nomination}"))
}

async fn count(app: &TestApp, token: &str) -> usize {
    app.get(token, "/api/v1/nominations").await.body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn liaison_drafts_and_submits_with_checks_cost_and_history() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let draft = nominate(&app, &w.c.liaison_pk, w.student, w.offering, false).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    assert_eq!(draft.body["status"], "draft");
    assert_eq!(draft.body["program"], "IMET");
    assert_eq!(draft.body["priority"], "C");
    // tuition + travel + 12 days × living allowance
    assert_eq!(
        draft.body["estimated_cost_cents"],
        2_500_000 + 250_000 + 12 * 9_000
    );
    for (name, passed) in [
        ("country_eligible", true),
        ("english", true),
        ("prerequisites", true),
        ("audience", true),
        ("vetting", true),
        ("seats", true),
        ("funds", false),
    ] {
        let c = check(&draft.body, name);
        assert_eq!(c["passed"], passed, "{name}: {c}");
        assert!(!c["detail"].as_str().unwrap().is_empty());
    }
    let id = draft.body["id"].as_i64().unwrap();
    let submitted = app
        .post(
            &w.c.liaison_pk,
            &format!("/api/v1/nominations/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["status"], "submitted");
    assert!(submitted.body["submitted_at"].is_string());
    let detail = app
        .get(&w.c.officer, &format!("/api/v1/nominations/{id}"))
        .await;
    let history: Vec<&str> = detail.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["create", "submit"]);
    assert_eq!(detail.body["waivers"], json!([]));
    let again = app
        .post(
            &w.c.liaison_pk,
            &format!("/api/v1/nominations/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["code"], "invalid_transition");
}

#[tokio::test]
async fn submission_blockers_answer_errors_and_store_nothing() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    // Another country's student: 404, like a missing one.
    let jo_student = ready_student(&app, &w.c, "JO", "Haddad").await;
    let foreign = nominate(&app, &w.c.liaison_pk, jo_student, w.offering, true).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    // Not in the course's audience: 422 naming student_id.
    let enlisted = app
        .post(&w.c.liaison_pk, "/api/v1/students", json!({"country_code": "PK", "given_names": "Omar", "family_name": "Butt",
              "date_of_birth": "1995-01-01", "rank": "Sergeant", "grade": "E-5", "service": "army"}))
        .await;
    let audience = nominate(
        &app,
        &w.c.liaison_pk,
        enlisted.body["id"].as_i64().unwrap(),
        w.offering,
        true,
    )
    .await;
    assert_eq!(
        audience.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        audience.body
    );
    assert!(!audience.field_errors("student_id").is_empty());
    // A closed class takes no submissions.
    let (start, end) = class_dates(120);
    let closed = app
        .offering(
            &w.c.admin,
            "B100001",
            &start.to_string(),
            &end.to_string(),
            3,
        )
        .await;
    let closed_id = closed["id"].as_i64().unwrap();
    app.patch(
        &w.c.admin,
        &format!("/api/v1/offerings/{closed_id}"),
        json!({"status": "closed"}),
    )
    .await;
    let to_closed = nominate(&app, &w.c.liaison_pk, w.student, closed_id, true).await;
    assert_eq!(to_closed.status, StatusCode::CONFLICT);
    assert_eq!(to_closed.body["code"], "invalid_transition");
    // Bad fields.
    let bad = app
        .post(&w.c.liaison_pk, "/api/v1/nominations", json!({"student_id": w.student, "offering_id": w.offering, "program": "CSF", "priority": "E"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_offering = nominate(&app, &w.c.liaison_pk, w.student, 9999, true).await;
    assert!(
        !unknown_offering.field_errors("offering_id").is_empty(),
        "{}",
        unknown_offering.body
    );
    assert_eq!(count(&app, &w.c.officer).await, 0, "nothing stored");

    // One active nomination per student and class.
    assert_eq!(
        nominate(&app, &w.c.liaison_pk, w.student, w.offering, true)
            .await
            .status,
        StatusCode::CREATED
    );
    let duplicate = nominate(&app, &w.c.liaison_pk, w.student, w.offering, false).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.body["code"], "duplicate");

    // A suspension of a program it depends on refuses submission, naming it.
    let suspension = app
        .post(
            &w.c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["IMET"], "legal_basis": "coup_7008",
              "reason": "coup", "effective_from": Utc::now().date_naive()}),
        )
        .await;
    let other = ready_student(&app, &w.c, "PK", "Khan").await;
    let suspended = nominate(&app, &w.c.liaison_pk, other, w.offering, true).await;
    assert_eq!(suspended.status, StatusCode::CONFLICT);
    assert_eq!(suspended.body["code"], "country_suspended");
    assert_eq!(
        suspended.body["suspensions"][0]["id"],
        suspension.body["id"]
    );
    assert_eq!(count(&app, &w.c.officer).await, 1);
    // A draft may wait; a country_eligible waiver lets it through.
    let draft = nominate(&app, &w.c.liaison_pk, other, w.offering, false).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let id = draft.body["id"].as_i64().unwrap();
    let refused = app
        .post(
            &w.c.liaison_pk,
            &format!("/api/v1/nominations/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(refused.body["code"], "country_suspended");
    let waived = app
        .post(
            &w.c.officer,
            &format!("/api/v1/nominations/{id}/waivers"),
            json!({"check": "country_eligible", "justification": "national security"}),
        )
        .await;
    assert_eq!(waived.status, StatusCode::OK, "{}", waived.body);
    assert_eq!(check(&waived.body, "country_eligible")["waived"], true);
    let through = app
        .post(
            &w.c.liaison_pk,
            &format!("/api/v1/nominations/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(through.status, StatusCode::OK, "{}", through.body);
}

#[tokio::test]
async fn roles_and_countries_are_enforced_on_every_nomination_endpoint() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let created = nominate(&app, &w.c.liaison_pk, w.student, w.offering, true).await;
    let id = created.body["id"].as_i64().unwrap();
    // Program officers do not create nominations.
    assert_eq!(
        nominate(&app, &w.c.officer, w.student, w.offering, true)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Liaisons do not decide, whatever the body.
    for action in ["approve", "reject", "waitlist", "complete", "waivers"] {
        let answer = app
            .post(
                &w.c.liaison_pk,
                &format!("/api/v1/nominations/{id}/{action}"),
                json!({"nonsense": true}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{action}");
    }
    // Another country's liaison sees nothing of it.
    let path = format!("/api/v1/nominations/{id}");
    let hidden = app.get(&w.c.liaison_jo, &path).await;
    let missing = app.get(&w.c.liaison_jo, "/api/v1/nominations/9999").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body, missing.body);
    for action in ["submit", "withdraw"] {
        let answer = app
            .post(
                &w.c.liaison_jo,
                &format!("{path}/{action}"),
                json!({"reason": "x"}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(count(&app, &w.c.liaison_jo).await, 0);
    assert_eq!(count(&app, &w.c.liaison_pk).await, 1);
    let filtered = app
        .get(&w.c.liaison_jo, "/api/v1/nominations?country=PK")
        .await;
    assert_eq!(filtered.body["items"], json!([]));
    assert_eq!(app.get(&w.c.officer, &path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn reject_needs_a_reason_and_is_final() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let id = nominate(&app, &w.c.liaison_pk, w.student, w.offering, true)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/nominations/{id}");
    let no_reason = app
        .post(
            &w.c.officer,
            &format!("{path}/reject"),
            json!({"reason": "  "}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!no_reason.field_errors("reason").is_empty());
    let rejected = app
        .post(
            &w.c.officer,
            &format!("{path}/reject"),
            json!({"reason": "Not a priority this year"}),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["reason"], "Not a priority this year");
    for action in ["approve", "waitlist", "complete"] {
        let answer = app
            .post(&w.c.officer, &format!("{path}/{action}"), json!({}))
            .await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{action}");
        assert_eq!(answer.body["code"], "invalid_transition", "{action}");
    }
    let withdraw = app
        .post(
            &w.c.liaison_pk,
            &format!("{path}/withdraw"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(withdraw.body["code"], "invalid_transition");
    // A new nomination for the same class is allowed once the first is final.
    assert_eq!(
        nominate(&app, &w.c.liaison_pk, w.student, w.offering, true)
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn waivers_are_for_staff_and_never_for_vetting() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let id = nominate(&app, &w.c.liaison_pk, w.student, w.offering, false)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/nominations/{id}/waivers");
    for (body, field) in [
        (json!({"check": "vetting", "justification": "x"}), "check"),
        (json!({"check": "audience", "justification": "x"}), "check"),
        (
            json!({"check": "english", "justification": " "}),
            "justification",
        ),
        (json!({"check": "charm", "justification": "x"}), "check"),
    ] {
        let answer = app.post(&w.c.officer, &path, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{body}: {}",
            answer.body
        );
    }
    let ok = app
        .post(
            &w.c.admin,
            &path,
            json!({"check": "english", "justification": "Interpreter assigned"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["waivers"][0]["check"], "english");
    assert_eq!(
        ok.body["waivers"][0]["justification"],
        "Interpreter assigned"
    );
    let twice = app
        .post(
            &w.c.officer,
            &path,
            json!({"check": "english", "justification": "again"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.body["code"], "duplicate");
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let body = json!({"student_id": w.student, "offering_id": w.offering, "submit": true, "priority": "A"});
    let send = |body: Value, key: &'static str| {
        let req = app
            .client
            .post(app.url("/api/v1/nominations"))
            .bearer_auth(&w.c.liaison_pk)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { TestApp::answer(req.send().await.unwrap()).await }
    };
    let first = send(body.clone(), "nominate-raza-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = send(body.clone(), "nominate-raza-1").await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body, first.body, "the first body, replayed");
    assert_eq!(count(&app, &w.c.officer).await, 1);
    let mut other = body.clone();
    other["priority"] = json!("B");
    let different = send(other, "nominate-raza-1").await;
    assert_eq!(different.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!different.field_errors("Idempotency-Key").is_empty());
    // Keys are per user: the admin's same key is a new request (a duplicate here).
    let req = app
        .client
        .post(app.url("/api/v1/nominations"))
        .bearer_auth(&w.c.admin)
        .header("Idempotency-Key", "nominate-raza-1")
        .json(&body);
    let admin = TestApp::answer(req.send().await.unwrap()).await;
    assert_eq!(admin.status, StatusCode::CONFLICT);
    assert_eq!(admin.body["code"], "duplicate");
}

#[tokio::test]
async fn suspension_holds_and_lifting_restores_the_previous_status() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let submitted = nominate(&app, &w.c.liaison_pk, w.student, w.offering, true)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let khan = ready_student(&app, &w.c, "PK", "Khan").await;
    let waitlisted = nominate(&app, &w.c.liaison_pk, khan, w.offering, true)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    app.post(
        &w.c.officer,
        &format!("/api/v1/nominations/{waitlisted}/waitlist"),
        json!({}),
    )
    .await;
    let draft_student = ready_student(&app, &w.c, "PK", "Malik").await;
    let draft = nominate(&app, &w.c.liaison_pk, draft_student, w.offering, false)
        .await
        .body["id"]
        .as_i64()
        .unwrap();

    let today = Utc::now().date_naive();
    // FMF does not touch IMET nominations.
    app.post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["FMF"], "legal_basis": "brooke_amendment", "reason": "arrears", "effective_from": today})).await;
    let status = |id: i64| {
        let path = format!("/api/v1/nominations/{id}");
        let token = w.c.officer.clone();
        let app = &app;
        async move { app.get(&token, &path).await.body }
    };
    assert_eq!(status(submitted).await["status"], "submitted");
    let imet = app
        .post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["ALL"], "exempt_programs": ["FMF"], "legal_basis": "coup_7008", "reason": "coup", "effective_from": today}))
        .await;
    let held = status(submitted).await;
    assert_eq!(held["status"], "on_hold");
    assert_eq!(held["held_from"], "submitted");
    assert_eq!(status(waitlisted).await["held_from"], "waitlisted");
    assert_eq!(
        status(draft).await["status"],
        "draft",
        "drafts are not held"
    );
    // Nothing can be decided while on hold; it can be withdrawn.
    let approve = app
        .post(
            &w.c.officer,
            &format!("/api/v1/nominations/{submitted}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(approve.body["code"], "invalid_transition");

    let lifted = app
        .post(
            &w.c.officer,
            &format!("/api/v1/countries/PK/suspensions/{}/lift", imet.body["id"]),
            json!({"lifted_on": today, "reason": "elections held"}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    let restored = status(submitted).await;
    assert_eq!(restored["status"], "submitted");
    assert!(restored["held_from"].is_null());
    assert_eq!(status(waitlisted).await["status"], "waitlisted");
    let actions: Vec<String> = restored["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, vec!["submit", "hold", "release"]);
    // A future suspension holds nothing yet.
    app.post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "other", "reason": "later", "effective_from": today + Days::new(30)})).await;
    assert_eq!(status(submitted).await["status"], "submitted");
}

#[tokio::test]
async fn withdrawing_needs_a_reason_and_frees_the_student_for_a_new_nomination() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let id = nominate(&app, &w.c.liaison_pk, w.student, w.offering, false)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/nominations/{id}/withdraw");
    let missing = app.post(&w.c.liaison_pk, &path, json!({})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!missing.field_errors("reason").is_empty());
    let withdrawn = app
        .post(
            &w.c.liaison_pk,
            &path,
            json!({"reason": "Student reassigned"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    assert_eq!(withdrawn.body["withdrawal_cause"], "liaison");
    assert_eq!(withdrawn.body["penalty_cents"], 0);
    assert_eq!(
        nominate(&app, &w.c.liaison_pk, w.student, w.offering, true)
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_demo_tells_the_seed_story_with_nominations_in_every_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir).await;
    config.bootstrap_admin = None;
    let state = imet::app::prepare(config.clone()).await.unwrap();
    assert!(imet::demo::seed(&state).await.unwrap());
    assert!(
        !imet::demo::seed(&state).await.unwrap(),
        "a second seed changes nothing"
    );
    let url = config.database_url.clone();
    let app = crate::helpers::spawn_app_with(move |c| c.database_url = url).await;
    let officer = app
        .login("officer@imet.example", imet::demo::DEMO_PASSWORD)
        .await;
    let all = app.get(&officer, "/api/v1/nominations?limit=200").await;
    let statuses: std::collections::BTreeSet<String> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap().to_owned())
        .collect();
    let today = Utc::now().date_naive();
    let mut expected = vec![
        "approved",
        "draft",
        "on_hold",
        "rejected",
        "submitted",
        "waitlisted",
        "withdrawn",
    ];
    if imet::domain::fiscal_year::fiscal_year(today - Days::new(12))
        == imet::domain::fiscal_year::fiscal_year(today)
    {
        expected.push("completed");
    }
    for status in expected {
        assert!(
            statuses.contains(status),
            "{status} missing from {statuses:?}"
        );
    }
    // Pakistan's history answers as SPEC §2 tells it.
    for (program, on, eligible) in [
        ("IMET", "2018-03-01", true),
        ("IMET", "2019-06-01", false),
        ("FMF", "2019-06-01", false),
    ] {
        let answer = app
            .get(
                &officer,
                &format!("/api/v1/countries/PK/eligibility?program={program}&on={on}"),
            )
            .await;
        assert_eq!(answer.body["eligible"], eligible, "{program} {on}");
    }
    let liaison = app
        .login("liaison.pk@imet.example", imet::demo::DEMO_PASSWORD)
        .await;
    let students = app.get(&liaison, "/api/v1/students").await;
    assert!(students.body["items"].as_array().unwrap().len() >= 5);
}

#[tokio::test]
async fn a_stored_row_that_cannot_be_read_is_an_error_never_a_default() {
    use sea_orm::ConnectionTrait;

    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let created = nominate(&app, &w.c.liaison_pk, w.student, w.offering, false).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/nominations/{id}");
    let corruptions = [
        ("checks", r#"'{"not": "a list of checks"}'"#),
        ("status", "'misfiled'"),
    ];
    for (column, value) in corruptions {
        assert_eq!(app.get(&w.c.officer, &path).await.status, StatusCode::OK);
        app.state
            .db
            .execute_unprepared(&format!(
                "UPDATE nominations SET {column} = {value} WHERE id = {id}"
            ))
            .await
            .unwrap();
        for path in [path.as_str(), "/api/v1/nominations"] {
            let answer = app.get(&w.c.officer, path).await;
            assert_eq!(
                answer.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{column} {path}: {}",
                answer.body
            );
            assert_eq!(
                answer.body["status"], 500,
                "a problem document: {}",
                answer.body
            );
        }
        let repaired = if column == "checks" {
            "'[]'"
        } else {
            "'draft'"
        };
        app.state
            .db
            .execute_unprepared(&format!(
                "UPDATE nominations SET {column} = {repaired} WHERE id = {id}"
            ))
            .await
            .unwrap();
    }
}
