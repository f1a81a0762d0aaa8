//! Email notifications end to end: HTTP → service → outbox → worker → a real
//! SMTP server (or `.eml` files), on SQLite and PostgreSQL.
use std::collections::HashSet;

use chrono::Utc;
use imet::{
    db,
    domain::role::Role,
    entities::outbox::{self as outbox_row, OutboxStatus},
    mail::{self, templates::Welcome},
};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, TransactionTrait};
use serde_json::{Value, json};

use crate::{
    helpers::{ADMIN_EMAIL, PASSWORD, TestApp, cast, eventually, spawn_app, spawn_app_with},
    smtp::{SmtpServer, eml_files_to},
};

/// Every message in the outbox, newest first (as an admin sees it).
async fn outbox(app: &TestApp, admin: &str) -> Vec<Value> {
    let answer = app.get(admin, "/api/v1/outbox?limit=200").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["items"].as_array().expect("items").clone()
}

/// The outbox message to `address`, once `ready` holds for it.
async fn outbox_message(
    app: &TestApp,
    admin: &str,
    address: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    eventually(&format!("the outbox message to {address}"), || async {
        outbox(app, admin).await.into_iter().find(|m| {
            m["recipients"]
                .as_array()
                .is_some_and(|r| r.iter().any(|a| a == address))
                && ready(m)
        })
    })
    .await
}

async fn create_user(app: &TestApp, admin: &str, email: &str) {
    let answer = app
        .post(
            admin,
            "/api/v1/users",
            json!({"email": email, "name": "Test User", "role": "program_officer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[tokio::test]
async fn welcome_email_arrives_over_smtp_with_both_bodies() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let c = cast(&app).await;

    let received = smtp.wait_for("liaison.pk@test.example").await;
    assert_eq!(received.rcpt_tos, vec!["liaison.pk@test.example"]);
    let email = &received.email;
    assert_eq!(email.header("to"), "liaison.pk@test.example");
    assert!(email.header("from").contains("no-reply@imet.test"));
    assert_eq!(email.header("subject"), "Your IMET enrollment account");
    assert!(
        email
            .header("content-type")
            .starts_with("multipart/alternative"),
        "{}",
        email.header("content-type")
    );
    for body in [&email.text, &email.html] {
        assert!(body.contains("Country liaison"), "{body}");
        assert!(body.contains("Pakistan (PK)"), "{body}");
        assert!(body.contains("http://imet.test/"), "{body}");
    }
    assert!(email.text.contains("Hello liaison.pk@test.example"));
    assert!(email.html.contains("<html"), "{}", email.html);
    assert!(!email.html.contains("<img"), "no remote images");

    // The officer's says so, without a country.
    let officer = smtp.wait_for("officer@test.example").await.email;
    assert!(officer.text.contains("Program officer"), "{}", officer.text);
    assert!(!officer.text.contains("Country:"), "{}", officer.text);

    // The outbox records it as sent, with the Message-ID it went out with.
    let row = outbox_message(&app, &c.admin, "liaison.pk@test.example", |m| {
        m["status"] == "sent"
    })
    .await;
    assert_eq!(row["event"], "welcome");
    assert_eq!(row["attempts"], 1);
    assert!(row["sent_at"].is_string());
    assert_eq!(
        email.header("message-id"),
        row["message_id"].as_str().unwrap()
    );
    assert!(email.header("message-id").ends_with("@imet.test>"));

    let metrics = app.text("/metrics").await;
    for name in [
        "imet_mail_sent_total",
        "imet_mail_queue_depth",
        "imet_mail_delivery_seconds",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
}

#[tokio::test]
async fn without_smtp_the_welcome_email_is_an_eml_file() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    create_user(&app, &admin, "filed@test.example").await;
    let dir = app.config.mail_dir();
    let email = eventually("an .eml file to filed@test.example", || async {
        eml_files_to(&dir, "filed@test.example").into_iter().next()
    })
    .await;
    assert_eq!(email.header("subject"), "Your IMET enrollment account");
    assert!(email.text.contains("Program officer"), "{}", email.text);
    assert!(email.html.contains("Program officer"), "{}", email.html);
    outbox_message(&app, &admin, "filed@test.example", |m| {
        m["status"] == "sent"
    })
    .await;
}

#[tokio::test]
async fn smtp_outage_keeps_messages_pending_then_delivers_each_once() {
    let mut smtp = SmtpServer::start().await;
    smtp.stop();
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let admin = app.admin().await;
    create_user(&app, &admin, "outage@test.example").await;

    // Down: the message stays queued, with its attempts and the error.
    let queued = outbox_message(&app, &admin, "outage@test.example", |m| {
        m["attempts"].as_i64().unwrap_or(0) >= 2 && m["status"] == "pending"
    })
    .await;
    let error = queued["last_error"].as_str().expect("last_error");
    assert!(!error.is_empty());
    let pending = app.get(&admin, "/api/v1/outbox?status=pending").await;
    assert!(
        pending.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == queued["id"]),
        "{}",
        pending.body
    );
    assert!(smtp.messages().is_empty());

    // Back up: delivered, once.
    smtp.restart().await;
    smtp.wait_for("outage@test.example").await;
    let sent = outbox_message(&app, &admin, "outage@test.example", |m| {
        m["status"] == "sent"
    })
    .await;
    assert!(sent["attempts"].as_i64().unwrap() >= 3, "{sent}");
    smtp.wait_for(ADMIN_EMAIL).await;
    app.stop().await;
    assert_eq!(smtp.messages_to("outage@test.example").len(), 1);
    assert_eq!(smtp.messages_to(ADMIN_EMAIL).len(), 1);
}

#[tokio::test]
async fn refused_address_is_parked_as_failed_and_retry_requeues_it() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let c = cast(&app).await;
    create_user(&app, &c.admin, "nobody@reject.test").await;

    let failed = outbox_message(&app, &c.admin, "nobody@reject.test", |m| {
        m["status"] == "failed"
    })
    .await;
    assert_eq!(failed["attempts"], 1, "a 5xx is not retried: {failed}");
    assert!(
        failed["last_error"].as_str().unwrap().contains("550"),
        "{failed}"
    );
    let only_failed = app.get(&c.admin, "/api/v1/outbox?status=failed").await;
    assert_eq!(only_failed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(only_failed.body["items"][0]["id"], failed["id"]);

    let id = failed["id"].as_i64().unwrap();
    let retry_path = format!("/api/v1/outbox/{id}/retry");
    // Only admins see or retry the outbox.
    for token in [&c.officer, &c.liaison_pk] {
        assert_eq!(
            app.get(token, "/api/v1/outbox").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post(token, &retry_path, json!({})).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let retried = app.post(&c.admin, &retry_path, json!({})).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(retried.body["status"], "pending");
    assert_eq!(retried.body["attempts"], 0);

    // Tried again, refused again.
    let again = outbox_message(&app, &c.admin, "nobody@reject.test", |m| {
        m["status"] == "failed" && m["attempts"] == 1
    })
    .await;
    assert_eq!(again["id"], failed["id"]);
    assert!(smtp.messages_to("nobody@reject.test").is_empty());
    let audit = app
        .get(&c.admin, &format!("/api/v1/audit?entity=outbox&id={id}"))
        .await;
    assert_eq!(audit.body["items"][0]["action"], "outbox.retry");

    // Only a failed message can be retried.
    let sent = outbox_message(&app, &c.admin, "officer@test.example", |m| {
        m["status"] == "sent"
    })
    .await;
    let conflict = app
        .post(
            &c.admin,
            &format!("/api/v1/outbox/{}/retry", sent["id"]),
            json!({}),
        )
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(conflict.body["code"], "invalid_transition");
    let missing = app
        .post(&c.admin, "/api/v1/outbox/99999/retry", json!({}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let bad = app.get(&c.admin, "/api/v1/outbox?status=lost").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.field_errors("status").is_empty(), "{}", bad.body);
    let page = app.get(&c.admin, "/api/v1/outbox?limit=2").await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    assert!(page.body["next_cursor"].is_string());
}

#[tokio::test]
async fn two_instances_never_send_a_message_twice() {
    let mut smtp = SmtpServer::start().await;
    smtp.stop();
    let first = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let url = first.config.database_url.clone();
    let second = spawn_app_with(|c| {
        c.smtp_url = Some(smtp.url());
        c.database_url = url;
    })
    .await;
    let admin = first.admin().await;
    let addresses: Vec<String> = (0..30).map(|i| format!("u{i}@test.example")).collect();
    for address in &addresses {
        create_user(&first, &admin, address).await;
    }
    // Both workers keep failing on the queue, then race for it when the server is back.
    smtp.restart().await;
    eventually("every message sent", || async {
        let all = outbox(&second, &admin).await;
        (all.len() == 31 && all.iter().all(|m| m["status"] == "sent")).then_some(())
    })
    .await;
    first.stop().await;
    second.stop().await;

    let received = smtp.messages();
    assert_eq!(received.len(), 31);
    let ids: HashSet<_> = received
        .iter()
        .map(|m| m.email.header("message-id").to_owned())
        .collect();
    assert_eq!(ids.len(), 31, "a Message-ID arrived twice");
    let recipients: HashSet<_> = received.iter().map(|m| m.rcpt_tos.clone()).collect();
    assert_eq!(recipients.len(), 31);
    for address in &addresses {
        assert_eq!(smtp.messages_to(address).len(), 1, "{address}");
    }
}

#[tokio::test]
async fn a_claim_left_by_a_crash_is_delivered_after_its_lease_expires() {
    let mut smtp = SmtpServer::start().await;
    smtp.stop();
    let first = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let admin = first.admin().await;
    create_user(&first, &admin, "crashed@test.example").await;
    create_user(&first, &admin, "claimed@test.example").await;
    let crashed = outbox_message(&first, &admin, "crashed@test.example", |m| {
        m["status"] == "pending"
    })
    .await;
    let claimed = outbox_message(&first, &admin, "claimed@test.example", |m| {
        m["status"] == "pending"
    })
    .await;
    let db = first.state.db.clone();
    let url = first.config.database_url.clone();
    let _data = first.stop().await;

    // As a worker that died mid-send leaves them: one lease over, one still running.
    for (row, lease) in [
        (&crashed, Utc::now() - chrono::Duration::seconds(1)),
        (&claimed, Utc::now() + chrono::Duration::hours(1)),
    ] {
        outbox_row::ActiveModel {
            id: Set(row["id"].as_i64().unwrap() as i32),
            status: Set(OutboxStatus::Sending),
            claimed_until: Set(Some(lease)),
            ..Default::default()
        }
        .update(&db)
        .await
        .unwrap();
    }
    smtp.restart().await;
    let second = spawn_app_with(|c| {
        c.smtp_url = Some(smtp.url());
        c.database_url = url;
    })
    .await;
    let admin = second.admin().await;
    smtp.wait_for("crashed@test.example").await;
    outbox_message(&second, &admin, "crashed@test.example", |m| {
        m["status"] == "sent"
    })
    .await;
    second.stop().await;
    assert_eq!(smtp.messages_to("crashed@test.example").len(), 1);
    assert!(smtp.messages_to("claimed@test.example").is_empty());
    let still = outbox_row::Entity::find_by_id(claimed["id"].as_i64().unwrap() as i32)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, OutboxStatus::Sending);
}

#[tokio::test]
async fn a_rolled_back_transaction_queues_nothing() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let admin = app.admin().await;
    let welcome = |email: &str| Welcome {
        name: "Someone".into(),
        email: email.into(),
        role: Role::ProgramOfficer,
        country: None,
        setup: None,
    };

    let txn = db::write_txn(&app.state.db).await.unwrap();
    mail::enqueue(
        &txn,
        &app.config,
        vec!["ghost@test.example".into()],
        &welcome("ghost@test.example"),
    )
    .await
    .unwrap();
    txn.rollback().await.unwrap();
    app.state.mailer.wake();

    // A refused change queues nothing either.
    let refused = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"email": "refused@test.example", "name": "R", "role": "country_liaison", "country_code": "KE", "password": PASSWORD}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The same call, committed, is delivered; messages queued after the
    // rolled-back one arrive, so it would have by now.
    let txn = db::write_txn(&app.state.db).await.unwrap();
    mail::enqueue(
        &txn,
        &app.config,
        vec!["kept@test.example".into()],
        &welcome("kept@test.example"),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    app.state.mailer.wake();
    create_user(&app, &admin, "after@test.example").await;
    smtp.wait_for("kept@test.example").await;
    smtp.wait_for("after@test.example").await;

    let queued: Vec<Value> = outbox(&app, &admin)
        .await
        .into_iter()
        .flat_map(|m| m["recipients"].as_array().unwrap().clone())
        .collect();
    assert!(!queued.contains(&json!("ghost@test.example")), "{queued:?}");
    assert!(
        !queued.contains(&json!("refused@test.example")),
        "{queued:?}"
    );
    app.stop().await;
    assert!(smtp.messages_to("ghost@test.example").is_empty());
    assert!(smtp.messages_to("refused@test.example").is_empty());
}

#[tokio::test]
async fn a_keyed_email_is_queued_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let welcome = Welcome {
        name: "Once".into(),
        email: "once@test.example".into(),
        role: Role::ProgramOfficer,
        country: None,
        setup: None,
    };
    let mut queued = Vec::new();
    for _ in 0..2 {
        let txn = app.state.db.begin().await.unwrap();
        queued.push(
            mail::enqueue_once(
                &txn,
                &app.config,
                "welcome:once",
                vec!["once@test.example".into()],
                &welcome,
            )
            .await
            .unwrap(),
        );
        txn.commit().await.unwrap();
    }
    assert_eq!(queued, vec![true, false]);
    let to_once = outbox(&app, &admin)
        .await
        .into_iter()
        .filter(|m| m["recipients"] == json!(["once@test.example"]))
        .count();
    assert_eq!(to_once, 1);
}

#[tokio::test]
async fn an_invitation_link_is_cleared_from_the_outbox_once_sent() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let admin = app.admin().await;
    let answer = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"email": "invited@test.example", "name": "Invited", "role": "program_officer"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let received = smtp.wait_for("invited@test.example").await;
    let text = &received.email.text;
    let start = text.find("/account/setup?token=").expect("the link") + 21;
    let token: String = text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{text}");

    let id = outbox_message(&app, &admin, "invited@test.example", |m| {
        m["status"] == "sent"
    })
    .await["id"]
        .as_i64()
        .expect("id");
    let row = outbox_row::Entity::find_by_id(id as i32)
        .one(&app.state.db)
        .await
        .expect("read the outbox")
        .expect("the message");
    assert_eq!(row.text_body, mail::templates::CLEARED_BODY);
    assert_eq!(row.html_body, mail::templates::CLEARED_BODY);
    // The link still works: only its copy at rest is gone.
    let reset = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/reset",
            None,
            Some(json!({"token": token, "password": "a long enough secret"})),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
}
