//! What the pages answer over HTTP: CSRF refusals, cookies, error pages.
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

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
async fn the_cookies_are_http_only_same_site_and_secure_over_https() {
    let plain = spawn_app().await;
    let https = spawn_app_with(|c| c.base_url = "https://imet.test".into()).await;
    for app in [&plain, &https] {
        let secure = app.config.base_url.starts_with("https://");
        let mut visitor = WebClient::new(app);
        let page = visitor.get("/login").await;
        // The visitor forms' token rides in a cookie of its own, not a session.
        let cookie = page.set_cookie().expect("the sign-in cookie");
        assert!(cookie.starts_with("imet_login="), "{cookie}");
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && cookie.split("; ").any(|part| part == "Path=/"),
            "{cookie}"
        );
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        assert_eq!(visitor.session_cookie(), None);

        visitor.sign_in(ADMIN_EMAIL, PASSWORD).await;
        let session = visitor
            .session_cookie()
            .expect("a session cookie")
            .to_owned();
        // Each sign-in starts a session with a fresh id.
        let mut again = WebClient::new(app);
        again.sign_in(ADMIN_EMAIL, PASSWORD).await;
        assert_ne!(again.session_cookie(), Some(session.as_str()));
        let page = again.get("/login").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "signed in already");
    }
    let mut visitor = WebClient::new(&https);
    visitor.get("/login").await;
    let page = visitor
        .post_with_token("/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD)])
        .await;
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("imet_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
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

#[tokio::test]
async fn an_anonymous_visitor_leaves_no_session_row() {
    let app = spawn_app().await;
    let sessions = || async {
        imet::entities::web_session::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap()
    };
    let mut visitor = WebClient::new(&app);
    for path in [
        "/login",
        "/",
        "/users",
        "/no-such-page",
        "/login?next=/users",
    ] {
        visitor.get(path).await;
    }
    let refused = visitor
        .post_with_token("/login", &[("email", ADMIN_EMAIL), ("password", "wrong")])
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sessions().await, 0);

    visitor.sign_in(ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(sessions().await, 1);
    // Signing out ends it, is audited, and says so on the sign-in page.
    let page = visitor.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let out = visitor.post_with_token("/logout", &[]).await;
    assert_eq!(out.location(), "/login?signed_out=yes");
    assert_eq!(sessions().await, 0);
    let page = visitor.get(out.location()).await;
    assert!(page.body.contains("You have signed out."));
    let token = app.admin().await;
    let audit = app
        .call(
            reqwest::Method::GET,
            "/api/v1/audit?entity=web_session",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(audit.body["items"][0]["action"], "auth.sign_out");
}

#[tokio::test]
async fn after_sign_in_next_is_followed_only_to_a_plain_path_of_this_site() {
    let app = spawn_app().await;
    let mut admin = WebClient::new(&app);
    admin.sign_in(ADMIN_EMAIL, PASSWORD).await;
    let cases = [
        ("/users", "/users"),
        (
            "/nominations%3Fstatus%3Dsubmitted",
            "/nominations?status=submitted",
        ),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("%5C%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("/%20/evil.example", "/"),
        ("/caf%C3%A9", "/"),
    ];
    for (next, location) in cases {
        let page = admin.get(&format!("/login?next={next}")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(page.location(), location, "{next}");
    }
    // A control character is refused before any redirect is built.
    for next in ["/%09/evil.example", "/%0d%0a"] {
        let page = admin.get(&format!("/login?next={next}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{next}");
        assert!(page.content_type().starts_with("text/html"));
    }
}

#[tokio::test]
async fn page_input_with_control_characters_answers_422_naming_the_field() {
    let app = spawn_app().await;
    let mut admin = WebClient::new(&app);
    admin.sign_in(ADMIN_EMAIL, PASSWORD).await;
    admin.get("/countries/new").await;
    let page = admin
        .post_with_token(
            "/countries",
            &[
                ("code", "KE"),
                ("name", "Ken\u{3}ya"),
                ("travel_estimate_cents", "2900"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("name: must not contain control characters"),
        "{}",
        page.body
    );
    let page = admin.get("/countries?q=%00").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("q: must not contain control characters"));
    let page = admin.get("/countries/%C2%9F").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("code: must not contain control characters")
    );
    let token = app.admin().await;
    let kenya = app
        .call(
            reqwest::Method::GET,
            "/api/v1/countries/KE",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(kenya.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_page_post_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let token = app.admin().await;
    app.user(&token, "officer@test.example", "program_officer", None)
        .await;
    let mut officer = WebClient::new(&app);
    officer.sign_in("officer@test.example", PASSWORD).await;
    let session = format!("imet_session={}", officer.session_cookie().unwrap());
    let multipart = "multipart/form-data; boundary=xyz";
    // No session: refused at once.
    assert_eq!(
        app.status_before_body("/courses/import", multipart, &[])
            .await,
        403
    );
    // A signed-in officer may not import: refused before the upload is read.
    assert_eq!(
        app.status_before_body("/courses/import", multipart, &[("Cookie", &session)])
            .await,
        403
    );
    let form = "application/x-www-form-urlencoded";
    assert_eq!(
        app.status_before_body("/users", form, &[("Cookie", &session)])
            .await,
        403
    );
}

#[tokio::test]
async fn every_page_post_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mut admin = WebClient::new(&app);
    admin.sign_in(ADMIN_EMAIL, PASSWORD).await;
    // Every form posts url-encoded but the catalog upload, tried below.
    let posts: Vec<_> = imet::web::routes()
        .into_iter()
        .filter(|route| route.method == "POST" && route.path != "/courses/import")
        .collect();
    assert!(posts.len() > 20, "{posts:?}");
    for route in posts {
        let path = route
            .path
            .replace("{id}", "1")
            .replace("{line_id}", "1")
            .replace("{code}", "PK")
            .replace("{masl_id}", "B000001");
        let page = admin.post(&path, &[("name", "Anything")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.body.contains("This form could not be accepted"),
            "{path}"
        );
    }
    let upload = admin
        .post_multipart(
            "/courses/import",
            &[("file", Some("catalog.csv"), "masl_id,title\n")],
        )
        .await;
    assert_eq!(upload.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
}
