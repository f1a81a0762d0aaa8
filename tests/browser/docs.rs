//! The API explorer renders, offline, under the pages' content security
//! policy (scripts only from this service).
use std::time::Duration;

use fantoccini::Locator;

use crate::{common::spawn_app, driver::Browser};

#[tokio::test]
async fn the_api_explorer_renders_under_its_content_security_policy() {
    let app = spawn_app().await;
    let browser = Browser::open(&app).await;
    browser.goto("/api/docs/").await;
    let operation = browser
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".opblock-summary-path"))
        .await
        .expect("Swagger UI lists the operations");
    assert!(operation.text().await.unwrap().starts_with("/api/v1/"));
    assert!(
        browser
            .text(".info .title")
            .await
            .contains("IMET enrollment manager API")
    );
    browser.close().await;
}
