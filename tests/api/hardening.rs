//! SPEC §8 through HTTP: control characters, CSV formulas, throttling that
//! holds under parallel attempts and behind proxies, the audit of sign-ins
//! and freezes, headers on every response, bounded metrics, and bodies left
//! unread until the caller is let in.
use chrono::{Datelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn current_fy() -> i32 {
    let today = Utc::now().date_naive();
    if today.month() >= 10 {
        today.year() + 1
    } else {
        today.year()
    }
}

#[tokio::test]
async fn control_characters_answer_422_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let c = cast(&app).await;

    // JSON fields, nested fields and array items; NUL breaks PostgreSQL.
    let cases = [
        (
            json!({"code": "KE", "name": "Ke\u{0}nya", "travel_estimate_cents": 1}),
            "name",
        ),
        (
            json!({"code": "KE", "name": "Ke\u{3}nya", "travel_estimate_cents": 1}),
            "name",
        ),
        (
            json!({"code": "KE", "name": "Kenya\u{88}", "travel_estimate_cents": 1}),
            "name",
        ),
        (
            json!({"code": "KE", "name": "Ken\nya", "travel_estimate_cents": 1}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let answer = app.post(&c.admin, "/api/v1/countries", body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.content_type(), "application/problem+json");
        assert!(
            answer.field_errors(field)[0].contains("control characters"),
            "{}",
            answer.body
        );
    }
    assert_eq!(
        app.get(&c.admin, "/api/v1/countries/KE").await.status,
        StatusCode::NOT_FOUND
    );
    let nested = app
        .post(
            &c.admin,
            "/api/v1/courses",
            json!({"masl_id": "B000001", "title": "T", "school": "S", "location": "L",
                   "category": "pme", "audience": ["officer"], "prerequisites": ["B\u{0}"]}),
        )
        .await;
    assert_eq!(nested.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !nested.field_errors("prerequisites[0]").is_empty(),
        "{}",
        nested.body
    );

    // Multi-line fields keep their line breaks and tabs, and only those.
    let reason = "Coup d'état.\r\n\tSee cable 42.";
    let imposed = app
        .post(
            &c.officer,
            "/api/v1/countries/JO/suspensions",
            json!({"programs": ["FMF"], "legal_basis": "coup_7008", "reason": reason,
                   "effective_from": "2020-01-01"}),
        )
        .await;
    assert_eq!(imposed.status, StatusCode::CREATED, "{}", imposed.body);
    assert_eq!(imposed.body["reason"], reason);
    let refused = app
        .post(
            &c.officer,
            "/api/v1/countries/JO/suspensions",
            json!({"programs": ["FMF"], "legal_basis": "coup_7008", "reason": "bell\u{7}",
                   "effective_from": "2020-01-01"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.field_errors("reason").is_empty());

    // Unauthenticated sign-in, query parameters and path segments.
    let login = app.login_answer("admin\u{0}@test.example", "x").await;
    assert_eq!(
        login.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        login.body
    );
    assert!(!login.field_errors("email").is_empty());
    for (path, field) in [
        ("/api/v1/students?q=%00", "q"),
        ("/api/v1/countries?q=a%0Db", "q"),
        ("/api/v1/countries/%00", "code"),
        ("/api/v1/countries/P%C2%88K", "code"),
        ("/api/v1/nowhere/%01", "path"),
    ] {
        let answer = app.get(&c.admin, path).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(answer.content_type(), "application/problem+json", "{path}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{path}: {}",
            answer.body
        );
    }

    // A CSV cell: refused by line and column.
    let import = app
        .send_raw(
            Method::POST,
            "/api/v1/courses/import",
            &c.admin,
            "text/csv",
            "masl_id,title,school,location,category,audience\nB000002,Ti\u{0}tle,S,L,pme,officer\n",
        )
        .await;
    assert_eq!(
        import.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        import.body
    );
    assert!(import.body.to_string().contains("title"), "{}", import.body);
    let courses = app.get(&c.admin, "/api/v1/courses").await;
    assert_eq!(courses.body["items"], json!([]));
}

#[tokio::test]
async fn csv_exports_defuse_formulas_and_reimport_unchanged() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let formula = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    let created = app
        .post(
            &admin,
            "/api/v1/courses",
            json!({"masl_id": "B000001", "title": formula, "school": "+School",
                   "location": "@Fort", "category": "pme", "audience": ["officer"],
                   "description": "-minus\nsecond line"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    let export = app
        .client
        .get(app.url("/api/v1/courses/export"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
    };
    assert_eq!(cell("title"), format!("'{formula}"));
    assert_eq!(cell("school"), "'+School");
    assert_eq!(cell("location"), "'@Fort");
    assert_eq!(cell("description"), "'-minus\nsecond line");
    assert_eq!(cell("masl_id"), "B000001");

    let again = app
        .send_raw(
            Method::POST,
            "/api/v1/courses/import",
            &admin,
            "text/csv",
            export,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["unchanged"], 1, "{}", again.body);
    let course = app.get(&admin, "/api/v1/courses/B000001").await;
    assert_eq!(course.body["title"], formula);
    assert_eq!(course.body["school"], "+School");
}

/// Sends `count` sign-ins at once from `forwarded_for` (when set); returns
/// the statuses.
async fn parallel_logins(
    app: &TestApp,
    count: usize,
    email: &str,
    forwarded_for: Option<&str>,
) -> Vec<StatusCode> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..count {
        let mut request = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": "wrong password"}));
        if let Some(from) = forwarded_for {
            request = request.header("x-forwarded-for", from);
        }
        set.spawn(async move {
            let answer = request.send().await.expect("request");
            if answer.status() == StatusCode::TOO_MANY_REQUESTS {
                assert!(answer.headers().contains_key("retry-after"));
            }
            answer.status()
        });
    }
    set.join_all().await
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn parallel_wrong_passwords_get_at_most_five_401s() {
    let app = spawn_app().await;
    let statuses = parallel_logins(&app, 40, ADMIN_EMAIL, None).await;
    let unauthorized = count(&statuses, StatusCode::UNAUTHORIZED);
    assert!(unauthorized <= 5, "{unauthorized} of 40 answered 401");
    assert_eq!(
        unauthorized + count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        40,
        "{statuses:?}"
    );
    // Even the right password waits out the window.
    assert_eq!(
        app.login_answer(ADMIN_EMAIL, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_client_behind_a_trusted_proxy_is_throttled_by_its_own_address() {
    // Without trusted proxies the header is ignored: every attempt is the peer's.
    let direct = spawn_app().await;
    for i in 0..20 {
        let from = format!("198.51.100.{i}");
        let statuses = parallel_logins(&direct, 1, &format!("u{i}@x.example"), Some(&from)).await;
        assert_eq!(statuses, [StatusCode::UNAUTHORIZED]);
    }
    let statuses = parallel_logins(&direct, 1, "other@x.example", Some("203.0.113.9")).await;
    assert_eq!(
        statuses,
        [StatusCode::TOO_MANY_REQUESTS],
        "the peer is locked"
    );

    // Behind a trusted proxy, the client it names; a forged left-most hop
    // does not move the count, and IPv6 counts per /64.
    let proxied = spawn_app_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for i in 0..20 {
        let from = format!("6.6.6.{i}, 198.51.100.7");
        let statuses = parallel_logins(&proxied, 1, &format!("u{i}@x.example"), Some(&from)).await;
        assert_eq!(statuses, [StatusCode::UNAUTHORIZED]);
    }
    let locked = parallel_logins(&proxied, 1, "n@x.example", Some("198.51.100.7")).await;
    assert_eq!(locked, [StatusCode::TOO_MANY_REQUESTS]);
    let other = parallel_logins(&proxied, 1, "n@x.example", Some("198.51.100.8")).await;
    assert_eq!(other, [StatusCode::UNAUTHORIZED]);
    for i in 0..20 {
        let from = format!("2001:db8:5:6::{i:x}");
        parallel_logins(&proxied, 1, &format!("v{i}@x.example"), Some(&from)).await;
    }
    let same_64 = parallel_logins(&proxied, 1, "w@x.example", Some("2001:db8:5:6:ffff::1")).await;
    assert_eq!(same_64, [StatusCode::TOO_MANY_REQUESTS]);
    let next_64 = parallel_logins(&proxied, 1, "w@x.example", Some("2001:db8:5:7::1")).await;
    assert_eq!(next_64, [StatusCode::UNAUTHORIZED]);
}

/// The audit entries of one entity, newest first, as (action, actor).
async fn audited(app: &TestApp, token: &str, entity: &str, id: &str) -> Vec<(String, Value)> {
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let answer = app
        .get(
            token,
            &format!("/api/v1/audit?entity={entity}&id={id}&limit=100"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor_id"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn sign_ins_sign_outs_revocations_and_freezes_are_audited() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let me = app.get(&c.admin, "/api/v1/me").await;
    let admin_id = me.body["id"].as_i64().unwrap();

    assert_eq!(
        app.login_answer(ADMIN_EMAIL, "wrong password").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_answer("nobody@test.example", "wrong password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let token = app.admin().await;
    let signed_in = audited(&app, &c.admin, "user", &admin_id.to_string()).await;
    assert_eq!(
        signed_in.first(),
        Some(&("auth.sign_in".to_owned(), json!(admin_id))),
        "{signed_in:?}"
    );
    let failed = audited(&app, &c.admin, "user", ADMIN_EMAIL).await;
    assert_eq!(failed, [("auth.sign_in_failed".to_owned(), Value::Null)]);
    let unknown = audited(&app, &c.admin, "user", "nobody@test.example").await;
    assert_eq!(unknown, [("auth.sign_in_failed".to_owned(), Value::Null)]);

    let logout = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let revoked = app
        .get(&c.admin, "/api/v1/audit?entity=api_token&limit=100")
        .await;
    let actions: Vec<&str> = revoked.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["api_token.revoke"]);

    // A suspension freezes the allocation, lifting it unfreezes: both audited.
    let fy = current_fy();
    let put = app
        .put(
            &c.officer,
            &format!("/api/v1/allocations/PK/IMET/{fy}"),
            json!({"allocated_cents": 1_000_000}),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    let today = Utc::now().date_naive();
    let imposed = app
        .post(
            &c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["IMET"], "legal_basis": "coup_7008", "reason": "coup",
                   "effective_from": today}),
        )
        .await;
    assert_eq!(imposed.status, StatusCode::CREATED, "{}", imposed.body);
    let lifted = app
        .post(
            &c.officer,
            &format!(
                "/api/v1/countries/PK/suspensions/{}/lift",
                imposed.body["id"]
            ),
            json!({"lifted_on": today, "reason": "restored"}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    let history = audited(&app, &c.admin, "allocation", &format!("PK/IMET/{fy}")).await;
    let actions: Vec<&str> = history.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "allocation.unfreeze",
            "allocation.freeze",
            "allocation.create"
        ]
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let plain = spawn_app().await;
    let https = spawn_app_with(|c| c.base_url = "https://imet.test".into()).await;
    for app in [&plain, &https] {
        let token = app.admin().await;
        let hsts = app.config.base_url.starts_with("https://");
        // (path, authenticated, is HTML)
        let cases = [
            ("/health", false, false),
            ("/api/v1/countries", true, false),
            ("/api/v1/no-such-thing", true, false),
            ("/api/v1/countries", false, false),
            ("/api/openapi.json", false, false),
            ("/api/docs/", false, true),
            ("/no-such-page", false, true),
            ("/login", false, true),
        ];
        for (path, authenticated, html) in cases {
            let mut request = app.client.get(app.url(path));
            if authenticated {
                request = request.bearer_auth(&token);
            }
            let answer = request.send().await.unwrap();
            let headers = answer.headers();
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
            assert_eq!(header("x-content-type-options"), Some("nosniff"), "{path}");
            assert_eq!(header("referrer-policy"), Some("same-origin"), "{path}");
            let csp = header("content-security-policy");
            assert_eq!(csp.is_some(), html, "{path}: {csp:?}");
            if let Some(csp) = csp {
                assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
                assert!(
                    !csp.contains("script-src"),
                    "scripts from 'self' only: {csp}"
                );
            }
            assert_eq!(
                header("cache-control") == Some("no-store"),
                authenticated,
                "{path}"
            );
            assert_eq!(
                header("strict-transport-security").is_some(),
                hsts,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn metrics_label_unknown_paths_as_one() {
    let app = spawn_app().await;
    let token = app.admin().await;
    let marker = format!("probe{}", hex::encode(rand::random::<[u8; 4]>()));
    for i in 0..30 {
        let answer = app.get(&token, &format!("/api/v1/{marker}/{i}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        app.client
            .get(app.url(&format!("/{marker}-{i}")))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        app.get(&token, "/api/v1/countries/PK").await.status,
        StatusCode::NOT_FOUND
    );
    let metrics = app.text("/metrics").await;
    assert!(!metrics.contains(&marker), "unknown paths became labels");
    assert!(metrics.contains("endpoint=\"unmatched\""), "{metrics}");
    assert!(metrics.contains("endpoint=\"/api/v1/countries/{code}\""));
}

#[tokio::test]
async fn api_bodies_are_read_only_after_authorization() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let officer = format!("Bearer {}", c.officer);
    let cases = [
        ("/api/v1/courses/import", "text/csv", None, 401),
        (
            "/api/v1/courses/import",
            "text/csv",
            Some(officer.as_str()),
            403,
        ),
        ("/api/v1/countries", "application/json", None, 401),
        (
            "/api/v1/countries",
            "application/json",
            Some(officer.as_str()),
            403,
        ),
    ];
    for (path, content_type, authorization, status) in cases {
        let headers: Vec<(&str, &str)> = authorization
            .map(|a| ("Authorization", a))
            .into_iter()
            .collect();
        assert_eq!(
            app.status_before_body(path, content_type, &headers).await,
            status,
            "{path} {authorization:?}"
        );
    }
}
