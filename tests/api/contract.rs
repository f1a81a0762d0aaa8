//! The API contract: the served OpenAPI document holds the facts a client
//! and a fuzzer rely on, and the server answers as it documents.
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::spawn_app;

/// Every `$ref` in `value`, with where it was found.
fn refs<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push((at.to_owned(), target)),
                    _ => refs(inner, &format!("{at}/{key}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                refs(inner, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Each operation: (method, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            out.push((method.clone(), path.clone(), operation));
        }
    }
    out
}

#[tokio::test]
async fn every_ref_resolves() {
    let app = spawn_app().await;
    let doc = app.openapi().await;
    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    assert!(!found.is_empty());
    for (at, target) in found {
        let pointer = target.strip_prefix('#').expect("a local reference");
        let pointer = pointer.replace("~1", "/").replace("~0", "~");
        assert!(
            doc.pointer(&pointer).is_some(),
            "{at}: {target} does not resolve"
        );
    }
}

#[tokio::test]
async fn every_operation_documents_its_shared_answers() {
    let app = spawn_app().await;
    let doc = app.openapi().await;
    let problem = "#/components/schemas/Problem";
    assert!(
        doc.pointer("/components/schemas/Problem/properties/detail")
            .is_some()
    );
    let all = operations(&doc);
    assert!(all.len() > 40, "{} operations", all.len());
    for (method, path, operation) in all {
        let op = format!("{method} {path}");
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let description = response["description"].as_str().unwrap_or("");
            assert!(!description.is_empty(), "{op} {status}: no description");
            if status.as_str() >= "400" {
                let content = response["content"].as_object().expect("content");
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/problem+json"],
                    "{op} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"], problem,
                    "{op} {status}"
                );
            }
        }
        assert!(responses.contains_key("503"), "{op}: no 503");
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        if secured {
            assert!(responses.contains_key("401"), "{op}: secured, no 401");
        }
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for parameter in &parameters {
            let name = parameter["name"].as_str().expect("name");
            let schema = &parameter["schema"];
            assert!(
                !schema.to_string().contains("\"null\""),
                "{op} {name}: a URL cannot carry a null"
            );
            if parameter["in"] == "path" {
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{op}: {name} is not in the path"
                );
                assert!(responses.contains_key("404"), "{op}: path id, no 404");
            }
        }
        if !parameters.is_empty() || operation.get("requestBody").is_some() {
            assert!(responses.contains_key("422"), "{op}: input, no 422");
        }
    }
    let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
    assert!(login.get("429").is_some(), "login: no 429");
}

#[tokio::test]
async fn the_reports_document_json_and_csv() {
    let app = spawn_app().await;
    let doc = app.openapi().await;
    for report in ["funding", "training"] {
        let ok = &doc["paths"][format!("/api/v1/reports/{report}")]["get"]["responses"]["200"]["content"];
        assert!(ok.get("application/json").is_some(), "{report}: {ok}");
        assert!(ok.get("text/csv").is_some(), "{report}: {ok}");
    }
}

#[tokio::test]
async fn a_path_id_that_does_not_parse_is_a_422_naming_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cases = [
        (Method::GET, "/api/v1/students/abc", "id"),
        (Method::GET, "/api/v1/nominations/2147483648", "id"),
        (
            Method::POST,
            "/api/v1/nominations/-99999999999/approve",
            "id",
        ),
        (
            Method::POST,
            "/api/v1/countries/PK/suspensions/x/lift",
            "id",
        ),
    ];
    for (method, path, field) in cases {
        let answer = app.call(method, path, Some(&admin), None).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            answer.body
        );
        assert_eq!(answer.content_type(), "application/problem+json", "{path}");
        assert!(
            !answer.field_errors(field).is_empty(),
            "{path}: {}",
            answer.body
        );
    }
}
