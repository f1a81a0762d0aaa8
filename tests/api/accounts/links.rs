//! One-time links: the invitation an admin sends (with the welcome email or
//! again), the reset a person asks for, and `POST /auth/reset` taking
//! either; their expiry by the service's clock, the limits on reset emails,
//! and their audit trail.
use chrono::{Duration, Utc};
use imet::entities::account_link;
use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{
    assert_names, assert_token_invalid, emails_to, forgot, link_tokens, my_id, new_link, redeem,
    user_audit, wait_for_emails,
};
use crate::{
    helpers::{ADMIN_EMAIL, PASSWORD, TestApp, spawn_app, spawn_app_with},
    web_client::WebClient,
};

const SETUP: &str = "/account/setup";
const RESET: &str = "/account/reset";

/// Creates an account without a password (an invitation); returns its id.
async fn invite_new(app: &TestApp, admin: &str, email: &str) -> i64 {
    let created = app
        .post(
            admin,
            "/api/v1/users",
            json!({"email": email, "name": "Invited Person", "role": "country_liaison", "country_code": "PK"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body.get("password_hash").is_none());
    assert_eq!(created.body["password_set"], false, "{}", created.body);
    created.body["id"].as_i64().expect("id")
}

async fn invite_again(app: &TestApp, admin: &str, id: i64) -> crate::helpers::Answer {
    app.call(
        Method::POST,
        &format!("/api/v1/users/{id}/invite"),
        Some(admin),
        None,
    )
    .await
}

#[tokio::test]
async fn an_invitation_link_sets_the_first_password_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let email = "invitee@test.example";
    let id = invite_new(&app, &admin, email).await;

    // No password yet: nothing signs in, not even an empty one.
    for password in [PASSWORD, ""] {
        assert_eq!(
            app.login_answer(email, password).await.status,
            StatusCode::UNAUTHORIZED,
            "{password:?}"
        );
    }

    // The welcome email carries the link to choose one.
    let first = new_link(&app, email, SETUP, 1, &[]).await;
    let welcome = &emails_to(&app, email)[0];
    assert_eq!(welcome.header("subject"), "Your IMET enrollment account");
    assert!(welcome.text.contains("Country liaison"), "{}", welcome.text);
    // It says until when: 72 hours on (the day, either side of a midnight).
    let days: Vec<String> = [Duration::minutes(-1), Duration::zero()]
        .iter()
        .map(|d| {
            (Utc::now() + Duration::hours(72) + *d)
                .format("%-d %b %Y")
                .to_string()
        })
        .collect();
    assert!(
        days.iter().any(|day| welcome.text.contains(day)),
        "{days:?}: {}",
        welcome.text
    );
    // An account created with a password gets no link.
    app.user(&admin, "direct@test.example", "program_officer", None)
        .await;
    let direct = wait_for_emails(&app, "direct@test.example", 1).await;
    assert!(
        !direct[0].text.contains("/account/setup"),
        "{}",
        direct[0].text
    );
    assert!(
        direct[0]
            .text
            .contains("the password your administrator gave you"),
        "{}",
        direct[0].text
    );

    // A fresh invitation: a new link, and the first one dies.
    let again = invite_again(&app, &admin, id).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);
    let second = new_link(&app, email, SETUP, 2, std::slice::from_ref(&first)).await;
    assert_ne!(first, second);
    assert_token_invalid(
        &redeem(&app, &first, "my chosen passphrase").await,
        "the superseded invitation",
    );

    // Its page holds the live token: no cache may keep it.
    let page = app
        .client
        .get(app.url(&format!("{SETUP}?token={second}")))
        .send()
        .await
        .expect("the link's page");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");

    // The live link sets the password, signs in with it, and works once.
    let set = redeem(&app, &second, "my chosen passphrase").await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["id"], id);
    assert_eq!(set.body["email"], email);
    assert_eq!(set.body["password_set"], true, "{}", set.body);
    assert!(set.body.get("password_hash").is_none());
    let token = app.login(email, "my chosen passphrase").await;
    assert_eq!(my_id(&app, &token).await, id);
    assert_token_invalid(
        &redeem(&app, &second, "another passphrase!").await,
        "the used invitation",
    );
    // The used link changed nothing the second time.
    app.login(email, "my chosen passphrase").await;

    // Tokens never issued, whatever their shape.
    for token in [
        "0".repeat(64),
        hex::encode(rand::random::<[u8; 32]>()),
        "not a token".into(),
        String::new(),
    ] {
        assert_token_invalid(
            &redeem(&app, &token, "my chosen passphrase").await,
            &format!("token {token:?}"),
        );
    }
}

#[tokio::test]
async fn invitations_of_unknown_or_deactivated_accounts_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let email = "leaver@test.example";
    let id = invite_new(&app, &admin, email).await;
    let link = new_link(&app, email, SETUP, 1, &[]).await;

    let unknown = invite_again(&app, &admin, 9_999).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);

    let off = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let refused = invite_again(&app, &admin, id).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.body["code"], "invalid_transition");
    // The link sent before the deactivation no longer works either.
    assert_token_invalid(
        &redeem(&app, &link, "a password for later").await,
        "the link of a deactivated account",
    );

    // Reactivated, the account can be invited again.
    let on = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"active": true}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(
        invite_again(&app, &admin, id).await.status,
        StatusCode::ACCEPTED
    );
    let fresh = new_link(&app, email, SETUP, 2, &[link]).await;
    assert_eq!(
        redeem(&app, &fresh, "a password for later").await.status,
        StatusCode::OK
    );
    app.login(email, "a password for later").await;
}

#[tokio::test]
async fn an_invitation_lives_72_hours_by_the_service_clock() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let email = "slow.reader@test.example";
    invite_new(&app, &admin, email).await;
    let link = new_link(&app, email, SETUP, 1, &[]).await;
    let sent = Utc::now();

    // 71 hours on, the link still works: a refused password proves it
    // without using it up.
    app.state.clock.set(sent + Duration::hours(71));
    assert_names(
        &redeem(&app, &link, "short").await,
        "password",
        "71 hours on",
    );
    app.state.clock.set(sent + Duration::hours(73));
    assert_token_invalid(
        &redeem(&app, &link, "a sound passphrase").await,
        "73 hours on",
    );
    assert_eq!(
        app.login_answer(email, "a sound passphrase").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_reset_link_lives_one_hour_by_the_service_clock() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.user(&admin, "hourly@test.example", "program_officer", None)
        .await;
    assert_eq!(
        forgot(&app, "hourly@test.example").await.status,
        StatusCode::ACCEPTED
    );
    let link = new_link(&app, "hourly@test.example", RESET, 2, &[]).await;
    let sent = Utc::now();
    app.state.clock.set(sent + Duration::minutes(59));
    assert_names(
        &redeem(&app, &link, "short").await,
        "password",
        "59 minutes on",
    );
    app.state.clock.set(sent + Duration::minutes(61));
    assert_token_invalid(
        &redeem(&app, &link, "a sound passphrase").await,
        "61 minutes on",
    );
    app.login("hourly@test.example", PASSWORD).await;
}

#[tokio::test]
async fn forgot_answers_the_same_and_mails_only_an_existing_active_account() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "forgetful@test.example";
    let (id, before) = app.user(&admin, email, "program_officer", None).await;
    let mut browser = WebClient::new(&app);
    browser.sign_in(email, PASSWORD).await;
    let (gone, _) = app
        .user(&admin, "gone@test.example", "program_officer", None)
        .await;
    let off = app
        .patch(
            &admin,
            &format!("/api/v1/users/{gone}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    // The welcome emails first, so that the counts below are of resets.
    wait_for_emails(&app, email, 1).await;
    wait_for_emails(&app, "gone@test.example", 1).await;

    let missing = forgot(&app, "nobody@test.example").await;
    let inactive = forgot(&app, "gone@test.example").await;
    // Any case and spacing of the address finds the account.
    let existing = forgot(&app, "  Forgetful@Test.Example ").await;
    for answer in [&missing, &inactive, &existing] {
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
        assert_eq!(answer.body, existing.body);
        assert_eq!(answer.content_type(), existing.content_type());
    }

    let link = new_link(&app, email, RESET, 2, &[]).await;
    let reset = &emails_to(&app, email)
        .into_iter()
        .find(|e| e.text.contains(&link))
        .unwrap();
    assert_eq!(
        reset.header("subject"),
        "Reset your IMET enrollment password"
    );
    // The requests before it queued nothing.
    let outbox = app.get(&admin, "/api/v1/outbox?limit=200").await;
    let recipients: Vec<_> = outbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["event"] == "password_reset")
        .map(|m| m["recipients"].clone())
        .collect();
    assert_eq!(recipients, vec![json!([email])]);
    assert_eq!(
        emails_to(&app, "gone@test.example").len(),
        1,
        "the welcome only"
    );
    assert!(emails_to(&app, "nobody@test.example").is_empty());

    // The link sets a new password and signs the account out everywhere.
    let done = redeem(&app, &link, "my fresh passphrase").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["id"], id);
    assert_eq!(
        app.get(&before, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "a token issued before the reset"
    );
    let signed_out = browser.get("/").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER, "a web session");
    assert!(signed_out.location().starts_with("/login"));
    assert_eq!(
        app.login_answer(email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "the old password"
    );
    app.login(email, "my fresh passphrase").await;
    assert_token_invalid(
        &redeem(&app, &link, "yet another passphrase").await,
        "the used reset link",
    );
    app.login(email, "my fresh passphrase").await;
}

#[tokio::test]
async fn at_most_three_reset_emails_an_hour_per_account() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "often@test.example";
    app.user(&admin, email, "program_officer", None).await;
    app.user(&admin, "witness@test.example", "program_officer", None)
        .await;
    wait_for_emails(&app, email, 1).await;
    wait_for_emails(&app, "witness@test.example", 1).await;

    let mut links = Vec::new();
    for n in 1..=3 {
        assert_eq!(forgot(&app, email).await.status, StatusCode::ACCEPTED);
        links.push(new_link(&app, email, RESET, n + 1, &links).await);
    }
    // Each link replaces the one before it.
    for (n, old) in links[..2].iter().enumerate() {
        assert_token_invalid(
            &redeem(&app, old, "a replaced passphrase").await,
            &format!("reset link {} after a newer one", n + 1),
        );
    }

    // The fourth request answers the same and sends nothing: a request
    // made after it is mailed, and by then the fourth still is not.
    let fourth = forgot(&app, email).await;
    assert_eq!(fourth.status, StatusCode::ACCEPTED, "{}", fourth.body);
    assert_eq!(
        forgot(&app, "witness@test.example").await.status,
        StatusCode::ACCEPTED
    );
    wait_for_emails(&app, "witness@test.example", 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(emails_to(&app, email).len(), 4, "welcome and three resets");
    let outbox = app.get(&admin, "/api/v1/outbox?limit=200").await;
    let resets = outbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["event"] == "password_reset" && m["recipients"] == json!([email]))
        .count();
    assert_eq!(resets, 3);
    // The third link still works: the refused request replaced nothing.
    assert_names(
        &redeem(&app, &links[2], "short").await,
        "password",
        "the third link after the fourth request",
    );

    // An hour later the account may ask again.
    app.state.clock.set(Utc::now() + Duration::minutes(61));
    assert_eq!(forgot(&app, email).await.status, StatusCode::ACCEPTED);
    let later = new_link(&app, email, RESET, 5, &links).await;
    assert_eq!(
        redeem(&app, &later, "a later passphrase").await.status,
        StatusCode::OK
    );
    app.login(email, "a later passphrase").await;
}

#[tokio::test]
async fn twenty_reset_requests_an_hour_per_client_address() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let admin = app.admin().await;
    let email = "target@test.example";
    app.user(&admin, email, "program_officer", None).await;
    wait_for_emails(&app, email, 1).await;
    let from = |address: &'static str, email: &str| {
        app.client
            .post(app.url("/api/v1/auth/forgot"))
            .header("x-forwarded-for", address)
            .json(&json!({"email": email}))
            .send()
    };

    for n in 0..20 {
        let answer = TestApp::answer(
            from("203.0.113.7", &format!("nobody{n}@test.example"))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "request {}", n + 1);
    }
    // The 21st is answered the same, and does nothing: no email.
    let over = TestApp::answer(from("203.0.113.7", email).await.unwrap()).await;
    assert_eq!(over.status, StatusCode::ACCEPTED, "{}", over.body);
    assert_eq!(over.body, json!(null), "the same empty answer");
    // Another address is served, and its request (made after the refused
    // one) is the only reset mailed.
    let other = TestApp::answer(from("198.51.100.9", email).await.unwrap()).await;
    assert_eq!(other.status, StatusCode::ACCEPTED, "{}", other.body);
    let emails = wait_for_emails(&app, email, 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(emails_to(&app, email).len(), 2, "{}", emails.len());

    // An hour on, the first address is served again.
    app.state.clock.set(Utc::now() + Duration::minutes(61));
    let again = TestApp::answer(from("203.0.113.7", email).await.unwrap()).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);
    wait_for_emails(&app, email, 3).await;
}

#[tokio::test]
async fn link_issue_and_use_are_audited_and_only_hashes_are_stored() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let admin_id = my_id(&app, &admin).await;
    app.country(&admin, "PK", "Pakistan").await;
    let email = "audited@test.example";
    let id = invite_new(&app, &admin, email).await;
    let invitation = new_link(&app, email, SETUP, 1, &[]).await;
    assert_eq!(
        redeem(&app, &invitation, "the first passphrase")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(forgot(&app, email).await.status, StatusCode::ACCEPTED);
    let reset = new_link(&app, email, RESET, 2, std::slice::from_ref(&invitation)).await;
    assert_eq!(
        redeem(&app, &reset, "the second passphrase").await.status,
        StatusCode::OK
    );

    let entries = user_audit(&app, &admin, id).await;
    let links: Vec<_> = entries
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("account_link."))
        .collect();
    let summary: Vec<_> = links
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["after"]["purpose"].as_str().unwrap(),
                e["actor_id"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("account_link.use", "reset", Some(id)),
            ("account_link.issue", "reset", None),
            ("account_link.use", "invitation", Some(id)),
            ("account_link.issue", "invitation", Some(admin_id)),
        ]
    );
    // Each use names the link its issue recorded; the issue, its expiry.
    assert_eq!(links[0]["after"]["link"], links[1]["after"]["link"]);
    assert_eq!(links[2]["after"]["link"], links[3]["after"]["link"]);
    assert_ne!(links[0]["after"]["link"], links[2]["after"]["link"]);
    for issue in [links[1], links[3]] {
        assert!(issue["after"]["expires_at"].is_string(), "{issue}");
    }
    // The tokens themselves are nowhere in the trail, nor in the database.
    let trail = serde_json::to_string(&entries).unwrap();
    let stored = account_link::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for token in [&invitation, &reset] {
        assert!(!trail.contains(token.as_str()));
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        assert_eq!(
            stored.iter().filter(|l| l.token_hash == hash).count(),
            1,
            "stored as its SHA-256"
        );
        assert!(stored.iter().all(|l| l.token_hash != *token));
    }
    assert!(stored.iter().all(|l| l.used_at.is_some()));
}

/// Sends `POST /auth/forgot` for each of `emails` at once; their statuses.
async fn forgot_in_parallel(app: &TestApp, emails: Vec<String>) -> Vec<StatusCode> {
    let mut requests = tokio::task::JoinSet::new();
    for email in emails {
        let request = app
            .client
            .post(app.url("/api/v1/auth/forgot"))
            .json(&json!({"email": email}));
        requests.spawn(async move { request.send().await.expect("request").status() });
    }
    requests.join_all().await
}

// BUG (src/services/accounts/links.rs, `send_reset`): on PostgreSQL the
// count of the account's recent reset links and the new link are not
// serialized, so parallel requests each see fewer than 3 and each send one
// (5 to 7 emails for 8 requests in most runs), each also a live link, as
// no request sees the others' links to replace them. Passes on SQLite.
#[tokio::test]
async fn parallel_reset_requests_send_at_most_three_emails() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "raced@test.example";
    app.user(&admin, email, "program_officer", None).await;
    app.user(&admin, "witness@test.example", "program_officer", None)
        .await;
    let answers = forgot_in_parallel(&app, vec![email.to_owned(); 8]).await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::ACCEPTED),
        "{answers:?}"
    );
    // A request made after them is mailed; by then theirs are too.
    assert_eq!(
        forgot(&app, "witness@test.example").await.status,
        StatusCode::ACCEPTED
    );
    wait_for_emails(&app, "witness@test.example", 2).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let outbox = app.get(&admin, "/api/v1/outbox?limit=200").await;
    let resets = outbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["event"] == "password_reset" && m["recipients"] == json!([email]))
        .count();
    assert_eq!(resets, 3);
}

// BUG (src/services/accounts/links.rs, `forgot`): on PostgreSQL the count
// of the address's recent requests and the insert of the new one are not
// serialized, so parallel requests all pass the check (30 of 30 accepted
// in one run, where 20 may be). Passes on SQLite.
#[tokio::test]
async fn parallel_reset_requests_from_one_address_stop_at_twenty() {
    let app = spawn_app().await;
    let statuses = forgot_in_parallel(
        &app,
        (0..30).map(|n| format!("nobody{n}@test.example")).collect(),
    )
    .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::ACCEPTED),
        "{statuses:?}"
    );
    assert_eq!(requests_counted(&app).await, 20);
    // Past the limit, a request for an existing account mails nothing.
    assert_eq!(forgot(&app, ADMIN_EMAIL).await.status, StatusCode::ACCEPTED);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(link_tokens(&emails_to(&app, ADMIN_EMAIL), RESET).is_empty());
}

/// The reset requests stored for the limit of the client address.
async fn requests_counted(app: &TestApp) -> u64 {
    imet::entities::reset_request::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count the requests")
}

#[tokio::test]
async fn a_link_used_twice_at_once_sets_one_password() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    let email = "double.click@test.example";
    invite_new(&app, &admin, email).await;
    let link = new_link(&app, email, SETUP, 1, &[]).await;
    let (a, b) = tokio::join!(
        redeem(&app, &link, "the first passphrase"),
        redeem(&app, &link, "the second passphrase"),
    );
    let (won, lost, password) = match (a.status, b.status) {
        (StatusCode::OK, _) => (a, b, "the first passphrase"),
        _ => (b, a, "the second passphrase"),
    };
    assert_eq!(won.status, StatusCode::OK, "{}", won.body);
    assert_token_invalid(&lost, "the second use at once");
    app.login(email, password).await;
}

#[tokio::test]
async fn forgot_refuses_an_empty_or_overlong_email_and_counts_nothing() {
    let app = spawn_app().await;
    let long = format!("{}@test.example", "a".repeat(250));
    for (email, what) in [
        ("", "empty"),
        ("   ", "blank"),
        (long.as_str(), "255+ characters"),
    ] {
        assert_names(&forgot(&app, email).await, "email", what);
    }
    // None of them counted toward the address's 20 an hour.
    assert_eq!(requests_counted(&app).await, 0);
}
