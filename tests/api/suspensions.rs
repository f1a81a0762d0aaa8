use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, cast, spawn_app};

/// Records Pakistan's history of SPEC §2 and returns the two suspensions.
async fn pakistan_history(app: &TestApp, c: &Cast) -> (Value, Value) {
    let all = app
        .post(
            &c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["ALL"], "exempt_programs": ["IMET"], "legal_basis": "presidential_decision",
                   "reason": "Security assistance suspended", "effective_from": "2018-01-04"}),
        )
        .await;
    assert_eq!(all.status, StatusCode::CREATED, "{}", all.body);
    let imet = app
        .post(
            &c.officer,
            "/api/v1/countries/PK/suspensions",
            json!({"programs": ["IMET"], "legal_basis": "presidential_decision",
                   "reason": "IMET suspended", "effective_from": "2018-08-01"}),
        )
        .await;
    assert_eq!(imet.status, StatusCode::CREATED, "{}", imet.body);
    let lifted = app
        .post(
            &c.officer,
            &format!("/api/v1/countries/PK/suspensions/{}/lift", imet.body["id"]),
            json!({"lifted_on": "2020-01-03", "reason": "IMET restored"}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
    assert_eq!(lifted.body["lifted_on"], "2020-01-03");
    assert_eq!(lifted.body["lift_reason"], "IMET restored");
    (all.body, lifted.body)
}

#[tokio::test]
async fn seed_case_eligibility_answers() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let (all, imet) = pakistan_history(&app, &c).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let cases = [
        ("IMET", "2018-03-01", true, vec![]),
        ("FMF", "2018-03-01", false, vec![all["id"].clone()]),
        ("IMET", "2019-06-01", false, vec![imet["id"].clone()]),
        ("FMF", "2019-06-01", false, vec![all["id"].clone()]),
        ("IMET", today.as_str(), true, vec![]),
        ("FMF", today.as_str(), false, vec![all["id"].clone()]),
    ];
    for (program, on, eligible, blocking) in cases {
        // Liaisons of the country may ask too.
        for token in [&c.officer, &c.liaison_pk] {
            let answer = app
                .get(
                    token,
                    &format!("/api/v1/countries/PK/eligibility?program={program}&on={on}"),
                )
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            assert_eq!(answer.body["eligible"], eligible, "{program} on {on}");
            let ids: Vec<Value> = answer.body["blocking"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone())
                .collect();
            assert_eq!(ids, blocking, "{program} on {on}");
        }
    }
    // Default program is IMET, default day today.
    let default = app
        .get(&c.officer, "/api/v1/countries/PK/eligibility")
        .await;
    assert_eq!(default.body["program"], "IMET");
    assert_eq!(default.body["on"], today);
    assert_eq!(default.body["eligible"], true);
}

#[tokio::test]
async fn country_shows_status_per_program_and_full_history() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    pakistan_history(&app, &c).await;
    let country = app.get(&c.liaison_pk, "/api/v1/countries/PK").await;
    assert_eq!(country.status, StatusCode::OK);
    let status: Vec<(Value, Value)> = country.body["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["program"].clone(), s["eligible"].clone()))
        .collect();
    assert_eq!(
        status,
        vec![
            (json!("IMET"), json!(true)),
            (json!("E-IMET"), json!(false)),
            (json!("FMF"), json!(false)),
            (json!("CSF"), json!(false)),
        ]
    );
    let history = country.body["suspensions"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["programs"], json!(["ALL"]));
    assert_eq!(history[0]["exempt_programs"], json!(["IMET"]));
    assert_eq!(history[0]["in_effect"], true);
    assert_eq!(history[1]["in_effect"], false);
    // Every change is audited.
    let audit = app.get(&c.officer, "/api/v1/audit?entity=suspension").await;
    let actions: Vec<Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        vec![
            json!("suspension.lift"),
            json!("suspension.impose"),
            json!("suspension.impose")
        ]
    );
}

#[tokio::test]
async fn lifting_twice_or_before_it_began_is_refused() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let (_, imet) = pakistan_history(&app, &c).await;
    let again = app
        .post(
            &c.admin,
            &format!("/api/v1/countries/PK/suspensions/{}/lift", imet["id"]),
            json!({"lifted_on": "2021-01-01", "reason": "again"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["code"], "invalid_transition");

    let fresh = app
        .post(
            &c.officer,
            "/api/v1/countries/JO/suspensions",
            json!({"programs": ["FMF"], "legal_basis": "brooke_amendment", "reason": "arrears", "effective_from": "2025-03-01"}),
        )
        .await;
    let early = app
        .post(
            &c.officer,
            &format!("/api/v1/countries/JO/suspensions/{}/lift", fresh.body["id"]),
            json!({"lifted_on": "2025-02-28", "reason": "paid"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!early.field_errors("lifted_on").is_empty());
    // Through another country's path it does not exist.
    let wrong_country = app
        .post(
            &c.officer,
            &format!("/api/v1/countries/PK/suspensions/{}/lift", fresh.body["id"]),
            json!({"lifted_on": "2025-04-01", "reason": "paid"}),
        )
        .await;
    assert_eq!(wrong_country.status, StatusCode::NOT_FOUND);
    let jo = app.get(&c.officer, "/api/v1/countries/JO").await;
    assert!(
        jo.body["suspensions"][0]["lifted_on"].is_null(),
        "nothing changed"
    );
}

#[tokio::test]
async fn suspension_validation_names_fields_and_stores_nothing() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let base = json!({"programs": ["FMF"], "legal_basis": "leahy", "reason": "units implicated", "effective_from": "2025-01-01"});
    let cases = [
        (json!({"programs": ["NAVY"]}), "programs"),
        (json!({"programs": []}), "programs"),
        (json!({"programs": ["ALL", "FMF"]}), "programs"),
        (json!({"exempt_programs": ["IMET"]}), "exempt_programs"),
        (
            json!({"programs": ["ALL"], "exempt_programs": ["XYZ"]}),
            "exempt_programs",
        ),
        (json!({"legal_basis": "martial_law"}), "legal_basis"),
        (json!({"reason": "   "}), "reason"),
        (json!({"effective_from": "2025-13-01"}), "effective_from"),
        (json!({"effective_from": null}), "effective_from"),
    ];
    for (change, field) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = app
            .post(&c.officer, "/api/v1/countries/PK/suspensions", body.clone())
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
    let pk = app.get(&c.officer, "/api/v1/countries/PK").await;
    assert_eq!(pk.body["suspensions"], json!([]));
    let unknown = app
        .post(&c.officer, "/api/v1/countries/KE/suspensions", base.clone())
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_staff_impose_and_lift_and_liaisons_see_only_their_country() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let (_, imet) = pakistan_history(&app, &c).await;
    let body = json!({"programs": ["FMF"], "legal_basis": "leahy", "reason": "x", "effective_from": "2025-01-01"});
    for token in [&c.liaison_pk, &c.liaison_jo] {
        let impose = app
            .post(token, "/api/v1/countries/PK/suspensions", body.clone())
            .await;
        assert_eq!(impose.status, StatusCode::FORBIDDEN);
        let garbage = app
            .post(
                token,
                "/api/v1/countries/PK/suspensions",
                json!({"nonsense": 1}),
            )
            .await;
        assert_eq!(
            garbage.status,
            StatusCode::FORBIDDEN,
            "authorization before the body"
        );
        let lift = app
            .post(
                token,
                &format!("/api/v1/countries/PK/suspensions/{}/lift", imet["id"]),
                json!({"lifted_on": "2025-01-01", "reason": "x"}),
            )
            .await;
        assert_eq!(lift.status, StatusCode::FORBIDDEN);
    }
    // The admin may too.
    assert_eq!(
        app.post(&c.admin, "/api/v1/countries/JO/suspensions", body)
            .await
            .status,
        StatusCode::CREATED
    );
    // Another country's eligibility and page answer 404 to a liaison.
    let other = app
        .get(
            &c.liaison_jo,
            "/api/v1/countries/PK/eligibility?program=IMET",
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let missing = app
        .get(
            &c.liaison_jo,
            "/api/v1/countries/KE/eligibility?program=IMET",
        )
        .await;
    assert_eq!(other.body, missing.body);
    assert_eq!(
        app.get(&c.liaison_jo, "/api/v1/countries/PK").await.status,
        StatusCode::NOT_FOUND
    );
    let bad_program = app
        .get(&c.officer, "/api/v1/countries/PK/eligibility?program=NAVY")
        .await;
    assert_eq!(bad_program.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad_program.field_errors("program").is_empty());
    let bad_day = app
        .get(&c.officer, "/api/v1/countries/PK/eligibility?on=yesterday")
        .await;
    assert!(!bad_day.field_errors("on").is_empty());
}
