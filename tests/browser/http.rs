//! What the pages answer over HTTP: CSRF refusals, cookies, error pages.
use reqwest::StatusCode;

use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app, spawn_app_with},
    web_client::WebClient,
};

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mut admin = WebClient::new(&app);
    admin.sign_in(ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(admin.get("/countries/new").await.status, StatusCode::OK);
    let kenya = [
        ("code", "KE"),
        ("name", "Kenya"),
        ("travel_estimate_cents", "2900"),
    ];

    let missing = admin.post("/countries", &kenya).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.content_type().starts_with("text/html"));
    assert!(missing.body.contains("This form could not be accepted"));

    let mut forged = kenya.to_vec();
    forged.push((
        "csrf_token",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    assert_eq!(
        admin.post("/countries", &forged).await.status,
        StatusCode::FORBIDDEN
    );

    // Another session's token is no good either.
    let mut other = WebClient::new(&app);
    other.get("/login").await;
    let other_token = other.csrf_token.clone().unwrap();
    assert_ne!(Some(&other_token), admin.csrf_token.as_ref());
    let mut borrowed = kenya.to_vec();
    borrowed.push(("csrf_token", &other_token));
    assert_eq!(
        admin.post("/countries", &borrowed).await.status,
        StatusCode::FORBIDDEN
    );

    // Nothing was stored.
    let token = app.admin().await;
    let answer = app
        .call(
            reqwest::Method::GET,
            "/api/v1/countries/KE",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    // With the token, the same form goes through.
    let accepted = admin.post_with_token("/countries", &kenya).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), "/countries/KE");

    // Sign-in and sign-out forms are protected too.
    let mut visitor = WebClient::new(&app);
    visitor.get("/login").await;
    let sign_in = visitor
        .post("/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(sign_in.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.post("/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_and_secure_over_https() {
    let plain = spawn_app().await;
    let https = spawn_app_with(|c| c.base_url = "https://imet.test".into()).await;
    for app in [&plain, &https] {
        let mut visitor = WebClient::new(app);
        let page = visitor.get("/login").await;
        let cookie = page.set_cookie().expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert_eq!(
            cookie.contains("Secure"),
            app.config.base_url.starts_with("https://"),
            "{cookie}"
        );
        // Signing in replaces the visitor's session id.
        let before = visitor.cookie.clone();
        visitor.sign_in(ADMIN_EMAIL, PASSWORD).await;
        assert_ne!(visitor.cookie, before);
    }
}

#[tokio::test]
async fn wrong_passwords_are_throttled_like_the_api() {
    let app = spawn_app().await;
    let mut visitor = WebClient::new(&app);
    visitor.get("/login").await;
    for _ in 0..5 {
        let page = visitor
            .post_with_token(
                "/login",
                &[("email", ADMIN_EMAIL), ("password", "wrong password")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.body
                .contains("Enter a correct email address and password.")
        );
    }
    let page = visitor
        .post_with_token("/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key("retry-after"));
    assert!(page.body.contains("Too many failed sign-in attempts"));
    // The API shares the count.
    let answer = app.login_answer(ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(answer.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn pages_answer_html_errors_while_the_api_keeps_problem_documents() {
    let app = spawn_app().await;
    let mut visitor = WebClient::new(&app);
    let missing = visitor.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.content_type().starts_with("text/html"));
    assert!(missing.body.contains("Page not found"));

    let api = visitor.get("/api/v1/no-such-thing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.content_type(), "application/problem+json");

    // A page needs a session: to the sign-in page, and back after.
    let page = visitor.get("/countries?cursor=x").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fcountries%3Fcursor%3Dx");

    // The sign-in page only sends people to this site's pages.
    let mut admin = WebClient::new(&app);
    admin.get("/login?next=//evil.example/").await;
    let page = admin
        .post_with_token(
            "/login",
            &[
                ("email", ADMIN_EMAIL),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.location(), "/");

    // A forged cursor is a friendly error page, not a crash.
    let page = admin.get("/countries?cursor=%%%").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.content_type().starts_with("text/html"));

    let css = admin.get("/static/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css"));
    assert!(css.headers.contains_key("cache-control"));
    assert!(css.body.contains(":focus-visible"));
}
