//! Funding end to end: allocations, transfers, the funding report and the
//! ≥ 90% committed alert, on SQLite and PostgreSQL.
use chrono::{Days, Utc};
use imet::{
    db,
    domain::{
        fiscal_year::fiscal_year,
        nomination::{Priority, Status},
        program::Program,
    },
    entities::nomination,
    services::allocations::{self, AllocationKey},
};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::{
    helpers::{Cast, TestApp, cast, eventually, spawn_app, spawn_app_with},
    smtp::SmtpServer,
    students::student,
};

/// The fiscal year of classes a month from now.
fn current_fy() -> i32 {
    fiscal_year(Utc::now().date_naive() + Days::new(30))
}

fn path(country: &str, program: &str, fy: i32) -> String {
    format!("/api/v1/allocations/{country}/{program}/{fy}")
}

async fn set(
    app: &TestApp,
    token: &str,
    country: &str,
    program: &str,
    fy: i32,
    cents: i64,
) -> Value {
    let answer = app
        .put(
            token,
            &path(country, program, fy),
            json!({"allocated_cents": cents}),
        )
        .await;
    assert!(
        answer.status == StatusCode::CREATED || answer.status == StatusCode::OK,
        "{}",
        answer.body
    );
    answer.body
}

/// The allocations `token` sees, with a query string.
async fn allocations_seen(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let answer = app
        .get(token, &format!("/api/v1/allocations?{query}"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["items"].as_array().unwrap().clone()
}

async fn one_allocation(app: &TestApp, country: &str, program: &str, fy: i32) -> Value {
    let admin = app.admin().await;
    let items = allocations_seen(
        app,
        &admin,
        &format!("country={country}&program={program}&fiscal_year={fy}"),
    )
    .await;
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

async fn transfer(
    app: &TestApp,
    token: &str,
    from: &str,
    to: &str,
    program: &str,
    fy: i32,
    cents: i64,
) -> crate::helpers::Answer {
    app.post(
        token,
        "/api/v1/allocations/transfers",
        json!({"from_country": from, "to_country": to, "program": program, "fiscal_year": fy,
               "amount_cents": cents, "reason": "Reprogramming after the mid-year review"}),
    )
    .await
}

fn key(country: &str, program: Program, fy: i32) -> AllocationKey {
    AllocationKey {
        country_code: country.into(),
        program,
        fiscal_year: fy,
    }
}

// Below the API: the nomination workflow, which makes commitments, has no
// endpoints yet. These two helpers stand in for an approval, as few times as
// the tests need one.

/// Commits `cents` to an allocation, as an approval does.
async fn commit_directly(app: &TestApp, country: &str, program: Program, fy: i32, cents: i64) {
    let txn = db::write_txn(&app.state.db).await.unwrap();
    allocations::commit(&txn, &key(country, program, fy), cents, false)
        .await
        .unwrap();
    txn.commit().await.unwrap();
}

/// Stores an approved nomination of a new student of `country` to a new
/// class of `masl_id`, committing `cents` to its IMET allocation in the same
/// transaction, as the approval transaction does.
async fn approved_nomination_directly(
    app: &TestApp,
    c: &Cast,
    liaison: &str,
    country: &str,
    masl_id: &str,
    cents: i64,
) {
    let start = Utc::now().date_naive() + Days::new(30);
    let end = start + Days::new(20);
    let offering = app
        .offering(&c.admin, masl_id, &start.to_string(), &end.to_string(), 10)
        .await;
    let student = student(app, liaison, country, &format!("Student {masl_id}")).await;
    let me = app.get(liaison, "/api/v1/me").await.body;
    let now = Utc::now();
    let txn = db::write_txn(&app.state.db).await.unwrap();
    nomination::ActiveModel {
        student_id: Set(student as i32),
        offering_id: Set(offering["id"].as_i64().unwrap() as i32),
        country_code: Set(country.into()),
        program: Set(Program::Imet),
        priority: Set(Priority::C),
        status: Set(Status::Approved),
        held_from: Set(None),
        estimated_cost_cents: Set(cents),
        committed_cents: Set(cents),
        fiscal_year: Set(fiscal_year(start)),
        checks: Set(nomination::Checks::default()),
        checks_at: Set(Some(now)),
        submitted_at: Set(Some(now)),
        decided_at: Set(Some(now)),
        reason: Set(None),
        withdrawal_cause: Set(None),
        penalty_cents: Set(0),
        created_by: Set(me["id"].as_i64().unwrap() as i32),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .unwrap();
    allocations::commit(
        &txn,
        &key(country, Program::Imet, fiscal_year(start)),
        cents,
        false,
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn put_creates_updates_and_refuses_below_committed() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let fy = current_fy();

    let created = app
        .put(
            &c.officer,
            &path("pk", "IMET", fy),
            json!({"allocated_cents": 150_000_000}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (field, value) in [
        ("country_code", json!("PK")),
        ("program", json!("IMET")),
        ("fiscal_year", json!(fy)),
        ("allocated_cents", json!(150_000_000)),
        ("committed_cents", json!(0)),
        ("available_cents", json!(150_000_000)),
        ("frozen", json!(false)),
    ] {
        assert_eq!(created.body[field], value, "{field}: {}", created.body);
    }

    let updated = app
        .put(
            &c.admin,
            &path("PK", "IMET", fy),
            json!({"allocated_cents": 2_000_000}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["allocated_cents"], 2_000_000);
    // The answer is the allocation as the list shows it.
    let listed = one_allocation(&app, "PK", "IMET", fy).await;
    assert_eq!(listed, updated.body);

    commit_directly(&app, "PK", Program::Imet, fy, 1_500_000).await;
    let below = app
        .put(
            &c.officer,
            &path("PK", "IMET", fy),
            json!({"allocated_cents": 1_499_999}),
        )
        .await;
    assert_eq!(below.status, StatusCode::CONFLICT, "{}", below.body);
    assert_eq!(below.body["code"], "insufficient_funds");
    assert!(
        below.body["detail"]
            .as_str()
            .unwrap()
            .contains("1500000 cents committed"),
        "{}",
        below.body
    );
    let unchanged = one_allocation(&app, "PK", "IMET", fy).await;
    assert_eq!(unchanged["allocated_cents"], 2_000_000);
    assert_eq!(unchanged["committed_cents"], 1_500_000);
    assert_eq!(unchanged["available_cents"], 500_000);

    // Down to exactly what is committed is allowed.
    let exact = set(&app, &c.officer, "PK", "IMET", fy, 1_500_000).await;
    assert_eq!(exact["available_cents"], 0);

    let audit = app
        .get(
            &c.admin,
            &format!("/api/v1/audit?entity=allocation&id=PK/IMET/{fy}"),
        )
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["allocation.set", "allocation.set", "allocation.create"]
    );
    let last = &audit.body["items"][0];
    assert_eq!(last["before"]["allocated_cents"], 2_000_000);
    assert_eq!(last["after"]["allocated_cents"], 1_500_000);
}

#[tokio::test]
async fn put_validation_names_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let good = json!({"allocated_cents": 1_000});
    let cases = [
        (path("PK", "E-IMET", 2026), good.clone(), "program"),
        (path("PK", "CSF", 2026), good.clone(), "program"),
        (path("PK", "imet", 2026), good.clone(), "program"),
        (path("PK", "IMET", 1999), good.clone(), "fiscal_year"),
        (path("PK", "IMET", 2101), good.clone(), "fiscal_year"),
        (
            "/api/v1/allocations/PK/IMET/twenty".into(),
            good.clone(),
            "fiscal_year",
        ),
        (
            path("PK", "IMET", 2026),
            json!({"allocated_cents": -1}),
            "allocated_cents",
        ),
        (
            path("PK", "IMET", 2026),
            json!({"allocated_cents": "10"}),
            "allocated_cents",
        ),
        (path("PK", "IMET", 2026), json!({}), "allocated_cents"),
        (
            path("PK", "IMET", 2026),
            json!({"allocated_cents": 100_000_000_000_001_i64}),
            "allocated_cents",
        ),
    ];
    for (url, body, field) in cases {
        let answer = app.put(&c.officer, &url, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url} {body}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{url} {body}: {}",
            answer.body
        );
    }
    let unknown = app.put(&c.officer, &path("ZZ", "IMET", 2026), good).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert!(allocations_seen(&app, &c.admin, "").await.is_empty());
}

#[tokio::test]
async fn liaisons_may_not_set_or_transfer_even_with_a_bad_body() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for token in [&c.liaison_pk, &c.liaison_jo] {
        for body in [
            json!({"allocated_cents": 1_000}),
            json!({"allocated_cents": "x"}),
        ] {
            let answer = app.put(token, &path("PK", "IMET", 2026), body).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        }
        for body in [json!({}), json!([1, 2])] {
            let answer = app.post(token, "/api/v1/allocations/transfers", body).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        }
        let answer = app
            .send_raw(
                Method::PUT,
                &path("PK", "IMET", 2026),
                token,
                "application/json",
                "{not json",
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    let anonymous = app
        .call(
            Method::PUT,
            &path("PK", "IMET", 2026),
            None,
            Some(json!({"allocated_cents": 1})),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(allocations_seen(&app, &c.admin, "").await.is_empty());
}

#[tokio::test]
async fn a_liaison_lists_only_their_countrys_allocations() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for (country, program, fy, cents) in [
        ("PK", "IMET", 2026, 4_000_000),
        ("PK", "FMF", 2026, 2_000_000),
        ("PK", "IMET", 2027, 4_200_000),
        ("JO", "IMET", 2026, 3_000_000),
        ("JO", "IMET", 2027, 3_100_000),
    ] {
        set(&app, &c.officer, country, program, fy, cents).await;
    }
    let rows = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|a| {
                format!(
                    "{}/{}/{}",
                    a["country_code"].as_str().unwrap(),
                    a["program"].as_str().unwrap(),
                    a["fiscal_year"]
                )
            })
            .collect()
    };
    assert_eq!(
        rows(&allocations_seen(&app, &c.liaison_pk, "").await),
        ["PK/FMF/2026", "PK/IMET/2026", "PK/IMET/2027"]
    );
    assert_eq!(
        rows(&allocations_seen(&app, &c.liaison_jo, "").await),
        ["JO/IMET/2026", "JO/IMET/2027"]
    );
    // Asking for another country's rows finds nothing, as for a country without any.
    assert!(
        allocations_seen(&app, &c.liaison_pk, "country=JO")
            .await
            .is_empty()
    );
    assert!(
        allocations_seen(&app, &c.liaison_pk, "country=KE")
            .await
            .is_empty()
    );
    assert_eq!(
        rows(&allocations_seen(&app, &c.liaison_pk, "fiscal_year=2026&program=IMET").await),
        ["PK/IMET/2026"]
    );

    // Staff see every country, page by page.
    let all = rows(&allocations_seen(&app, &c.officer, "").await);
    assert_eq!(
        all,
        [
            "JO/IMET/2026",
            "PK/FMF/2026",
            "PK/IMET/2026",
            "JO/IMET/2027",
            "PK/IMET/2027"
        ]
    );
    assert_eq!(
        rows(&allocations_seen(&app, &c.officer, "fiscal_year=2027").await),
        ["JO/IMET/2027", "PK/IMET/2027"]
    );
    let mut paged = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = app
            .get(&c.admin, &format!("/api/v1/allocations?{query}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        paged.extend(rows(page.body["items"].as_array().unwrap()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, all);

    for (query, field) in [
        ("program=CSF", "program"),
        ("fiscal_year=1800", "fiscal_year"),
        ("fiscal_year=soon", "fiscal_year"),
        ("cursor=forged", "cursor"),
        ("limit=0", "limit"),
    ] {
        let answer = app
            .get(&c.liaison_pk, &format!("/api/v1/allocations?{query}"))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{query}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn transfers_move_funds_atomically_and_create_the_target() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.country(&c.admin, "KE", "Kenya").await;
    set(&app, &c.officer, "PK", "IMET", 2026, 1_000_000).await;

    let moved = transfer(&app, &c.officer, "PK", "JO", "IMET", 2026, 400_000).await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.body);
    let t = &moved.body["transfer"];
    assert_eq!(t["from_country"], "PK");
    assert_eq!(t["to_country"], "JO");
    assert_eq!(t["amount_cents"], 400_000);
    assert_eq!(t["reason"], "Reprogramming after the mid-year review");
    assert_eq!(moved.body["from"]["allocated_cents"], 600_000);
    assert_eq!(moved.body["to"]["allocated_cents"], 400_000);
    assert_eq!(moved.body["to"]["committed_cents"], 0);
    assert_eq!(
        one_allocation(&app, "JO", "IMET", 2026).await,
        moved.body["to"]
    );
    assert_eq!(
        one_allocation(&app, "PK", "IMET", 2026).await,
        moved.body["from"]
    );

    // Beyond what is available (committed funds count): refused, nothing moves.
    commit_directly(&app, "PK", Program::Imet, 2026, 100_000).await;
    let beyond = transfer(&app, &c.admin, "PK", "JO", "IMET", 2026, 500_001).await;
    assert_eq!(beyond.status, StatusCode::CONFLICT, "{}", beyond.body);
    assert_eq!(beyond.body["code"], "insufficient_funds");
    let all_of_it = transfer(&app, &c.admin, "PK", "KE", "IMET", 2026, 500_000).await;
    assert_eq!(all_of_it.status, StatusCode::CREATED, "{}", all_of_it.body);
    assert_eq!(all_of_it.body["from"]["available_cents"], 0);

    // No allocation to take from.
    let none = transfer(&app, &c.officer, "PK", "JO", "FMF", 2026, 1).await;
    assert_eq!(none.status, StatusCode::CONFLICT, "{}", none.body);
    assert_eq!(none.body["code"], "insufficient_funds");

    let good = json!({"from_country": "JO", "to_country": "PK", "program": "IMET", "fiscal_year": 2026,
                      "amount_cents": 1, "reason": "r"});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    for (body, field) in [
        (with("to_country", json!("JO")), "to_country"),
        (with("to_country", json!("ZZ")), "to_country"),
        (with("from_country", json!("XX")), "from_country"),
        (with("amount_cents", json!(0)), "amount_cents"),
        (with("amount_cents", json!(-5)), "amount_cents"),
        (with("amount_cents", json!(1.5)), "amount_cents"),
        (with("program", json!("CSF")), "program"),
        (with("fiscal_year", json!(1999)), "fiscal_year"),
        (with("reason", json!("  ")), "reason"),
        (without("reason"), "reason"),
        (without("from_country"), "from_country"),
    ] {
        let answer = app
            .post(&c.officer, "/api/v1/allocations/transfers", body.clone())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{body}: {}",
            answer.body
        );
    }

    let balances: Vec<(String, i64)> = allocations_seen(&app, &c.admin, "fiscal_year=2026")
        .await
        .iter()
        .map(|a| {
            (
                a["country_code"].as_str().unwrap().to_owned(),
                a["allocated_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        balances,
        [
            ("JO".to_owned(), 400_000),
            ("KE".to_owned(), 500_000),
            ("PK".to_owned(), 100_000)
        ]
    );
    let audit = app
        .get(&c.officer, "/api/v1/audit?entity=allocation_transfer")
        .await;
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        audit.body
    );
    assert_eq!(
        audit.body["items"][0]["after"]["transfer"]["to_country"],
        "KE"
    );
}

#[tokio::test]
async fn frozen_allocations_refuse_transfers_out_and_in() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let today = Utc::now().date_naive().to_string();
    let suspended = app
        .post(
            &c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["FMF"], "legal_basis": "faa_620q", "reason": "Arrears",
                   "effective_from": today}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::CREATED, "{}", suspended.body);

    let fmf = set(&app, &c.officer, "PK", "FMF", 2026, 1_000_000).await;
    assert_eq!(fmf["frozen"], true);
    let imet = set(&app, &c.officer, "PK", "IMET", 2026, 1_000_000).await;
    assert_eq!(imet["frozen"], false);
    let jo = set(&app, &c.officer, "JO", "FMF", 2026, 1_000_000).await;
    assert_eq!(jo["frozen"], false);

    let out = transfer(&app, &c.officer, "PK", "JO", "FMF", 2026, 1_000).await;
    assert_eq!(out.status, StatusCode::CONFLICT, "{}", out.body);
    assert_eq!(out.body["code"], "frozen");
    let into = transfer(&app, &c.officer, "JO", "PK", "FMF", 2026, 1_000).await;
    assert_eq!(into.status, StatusCode::CONFLICT, "{}", into.body);
    assert_eq!(into.body["code"], "frozen");
    // A target created by a refused transfer is rolled back with it.
    set(&app, &c.officer, "JO", "FMF", 2027, 1_000_000).await;
    let into_new = transfer(&app, &c.officer, "JO", "PK", "FMF", 2027, 1_000).await;
    assert_eq!(into_new.status, StatusCode::CONFLICT, "{}", into_new.body);
    assert_eq!(into_new.body["code"], "frozen");
    assert!(
        allocations_seen(&app, &c.admin, "country=PK&fiscal_year=2027")
            .await
            .is_empty()
    );

    for (country, program, fy) in [
        ("PK", "FMF", 2026),
        ("JO", "FMF", 2026),
        ("JO", "FMF", 2027),
    ] {
        assert_eq!(
            one_allocation(&app, country, program, fy).await["allocated_cents"],
            1_000_000
        );
    }
    // The unsuspended program moves freely.
    let ok = transfer(&app, &c.officer, "PK", "JO", "IMET", 2026, 1_000).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
}

#[tokio::test]
async fn funding_report_per_country_in_json_and_csv() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.country(&c.admin, "KE", "Kenya").await;
    let fy = current_fy();
    set(&app, &c.officer, "PK", "IMET", fy, 1_000_000).await;
    set(&app, &c.officer, "PK", "FMF", fy, 500_000).await;
    set(&app, &c.officer, "JO", "IMET", fy, 800_000).await;
    set(&app, &c.officer, "KE", "IMET", fy, 300_000).await;
    // Another year, ended: what was not committed lapsed.
    set(&app, &c.officer, "PK", "IMET", 2020, 700_000).await;

    app.course(&c.admin, "B000001", &[]).await;
    app.course(&c.admin, "D000002", &[]).await;
    let technical = app
        .patch(
            &c.admin,
            "/api/v1/courses/D000002",
            json!({"category": "technical"}),
        )
        .await;
    assert_eq!(technical.status, StatusCode::OK, "{}", technical.body);
    approved_nomination_directly(&app, &c, &c.liaison_pk, "PK", "B000001", 300_000).await;
    approved_nomination_directly(&app, &c, &c.liaison_pk, "PK", "D000002", 200_000).await;
    approved_nomination_directly(&app, &c, &c.liaison_jo, "JO", "D000002", 100_000).await;

    let report = app
        .get(
            &c.officer,
            &format!("/api/v1/reports/funding?fiscal_year={fy}"),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let r = &report.body;
    assert_eq!(r["fiscal_year"], fy);
    assert_eq!(r["ended"], false);
    assert_eq!(r["ends_on"], format!("{fy}-09-30"));
    let countries = r["countries"].as_array().unwrap();
    let codes: Vec<&str> = countries
        .iter()
        .map(|c| c["country_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["JO", "KE", "PK"]);
    let (jo, ke, pk) = (&countries[0], &countries[1], &countries[2]);
    assert_eq!(pk["country_name"], "Pakistan");
    assert_eq!(pk["allocated_cents"], 1_500_000);
    assert_eq!(pk["committed_cents"], 500_000);
    assert_eq!(pk["available_cents"], 1_000_000);
    assert_eq!(pk["pme_committed_cents"], 300_000);
    assert_eq!(pk["pme_share_basis_points"], 6_000);
    assert_eq!(pk["pme_share"], "60.00%");
    assert_eq!(pk["pme_share_below_50"], false);
    assert_eq!(pk["lapsed_cents"], 0);
    assert_eq!(jo["committed_cents"], 100_000);
    assert_eq!(jo["pme_share_basis_points"], 0);
    assert_eq!(jo["pme_share_below_50"], true);
    assert_eq!(ke["committed_cents"], 0);
    assert_eq!(ke["pme_share_basis_points"], Value::Null);
    assert_eq!(ke["pme_share_below_50"], false);
    assert_eq!(
        r["totals"],
        json!({"allocated_cents": 2_600_000, "committed_cents": 600_000, "available_cents": 2_000_000, "lapsed_cents": 0})
    );

    // A liaison's report holds their country only; the other's never appears.
    for (token, own) in [(&c.liaison_pk, "PK"), (&c.liaison_jo, "JO")] {
        let theirs = app
            .get(token, &format!("/api/v1/reports/funding?fiscal_year={fy}"))
            .await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        let codes: Vec<&str> = theirs.body["countries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["country_code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, [own]);
    }
    let pk_only = app
        .get(
            &c.liaison_pk,
            &format!("/api/v1/reports/funding?fiscal_year={fy}"),
        )
        .await;
    assert_eq!(pk_only.body["totals"]["allocated_cents"], 1_500_000);

    // The fiscal year 2020 ended: everything uncommitted lapsed.
    let past = app
        .get(&c.officer, "/api/v1/reports/funding?fiscal_year=2020")
        .await;
    assert_eq!(past.body["ended"], true);
    assert_eq!(past.body["countries"][0]["lapsed_cents"], 700_000);
    assert_eq!(past.body["totals"]["lapsed_cents"], 700_000);
    // Without a year: the current one.
    let default = app.get(&c.officer, "/api/v1/reports/funding").await;
    assert_eq!(
        default.body["fiscal_year"],
        fiscal_year(Utc::now().date_naive())
    );

    let csv = |token: &str, query: String| {
        let request = app
            .client
            .get(app.url(&format!("/api/v1/reports/funding?{query}")))
            .bearer_auth(token)
            .header("accept", "text/csv");
        async move {
            let res = request.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(content_type.starts_with("text/csv"), "{content_type}");
            res.text().await.unwrap()
        }
    };
    let header = "fiscal_year,country_code,country_name,allocated_cents,committed_cents,available_cents,\
                  pme_committed_cents,pme_share_percent,pme_share_below_50,lapsed_cents";
    assert_eq!(
        csv(&c.officer, format!("fiscal_year={fy}")).await,
        format!(
            "{header}\n\
             {fy},JO,Jordan,800000,100000,700000,0,0.00,true,0\n\
             {fy},KE,Kenya,300000,0,300000,0,,false,0\n\
             {fy},PK,Pakistan,1500000,500000,1000000,300000,60.00,false,0\n"
        )
    );
    assert_eq!(
        csv(&c.liaison_jo, format!("fiscal_year={fy}")).await,
        format!("{header}\n{fy},JO,Jordan,800000,100000,700000,0,0.00,true,0\n")
    );
    assert_eq!(
        csv(&c.liaison_pk, "fiscal_year=2020".into()).await,
        format!("{header}\n2020,PK,Pakistan,700000,0,700000,0,,false,700000\n")
    );

    let bad = app
        .get(&c.officer, "/api/v1/reports/funding?fiscal_year=99")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.field_errors("fiscal_year").is_empty());
}

/// Alert emails received by `address` (not their welcome email).
fn alerts_to(smtp: &SmtpServer, address: &str) -> Vec<crate::smtp::Received> {
    smtp.messages_to(address)
        .into_iter()
        .filter(|m| m.email.header("subject").contains("committed"))
        .collect()
}

#[tokio::test]
async fn the_90_percent_alert_emails_the_officers_once_per_crossing() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let c = cast(&app).await;
    app.user(&c.admin, "officer2@test.example", "program_officer", None)
        .await;
    let (retired, _) = app
        .user(&c.admin, "retired@test.example", "program_officer", None)
        .await;
    let deactivated = app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{retired}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    let fy = current_fy();
    let queued_alerts = || async {
        let outbox = app.get(&c.admin, "/api/v1/outbox?limit=200").await;
        outbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["event"] == "allocation_threshold")
            .count()
    };

    set(&app, &c.officer, "PK", "IMET", fy, 100_000_000).await;
    commit_directly(&app, "PK", Program::Imet, fy, 85_000_000).await;
    assert_eq!(queued_alerts().await, 0);

    // Lowering the allocation to $900,000 makes $850,000 committed 94.44%: crossing up.
    set(&app, &c.officer, "PK", "IMET", fy, 90_000_000).await;
    assert_eq!(queued_alerts().await, 1);
    let first = eventually("the first alert", || async {
        alerts_to(&smtp, "officer@test.example").into_iter().next()
    })
    .await;
    assert_eq!(
        first.email.header("subject"),
        format!("PK IMET FY{fy} allocation is 94.44% committed")
    );
    for shown in [
        "Pakistan (PK)",
        &format!("FY{fy}"),
        "$900,000.00",
        "$850,000.00",
        "$50,000.00",
    ] {
        assert!(
            first.email.text.contains(shown),
            "{shown}: {}",
            first.email.text
        );
        assert!(
            first.email.html.contains(shown),
            "{shown}: {}",
            first.email.html
        );
    }

    // Still above: no second email for the same crossing.
    set(&app, &c.officer, "PK", "IMET", fy, 88_000_000).await;
    assert_eq!(queued_alerts().await, 1);
    // Back below 90%, then over again by a transfer out: a new crossing.
    set(&app, &c.officer, "PK", "IMET", fy, 200_000_000).await;
    assert_eq!(queued_alerts().await, 1);
    let out = transfer(&app, &c.officer, "PK", "JO", "IMET", fy, 110_000_000).await;
    assert_eq!(out.status, StatusCode::CREATED, "{}", out.body);
    assert_eq!(queued_alerts().await, 2);
    // A transfer in brings it below again; nothing is sent for falling.
    let back = transfer(&app, &c.officer, "JO", "PK", "IMET", fy, 10_000_000).await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    assert_eq!(back.body["to"]["allocated_cents"], 100_000_000);
    assert_eq!(queued_alerts().await, 2);

    for officer in ["officer@test.example", "officer2@test.example"] {
        eventually("both alerts delivered", || async {
            (alerts_to(&smtp, officer).len() == 2).then_some(())
        })
        .await;
    }
    app.stop().await;
    assert_eq!(alerts_to(&smtp, "officer@test.example").len(), 2);
    assert_eq!(alerts_to(&smtp, "officer2@test.example").len(), 2);
    assert!(alerts_to(&smtp, "retired@test.example").is_empty());
    assert!(alerts_to(&smtp, crate::helpers::ADMIN_EMAIL).is_empty());
    assert!(alerts_to(&smtp, "liaison.pk@test.example").is_empty());
}

#[tokio::test]
async fn parallel_transfers_never_overdraw_an_allocation() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    set(&app, &c.officer, "PK", "IMET", 2026, 500_000).await;
    set(&app, &c.officer, "JO", "IMET", 2026, 1_000).await;

    let mut requests = JoinSet::new();
    for i in 0..20 {
        let request = app
            .client
            .post(app.url("/api/v1/allocations/transfers"))
            .bearer_auth(&c.officer)
            .json(&json!({"from_country": "PK", "to_country": "JO", "program": "IMET", "fiscal_year": 2026,
                          "amount_cents": 100_000, "reason": format!("Transfer {i}")}));
        requests.spawn(async move {
            let res = request.send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            (status, body)
        });
    }
    let mut created = 0;
    let mut refused = 0;
    while let Some(joined) = requests.join_next().await {
        let (status, body) = joined.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "insufficient_funds", "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, refused), (5, 15));
    let pk = one_allocation(&app, "PK", "IMET", 2026).await;
    let jo = one_allocation(&app, "JO", "IMET", 2026).await;
    assert_eq!(pk["allocated_cents"], 0);
    assert_eq!(jo["allocated_cents"], 501_000);
    let audit = app
        .get(&c.officer, "/api/v1/audit?entity=allocation_transfer")
        .await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn opposite_transfers_in_parallel_all_complete() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    set(&app, &c.officer, "PK", "IMET", 2026, 1_000_000).await;
    set(&app, &c.officer, "JO", "IMET", 2026, 1_000_000).await;

    let mut requests = JoinSet::new();
    for i in 0..20 {
        let (from, to) = if i % 2 == 0 {
            ("PK", "JO")
        } else {
            ("JO", "PK")
        };
        let request = app
            .client
            .post(app.url("/api/v1/allocations/transfers"))
            .bearer_auth(&c.officer)
            .json(&json!({"from_country": from, "to_country": to, "program": "IMET", "fiscal_year": 2026,
                          "amount_cents": 10_000, "reason": "Swap"}));
        requests.spawn(async move { request.send().await.unwrap().status() });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
    for country in ["PK", "JO"] {
        let a = one_allocation(&app, country, "IMET", 2026).await;
        assert_eq!(a["allocated_cents"], 1_000_000, "{a}");
    }
}

#[tokio::test]
async fn the_demo_funds_every_country_this_and_next_fiscal_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir).await;
    config.bootstrap_admin = None;
    let state = imet::app::prepare(config.clone()).await.unwrap();
    assert!(imet::demo::seed(&state).await.unwrap());
    let url = config.database_url.clone();
    let app = spawn_app_with(move |c| c.database_url = url).await;
    let officer = app
        .login("officer@imet.example", imet::demo::DEMO_PASSWORD)
        .await;
    let current = fiscal_year(Utc::now().date_naive());
    let countries = app.get(&officer, "/api/v1/countries?limit=200").await;
    for country in countries.body["items"].as_array().unwrap() {
        let code = country["code"].as_str().unwrap();
        for fy in [current, current + 1] {
            let imet = allocations_seen(
                &app,
                &officer,
                &format!("country={code}&program=IMET&fiscal_year={fy}"),
            )
            .await;
            assert_eq!(imet.len(), 1, "{code} FY{fy}");
            let cents = imet[0]["allocated_cents"].as_i64().unwrap();
            assert!(
                (50_000_000..=450_000_000).contains(&cents),
                "{code} FY{fy}: {cents}"
            );
        }
    }
    let fmf = allocations_seen(
        &app,
        &officer,
        &format!("program=FMF&fiscal_year={current}"),
    )
    .await;
    assert!(fmf.len() >= 2, "{fmf:?}");
    // A liaison sees their own country's only.
    let liaison = app
        .login("liaison.jo@imet.example", imet::demo::DEMO_PASSWORD)
        .await;
    let seen = allocations_seen(&app, &liaison, "").await;
    assert!(seen.len() >= 4, "{seen:?}");
    assert!(seen.iter().all(|a| a["country_code"] == "JO"), "{seen:?}");
}
