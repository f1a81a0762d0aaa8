use crate::{
    common::{ADMIN_EMAIL, PASSWORD, spawn_app},
    driver::Browser,
};

#[tokio::test]
async fn a_liaison_sees_only_their_country_and_another_is_not_found() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(
        &admin,
        "liaison.pk@test.example",
        "country_liaison",
        Some("PK"),
    )
    .await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "liaison.pk@test.example",
            PASSWORD,
            "Welcome, liaison.pk@test.example",
        )
        .await;
    let nav = browser.text("nav").await;
    assert!(nav.contains("Country"), "{nav}");
    assert!(!nav.contains("Users"), "{nav}");
    assert!(browser.text("main").await.contains("Pakistan"));

    browser.goto("/countries/JO").await;
    browser.expect_heading("Page not found").await;
    assert!(!browser.text("main").await.contains("Jordan"));
    // Exactly as a country that does not exist at all.
    browser.goto("/countries/KE").await;
    browser.expect_heading("Page not found").await;

    browser.goto("/countries").await;
    browser.expect_heading("Countries").await;
    let table = browser.text("table").await;
    assert!(
        table.contains("Pakistan") && !table.contains("Jordan"),
        "{table}"
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("a[href='/countries/new']"))
            .await
            .is_err()
    );

    browser.goto("/countries/pk").await;
    browser.expect_heading("Pakistan").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("a[href='/countries/PK/edit']"))
            .await
            .is_err()
    );

    for path in [
        "/users",
        "/users/new",
        "/countries/new",
        "/countries/PK/edit",
    ] {
        browser.goto(path).await;
        browser
            .expect_heading("You do not have permission to see this page")
            .await;
    }
    browser.close().await;
}

#[tokio::test]
async fn an_officer_reads_every_country_but_cannot_edit() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.country(&admin, "PK", "Pakistan").await;
    app.country(&admin, "JO", "Jordan").await;
    app.user(&admin, "officer@test.example", "program_officer", None)
        .await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(
            "officer@test.example",
            PASSWORD,
            "Welcome, officer@test.example",
        )
        .await;
    browser.goto("/countries/JO").await;
    browser.expect_heading("Jordan").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("a[href='/countries/JO/edit']"))
            .await
            .is_err()
    );
    browser.goto("/countries/JO/edit").await;
    browser
        .expect_heading("You do not have permission to see this page")
        .await;
    browser.goto("/users").await;
    browser
        .expect_heading("You do not have permission to see this page")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_registers_and_edits_a_country() {
    let app = spawn_app().await;
    let browser = Browser::open(&app).await;
    browser
        .sign_in(ADMIN_EMAIL, PASSWORD, "Welcome, Administrator")
        .await;
    browser.goto("/countries").await;
    browser.expect_heading("Countries").await;
    browser.click("a[href='/countries/new']").await;
    browser.expect_heading("Add a country").await;

    browser.fill("#code", "JJ").await;
    browser.fill("#name", "Kenya").await;
    browser.fill("#travel_estimate_cents", "lots").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Add a country").await;
    assert_eq!(
        browser.text("#travel_estimate_cents-error").await,
        "Error: Travel estimate must be an amount in dollars, like 3500 or 3,500.00"
    );
    assert_eq!(browser.value("#code").await, "JJ");
    assert_eq!(browser.value("#name").await, "Kenya");

    browser.fill("#travel_estimate_cents", "2,900.50").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Add a country").await;
    assert_eq!(
        browser.text("#code-error").await,
        "Error: Country code `JJ` is not an assigned ISO 3166-1 alpha-2 code"
    );
    assert_eq!(browser.value("#travel_estimate_cents").await, "2,900.50");

    browser.fill("#code", "ke").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Kenya").await;
    assert_eq!(
        browser.text(".alert-success").await,
        "Kenya (KE) is registered."
    );
    assert!(browser.text("dl").await.contains("$2,900.50"));

    browser.click("a[href='/countries/KE/edit']").await;
    browser.expect_heading("Edit Kenya").await;
    assert_eq!(browser.value("#travel_estimate_cents").await, "2900.50");
    browser.fill("#travel_estimate_cents", "3100").await;
    browser.click("#active").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Kenya").await;
    assert_eq!(browser.text(".alert-success").await, "Kenya is updated.");
    let details = browser.text("dl").await;
    assert!(
        details.contains("$3,100.00") && details.contains("INACTIVE"),
        "{details}"
    );

    // The same record through the API.
    let admin = app.admin().await;
    let answer = app
        .call(
            reqwest::Method::GET,
            "/api/v1/countries/KE",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(answer.body["travel_estimate_cents"], 310_000);
    assert_eq!(answer.body["active"], false);

    // Adding it again is a conflict, shown on the form.
    browser.goto("/countries/new").await;
    browser.fill("#code", "KE").await;
    browser.fill("#name", "Kenya").await;
    browser.fill("#travel_estimate_cents", "1").await;
    browser.click("main form button[type=submit]").await;
    browser.expect_heading("Add a country").await;
    assert_eq!(
        browser.text(".error-summary li").await,
        "Country KE already exists."
    );
    browser.close().await;
}
