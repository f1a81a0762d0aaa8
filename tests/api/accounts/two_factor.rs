//! Two-factor sign-in (TOTP, RFC 6238) with recovery codes: enrolment,
//! sign-in with a code accepted once, the throttle counting wrong codes,
//! turning it off, and `IMET_REQUIRE_2FA=staff`.
use imet::{domain::second_factor::Policy, entities::recovery_code};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    Authenticator, assert_names, assert_totp_required, forgot, login_with, my_id, new_link, redeem,
    turn_on_2fa, user_audit,
};
use crate::helpers::{ADMIN_EMAIL, Answer, PASSWORD, TestApp, spawn_app, spawn_app_with};

/// `DELETE /me/2fa` with `body`.
async fn turn_off(app: &TestApp, token: &str, body: Value) -> Answer {
    app.call(Method::DELETE, "/api/v1/me/2fa", Some(token), Some(body))
        .await
}

#[tokio::test]
async fn two_factor_sign_in_from_enrolment_to_turning_it_off() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "second.factor@test.example";
    let (id, token) = app.user(&admin, email, "program_officer", None).await;

    // Enrolment shows the secret as text, as an otpauth URI and as a QR code.
    let started = app.post(&token, "/api/v1/me/2fa", json!({})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let secret = started.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert!(
        secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
        "{secret}"
    );
    let uri = started.body["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/IMET%20Enrollment:second.factor%40test.example?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    let qr = started.body["qr_svg"].as_str().unwrap();
    assert!(qr.starts_with("<svg"), "{qr}");
    assert!(qr.trim_end().ends_with("</svg>"));
    // Not on until confirmed.
    app.login(email, PASSWORD).await;

    let mut phone = Authenticator::new(&secret, email);
    let wrong = app
        .post(
            &token,
            "/api/v1/me/2fa/confirm",
            json!({"code": phone.wrong_code()}),
        )
        .await;
    assert_names(&wrong, "code", "a wrong first code");
    app.login(email, PASSWORD).await;
    let code = phone.fresh_code().await;
    let confirmed = app
        .post(&token, "/api/v1/me/2fa/confirm", json!({"code": code}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let recovery: Vec<String> = confirmed.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let distinct: std::collections::BTreeSet<_> = recovery.iter().collect();
    assert_eq!(distinct.len(), 10, "{recovery:?}");
    // Stored hashed: neither as shown nor as typed without the hyphen.
    let stored = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(id as i32))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    for shown in &recovery {
        let plain = shown.replace('-', "");
        assert!(
            stored
                .iter()
                .all(|r| r.code_hash != *shown && r.code_hash != plain)
        );
        let hash = hex::encode(Sha256::digest(plain.as_bytes()));
        assert_eq!(stored.iter().filter(|r| r.code_hash == hash).count(), 1);
    }
    // Once on, neither a new set-up nor a second confirmation.
    for (path, body) in [
        ("/api/v1/me/2fa", json!({})),
        (
            "/api/v1/me/2fa/confirm",
            json!({"code": phone.wrong_code()}),
        ),
    ] {
        let again = app.post(&token, path, body).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{path}: {}", again.body);
    }
    // The token that turned it on keeps working.
    assert_eq!(my_id(&app, &token).await, id);

    // Sign-in now asks for the code after the password.
    assert_totp_required(&app.login_answer(email, PASSWORD).await, "no code");
    // A wrong password says nothing about codes.
    let wrong_password = login_with(
        &app,
        email,
        "not the password",
        json!({"totp": phone.wrong_code()}),
    )
    .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_ne!(wrong_password.body["code"], "totp_required");
    let code = phone.fresh_code().await;
    let signed_in = login_with(&app, email, PASSWORD, json!({"totp": code})).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let with_code = signed_in.body["token"].as_str().unwrap().to_owned();
    assert_eq!(my_id(&app, &with_code).await, id);
    assert_totp_required(
        &login_with(&app, email, PASSWORD, json!({"totp": code})).await,
        "the same code again",
    );
    assert_totp_required(
        &login_with(&app, email, PASSWORD, json!({"totp": phone.wrong_code()})).await,
        "a wrong code",
    );
    // A recovery code signs in once, however it is typed.
    let first = login_with(&app, email, PASSWORD, json!({"recovery_code": recovery[0]})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_totp_required(
        &login_with(&app, email, PASSWORD, json!({"recovery_code": recovery[0]})).await,
        "a used recovery code",
    );
    let typed = recovery[1].to_uppercase().replace('-', " ");
    let second = login_with(&app, email, PASSWORD, json!({"recovery_code": typed})).await;
    assert_eq!(second.status, StatusCode::OK, "{typed}: {}", second.body);
    let factors: Vec<Value> = user_audit(&app, &admin, id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "auth.sign_in")
        .map(|e| e["after"]["second_factor"].clone())
        .collect();
    assert_eq!(
        factors[..3],
        [
            json!("recovery_code"),
            json!("recovery_code"),
            json!("totp")
        ]
    );

    // Turning it off takes a right code: a wrong or used one is named.
    assert_names(&turn_off(&app, &token, json!({})).await, "code", "no code");
    assert_names(
        &turn_off(&app, &token, json!({"code": phone.wrong_code()})).await,
        "code",
        "a wrong code",
    );
    assert_names(
        &turn_off(&app, &token, json!({"code": code})).await,
        "code",
        "a used code",
    );
    assert_names(
        &turn_off(&app, &token, json!({"recovery_code": recovery[0]})).await,
        "recovery_code",
        "a used recovery code",
    );
    assert_names(
        &turn_off(&app, &token, json!({"recovery_code": "aaaaa-bbbbb"})).await,
        "recovery_code",
        "a wrong recovery code",
    );
    assert_totp_required(&app.login_answer(email, PASSWORD).await, "still on");
    let off = turn_off(&app, &token, json!({"code": phone.fresh_code().await})).await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.body);
    app.login(email, PASSWORD).await;
    // Its recovery codes went with it.
    let left = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(id as i32))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(left.is_empty());
    let not_on = turn_off(&app, &token, json!({"recovery_code": recovery[2]})).await;
    assert_eq!(not_on.status, StatusCode::CONFLICT, "{}", not_on.body);
    let actions: Vec<Value> = user_audit(&app, &admin, id)
        .await
        .into_iter()
        .map(|e| e["action"].clone())
        .filter(|a| a.as_str().unwrap().starts_with("user.totp"))
        .collect();
    assert_eq!(
        actions,
        vec![
            json!("user.totp_off"),
            json!("user.totp_on"),
            json!("user.totp_enrolment")
        ]
    );
}

#[tokio::test]
async fn wrong_codes_count_toward_the_sign_in_throttle() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "guessed@test.example";
    let (_, token) = app.user(&admin, email, "program_officer", None).await;
    let (mut phone, _) = turn_on_2fa(&app, &token, email).await;

    for n in 1..=4 {
        assert_totp_required(
            &login_with(&app, email, PASSWORD, json!({"totp": phone.wrong_code()})).await,
            &format!("wrong code {n}"),
        );
    }
    // The right password without a code counts neither way.
    for n in 1..=3 {
        assert_totp_required(
            &app.login_answer(email, PASSWORD).await,
            &format!("no code {n}"),
        );
    }
    // A wrong code turning it off is the fifth failure.
    assert_names(
        &turn_off(&app, &token, json!({"code": phone.wrong_code()})).await,
        "code",
        "a wrong code turning it off",
    );
    // Now even the right code waits for the window.
    let throttled = login_with(
        &app,
        email,
        PASSWORD,
        json!({"totp": phone.fresh_code().await}),
    )
    .await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.body
    );
    let retry: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((880..=900).contains(&retry), "retry-after {retry}");
    assert_eq!(
        app.login_answer(email, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another account is not locked.
    app.admin().await;
}

#[tokio::test]
async fn one_code_signs_in_once_even_in_parallel() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "racer@test.example";
    let (_, token) = app.user(&admin, email, "program_officer", None).await;
    let (mut phone, recovery) = turn_on_2fa(&app, &token, email).await;

    for factor in [
        json!({"totp": phone.fresh_code().await}),
        json!({"recovery_code": recovery[0]}),
    ] {
        let (a, b) = tokio::join!(
            login_with(&app, email, PASSWORD, factor.clone()),
            login_with(&app, email, PASSWORD, factor.clone()),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 401], "{factor}: {} {}", a.body, b.body);
    }
}

#[tokio::test]
async fn enrolment_starts_over_with_a_new_secret_and_needs_a_start() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "restarter@test.example";
    let (_, token) = app.user(&admin, email, "program_officer", None).await;

    let early = app
        .post(&token, "/api/v1/me/2fa/confirm", json!({"code": "123456"}))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.body["code"], "invalid_transition");
    let not_on = turn_off(&app, &token, json!({"code": "123456"})).await;
    assert_eq!(not_on.status, StatusCode::CONFLICT, "{}", not_on.body);

    let first = app.post(&token, "/api/v1/me/2fa", json!({})).await;
    let second = app.post(&token, "/api/v1/me/2fa", json!({})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let (old, new) = (
        first.body["secret"].as_str().unwrap(),
        second.body["secret"].as_str().unwrap(),
    );
    assert_ne!(old, new);
    // The abandoned secret's code is refused; the new one's turns it on.
    let mut abandoned = Authenticator::new(old, email);
    assert_names(
        &app.post(
            &token,
            "/api/v1/me/2fa/confirm",
            json!({"code": abandoned.fresh_code().await}),
        )
        .await,
        "code",
        "a code of the abandoned secret",
    );
    let mut phone = Authenticator::new(new, email);
    let on = app
        .post(
            &token,
            "/api/v1/me/2fa/confirm",
            json!({"code": phone.fresh_code().await}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let signed_in = login_with(
        &app,
        email,
        PASSWORD,
        json!({"totp": phone.fresh_code().await}),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);

    // A recovery code turns it off too; a new enrolment gets a new secret.
    let recovery = on.body["recovery_codes"][3].as_str().unwrap();
    let off = turn_off(&app, &token, json!({"recovery_code": recovery})).await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.body);
    let (mut again, _) = turn_on_2fa(&app, &token, email).await;
    assert_ne!(again.secret, new);
    let signed_in = login_with(
        &app,
        email,
        PASSWORD,
        json!({"totp": again.fresh_code().await}),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
}

#[tokio::test]
async fn a_reset_link_sets_the_password_but_leaves_the_second_factor_on() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "mailbox.only@test.example";
    let (_, token) = app.user(&admin, email, "program_officer", None).await;
    let (mut phone, _) = turn_on_2fa(&app, &token, email).await;
    assert_eq!(forgot(&app, email).await.status, StatusCode::ACCEPTED);
    let link = new_link(&app, email, "/account/reset", 2, &[]).await;
    let reset = redeem(&app, &link, "a reset passphrase").await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(
        reset.body.get("token").is_none(),
        "no sign-in: {}",
        reset.body
    );
    // Whoever reads the mailbox still needs the authenticator.
    assert_totp_required(
        &app.login_answer(email, "a reset passphrase").await,
        "the new password alone",
    );
    let signed_in = login_with(
        &app,
        email,
        "a reset passphrase",
        json!({"totp": phone.fresh_code().await}),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
}

#[tokio::test]
async fn with_2fa_required_for_staff_an_unenrolled_officer_may_only_enrol() {
    let app = spawn_app_with(|c| c.require_2fa = Policy::Staff).await;
    // The bootstrap admin signs in, but must enrol before anything else.
    let admin = app.admin().await;
    let blocked = app.get(&admin, "/api/v1/users").await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN, "{}", blocked.body);
    assert_eq!(blocked.body["code"], "totp_required");
    assert_eq!(blocked.content_type(), "application/problem+json");
    let (mut admin_phone, _) = turn_on_2fa(&app, &admin, ADMIN_EMAIL).await;
    assert_eq!(
        app.get(&admin, "/api/v1/users").await.status,
        StatusCode::OK
    );
    app.country(&admin, "PK", "Pakistan").await;
    // Signing in again takes the code now.
    assert_totp_required(&app.login_answer(ADMIN_EMAIL, PASSWORD).await, "admin");
    let again = login_with(
        &app,
        ADMIN_EMAIL,
        PASSWORD,
        json!({"totp": admin_phone.fresh_code().await}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    let email = "officer@test.example";
    let (officer_id, officer) = app.user(&admin, email, "program_officer", None).await;
    let (_, liaison) = app
        .user(
            &admin,
            "liaison.pk@test.example",
            "country_liaison",
            Some("PK"),
        )
        .await;
    // Everything but who-am-I, sign-out and enrolment answers 403.
    let requests = [
        (Method::GET, "/api/v1/nominations", None),
        (Method::GET, "/api/v1/students", None),
        (Method::GET, "/api/v1/me/sessions", None),
        (
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})),
        ),
        (
            Method::DELETE,
            "/api/v1/me/2fa",
            Some(json!({"code": "123456"})),
        ),
    ];
    for (method, path, body) in &requests {
        let answer = app
            .call(method.clone(), path, Some(&officer), body.clone())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            answer.body
        );
        assert_eq!(answer.body["code"], "totp_required", "{method} {path}");
    }
    assert_eq!(my_id(&app, &officer).await, officer_id);
    // The refused password change changed nothing.
    app.login(email, PASSWORD).await;
    // A liaison is not held.
    for path in ["/api/v1/nominations", "/api/v1/me/sessions"] {
        let answer = app.get(&liaison, path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    }

    // Once enrolled, the same token does everything its role may.
    let (mut phone, _) = turn_on_2fa(&app, &officer, email).await;
    for path in [
        "/api/v1/nominations",
        "/api/v1/students",
        "/api/v1/me/sessions",
    ] {
        let answer = app.get(&officer, path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    }
    // Turning it off again holds the officer again.
    let off = turn_off(&app, &officer, json!({"code": phone.fresh_code().await})).await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.body);
    let held = app.get(&officer, "/api/v1/nominations").await;
    assert_eq!(held.status, StatusCode::FORBIDDEN, "{}", held.body);
    assert_eq!(held.body["code"], "totp_required");
    // Signing out is allowed while held.
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&officer), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
    assert_eq!(
        app.get(&officer, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}
