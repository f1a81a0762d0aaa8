//! One's own sign-ins: the list of web sessions and API tokens, ending one,
//! and signing out everywhere.
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{my_id, user_audit};
use crate::{
    helpers::{PASSWORD, TestApp, spawn_app},
    web_client::WebClient,
};

/// The caller's sign-ins, as listed.
async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let answer = app.get(token, "/api/v1/me/sessions").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body.as_array().expect("a list").clone()
}

/// The id of the sign-in listed as the current one.
async fn current_id(app: &TestApp, token: &str) -> String {
    let listed = sessions(app, token).await;
    let current: Vec<_> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "one current sign-in in {listed:?}");
    current[0]["id"].as_str().unwrap().to_owned()
}

async fn end(app: &TestApp, token: &str, id: &str) -> StatusCode {
    app.call(
        Method::DELETE,
        &format!("/api/v1/me/sessions/{id}"),
        Some(token),
        None,
    )
    .await
    .status
}

#[tokio::test]
async fn my_sessions_list_end_one_and_end_all() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = "many.places@test.example";
    let (id, first) = app.user(&admin, email, "program_officer", None).await;
    // A second token, from a client that names itself.
    let answer = TestApp::answer(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("user-agent", "accounts-test/1.0")
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let second = answer.body["token"].as_str().unwrap().to_owned();
    let third = app.login(email, PASSWORD).await;
    let mut browser = WebClient::new(&app);
    browser.sign_in(email, PASSWORD).await;
    let (_, someone) = app
        .user(&admin, "someone.else@test.example", "program_officer", None)
        .await;

    let listed = sessions(&app, &first).await;
    assert_eq!(listed.len(), 4, "{listed:?}");
    let first_id = current_id(&app, &first).await;
    let second_id = current_id(&app, &second).await;
    let third_id = current_id(&app, &third).await;
    assert_eq!(listed[0]["id"], first_id.as_str(), "the current one first");
    for id in [&first_id, &second_id, &third_id] {
        assert!(id.starts_with("api-"), "{id}");
    }
    let web: Vec<_> = listed.iter().filter(|s| s["kind"] == "web").collect();
    assert_eq!(web.len(), 1, "{listed:?}");
    let web_id = web[0]["id"].as_str().unwrap().to_owned();
    assert!(web_id.starts_with("web-"), "{web_id}");
    for session in &listed {
        let kind = if session["id"].as_str().unwrap().starts_with("web-") {
            "web"
        } else {
            "api"
        };
        assert_eq!(session["kind"], kind, "{session}");
        assert_eq!(session["client_addr"], "127.0.0.1", "{session}");
        for field in ["created_at", "expires_at"] {
            let at = session[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field}: {session}"));
            chrono::DateTime::parse_from_rfc3339(at).expect(field);
        }
        assert!(session.get("last_used_at").is_some(), "{session}");
        assert_eq!(session["current"], session["id"] == first_id.as_str());
    }
    let named = listed
        .iter()
        .find(|s| s["id"] == second_id.as_str())
        .unwrap();
    assert_eq!(named["user_agent"], "accounts-test/1.0");
    // Someone else's list has none of them.
    let theirs = sessions(&app, &someone).await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(!theirs.iter().any(|s| {
        [&first_id, &second_id, &third_id, &web_id].contains(&&s["id"].as_str().unwrap().to_owned())
    }));

    // Ending one ends that one only.
    assert_eq!(end(&app, &first, &second_id).await, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&second, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(end(&app, &first, &second_id).await, StatusCode::NOT_FOUND);
    assert_eq!(my_id(&app, &first).await, id);
    assert_eq!(my_id(&app, &third).await, id);
    assert_eq!(browser.get("/").await.status, StatusCode::OK);
    assert_eq!(end(&app, &first, &web_id).await, StatusCode::NO_CONTENT);
    let signed_out = browser.get("/").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        signed_out.location().starts_with("/login"),
        "{}",
        signed_out.location()
    );

    // Someone else's sign-in, or none at all, is not found.
    let someone_id = current_id(&app, &someone).await;
    for other in [
        someone_id.as_str(),
        "api-999999",
        "web-999999",
        "api-x",
        "nonsense",
        "api-",
    ] {
        assert_eq!(
            end(&app, &first, other).await,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }
    assert_eq!(end(&app, &someone, &third_id).await, StatusCode::NOT_FOUND);
    assert_eq!(my_id(&app, &third).await, id);
    let left: Vec<_> = sessions(&app, &first)
        .await
        .into_iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, vec![first_id.clone(), third_id.clone()]);

    // Signing out everywhere ends this token too, and no one else's.
    let everywhere = app
        .call(Method::DELETE, "/api/v1/me/sessions", Some(&first), None)
        .await;
    assert_eq!(
        everywhere.status,
        StatusCode::NO_CONTENT,
        "{}",
        everywhere.body
    );
    for token in [&first, &third] {
        assert_eq!(
            app.get(token, "/api/v1/me").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(app.get(&someone, "/api/v1/me").await.status, StatusCode::OK);
    // The account itself still signs in.
    let fresh = app.login(email, PASSWORD).await;
    assert_eq!(sessions(&app, &fresh).await.len(), 1);

    let actions: Vec<_> = user_audit(&app, &admin, id)
        .await
        .into_iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .filter(|a| a == "auth.end_sign_in" || a == "auth.sign_out_everywhere")
        .collect();
    assert_eq!(
        actions,
        [
            "auth.sign_out_everywhere",
            "auth.end_sign_in",
            "auth.end_sign_in"
        ]
    );
}
