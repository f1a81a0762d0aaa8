//! The approval transaction and what follows it: money, seats, waitlist,
//! penalties, suspensions, cancellation, completion, the daily job and the
//! emails, through HTTP on SQLite and PostgreSQL.
use chrono::{Days, Utc};
use imet::domain::fiscal_year::fiscal_year;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Answer, TestApp, spawn_app, spawn_app_with},
    nominations::{World, class_dates, nominate, ready_student, world},
    smtp::SmtpServer,
};

/// Tuition + travel + 12 days × allowance of the test classes.
pub const COST: i64 = 2_500_000 + 250_000 + 12 * 9_000;

pub async fn allocate(app: &TestApp, token: &str, country: &str, fy: i32, cents: i64) {
    let answer = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/allocations/{country}/IMET/{fy}"),
            Some(token),
            Some(json!({"allocated_cents": cents})),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);
}

pub async fn allocation(app: &TestApp, token: &str, country: &str, fy: i32) -> Value {
    let list = app
        .get(
            token,
            &format!("/api/v1/allocations?fiscal_year={fy}&country={country}"),
        )
        .await;
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["program"] == "IMET")
        .cloned()
        .unwrap_or(Value::Null)
}

pub async fn act(app: &TestApp, token: &str, id: i64, action: &str, body: Value) -> Answer {
    app.post(token, &format!("/api/v1/nominations/{id}/{action}"), body)
        .await
}

pub async fn submitted(app: &TestApp, w: &World, student: i64, offering: i64) -> i64 {
    let answer = nominate(app, &w.c.liaison_pk, student, offering, true).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_i64().unwrap()
}

pub async fn offering(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(token, &format!("/api/v1/offerings/{id}"))
        .await
        .body
}

#[tokio::test]
async fn approval_commits_the_cost_and_takes_a_seat_in_one_step() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST).await;
    let id = submitted(&app, &w, w.student, w.offering).await;
    let approved = act(&app, &w.c.officer, id, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["estimated_cost_cents"], COST);
    assert_eq!(approved.body["committed_cents"], COST);
    assert!(
        approved.body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["passed"] == true),
        "{}",
        approved.body
    );
    let a = allocation(&app, &w.c.liaison_pk, "PK", fy).await;
    assert_eq!(a["committed_cents"], COST);
    assert_eq!(a["available_cents"], 9 * COST);
    assert_eq!(
        offering(&app, &w.c.officer, w.offering).await["seats_taken"],
        1
    );
    // Seats can't go below those taken any more.
    let lower = app
        .patch(
            &w.c.admin,
            &format!("/api/v1/offerings/{}", w.offering),
            json!({"seats": 0}),
        )
        .await;
    assert_eq!(lower.status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = act(&app, &w.c.officer, id, "approve", json!({})).await;
    assert_eq!(again.body["code"], "invalid_transition");
    // The class can't move to another fiscal year now.
    let (next_year, next_end) = (w.start + Days::new(366), w.end + Days::new(366));
    let moved = app
        .patch(
            &w.c.admin,
            &format!("/api/v1/offerings/{}", w.offering),
            json!({"start_date": next_year, "end_date": next_end}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.body);
}

#[tokio::test]
async fn refusals_come_in_order_checks_then_seats_then_funds() {
    let app = spawn_app().await;
    let w = world(&app, 1).await;
    let fy = fiscal_year(w.start);
    // No allocation at all: insufficient_funds.
    let first = submitted(&app, &w, w.student, w.offering).await;
    let no_allocation = act(&app, &w.c.officer, first, "approve", json!({})).await;
    assert_eq!(
        no_allocation.body["code"], "insufficient_funds",
        "{}",
        no_allocation.body
    );
    // Less than the cost available: insufficient_funds.
    allocate(&app, &w.c.officer, "PK", fy, COST - 1).await;
    assert_eq!(
        act(&app, &w.c.officer, first, "approve", json!({}))
            .await
            .body["code"],
        "insufficient_funds"
    );
    allocate(&app, &w.c.officer, "PK", fy, COST + 1).await;
    assert_eq!(
        act(&app, &w.c.officer, first, "approve", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    // Full class (and no money left either): no_seats comes first.
    let second_student = ready_student(&app, &w.c, "PK", "Khan").await;
    let second = submitted(&app, &w, second_student, w.offering).await;
    let full = act(&app, &w.c.officer, second, "approve", json!({})).await;
    assert_eq!(full.body["code"], "no_seats", "{}", full.body);
    // Unmet checks come before everything: no vetting, and an expired ECL.
    let third_student = crate::students::student(&app, &w.c.liaison_pk, "PK", "Malik").await;
    let old = Utc::now().date_naive() - Days::new(200);
    app.post(
        &w.c.liaison_pk,
        &format!("/api/v1/students/{third_student}/tests"),
        json!({"kind": "ECL", "score": 90, "taken_on": old}),
    )
    .await;
    let third = submitted(&app, &w, third_student, w.offering).await;
    // Vetting is decided after submission: the approval sees the denial.
    let denied = json!({"status": "denied", "case_reference": "INV-9", "decided_on": Utc::now().date_naive()});
    app.post(
        &w.c.officer,
        &format!("/api/v1/students/{third_student}/vetting"),
        denied,
    )
    .await;
    let unmet = act(&app, &w.c.officer, third, "approve", json!({})).await;
    assert_eq!(unmet.status, StatusCode::CONFLICT);
    assert_eq!(unmet.body["code"], "checks_unmet");
    assert_eq!(unmet.body["unmet"], json!(["english", "vetting"]));
    // The nomination keeps the checks its refusal was decided on.
    let stored = app
        .get(&w.c.officer, &format!("/api/v1/nominations/{third}"))
        .await;
    assert_eq!(stored.body["checks"], unmet.body["checks"]);
    let vetting = unmet.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "vetting")
        .unwrap()
        .clone();
    assert!(
        vetting["detail"].as_str().unwrap().contains("denied"),
        "{vetting}"
    );
    assert_eq!(stored.body["status"], "submitted");
    // English can be waived; vetting cannot.
    act(
        &app,
        &w.c.officer,
        third,
        "waivers",
        json!({"check": "english", "justification": "retest scheduled"}),
    )
    .await;
    assert_eq!(
        act(&app, &w.c.officer, third, "approve", json!({}))
            .await
            .body["unmet"],
        json!(["vetting"])
    );
    // Nothing moved.
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        COST
    );
    assert_eq!(
        offering(&app, &w.c.officer, w.offering).await["seats_taken"],
        1
    );
}

/// Approves `ids` as `token` from `clients` parallel clients, each taking
/// every `clients`-th id in turn; each task answers (status, body) per
/// approval.
pub fn approve_in_parallel(
    app: &TestApp,
    token: &str,
    ids: &[i64],
    clients: usize,
) -> Vec<tokio::task::JoinHandle<Vec<(StatusCode, Value)>>> {
    (0..clients)
        .map(|client| {
            let mine: Vec<i64> = ids.iter().copied().skip(client).step_by(clients).collect();
            let (http, base, token) = (app.client.clone(), app.base.clone(), token.to_owned());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for id in mine {
                    let res = http
                        .post(format!("{base}/api/v1/nominations/{id}/approve"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    let status = res.status();
                    outcomes.push((status, res.json().await.unwrap()));
                }
                outcomes
            })
        })
        .collect()
}

#[tokio::test]
async fn concurrent_approvals_never_over_commit_or_over_fill() {
    let app = spawn_app().await;
    let w = world(&app, 40).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST + COST / 2).await;
    let mut ids = vec![submitted(&app, &w, w.student, w.offering).await];
    for i in 1..40 {
        let student = ready_student(&app, &w.c, "PK", &format!("Student {i:02}")).await;
        ids.push(submitted(&app, &w, student, w.offering).await);
    }
    let tasks = approve_in_parallel(&app, &w.c.officer, &ids, 16);
    let mut approved = 0;
    for task in tasks {
        for (status, body) in task.await.unwrap() {
            match status {
                StatusCode::OK => approved += 1,
                StatusCode::CONFLICT => assert_eq!(body["code"], "insufficient_funds"),
                other => panic!("unexpected {other} {body}"),
            }
        }
    }
    assert_eq!(approved, 10);
    let a = allocation(&app, &w.c.officer, "PK", fy).await;
    assert_eq!(a["committed_cents"], 10 * COST);
    assert_eq!(
        offering(&app, &w.c.officer, w.offering).await["seats_taken"],
        10
    );
    let listed = app
        .get(
            &w.c.officer,
            "/api/v1/nominations?status=approved&limit=200",
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn late_liaison_withdrawal_keeps_half_the_tuition_unless_the_waitlist_takes_the_seat() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let (start, end) = class_dates(30);
    let soon = app
        .offering(
            &w.c.admin,
            "B100001",
            &start.to_string(),
            &end.to_string(),
            1,
        )
        .await;
    let soon_id = soon["id"].as_i64().unwrap();
    let fy = fiscal_year(start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST).await;
    if fiscal_year(w.start) != fy {
        allocate(&app, &w.c.officer, "PK", fiscal_year(w.start), 10 * COST).await;
    }
    // Late withdrawal by the liaison, nobody waiting: 50% of tuition stays.
    let late = submitted(&app, &w, w.student, soon_id).await;
    act(&app, &w.c.officer, late, "approve", json!({})).await;
    let withdrawn = act(
        &app,
        &w.c.liaison_pk,
        late,
        "withdraw",
        json!({"reason": "illness"}),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["penalty_cents"], 1_250_000);
    assert_eq!(withdrawn.body["committed_cents"], 1_250_000);
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        1_250_000
    );
    assert_eq!(
        offering(&app, &w.c.officer, soon_id).await["seats_taken"],
        0
    );

    // With a waitlist: the seat goes to the head (priority A before C), no penalty.
    let khan = ready_student(&app, &w.c, "PK", "Khan").await;
    let malik = ready_student(&app, &w.c, "PK", "Malik").await;
    let qureshi = ready_student(&app, &w.c, "PK", "Qureshi").await;
    let holder = submitted(&app, &w, khan, soon_id).await;
    act(&app, &w.c.officer, holder, "approve", json!({})).await;
    let c_priority = submitted(&app, &w, malik, soon_id).await;
    let a_priority = app
        .post(
            &w.c.liaison_pk,
            "/api/v1/nominations",
            json!({"student_id": qureshi, "offering_id": soon_id, "submit": true, "priority": "A"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    act(&app, &w.c.officer, c_priority, "waitlist", json!({})).await;
    act(&app, &w.c.officer, a_priority, "waitlist", json!({})).await;
    let out = act(
        &app,
        &w.c.liaison_pk,
        holder,
        "withdraw",
        json!({"reason": "posting"}),
    )
    .await;
    assert_eq!(out.body["penalty_cents"], 0, "{}", out.body);
    let promoted = app
        .get(&w.c.officer, &format!("/api/v1/nominations/{a_priority}"))
        .await;
    assert_eq!(promoted.body["status"], "submitted");
    assert_eq!(
        app.get(&w.c.officer, &format!("/api/v1/nominations/{c_priority}"))
            .await
            .body["status"],
        "waitlisted"
    );
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        1_250_000
    );

    // An officer's withdrawal never carries a penalty.
    act(&app, &w.c.officer, a_priority, "approve", json!({})).await;
    let by_program = act(
        &app,
        &w.c.officer,
        a_priority,
        "withdraw",
        json!({"reason": "program decision"}),
    )
    .await;
    assert_eq!(by_program.body["penalty_cents"], 0);
    assert_eq!(by_program.body["withdrawal_cause"], "program");
    // Adding a seat promotes the next in line.
    let c_now = app
        .get(&w.c.officer, &format!("/api/v1/nominations/{c_priority}"))
        .await;
    assert_eq!(
        c_now.body["status"], "submitted",
        "promoted by the program withdrawal"
    );
}

#[tokio::test]
async fn more_seats_promote_and_a_cancelled_class_releases_everything() {
    let app = spawn_app().await;
    let w = world(&app, 1).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST).await;
    let first = submitted(&app, &w, w.student, w.offering).await;
    act(&app, &w.c.officer, first, "approve", json!({})).await;
    let khan = ready_student(&app, &w.c, "PK", "Khan").await;
    let second = submitted(&app, &w, khan, w.offering).await;
    act(&app, &w.c.officer, second, "waitlist", json!({})).await;
    let more = app
        .patch(
            &w.c.admin,
            &format!("/api/v1/offerings/{}", w.offering),
            json!({"seats": 2}),
        )
        .await;
    assert_eq!(more.status, StatusCode::OK, "{}", more.body);
    assert_eq!(
        app.get(&w.c.officer, &format!("/api/v1/nominations/{second}"))
            .await
            .body["status"],
        "submitted"
    );
    act(&app, &w.c.officer, second, "approve", json!({})).await;
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        2 * COST
    );

    let cancelled = app
        .patch(
            &w.c.admin,
            &format!("/api/v1/offerings/{}", w.offering),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    for id in [first, second] {
        let n = app
            .get(&w.c.liaison_pk, &format!("/api/v1/nominations/{id}"))
            .await;
        assert_eq!(n.body["status"], "withdrawn");
        assert_eq!(n.body["withdrawal_cause"], "cancellation");
        assert_eq!(n.body["penalty_cents"], 0);
    }
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        0
    );
}

#[tokio::test]
async fn frozen_allocation_needs_the_national_security_exception() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST).await;
    let id = submitted(&app, &w, w.student, w.offering).await;
    act(&app, &w.c.officer, id, "approve", json!({})).await;
    let today = Utc::now().date_naive();
    let suspension = app
        .post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "coup_7008", "reason": "coup", "effective_from": today}))
        .await;
    // Frozen, not canceled: on hold, money and seat kept.
    let held = app
        .get(&w.c.officer, &format!("/api/v1/nominations/{id}"))
        .await;
    assert_eq!(held.body["status"], "on_hold");
    assert_eq!(held.body["held_from"], "approved");
    let a = allocation(&app, &w.c.officer, "PK", fy).await;
    assert_eq!(a["frozen"], true);
    assert_eq!(a["committed_cents"], COST);
    assert_eq!(
        offering(&app, &w.c.officer, w.offering).await["seats_taken"],
        1
    );
    // A waived draft can be submitted and approved from the frozen allocation.
    let khan = ready_student(&app, &w.c, "PK", "Khan").await;
    let draft = nominate(&app, &w.c.liaison_pk, khan, w.offering, false)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    act(
        &app,
        &w.c.officer,
        draft,
        "waivers",
        json!({"check": "country_eligible", "justification": "national security"}),
    )
    .await;
    act(&app, &w.c.liaison_pk, draft, "submit", json!({})).await;
    let approved = act(&app, &w.c.officer, draft, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        2 * COST
    );
    // Lifting restores the held one to approved; the allocation thaws.
    app.post(
        &w.c.officer,
        &format!(
            "/api/v1/countries/PK/suspensions/{}/lift",
            suspension.body["id"]
        ),
        json!({"lifted_on": today, "reason": "restored"}),
    )
    .await;
    assert_eq!(
        app.get(&w.c.officer, &format!("/api/v1/nominations/{id}"))
            .await
            .body["status"],
        "approved"
    );
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["frozen"],
        false
    );
}

#[tokio::test]
async fn completion_after_the_end_date_counts_as_prior_training() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let (start, end) = class_dates(2);
    let class = app
        .offering(
            &w.c.admin,
            "B100001",
            &start.to_string(),
            &end.to_string(),
            3,
        )
        .await;
    let class_id = class["id"].as_i64().unwrap();
    allocate(&app, &w.c.officer, "PK", fiscal_year(start), 10 * COST).await;
    let id = submitted(&app, &w, w.student, class_id).await;
    act(&app, &w.c.officer, id, "approve", json!({})).await;
    let early = act(&app, &w.c.officer, id, "complete", json!({})).await;
    assert_eq!(
        early.body["code"], "invalid_transition",
        "not before the end date"
    );
    // The class ran (dates moved into the past, same fiscal year).
    let today = Utc::now().date_naive();
    let (past_start, past_end) = (today - Days::new(3), today - Days::new(1));
    if fiscal_year(past_start) != fiscal_year(start) {
        return; // the fiscal year turned in between: the rule is covered elsewhere
    }
    app.patch(
        &w.c.admin,
        &format!("/api/v1/offerings/{class_id}"),
        json!({"start_date": past_start, "end_date": past_end}),
    )
    .await;
    assert_eq!(
        act(&app, &w.c.liaison_pk, id, "complete", json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let done = act(&app, &w.c.officer, id, "complete", json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "completed");
    // A course requiring it is now satisfied for this student.
    app.course(&w.c.admin, "B200002", &["B100001"]).await;
    let (s2, e2) = class_dates(60);
    let next = app
        .offering(&w.c.admin, "B200002", &s2.to_string(), &e2.to_string(), 3)
        .await;
    let follow_up = nominate(
        &app,
        &w.c.liaison_pk,
        w.student,
        next["id"].as_i64().unwrap(),
        false,
    )
    .await;
    let prereq = follow_up.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "prerequisites")
        .unwrap()
        .clone();
    assert_eq!(prereq["passed"], true, "{prereq}");
}

#[tokio::test]
async fn daily_job_withdraws_held_classes_that_started_and_warns_of_expiring_ecl_once() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 5).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST).await;
    // An approved student whose ECL (taken 100 days ago) expires before the class.
    let khan = crate::students::student(&app, &w.c.liaison_pk, "PK", "Khan").await;
    let today = Utc::now().date_naive();
    app.post(
        &w.c.liaison_pk,
        &format!("/api/v1/students/{khan}/tests"),
        json!({"kind": "ECL", "score": 85, "taken_on": today - Days::new(100)}),
    )
    .await;
    app.post(
        &w.c.officer,
        &format!("/api/v1/students/{khan}/vetting"),
        json!({"status": "cleared", "case_reference": "X", "decided_on": today}),
    )
    .await;
    let expiring = submitted(&app, &w, khan, w.offering).await;
    assert_eq!(
        act(&app, &w.c.officer, expiring, "approve", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let first = imet::jobs::run_daily(&app.state).await.unwrap();
    assert_eq!(first.ecl_warnings, 1);
    let second = imet::jobs::run_daily(&app.state).await.unwrap();
    assert_eq!(second.ecl_warnings, 0, "once per nomination");
    let warning = crate::helpers::eventually("the ECL warning", || async {
        smtp.messages_to("liaison.pk@test.example")
            .into_iter()
            .find(|m| m.email.header("subject").starts_with("ECL score expires"))
    })
    .await;
    assert!(
        warning.email.text.contains("valid"),
        "{}",
        warning.email.text
    );
    let warnings = smtp
        .messages_to("liaison.pk@test.example")
        .into_iter()
        .filter(|m| m.email.header("subject").starts_with("ECL score expires"))
        .count();
    assert_eq!(warnings, 1);

    // An on-hold nomination whose class starts is withdrawn, without penalty.
    let (start, end) = class_dates(1);
    let tomorrow = app
        .offering(
            &w.c.admin,
            "B100001",
            &start.to_string(),
            &end.to_string(),
            3,
        )
        .await;
    let tomorrow_id = tomorrow["id"].as_i64().unwrap();
    allocate(&app, &w.c.officer, "PK", fiscal_year(start), 10 * COST).await;
    let held = submitted(&app, &w, w.student, tomorrow_id).await;
    act(&app, &w.c.officer, held, "approve", json!({})).await;
    app.post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "leahy", "reason": "units implicated", "effective_from": today})).await;
    assert_eq!(
        app.get(&w.c.officer, &format!("/api/v1/nominations/{held}"))
            .await
            .body["status"],
        "on_hold"
    );
    if fiscal_year(today) == fiscal_year(start) {
        app.patch(
            &w.c.admin,
            &format!("/api/v1/offerings/{tomorrow_id}"),
            json!({"start_date": today}),
        )
        .await;
        let report = imet::jobs::run_daily(&app.state).await.unwrap();
        assert_eq!(report.withdrawn, 1);
        let n = app
            .get(&w.c.officer, &format!("/api/v1/nominations/{held}"))
            .await;
        assert_eq!(n.body["status"], "withdrawn");
        assert_eq!(n.body["withdrawal_cause"], "suspension");
        assert_eq!(n.body["penalty_cents"], 0);
        assert_eq!(n.body["committed_cents"], 0);
    }
}

#[tokio::test]
async fn everyone_who_needs_to_know_is_emailed() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 5).await;
    allocate(&app, &w.c.officer, "PK", fiscal_year(w.start), 10 * COST).await;
    let id = submitted(&app, &w, w.student, w.offering).await;
    let to_officer = smtp.wait_for("officer@test.example").await;
    let subjects = |address: &str| -> Vec<String> {
        smtp.messages_to(address)
            .iter()
            .map(|m| m.email.header("subject").to_owned())
            .collect()
    };
    assert!(
        to_officer.email.header("subject").starts_with("Your IMET")
            || subjects("officer@test.example")
                .iter()
                .any(|s| s.starts_with("Nomination submitted"))
    );
    act(&app, &w.c.officer, id, "approve", json!({})).await;
    // The student has an email on file: they hear of the decision too.
    let student_mail = smtp.wait_for("ali@example.org").await;
    assert!(
        student_mail
            .email
            .header("subject")
            .starts_with("Nomination approved"),
        "{}",
        student_mail.email.header("subject")
    );
    for body in [&student_mail.email.text, &student_mail.email.html] {
        assert!(body.contains("Ali Raza"), "{body}");
        assert!(body.contains("B100001 Command and General Staff"), "{body}");
        assert!(
            body.contains(&w.start.to_string()) && body.contains(&w.end.to_string()),
            "{body}"
        );
    }
    // A suspension email lists the nomination it put on hold.
    app.post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "coup_7008", "reason": "coup", "effective_from": Utc::now().date_naive()})).await;
    let notice = crate::helpers::eventually("the suspension email", || async {
        smtp.messages_to("liaison.pk@test.example")
            .into_iter()
            .find(|m| m.email.header("subject").contains("suspension imposed"))
    })
    .await;
    assert!(
        notice.email.text.contains(&format!("#{id}")),
        "{}",
        notice.email.text
    );
    assert!(
        notice.email.text.contains("Approved -> On hold"),
        "{}",
        notice.email.text
    );
    assert!(
        subjects("officer@test.example")
            .iter()
            .any(|s| s.contains("suspension imposed"))
    );
}

#[tokio::test]
async fn suspensions_dated_ahead_act_on_their_day_through_the_daily_job() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 5).await;
    let id = submitted(&app, &w, w.student, w.offering).await;
    let path = format!("/api/v1/nominations/{id}");
    let today = Utc::now().date_naive();
    let tomorrow = today + Days::new(1);
    app.post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "coup_7008", "reason": "coup", "effective_from": tomorrow}))
        .await;
    assert_eq!(
        app.get(&w.c.officer, &path).await.body["status"],
        "submitted",
        "not in effect yet"
    );
    assert_eq!(
        imet::jobs::run_daily_on(&app.state, today)
            .await
            .unwrap()
            .holds_changed,
        0
    );
    let due = imet::jobs::run_daily_on(&app.state, tomorrow)
        .await
        .unwrap();
    assert_eq!(due.holds_changed, 1);
    assert_eq!(app.get(&w.c.officer, &path).await.body["status"], "on_hold");
    let took_effect = crate::helpers::eventually("the took-effect email", || async {
        smtp.messages_to("liaison.pk@test.example")
            .into_iter()
            .find(|m| m.email.header("subject").contains("suspension took effect"))
    })
    .await;
    assert!(
        took_effect.email.text.contains(&format!("#{id}")),
        "{}",
        took_effect.email.text
    );
}

#[tokio::test]
async fn a_lift_dated_ahead_releases_holds_on_its_day() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 5).await;
    let id = submitted(&app, &w, w.student, w.offering).await;
    let path = format!("/api/v1/nominations/{id}");
    let today = Utc::now().date_naive();
    let suspension = app
        .post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "coup_7008", "reason": "coup", "effective_from": today}))
        .await;
    assert_eq!(app.get(&w.c.officer, &path).await.body["status"], "on_hold");
    let lift_day = today + Days::new(3);
    let lifted = app
        .post(
            &w.c.officer,
            &format!(
                "/api/v1/countries/PK/suspensions/{}/lift",
                suspension.body["id"]
            ),
            json!({"lifted_on": lift_day, "reason": "elections scheduled"}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    assert_eq!(
        app.get(&w.c.officer, &path).await.body["status"],
        "on_hold",
        "still in effect until the lift day"
    );
    let due = imet::jobs::run_daily_on(&app.state, lift_day)
        .await
        .unwrap();
    assert_eq!(due.holds_changed, 1);
    assert_eq!(
        app.get(&w.c.officer, &path).await.body["status"],
        "submitted"
    );
    let ended = crate::helpers::eventually("the ended email", || async {
        smtp.messages_to("officer@test.example")
            .into_iter()
            .find(|m| m.email.header("subject").contains("suspension ended"))
    })
    .await;
    assert!(
        ended.email.text.contains("On hold -> Submitted"),
        "{}",
        ended.email.text
    );
}

#[tokio::test]
async fn the_service_clock_decides_which_suspensions_are_in_effect() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let next_week = Utc::now().date_naive() + Days::new(7);
    let imposed = app
        .post(&w.c.officer, "/api/v1/countries/PK/suspensions", json!({"programs": ["IMET"], "legal_basis": "coup_7008", "reason": "coup", "effective_from": next_week}))
        .await;
    assert_eq!(imposed.status, StatusCode::CREATED, "{}", imposed.body);
    let imet_eligible = || async {
        let country = app.get(&w.c.liaison_pk, "/api/v1/countries/PK").await.body;
        let imet = country["status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["program"] == "IMET")
            .cloned()
            .unwrap();
        imet["eligible"].as_bool().unwrap()
    };
    assert!(imet_eligible().await, "not in effect before its day");
    app.state
        .clock
        .set(next_week.and_hms_opt(9, 0, 0).unwrap().and_utc());
    assert!(
        !imet_eligible().await,
        "in effect once the clock reaches its day"
    );
    let class = app
        .get(
            &w.c.officer,
            "/api/v1/countries/PK/eligibility?program=IMET",
        )
        .await;
    assert_eq!(class.status, StatusCode::OK, "{}", class.body);
    assert_eq!(class.body["eligible"], false, "{}", class.body);
}
