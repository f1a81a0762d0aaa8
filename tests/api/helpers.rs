//! The API tests' helpers: the shared app spawning of `tests/common`, plus
//! requests and a cast of users that only the API tests use.
use reqwest::Method;
use serde_json::Value;

pub use crate::common::*;

impl Answer {
    /// The messages of a 422 for `field`.
    pub fn field_errors(&self, field: &str) -> Vec<String> {
        self.body["errors"][field]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }
}

/// The three roles, with two countries: tokens for admin, officer, liaison PK
/// and liaison JO.
pub struct Cast {
    pub admin: String,
    pub officer: String,
    pub liaison_pk: String,
    pub liaison_jo: String,
}

pub async fn cast(app: &TestApp) -> Cast {
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    let (_, officer) = app
        .user(&admin, "officer@test.example", "program_officer", None)
        .await;
    let (_, liaison_pk) = app
        .user(
            &admin,
            "liaison.pk@test.example",
            "country_liaison",
            Some("PK"),
        )
        .await;
    let (_, liaison_jo) = app
        .user(
            &admin,
            "liaison.jo@test.example",
            "country_liaison",
            Some("JO"),
        )
        .await;
    Cast {
        admin,
        officer,
        liaison_pk,
        liaison_jo,
    }
}
