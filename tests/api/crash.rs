//! The server process killed (SIGKILL) in the middle of a storm of
//! approvals, then started again on the same database: every approval is
//! whole or absent — money, seat, status and its one decision email.
use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use imet::domain::fiscal_year::fiscal_year;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::{
    approvals::{COST, allocate, allocation, offering, submitted},
    helpers::{eventually, spawn_app_with},
    nominations::{ready_student, world},
    smtp::SmtpServer,
};

/// Nominations in the storm, and how many of them the allocation can pay.
const NOMINATIONS: usize = 30;
const AFFORDABLE: i64 = 20;

/// `imet serve` as a child process of the test.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(database_url: &str, data_dir: &std::path::Path, smtp_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_imet"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("IMET_DATA_DIR", data_dir)
            .env("IMET_BIND", format!("127.0.0.1:{port}"))
            .env("SMTP_URL", smtp_url)
            .env("IMET_MAIL_RETRY_BASE_SECS", "1")
            .env("IMET_MAIL_POLL_SECS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start imet serve");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        eventually("the server process to answer /health", || async {
            let res = http.get(format!("{base}/health")).send().await.ok()?;
            res.status().is_success().then_some(())
        })
        .await;
        Self { child, base }
    }
}

#[tokio::test]
async fn a_server_killed_mid_storm_leaves_every_approval_whole_or_absent() {
    // Mail is down during the storm, so nothing can be delivered before
    // the kill: every decision email must go out after the restart, once.
    let mut smtp = SmtpServer::start().await;
    smtp.stop();
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, NOMINATIONS as i32 + 5).await;
    let fy = fiscal_year(w.start);
    allocate(&app, &w.c.officer, "PK", fy, AFFORDABLE * COST + COST / 2).await;
    let mut ids = Vec::new();
    for i in 0..NOMINATIONS {
        let student = ready_student(&app, &w.c, "PK", &format!("Storm {i:02}")).await;
        ids.push(submitted(&app, &w, student, w.offering).await);
    }
    let database_url = app.config.database_url.clone();
    let data = app.stop().await;

    let mut server = Server::start(&database_url, data.path(), &smtp.url()).await;
    let answered = Arc::new(AtomicUsize::new(0));
    let mut storm = Vec::new();
    for client in 0..16 {
        let mine: Vec<i64> = ids.iter().copied().skip(client).step_by(16).collect();
        let (http, base, token) = (
            reqwest::Client::new(),
            server.base.clone(),
            w.c.officer.clone(),
        );
        let answered = answered.clone();
        storm.push(tokio::spawn(async move {
            let mut approved = Vec::new();
            for id in mine {
                let sent = http
                    .post(format!("{base}/api/v1/nominations/{id}/approve"))
                    .bearer_auth(&token)
                    .send()
                    .await;
                // The process is gone: nothing more from this client.
                let Ok(res) = sent else { break };
                let status = res.status();
                let Ok(body) = res.json::<Value>().await else {
                    break;
                };
                assert!(
                    status == StatusCode::OK || body["code"] == "insufficient_funds",
                    "{status}: {body}"
                );
                if status == StatusCode::OK {
                    approved.push(id);
                }
                answered.fetch_add(1, Ordering::SeqCst);
            }
            approved
        }));
    }
    while answered.load(Ordering::SeqCst) < 4 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.child.kill().expect("SIGKILL the server");
    server.child.wait().expect("the killed server");
    let before_kill = answered.load(Ordering::SeqCst);
    assert!(
        before_kill < NOMINATIONS,
        "the storm was over before the kill"
    );
    let mut confirmed = Vec::new();
    for client in storm {
        confirmed.extend(client.await.unwrap());
    }
    eprintln!(
        "{before_kill} of {NOMINATIONS} approvals answered before the kill, {} approved",
        confirmed.len()
    );

    smtp.restart().await;
    let app = spawn_app_with(|c| {
        c.database_url = database_url.clone();
        c.data_dir = data.path().to_owned();
        c.smtp_url = Some(smtp.url());
    })
    .await;
    // The killed worker's claims would lapse after their lease; let them.
    app.state
        .db
        .execute_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "UPDATE outbox SET claimed_until = next_attempt_at WHERE status = 'sending'",
        ))
        .await
        .unwrap();
    app.state.mailer.wake();

    let listed = app
        .get(
            &w.c.officer,
            "/api/v1/nominations?status=approved&limit=200",
        )
        .await;
    let approved: Vec<i64> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    for id in &confirmed {
        assert!(
            approved.contains(id),
            "approval {id} was answered 200, then lost"
        );
    }
    assert!(approved.len() as i64 <= AFFORDABLE);
    let n = approved.len() as i64;
    assert_eq!(
        allocation(&app, &w.c.officer, "PK", fy).await["committed_cents"],
        n * COST
    );
    assert_eq!(
        offering(&app, &w.c.officer, w.offering).await["seats_taken"],
        n
    );

    // One decision email per approval, and only for approvals.
    let decisions = || {
        smtp.messages()
            .into_iter()
            .map(|m| m.email.header("subject").to_owned())
            .filter(|s| s.starts_with("Nomination approved"))
            .collect::<Vec<_>>()
    };
    eventually("a decision email for every approval", || async {
        (decisions().len() >= approved.len()).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent = decisions();
    assert_eq!(sent.len(), approved.len(), "{sent:#?}");
    for (i, id) in ids.iter().enumerate() {
        let about = sent
            .iter()
            .filter(|s| s.contains(&format!("Storm {i:02} for")))
            .count();
        let expected = usize::from(approved.contains(id));
        assert_eq!(
            about, expected,
            "decision emails for nomination {id}: {sent:#?}"
        );
    }
}
