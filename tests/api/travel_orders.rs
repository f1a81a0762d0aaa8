//! Invitational travel orders through HTTP, on SQLite and PostgreSQL: what
//! an issue needs (never waivable), gapless numbers under concurrency,
//! frozen contents and amendments, revocation by withdrawal, hold and by
//! hand, the PDF read back with poppler's `pdftotext`, and the emails with
//! the PDF attached.
use std::process::Command;

use chrono::{Days, Utc};
use imet::domain::fiscal_year::fiscal_year;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    approvals::{COST, act, allocate, submitted},
    helpers::{Answer, TestApp, spawn_app, spawn_app_with},
    nominations::{World, ready_student, world},
    smtp::SmtpServer,
};

/// What poppler's `tool` prints for `pdf`, run as `tool <options> <file> <rest>`.
fn poppler(tool: &str, options: &[&str], pdf: &[u8], rest: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("order.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = Command::new(tool)
        .args(options)
        .arg(&path)
        .args(rest)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} (poppler-utils) is missing: run the tests with scripts/test: {e}")
        });
    assert!(out.status.success(), "{tool}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// The text of a PDF in the order it is drawn, as `pdftotext -raw`
/// extracts it (the diagonal `REVOKED` stays one word).
pub fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-raw"], pdf, &["-"])
}

/// Pages of a PDF, as `pdfinfo` counts them.
fn pdf_pages(pdf: &[u8]) -> usize {
    poppler("pdfinfo", &[], pdf, &[])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

/// Records a vetting decision of `kind` for the student.
pub async fn vet(app: &TestApp, officer: &str, student: i64, kind: &str, status: &str) {
    let today = Utc::now().date_naive();
    let answer = app
        .post(
            officer,
            &format!("/api/v1/students/{student}/vetting"),
            json!({"kind": kind, "status": status, "case_reference": format!("{kind}-{student}"),
                   "decided_on": today - Days::new(1)}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

/// An approved nomination of the world's student, with an allocation.
async fn approved(app: &TestApp, w: &World) -> i64 {
    allocate(app, &w.c.officer, "PK", fiscal_year(w.start), 50 * COST).await;
    let id = submitted(app, w, w.student, w.offering).await;
    let answer = act(app, &w.c.officer, id, "approve", json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    id
}

async fn issue(app: &TestApp, token: &str, id: i64, body: Value) -> Answer {
    app.post(token, &format!("/api/v1/nominations/{id}/ito"), body)
        .await
}

async fn pdf(app: &TestApp, token: &str, id: i64) -> (StatusCode, String, Vec<u8>) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/nominations/{id}/ito.pdf")))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET ito.pdf");
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        status,
        content_type,
        res.bytes().await.expect("body").to_vec(),
    )
}

fn unmet(answer: &Answer) -> Vec<String> {
    answer.body["unmet"]
        .as_array()
        .unwrap_or_else(|| panic!("no unmet in {}", answer.body))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_order_needs_cleared_leahy_vetting_and_security_screening_whatever_the_waivers() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;
    allocate(&app, &c.officer, "PK", fiscal_year(w.start), 50 * COST).await;
    let id = submitted(&app, &w, w.student, w.offering).await;

    // Not approved yet: no order.
    let early = issue(&app, &c.officer, id, json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.body["code"], "invalid_transition");

    // Every waiver an officer may grant, then approval.
    for check in ["english", "prerequisites"] {
        let waived = act(
            &app,
            &c.officer,
            id,
            "waivers",
            json!({"check": check, "justification": "Matrix of waivers"}),
        )
        .await;
        assert_eq!(waived.status, StatusCode::OK, "{}", waived.body);
    }
    let answer = act(&app, &c.officer, id, "approve", json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    // No security screening on record, then pending, then denied.
    let none = issue(&app, &c.officer, id, json!({})).await;
    assert_eq!(none.status, StatusCode::CONFLICT, "{}", none.body);
    assert_eq!(none.body["code"], "checks_unmet");
    assert_eq!(unmet(&none), ["security"]);
    let detail = none.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "security")
        .unwrap()["detail"]
        .clone();
    assert_eq!(detail, "no security screening on record");
    for status in ["pending", "denied"] {
        vet(&app, &c.officer, w.student, "security", status).await;
        let refused = issue(&app, &c.officer, id, json!({})).await;
        assert_eq!(unmet(&refused), ["security"], "{status}: {}", refused.body);
    }
    // Cleared screening, but the latest Leahy vetting is now denied.
    vet(&app, &c.officer, w.student, "security", "cleared").await;
    vet(&app, &c.officer, w.student, "leahy", "denied").await;
    let leahy = issue(&app, &c.officer, id, json!({})).await;
    assert_eq!(unmet(&leahy), ["vetting"], "{}", leahy.body);
    // Vetting can't be waived at all.
    let waive = act(
        &app,
        &c.officer,
        id,
        "waivers",
        json!({"check": "security", "justification": "Please"}),
    )
    .await;
    assert_eq!(
        waive.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        waive.body
    );
    // Nothing was stored by the refusals.
    let nothing = app
        .get(&c.officer, &format!("/api/v1/nominations/{id}/ito"))
        .await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND, "{}", nothing.body);

    // The student's reads show both kinds.
    vet(&app, &c.officer, w.student, "leahy", "cleared").await;
    let student = app
        .get(&c.liaison_pk, &format!("/api/v1/students/{}", w.student))
        .await;
    let kinds: Vec<&str> = student.body["vetting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"leahy") && kinds.contains(&"security"),
        "{kinds:?}"
    );
    assert_eq!(student.body["vetting_status"], "cleared");

    // Wrong roles and countries; bad remarks store nothing.
    let liaison = issue(&app, &c.liaison_pk, id, json!({})).await;
    assert_eq!(liaison.status, StatusCode::FORBIDDEN);
    let other = app
        .get(&c.liaison_jo, &format!("/api/v1/nominations/{id}/itos"))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let long = issue(&app, &c.officer, id, json!({"remarks": "x".repeat(1001)})).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!long.field_errors("remarks").is_empty(), "{}", long.body);

    // Everything holds: issued, numbered by country and fiscal year.
    let issued = issue(
        &app,
        &c.officer,
        id,
        json!({"remarks": "Report to the IMSO."}),
    )
    .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let fy = fiscal_year(w.start);
    assert_eq!(issued.body["number"], format!("PK-{fy}-00001"));
    assert_eq!(issued.body["status"], "in_force");
    let again = issue(&app, &c.officer, id, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
}

#[tokio::test]
async fn contents_are_frozen_amendments_take_todays_data_and_the_pdf_reads_back() {
    let app = spawn_app().await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let id = approved(&app, &w).await;
    vet(&app, &c.officer, w.student, "security", "cleared").await;
    let issued = issue(
        &app,
        &c.admin,
        id,
        json!({"remarks": "Bring the unit's records."}),
    )
    .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let o = &issued.body;
    let number = o["number"].as_str().unwrap().to_owned();
    assert_eq!(o["revision"], 0);
    assert_eq!(o["issued_by"], "Administrator", "{o}");
    assert!(o["issued_by_id"].is_i64(), "{o}");
    assert_eq!(o["student"]["name"], "Ali Raza");
    assert_eq!(o["course"]["masl_id"], "B100001");
    assert_eq!(o["report_by"], (w.start - Days::new(1)).to_string());
    assert_eq!(o["entitlements"]["total_cents"], COST);
    assert_eq!(o["entitlements"]["days"], 12);
    assert_eq!(o["dependents_authorized"], false);
    assert_eq!(o["remarks"], "Bring the unit's records.");

    // Later edits don't change the issued order.
    let renamed = app
        .patch(
            &c.liaison_pk,
            &format!("/api/v1/students/{}", w.student),
            json!({"family_name": "Raza-Khan", "rank": "Lieutenant Colonel", "grade": "O-5"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let current = app
        .get(&c.liaison_pk, &format!("/api/v1/nominations/{id}/ito"))
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(current.body["student"]["name"], "Ali Raza");
    assert_eq!(current.body["student"]["rank"], "Major");

    // An amendment needs a reason, then takes today's data.
    let no_reason = app
        .post(
            &c.officer,
            &format!("/api/v1/nominations/{id}/ito/amend"),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !no_reason.field_errors("reason").is_empty(),
        "{}",
        no_reason.body
    );
    let amended = app
        .post(
            &c.officer,
            &format!("/api/v1/nominations/{id}/ito/amend"),
            json!({"reason": "Promoted before the class"}),
        )
        .await;
    assert_eq!(amended.status, StatusCode::CREATED, "{}", amended.body);
    assert_eq!(amended.body["number"], format!("{number}-A1"));
    assert_eq!(amended.body["revision"], 1);
    assert_eq!(amended.body["student"]["name"], "Ali Raza-Khan");
    assert_eq!(amended.body["amend_reason"], "Promoted before the class");
    assert_eq!(amended.body["remarks"], Value::Null);
    let all = app
        .get(&c.liaison_pk, &format!("/api/v1/nominations/{id}/itos"))
        .await;
    let statuses: Vec<(&str, &str)> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["number"].as_str().unwrap(), o["status"].as_str().unwrap()))
        .collect();
    let first_amendment = format!("{number}-A1");
    assert_eq!(
        statuses,
        [
            (first_amendment.as_str(), "in_force"),
            (number.as_str(), "superseded")
        ]
    );

    // The PDF: one page, every field as text.
    let (status, content_type, bytes) = pdf(&app, &c.liaison_pk, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    assert_eq!(pdf_pages(&bytes), 1);
    let text = pdf_text(&bytes);
    for field in [
        "INVITATIONAL TRAVEL ORDER",
        &format!("{number}-A1"),
        "Ali Raza-Khan",
        "Lieutenant Colonel (O-5)",
        "B100001",
        "Command and General Staff",
        &format!("{} to {}", w.start, w.end),
        &(w.start - Days::new(1)).to_string(),
        "$28,580.00",
        "Promoted before the class",
        "No",
    ] {
        assert!(text.contains(field), "{field} in\n{text}");
    }
    assert!(!text.contains("REVOKED"), "{text}");
    let other = pdf(&app, &c.liaison_jo, id).await;
    assert_eq!(other.0, StatusCode::NOT_FOUND);

    // Revoked by hand: REVOKED across it, and an amendment is refused.
    let revoked = app
        .post(
            &c.officer,
            &format!("/api/v1/nominations/{id}/ito/revoke"),
            json!({"reason": "Orders cancelled by the IMSO"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(
        revoked.body["revoked_reason"],
        "Orders cancelled by the IMSO"
    );
    let text = pdf_text(&pdf(&app, &c.officer, id).await.2);
    assert!(text.contains("REVOKED"), "{text}");
    assert!(text.contains("Orders cancelled by the IMSO"), "{text}");
    let late = app
        .post(
            &c.officer,
            &format!("/api/v1/nominations/{id}/ito/amend"),
            json!({"reason": "Too late"}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);

    // Issue, amendment and revocation are audited.
    let audit = app
        .get(&c.admin, "/api/v1/audit?entity=travel_order&limit=50")
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for action in [
        "travel_order.issue",
        "travel_order.amend",
        "travel_order.revoke",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn thirty_parallel_issues_take_numbers_one_to_thirty_exactly_once() {
    let app = spawn_app().await;
    let w = world(&app, 30).await;
    let c = &w.c;
    allocate(&app, &c.officer, "PK", fiscal_year(w.start), 50 * COST).await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let student = if i == 0 {
            w.student
        } else {
            ready_student(&app, c, "PK", &format!("Student{i}")).await
        };
        vet(&app, &c.officer, student, "security", "cleared").await;
        let id = submitted(&app, &w, student, w.offering).await;
        let answer = act(&app, &c.officer, id, "approve", json!({})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        ids.push(id);
    }
    // All at once, each on its own connection.
    let issues: Vec<_> = ids
        .iter()
        .map(|id| {
            let (http, base, token) = (app.client.clone(), app.base.clone(), c.officer.clone());
            let url = format!("{base}/api/v1/nominations/{id}/ito");
            tokio::spawn(async move {
                let res = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({}))
                    .send()
                    .await;
                TestApp::answer(res.expect("POST ito")).await
            })
        })
        .collect();
    let fy = fiscal_year(w.start);
    let mut numbers = Vec::new();
    for issued in issues {
        let a = issued.await.expect("the issue ran");
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        numbers.push(a.body["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=30).map(|n| format!("PK-{fy}-{n:05}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn withdrawal_and_holds_revoke_the_order_and_email_the_reason() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let id = approved(&app, &w).await;
    vet(&app, &c.officer, w.student, "security", "cleared").await;
    let issued = issue(&app, &c.officer, id, json!({})).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let number = issued.body["number"].as_str().unwrap().to_owned();

    // The issue email, to the liaison and the student, carries the PDF.
    let mail = crate::helpers::eventually("the travel order email", || async {
        smtp.messages_to("ali@example.org")
            .into_iter()
            .find(|m| m.email.header("subject").starts_with("Travel order issued"))
    })
    .await;
    assert!(
        mail.rcpt_tos
            .contains(&"liaison.pk@test.example".to_owned()),
        "{:?}",
        mail.rcpt_tos
    );
    assert!(
        mail.email
            .header("content-type")
            .starts_with("multipart/mixed")
    );
    assert!(mail.email.text.contains(&number), "{}", mail.email.text);
    assert!(mail.email.html.contains(&number), "{}", mail.email.html);
    let [(content_type, filename, bytes)] = &mail.email.attachments[..] else {
        panic!("one attachment: {:?}", mail.email.attachments.len());
    };
    assert_eq!(content_type, "application/pdf");
    assert_eq!(filename, &format!("{number}.pdf"));
    let text = pdf_text(bytes);
    for field in ["Ali Raza", "B100001", &w.start.to_string(), "$28,580.00"] {
        assert!(text.contains(field), "{field} in\n{text}");
    }

    // The liaison withdraws: the order is revoked in the same step.
    let withdrawn = act(
        &app,
        &c.liaison_pk,
        id,
        "withdraw",
        json!({"reason": "Reassigned to the border brigade"}),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let current = app
        .get(&c.officer, &format!("/api/v1/nominations/{id}/ito"))
        .await;
    assert_eq!(current.body["status"], "revoked", "{}", current.body);
    let reason = current.body["revoked_reason"].as_str().unwrap();
    assert!(
        reason.contains("Reassigned to the border brigade"),
        "{reason}"
    );
    let revocation = smtp_revocation(&smtp, &number).await;
    assert!(
        revocation.contains("Reassigned to the border brigade"),
        "{revocation}"
    );

    // A second student's order is revoked by a suspension's hold, and lifting
    // the hold doesn't issue it again.
    let second = ready_student(&app, c, "PK", "Malik").await;
    vet(&app, &c.officer, second, "security", "cleared").await;
    let held = submitted(&app, &w, second, w.offering).await;
    assert_eq!(
        act(&app, &c.officer, held, "approve", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let order = issue(&app, &c.officer, held, json!({})).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(
        order.body["number"],
        format!("PK-{}-00002", fiscal_year(w.start))
    );
    let today = Utc::now().date_naive();
    let suspension = app
        .post(
            &c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["IMET"], "legal_basis": "leahy", "reason": "Unit implicated",
                   "effective_from": today}),
        )
        .await;
    assert_eq!(
        suspension.status,
        StatusCode::CREATED,
        "{}",
        suspension.body
    );
    let on_hold = app
        .get(&c.officer, &format!("/api/v1/nominations/{held}/ito"))
        .await;
    assert_eq!(on_hold.body["status"], "revoked", "{}", on_hold.body);
    let lifted = app
        .post(
            &c.officer,
            &format!(
                "/api/v1/countries/PK/suspensions/{}/lift",
                suspension.body["id"]
            ),
            json!({"lifted_on": today, "reason": "Remediated"}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    let back = app
        .get(&c.officer, &format!("/api/v1/nominations/{held}"))
        .await;
    assert_eq!(back.body["status"], "approved", "{}", back.body);
    let all = app
        .get(&c.officer, &format!("/api/v1/nominations/{held}/itos"))
        .await;
    assert_eq!(all.body.as_array().unwrap().len(), 1, "{}", all.body);
    assert_eq!(all.body[0]["status"], "revoked");
}

/// The text of the revocation email of order `number`.
async fn smtp_revocation(smtp: &SmtpServer, number: &str) -> String {
    crate::helpers::eventually("the revocation email", || async {
        smtp.messages_to("liaison.pk@test.example")
            .into_iter()
            .find(|m| {
                m.email
                    .header("subject")
                    .contains(&format!("revoked: {number}"))
            })
            .map(|m| m.email.text)
    })
    .await
}

#[tokio::test]
async fn the_pdf_survives_an_smtp_outage_and_a_cancelled_class_revokes_the_order() {
    let mut smtp = SmtpServer::start().await;
    smtp.stop();
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 5).await;
    let c = &w.c;
    let id = approved(&app, &w).await;
    vet(&app, &c.officer, w.student, "security", "cleared").await;
    let issued = issue(&app, &c.officer, id, json!({})).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let number = issued.body["number"].as_str().unwrap().to_owned();

    // Down: the order's email waits in the outbox, tried again and again.
    let subject = format!("Travel order issued: {number}, Major Ali Raza");
    crate::helpers::eventually("a retried travel order email", || async {
        let outbox = app.get(&c.admin, "/api/v1/outbox?limit=200").await;
        outbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["subject"] == subject.as_str() && m["attempts"].as_i64().unwrap_or(0) >= 2)
            .cloned()
    })
    .await;

    // Back up: the message that finally goes out still carries the PDF.
    smtp.restart().await;
    let mail = crate::helpers::eventually("the travel order email", || async {
        smtp.messages_to("ali@example.org")
            .into_iter()
            .find(|m| m.email.header("subject") == subject)
    })
    .await;
    let [(content_type, _, bytes)] = &mail.email.attachments[..] else {
        panic!("one attachment: {}", mail.email.attachments.len());
    };
    assert_eq!(content_type, "application/pdf");
    assert!(pdf_text(bytes).contains(&number));

    // Cancelling the class withdraws the nomination and revokes its order.
    let cancelled = app
        .patch(
            &c.admin,
            &format!("/api/v1/offerings/{}", w.offering),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let current = app
        .get(&c.liaison_pk, &format!("/api/v1/nominations/{id}/ito"))
        .await;
    assert_eq!(current.body["status"], "revoked", "{}", current.body);
    let reason = current.body["revoked_reason"].as_str().unwrap();
    assert!(reason.contains("the class was cancelled"), "{reason}");
}
