//! Faults under a running server: a request past its time limit, a class
//! cancelled while its nominations are approved, a deadlock the database
//! breaks, and the database going away and coming back.
use std::time::{Duration, Instant};

use imet::domain::fiscal_year::fiscal_year;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;

use crate::{
    approvals::{COST, allocate, allocation, approve_in_parallel, offering, submitted},
    helpers::{Answer, Cast, TestApp, spawn_app, spawn_app_with},
    nominations::{ready_student, world},
    proxy::Gate,
};

fn assert_unavailable(answer: &Answer) {
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert_eq!(answer.content_type(), "application/problem+json");
    assert_eq!(
        answer.body["type"], "/problems/unavailable",
        "{}",
        answer.body
    );
    assert!(
        answer.headers.contains_key("retry-after"),
        "{:?}",
        answer.headers
    );
}

fn on_postgres(app: &TestApp) -> bool {
    app.state.db.get_database_backend() == DbBackend::Postgres
}

#[tokio::test]
async fn a_request_past_its_time_limit_answers_503_and_changes_nothing() {
    let app = spawn_app_with(|c| c.request_timeout = Duration::from_secs(1)).await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    // Another writer holds the country row (and, on SQLite, the writer's turn).
    let holder = imet::db::write_txn(&app.state.db).await.unwrap();
    holder
        .execute_unprepared("UPDATE countries SET name = name WHERE code = 'PK'")
        .await
        .unwrap();
    let started = Instant::now();
    let late = app
        .client
        .patch(app.url("/api/v1/countries/PK"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Renamed"}))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("an answer within 10 seconds");
    let late = TestApp::answer(late).await;
    assert_unavailable(&late);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    holder.rollback().await.unwrap();
    let country = app.get(&admin, "/api/v1/countries/PK").await;
    assert_eq!(
        country.body["name"], "Pakistan",
        "the abandoned request changed nothing"
    );
    let renamed = app
        .patch(&admin, "/api/v1/countries/PK", json!({"name": "Renamed"}))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
}

#[tokio::test]
async fn cancelling_a_class_while_its_nominations_are_approved_stays_consistent() {
    let app = spawn_app().await;
    let w = world(&app, 40).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 100 * COST).await;
    // Two rounds, each a class of 20 nominations, to meet the race more than once.
    let second = app
        .offering(
            &w.c.admin,
            "B100001",
            &w.start.to_string(),
            &w.end.to_string(),
            40,
        )
        .await;
    for (round, class) in [w.offering, second["id"].as_i64().unwrap()]
        .into_iter()
        .enumerate()
    {
        let mut ids = Vec::new();
        for i in 0..20 {
            let student = ready_student(&app, &w.c, "PK", &format!("Student {round}-{i:02}")).await;
            ids.push(submitted(&app, &w, student, class).await);
        }
        cancel_during_approvals(&app, &w.c, class, &ids).await;
        for id in &ids {
            let n = app
                .get(&w.c.officer, &format!("/api/v1/nominations/{id}"))
                .await;
            assert_eq!(n.body["status"], "withdrawn", "{}", n.body);
            assert_eq!(n.body["withdrawal_cause"], "cancellation");
            assert_eq!(n.body["committed_cents"], 0);
        }
        let class = offering(&app, &w.c.officer, class).await;
        assert_eq!(class["seats_taken"], 0, "{class}");
        assert_eq!(class["status"], "cancelled");
    }
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        0
    );
}

/// Approves `ids` from 8 clients and cancels `class` meanwhile. Every
/// approval answers 200, or 409 once the cancellation withdrew it; the
/// cancellation answers 200.
async fn cancel_during_approvals(app: &TestApp, c: &Cast, class: i64, ids: &[i64]) {
    let approvals = approve_in_parallel(app, &c.officer, ids, 8);
    tokio::time::sleep(Duration::from_millis(30)).await;
    let cancelled = app
        .patch(
            &c.admin,
            &format!("/api/v1/offerings/{class}"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    for task in approvals {
        for (status, body) in task.await.unwrap() {
            match status {
                StatusCode::OK => assert_eq!(body["status"], "approved"),
                StatusCode::CONFLICT => assert_eq!(body["code"], "invalid_transition", "{body}"),
                other => panic!("an approval answered {other}: {body}"),
            }
        }
    }
}

/// Rows of `sql`'s single count.
async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn an_approval_the_database_picks_as_deadlock_victim_is_run_again() {
    let app = spawn_app().await;
    if !on_postgres(&app) {
        eprintln!("skipped: SQLite runs one writer at a time, so it cannot deadlock");
        return;
    }
    let w = world(&app, 5).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, 10 * COST).await;
    let id = submitted(&app, &w, w.student, w.offering).await;
    // A rival transaction holds the allocation the approval will need last…
    let rival = app.state.db.begin().await.unwrap();
    rival
        .execute_unprepared(
            "UPDATE allocations SET updated_at = updated_at WHERE country_code = 'PK'",
        )
        .await
        .unwrap();
    let approval = tokio::spawn({
        let (http, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/nominations/{id}/approve")),
            w.c.officer.clone(),
        );
        async move { TestApp::answer(http.post(url).bearer_auth(token).send().await.unwrap()).await }
    });
    let waiting = "SELECT count(*) FROM pg_stat_activity \
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    crate::helpers::eventually("the approval waiting for the allocation", || async {
        (count(&app, waiting).await == 1).then_some(())
    })
    .await;
    // …then wants the nomination the approval holds: a deadlock, which the
    // database breaks by rolling the approval (the first to wait) back.
    rival
        .execute_unprepared(&format!(
            "UPDATE nominations SET updated_at = updated_at WHERE id = {id}"
        ))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    rival.rollback().await.unwrap();
    let approved = approval.await.unwrap();
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    // Done once: one history entry, one seat, the cost once, one email.
    let approvals = approved.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approve")
        .count();
    assert_eq!(approvals, 1, "{}", approved.body);
    assert_eq!(
        offering(&app, &w.c.officer, w.offering).await["seats_taken"],
        1
    );
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        COST
    );
    let emails = count(
        &app,
        "SELECT count(*) FROM outbox WHERE event = 'nomination_decision'",
    )
    .await;
    assert_eq!(emails, 1);
}

#[tokio::test]
async fn the_database_going_away_answers_503_and_the_same_process_recovers() {
    let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("skipped: needs PostgreSQL (TEST_DATABASE_URL) to take away");
        return;
    };
    let mut gate = Gate::open(&server).await;
    let app = spawn_app_with(|c| c.database_url = gate.route(&c.database_url)).await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let ready = || async {
        let started = Instant::now();
        let res = app.client.get(app.url("/ready")).send().await.unwrap();
        (res.status(), started.elapsed())
    };
    assert_eq!(ready().await.0, StatusCode::OK);

    // Steady traffic all along: reads and writes, none may fail with a 500.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut load = Vec::new();
    for client in 0..4 {
        let (http, base, token, stopped) = (
            reqwest::Client::new(),
            app.base.clone(),
            admin.clone(),
            stopped.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            let mut round = 0;
            while !*stopped.borrow() {
                round += 1;
                let request = match client % 2 {
                    0 => http.get(format!("{base}/api/v1/countries/PK")),
                    _ => http
                        .patch(format!("{base}/api/v1/countries/PK"))
                        .json(&json!({"travel_estimate_cents": 100_000 + round})),
                };
                let res = request
                    .bearer_auth(&token)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                    .expect("an answer within 10 seconds");
                statuses.push(res.status());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            statuses
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    gate.close().await;
    let (status, took) = ready().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < Duration::from_secs(2), "/ready took {took:?}");
    let started = Instant::now();
    let read = app.get(&admin, "/api/v1/countries").await;
    assert_unavailable(&read);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let write = app
        .post(
            &admin,
            "/api/v1/countries",
            json!({"code": "JO", "name": "Jordan", "travel_estimate_cents": 1}),
        )
        .await;
    assert_unavailable(&write);
    // A page whose session must be looked up: the error page, 503.
    let page = app
        .client
        .get(app.url("/"))
        .header("cookie", "imet_session=looked-up")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("<html"));

    gate.reopen().await;
    crate::helpers::eventually("/ready once the database is back", || async {
        (ready().await.0 == StatusCode::OK).then_some(())
    })
    .await;
    let created = app
        .post(
            &admin,
            "/api/v1/countries",
            json!({"code": "JO", "name": "Jordan", "travel_estimate_cents": 1}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    stop.send(true).unwrap();
    let mut answered = Vec::new();
    for task in load {
        answered.extend(task.await.unwrap());
    }
    assert!(
        answered
            .iter()
            .all(|s| s.is_success() || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{answered:?}"
    );
    assert!(
        answered.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{answered:?}"
    );
    let after = app
        .call(Method::GET, "/api/v1/countries/JO", Some(&admin), None)
        .await;
    assert_eq!(after.status, StatusCode::OK);
}
