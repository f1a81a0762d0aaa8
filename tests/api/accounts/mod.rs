//! Accounts people run themselves (SPEC §10), end to end through HTTP on
//! both databases: invitation and reset links as the emails carry them, the
//! password rule on every path that sets a password, changing one's own
//! password, two-factor sign-in, and one's own sessions.
mod links;
mod password;
mod sessions;
mod two_factor;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imet::domain::second_factor::generator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{Answer, TestApp, eventually},
    smtp::{Email, eml_files_to},
};

/// Every complete email written so far to `address` (the test app has no
/// SMTP server: the mail worker writes `.eml` files into its data dir).
pub fn emails_to(app: &TestApp, address: &str) -> Vec<Email> {
    eml_files_to(&app.config.mail_dir(), address)
}

/// Waits until `count` emails have reached `address`; returns them all.
pub async fn wait_for_emails(app: &TestApp, address: &str, count: usize) -> Vec<Email> {
    eventually(&format!("{count} email(s) to {address}"), || async {
        let emails = emails_to(app, address);
        (emails.len() >= count).then_some(emails)
    })
    .await
}

/// The token of each link to `page` (e.g. `/account/reset`) in `emails`
/// (those without one are skipped), checking that the text and the HTML
/// part carry the same link and that the token is 256 bits in hex.
pub fn link_tokens(emails: &[Email], page: &str) -> Vec<String> {
    let prefix = format!("http://imet.test{page}?token=");
    emails
        .iter()
        .filter_map(|email| {
            let token: String = email
                .text
                .split(&prefix)
                .nth(1)?
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            assert_eq!(token.len(), 64, "{}", email.text);
            assert!(
                email.html.contains(&format!("{prefix}{token}\"")),
                "the same link in the HTML part: {}",
                email.html
            );
            Some(token)
        })
        .collect()
}

/// Waits for the `count`th email to `address` and answers the token of its
/// link to `page`: the one not among `known`.
pub async fn new_link(
    app: &TestApp,
    address: &str,
    page: &str,
    count: usize,
    known: &[String],
) -> String {
    let emails = wait_for_emails(app, address, count).await;
    assert_eq!(emails.len(), count, "emails to {address}");
    let fresh: Vec<String> = link_tokens(&emails, page)
        .into_iter()
        .filter(|t| !known.contains(t))
        .collect();
    assert_eq!(fresh.len(), 1, "one new link among {known:?}");
    fresh.into_iter().next().unwrap()
}

/// `POST /auth/reset`.
pub async fn redeem(app: &TestApp, token: &str, password: &str) -> Answer {
    app.call(
        Method::POST,
        "/api/v1/auth/reset",
        None,
        Some(json!({"token": token, "password": password})),
    )
    .await
}

/// `POST /auth/forgot`.
pub async fn forgot(app: &TestApp, email: &str) -> Answer {
    app.call(
        Method::POST,
        "/api/v1/auth/forgot",
        None,
        Some(json!({"email": email})),
    )
    .await
}

/// `POST /auth/login` with a second factor (`totp` or `recovery_code`).
pub async fn login_with(app: &TestApp, email: &str, password: &str, factor: Value) -> Answer {
    let mut body = json!({"email": email, "password": password});
    body.as_object_mut()
        .unwrap()
        .extend(factor.as_object().expect("factor fields").clone());
    app.call(Method::POST, "/api/v1/auth/login", None, Some(body))
        .await
}

/// Asserts a 410 `token_invalid` problem.
#[track_caller]
pub fn assert_token_invalid(answer: &Answer, what: &str) {
    assert_eq!(answer.status, StatusCode::GONE, "{what}: {}", answer.body);
    assert_eq!(answer.body["code"], "token_invalid", "{what}");
    assert_eq!(answer.content_type(), "application/problem+json", "{what}");
}

/// Asserts a 401 `totp_required` problem.
#[track_caller]
pub fn assert_totp_required(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        answer.body
    );
    assert_eq!(answer.body["code"], "totp_required", "{what}");
    assert!(answer.body.get("token").is_none(), "{what}");
}

/// Asserts a 422 naming `field` (and only the fields in `field`).
#[track_caller]
pub fn assert_names(answer: &Answer, field: &str, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        answer.body
    );
    assert!(
        !answer.field_errors(field).is_empty(),
        "{what}: {field} named in {}",
        answer.body
    );
}

/// The signed-in account's id.
pub async fn my_id(app: &TestApp, token: &str) -> i64 {
    let me = app.get(token, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    me.body["id"].as_i64().expect("id")
}

/// The actions of the audit trail of user `id`, newest first, with their
/// entries.
pub async fn user_audit(app: &TestApp, admin: &str, id: i64) -> Vec<Value> {
    let audit = app
        .get(
            admin,
            &format!("/api/v1/audit?entity=user&id={id}&limit=200"),
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    audit.body["items"].as_array().expect("items").clone()
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// The TOTP code of `secret` for time step `step`.
pub fn code_at(secret: &str, email: &str, step: u64) -> String {
    generator(secret, email)
        .expect("a readable secret")
        .generate(step * 30)
        .to_string()
}

/// An authenticator app whose codes the tests compute, and the last time
/// step the server accepted from it (it accepts each step once, and only
/// one after the last).
pub struct Authenticator {
    pub secret: String,
    pub email: String,
    pub last_step: Option<u64>,
}

impl Authenticator {
    pub fn new(secret: &str, email: &str) -> Self {
        Self {
            secret: secret.to_owned(),
            email: email.to_owned(),
            last_step: None,
        }
    }

    /// A code the server takes as new: of the earliest step within one of
    /// now that comes after the last one used (waiting for the next step
    /// when all of them are used). Counts it as used.
    pub async fn fresh_code(&mut self) -> String {
        loop {
            let now = unix_now();
            let current = now / 30;
            let step = self
                .last_step
                .map_or(current - 1, |last| (last + 1).max(current - 1));
            // The step before now turns too old at the next step: not in
            // the last seconds of this one.
            let safe = step > current - 1 || now % 30 < 25;
            if step <= current + 1 && safe {
                self.last_step = Some(step);
                return code_at(&self.secret, &self.email, step);
            }
            let wait = 30 - now % 30;
            tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
        }
    }

    /// Six digits that are no code of the steps the server accepts now.
    pub fn wrong_code(&self) -> String {
        let current = unix_now() / 30;
        let right: Vec<String> = (current - 2..=current + 2)
            .map(|step| code_at(&self.secret, &self.email, step))
            .collect();
        (0..)
            .map(|n: u32| format!("{:06}", (n * 7_919) % 1_000_000))
            .find(|code| !right.contains(code))
            .unwrap()
    }
}

/// Starts and confirms two-factor sign-in for the account of `token`;
/// returns its authenticator and recovery codes.
pub async fn turn_on_2fa(app: &TestApp, token: &str, email: &str) -> (Authenticator, Vec<String>) {
    let started = app.post(token, "/api/v1/me/2fa", json!({})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let mut app_codes = Authenticator::new(started.body["secret"].as_str().expect("secret"), email);
    let code = app_codes.fresh_code().await;
    let confirmed = app
        .post(token, "/api/v1/me/2fa/confirm", json!({"code": code}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let codes = confirmed.body["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().expect("a code").to_owned())
        .collect();
    (app_codes, codes)
}
