//! Approvals per second through the real stack (HTTP → service → database),
//! on SQLite and, when `TEST_DATABASE_URL` names a PostgreSQL server, on
//! PostgreSQL, side by side in one run.
//!
//! `cargo bench --bench approvals` — set `BENCH_NOMINATIONS` (default 300)
//! and `BENCH_CLIENTS` (default 8) to change the load.
#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use common::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

struct Run {
    database: &'static str,
    clients: usize,
    approvals: usize,
    elapsed: Duration,
}

/// Seeds `n` submitted nominations for one class that has room and money
/// for all of them; returns the app, an officer token and the ids.
async fn seed(database: &str, n: usize) -> (TestApp, String, Vec<i64>) {
    let app = spawn_app_with(|config| {
        if database == "sqlite" {
            config.database_url = imet::config::sqlite_url(&config.data_dir);
        }
    })
    .await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let (_, officer) = app
        .user(&admin, "officer@bench.example", "program_officer", None)
        .await;
    let (_, liaison) = app
        .user(
            &admin,
            "liaison@bench.example",
            "country_liaison",
            Some("PK"),
        )
        .await;
    app.course(&admin, "B900001", &[]).await;
    let start = Utc::now().date_naive() + Days::new(60);
    let offering = app
        .offering(
            &admin,
            "B900001",
            &start.to_string(),
            &(start + Days::new(11)).to_string(),
            n as i32,
        )
        .await;
    let fy = offering["fiscal_year"].as_i64().unwrap();
    let put = app
        .client
        .put(app.url(&format!("/api/v1/allocations/PK/IMET/{fy}")))
        .bearer_auth(&officer)
        .json(&json!({"allocated_cents": 10_000_000_000_i64}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "allocation: {}", put.status());
    let today = Utc::now().date_naive();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let student = app
            .post(&liaison, "/api/v1/students", json!({"country_code": "PK", "given_names": "Bench", "family_name": format!("Student {i:04}"),
                  "date_of_birth": "1990-01-01", "rank": "Major", "grade": "O-4", "service": "army"}))
            .await;
        let id = student.body["id"].as_i64().unwrap();
        app.post(
            &officer,
            &format!("/api/v1/students/{id}/vetting"),
            json!({"status": "cleared", "case_reference": format!("B-{i}"), "decided_on": today}),
        )
        .await;
        let nomination = app
            .post(
                &liaison,
                "/api/v1/nominations",
                json!({"student_id": id, "offering_id": offering["id"], "submit": true}),
            )
            .await;
        assert_eq!(
            nomination.status,
            StatusCode::CREATED,
            "{}",
            nomination.body
        );
        ids.push(nomination.body["id"].as_i64().unwrap());
    }
    (app, officer, ids)
}

async fn measure(database: &'static str, n: usize, clients: usize) -> Run {
    let (app, officer, ids) = seed(database, n).await;
    let chunks: Vec<Vec<i64>> = (0..clients)
        .map(|c| ids.iter().copied().skip(c).step_by(clients).collect())
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let client = app.client.clone();
        let base = app.base.clone();
        let token = officer.clone();
        tasks.push(tokio::spawn(async move {
            let mut approved = 0;
            for id in chunk {
                let res = client
                    .post(format!("{base}/api/v1/nominations/{id}/approve"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("approve");
                if res.status() == StatusCode::OK {
                    approved += 1;
                } else {
                    panic!(
                        "approve {id}: {} {}",
                        res.status(),
                        res.text().await.unwrap_or_default()
                    );
                }
            }
            approved
        }));
    }
    let mut approvals = 0;
    for task in tasks {
        approvals += task.await.expect("client");
    }
    Run {
        database,
        clients,
        approvals,
        elapsed: started.elapsed(),
    }
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_NOMINATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let clients: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let mut databases = vec!["sqlite"];
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres")) {
        databases.push("postgres");
    }
    let mut runs = Vec::new();
    for database in databases {
        for c in [1, clients] {
            runs.push(measure(database, n, c).await);
        }
    }
    println!(
        "\n{:<10} {:>8} {:>10} {:>10} {:>14}",
        "database", "clients", "approvals", "seconds", "approvals/s"
    );
    for r in &runs {
        let secs = r.elapsed.as_secs_f64();
        println!(
            "{:<10} {:>8} {:>10} {:>10.2} {:>14.1}",
            r.database,
            r.clients,
            r.approvals,
            secs,
            r.approvals as f64 / secs
        );
    }
}
