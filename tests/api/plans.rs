//! Annual training plans (SPEC §7) through HTTP: drafting with validation,
//! the priority-A ceiling at submission and approval, returns and reopening
//! with their emails and audit, lines filled by nominations under
//! concurrency, and the plan report against the nominations.
use imet::domain::fiscal_year::fiscal_year;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    approvals::{COST, act, allocate},
    helpers::{Answer, TestApp, eventually, spawn_app, spawn_app_with},
    nominations::{World, ready_student, world},
    smtp::SmtpServer,
};

async fn new_plan(app: &TestApp, token: &str, country: &str, fy: i32) -> Answer {
    app.post(
        token,
        "/api/v1/plans",
        json!({"country_code": country, "fiscal_year": fy}),
    )
    .await
}

async fn add_line(app: &TestApp, token: &str, plan: i64, line: Value) -> Answer {
    app.post(token, &format!("/api/v1/plans/{plan}/lines"), line)
        .await
}

async fn plan_action(app: &TestApp, token: &str, plan: i64, action: &str, body: Value) -> Answer {
    app.post(token, &format!("/api/v1/plans/{plan}/{action}"), body)
        .await
}

/// A technical (not PME) course with no class.
async fn technical_course(app: &TestApp, admin: &str) {
    let created = app
        .post(
            admin,
            "/api/v1/courses",
            json!({"masl_id": "B200002", "title": "Field Maintenance", "school": "Ordnance School", "location": "Fort Lee, VA",
                   "category": "technical", "audience": ["officer"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

/// PK's approved plan for the world's FY, with one priority-A line of
/// `quantity` places for the world's class; answers (plan, line).
async fn approved_plan(app: &TestApp, w: &World, quantity: i32) -> (i64, i64) {
    let c = &w.c;
    let fy = fiscal_year(w.start);
    allocate(app, &c.officer, "PK", fy, 100 * COST).await;
    let plan = new_plan(app, &c.liaison_pk, "PK", fy).await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.body);
    let plan = plan.body["id"].as_i64().unwrap();
    let line = add_line(
        app,
        &c.liaison_pk,
        plan,
        json!({"masl_id": "B100001", "offering_id": w.offering, "quantity": quantity, "priority": "A", "program": "IMET"}),
    )
    .await;
    assert_eq!(line.status, StatusCode::CREATED, "{}", line.body);
    for (token, action) in [(&c.liaison_pk, "submit"), (&c.officer, "approve")] {
        let moved = plan_action(app, token, plan, action, json!({})).await;
        assert_eq!(moved.status, StatusCode::OK, "{action}: {}", moved.body);
    }
    (plan, line.body["id"].as_i64().unwrap())
}

async fn nominate_on_line(
    app: &TestApp,
    token: &str,
    student: i64,
    w: &World,
    line: i64,
) -> Answer {
    app.post(
        token,
        "/api/v1/nominations",
        json!({"student_id": student, "offering_id": w.offering, "plan_line_id": line, "submit": true}),
    )
    .await
}

fn ceiling<'a>(plan: &'a Value, program: &str) -> &'a Value {
    plan["ceilings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["program"] == program)
        .unwrap_or_else(|| panic!("no {program} ceiling in {plan}"))
}

async fn lines_of(app: &TestApp, token: &str, plan: i64) -> Vec<Value> {
    app.get(token, &format!("/api/v1/plans/{plan}")).await.body["lines"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_plan_is_drafted_refused_over_the_ceiling_returned_and_approved() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url())).await;
    let w = world(&app, 10).await;
    let c = &w.c;
    technical_course(&app, &c.admin).await;
    let fy = fiscal_year(w.start);

    // Who may start one: the country's liaison (or an admin), once per FY.
    assert_eq!(
        new_plan(&app, &c.officer, "PK", fy).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = new_plan(&app, &c.liaison_jo, "PK", fy).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        !refused.field_errors("country_code").is_empty(),
        "{}",
        refused.body
    );
    let bad_fy = new_plan(&app, &c.liaison_pk, "PK", 1999).await;
    assert!(
        !bad_fy.field_errors("fiscal_year").is_empty(),
        "{}",
        bad_fy.body
    );
    let created = new_plan(&app, &c.liaison_pk, "PK", fy).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "draft");
    let plan = created.body["id"].as_i64().unwrap();
    let again = new_plan(&app, &c.admin, "PK", fy).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["code"], "duplicate");
    assert_eq!(
        app.get(&c.liaison_jo, &format!("/api/v1/plans/{plan}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get(&c.liaison_jo, "/api/v1/plans")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Bad lines are refused naming the field, and nothing is stored.
    let class_line = json!({"masl_id": "B100001", "offering_id": w.offering, "quantity": 2, "priority": "A", "program": "IMET"});
    let cases = [
        (json!({"quantity": 0}), "quantity"),
        (json!({"quantity": 501}), "quantity"),
        (json!({"masl_id": "B999999"}), "masl_id"),
        (json!({"masl_id": "B200002"}), "offering_id"),
        (json!({"offering_id": 999_999}), "offering_id"),
        (json!({"unit_cost_cents": 1_000}), "unit_cost_cents"),
        (json!({"offering_id": null}), "unit_cost_cents"),
        (json!({"program": "CSF"}), "program"),
        (json!({"priority": "E"}), "priority"),
    ];
    for (change, field) in cases {
        let mut line = class_line.clone();
        for (k, v) in change.as_object().unwrap() {
            line[k] = v.clone();
        }
        let answer = add_line(&app, &c.liaison_pk, plan, line).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{change}: {}",
            answer.body
        );
        assert!(
            !answer.field_errors(field).is_empty(),
            "{change} names {field}: {}",
            answer.body
        );
    }
    assert!(lines_of(&app, &c.liaison_pk, plan).await.is_empty());
    assert_eq!(
        add_line(&app, &c.officer, plan, class_line.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        add_line(&app, &c.liaison_jo, plan, class_line.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Two A lines (PME at the class's estimate, technical entered) and a B backup list.
    let first = add_line(&app, &c.liaison_pk, plan, class_line).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["unit_cost_cents"], COST);
    assert_eq!(first.body["unit_cost_source"], "class");
    assert_eq!(first.body["line_total_cents"], 2 * COST);
    let second = add_line(&app, &c.liaison_pk, plan,
        json!({"masl_id": "B200002", "quantity": 3, "priority": "A", "program": "IMET", "unit_cost_cents": 1_000_000})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let backup = add_line(&app, &c.liaison_pk, plan,
        json!({"masl_id": "B200002", "quantity": 40, "priority": "B", "program": "IMET", "unit_cost_cents": 1_000_000})).await;
    assert_eq!(backup.status, StatusCode::CREATED, "{}", backup.body);
    let a_total = 2 * COST + 3_000_000;

    let view = app
        .get(&c.liaison_pk, &format!("/api/v1/plans/{plan}"))
        .await
        .body;
    assert_eq!(ceiling(&view, "IMET")["a_total_cents"], a_total);
    assert_eq!(ceiling(&view, "IMET")["allocated_cents"], Value::Null);
    assert_eq!(
        view["pme_share"]["basis_points"],
        2 * COST * 10_000 / a_total
    );
    assert_eq!(view["pme_share"]["text"], "65.58%");
    assert_eq!(view["pme_share"]["below_floor"], false);

    // The ceiling: A lines over the IMET allocation are refused with the excess.
    allocate(&app, &c.officer, "PK", fy, a_total - 716).await;
    let over = plan_action(&app, &c.liaison_pk, plan, "submit", json!({})).await;
    assert_eq!(over.status, StatusCode::CONFLICT, "{}", over.body);
    assert_eq!(over.body["code"], "over_ceiling");
    assert_eq!(over.body["program"], "IMET");
    assert_eq!(over.body["excess_cents"], 716);
    assert!(
        over.body["detail"].as_str().unwrap().contains("$7.16"),
        "{}",
        over.body
    );
    let still = app
        .get(&c.liaison_pk, &format!("/api/v1/plans/{plan}"))
        .await
        .body;
    assert_eq!(still["status"], "draft");
    assert_eq!(ceiling(&still, "IMET")["excess_cents"], 716);

    allocate(&app, &c.officer, "PK", fy, a_total).await;
    let submitted = plan_action(&app, &c.liaison_pk, plan, "submit", json!({})).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["status"], "submitted");
    let mail = eventually("the submission email", || async {
        smtp.messages_to("officer@test.example")
            .into_iter()
            .find(|m| {
                m.email
                    .header("subject")
                    .starts_with("Training plan submitted")
            })
    })
    .await;
    assert!(
        mail.email.text.contains(&format!("/plans/{plan}")),
        "{}",
        mail.email.text
    );

    // A submitted plan's lines are frozen; the liaison can't decide it.
    let line = first.body["id"].as_i64().unwrap();
    let frozen = app
        .patch(
            &c.liaison_pk,
            &format!("/api/v1/plans/{plan}/lines/{line}"),
            json!({"quantity": 3}),
        )
        .await;
    assert_eq!(frozen.status, StatusCode::CONFLICT, "{}", frozen.body);
    assert_eq!(frozen.body["code"], "invalid_transition");
    assert_eq!(
        plan_action(&app, &c.liaison_pk, plan, "approve", json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Returned with a reason, emailed to the liaisons; reopened and resubmitted.
    let blank = plan_action(&app, &c.officer, plan, "return", json!({"reason": "  "})).await;
    assert!(!blank.field_errors("reason").is_empty(), "{}", blank.body);
    let returned = plan_action(
        &app,
        &c.officer,
        plan,
        "return",
        json!({"reason": "Add a second PME line"}),
    )
    .await;
    assert_eq!(returned.status, StatusCode::OK, "{}", returned.body);
    assert_eq!(returned.body["status"], "returned");
    assert_eq!(returned.body["return_reason"], "Add a second PME line");
    let mail = eventually("the return email", || async {
        smtp.messages_to("liaison.pk@test.example")
            .into_iter()
            .find(|m| {
                m.email
                    .header("subject")
                    .starts_with("Training plan returned")
            })
    })
    .await;
    assert!(
        mail.email.text.contains("Add a second PME line"),
        "{}",
        mail.email.text
    );
    let resubmit = plan_action(&app, &c.liaison_pk, plan, "submit", json!({})).await;
    assert_eq!(
        resubmit.body["code"], "invalid_transition",
        "{}",
        resubmit.body
    );
    let reopened = plan_action(&app, &c.liaison_pk, plan, "reopen", json!({})).await;
    assert_eq!(reopened.body["status"], "draft", "{}", reopened.body);
    let changed = app
        .patch(
            &c.liaison_pk,
            &format!("/api/v1/plans/{plan}/lines/{line}"),
            json!({"priority": "B"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["priority"], "B");
    assert_eq!(
        changed.body["unit_cost_cents"], COST,
        "still the class's estimate"
    );
    let back = app
        .patch(
            &c.liaison_pk,
            &format!("/api/v1/plans/{plan}/lines/{line}"),
            json!({"priority": "A"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(
        plan_action(&app, &c.liaison_pk, plan, "submit", json!({}))
            .await
            .status,
        StatusCode::OK
    );

    // Approval holds the ceiling too.
    allocate(&app, &c.officer, "PK", fy, a_total - 1).await;
    let over = plan_action(&app, &c.officer, plan, "approve", json!({})).await;
    assert_eq!(over.body["code"], "over_ceiling", "{}", over.body);
    assert_eq!(over.body["excess_cents"], 1);
    allocate(&app, &c.officer, "PK", fy, a_total).await;
    let approved = plan_action(&app, &c.officer, plan, "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["return_reason"], Value::Null);
    eventually("the approval email", || async {
        smtp.messages_to("liaison.pk@test.example")
            .into_iter()
            .find(|m| {
                m.email
                    .header("subject")
                    .starts_with("Training plan approved")
            })
    })
    .await;

    // Only staff reopen an approved plan.
    let refused = plan_action(&app, &c.liaison_pk, plan, "reopen", json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // A cut after approval leaves it approved, and the plan shows the excess.
    allocate(&app, &c.officer, "PK", fy, a_total - 500_000).await;
    let cut = app
        .get(&c.liaison_pk, &format!("/api/v1/plans/{plan}"))
        .await
        .body;
    assert_eq!(cut["status"], "approved");
    assert_eq!(ceiling(&cut, "IMET")["over"], true);
    assert_eq!(ceiling(&cut, "IMET")["excess_cents"], 500_000);

    // Every change is audited.
    let audit = app
        .get(
            &c.admin,
            &format!("/api/v1/audit?entity=training_plan&id={plan}&limit=100"),
        )
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "create",
        "line_add",
        "line_change",
        "submit",
        "return",
        "reopen",
        "approve",
    ] {
        assert!(
            actions.contains(&format!("training_plan.{action}").as_str()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn twenty_parallel_nominations_fill_a_line_of_five_exactly() {
    let app = spawn_app().await;
    let w = world(&app, 30).await;
    let (plan, line) = approved_plan(&app, &w, 5).await;
    let mut students = Vec::new();
    for i in 0..20 {
        students.push(ready_student(&app, &w.c, "PK", &format!("Khan{i}")).await);
    }
    let mut running = Vec::new();
    for student in students {
        let (client, base, token) = (app.client.clone(), app.base.clone(), w.c.liaison_pk.clone());
        let offering = w.offering;
        running.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/nominations"))
                .bearer_auth(token)
                .json(
                    &json!({"student_id": student, "offering_id": offering, "plan_line_id": line}),
                )
                .send()
                .await
                .expect("POST /nominations");
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }));
    }
    let mut created = Vec::new();
    for task in running {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED => created.push(body),
            StatusCode::CONFLICT => assert_eq!(body["code"], "line_full", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(created.len(), 5);
    for n in &created {
        assert_eq!(n["plan_line_id"], line);
        assert_eq!(n["priority"], "A", "the line's priority");
    }
    let taken = |lines: Vec<Value>| lines[0]["taken"].clone();
    assert_eq!(taken(lines_of(&app, &w.c.liaison_pk, plan).await), 5);

    // A withdrawal gives its place back, and the next nomination takes it.
    let first = created[0]["id"].as_i64().unwrap();
    let withdrawn = act(
        &app,
        &w.c.liaison_pk,
        first,
        "withdraw",
        json!({"reason": "Posted elsewhere"}),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(taken(lines_of(&app, &w.c.liaison_pk, plan).await), 4);
    let again = nominate_on_line(&app, &w.c.liaison_pk, w.student, &w, line).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let full = nominate_on_line(
        &app,
        &w.c.liaison_pk,
        created[0]["student_id"].as_i64().unwrap(),
        &w,
        line,
    )
    .await;
    assert_eq!(full.status, StatusCode::CONFLICT, "{}", full.body);
    assert_eq!(full.body["code"], "line_full");
    assert_eq!(full.body["plan_line_id"], line);
}

#[tokio::test]
async fn a_line_admits_only_its_country_course_class_and_program() {
    let app = spawn_app().await;
    let w = world(&app, 10).await;
    let c = &w.c;
    technical_course(&app, &c.admin).await;
    let other_class = app
        .offering(
            &c.admin,
            "B100001",
            &(w.start + chrono::Days::new(20)).to_string(),
            &(w.end + chrono::Days::new(20)).to_string(),
            10,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let fy = fiscal_year(w.start);
    allocate(&app, &c.officer, "PK", fy, 100 * COST).await;
    let plan = new_plan(&app, &c.liaison_pk, "PK", fy).await.body["id"]
        .as_i64()
        .unwrap();
    let line = add_line(&app, &c.liaison_pk, plan,
        json!({"masl_id": "B100001", "offering_id": w.offering, "quantity": 5, "priority": "B", "program": "IMET"})).await.body["id"].as_i64().unwrap();

    // Not yet approved.
    let draft = nominate_on_line(&app, &c.liaison_pk, w.student, &w, line).await;
    assert!(
        draft.field_errors("plan_line_id")[0].contains("draft, not approved"),
        "{}",
        draft.body
    );
    for (token, action) in [(&c.liaison_pk, "submit"), (&c.officer, "approve")] {
        assert_eq!(
            plan_action(&app, token, plan, action, json!({}))
                .await
                .status,
            StatusCode::OK
        );
    }

    let jo_student = ready_student(&app, c, "JO", "Haddad").await;
    let cases = [
        (
            &c.liaison_pk,
            json!({"student_id": w.student, "offering_id": other_class, "plan_line_id": line}),
            "plan_line_id",
            "another class",
        ),
        (
            &c.liaison_pk,
            json!({"student_id": w.student, "offering_id": w.offering, "plan_line_id": line, "program": "FMF"}),
            "plan_line_id",
            "funded by IMET",
        ),
        (
            &c.liaison_pk,
            json!({"student_id": w.student, "offering_id": w.offering, "plan_line_id": line, "priority": "A"}),
            "priority",
            "priority B",
        ),
        (
            &c.liaison_pk,
            json!({"student_id": w.student, "offering_id": w.offering, "plan_line_id": 999_999}),
            "plan_line_id",
            "no plan line",
        ),
        (
            &c.liaison_jo,
            json!({"student_id": jo_student, "offering_id": w.offering, "plan_line_id": line}),
            "plan_line_id",
            "not a line of this country's plans",
        ),
    ];
    for (token, body, field, says) in cases {
        let answer = app.post(token, "/api/v1/nominations", body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        let messages = answer.field_errors(field);
        assert!(
            messages.iter().any(|m| m.contains(says)),
            "{body}: {field} says {says}: {}",
            answer.body
        );
    }
    assert!(
        app.get(&c.admin, "/api/v1/nominations").await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(lines_of(&app, &c.liaison_pk, plan).await[0]["taken"], 0);

    // The program defaults to the line's; a line with nominations keeps its terms.
    let taken = nominate_on_line(&app, &c.liaison_pk, w.student, &w, line).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    assert_eq!(
        (
            taken.body["program"].as_str(),
            taken.body["priority"].as_str()
        ),
        (Some("IMET"), Some("B"))
    );
    assert_eq!(
        plan_action(&app, &c.officer, plan, "reopen", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let path = format!("/api/v1/plans/{plan}/lines/{line}");
    let remove = app
        .call(reqwest::Method::DELETE, &path, Some(&c.liaison_pk), None)
        .await;
    assert_eq!(remove.status, StatusCode::CONFLICT, "{}", remove.body);
    assert_eq!(remove.body["code"], "has_active_nominations");
    for (change, field) in [
        (json!({"quantity": 0}), "quantity"),
        (
            json!({"masl_id": "B200002", "offering_id": null, "unit_cost_cents": 5}),
            "masl_id",
        ),
        (json!({"offering_id": other_class}), "offering_id"),
        (json!({"program": "FMF"}), "program"),
    ] {
        let answer = app.patch(&c.liaison_pk, &path, change.clone()).await;
        assert!(
            !answer.field_errors(field).is_empty(),
            "{change}: {}",
            answer.body
        );
    }
    let unused = add_line(&app, &c.liaison_pk, plan,
        json!({"masl_id": "B200002", "quantity": 1, "priority": "C", "program": "FMF", "unit_cost_cents": 5})).await.body["id"].as_i64().unwrap();
    let removed = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/plans/{plan}/lines/{unused}"),
            Some(&c.liaison_pk),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(lines_of(&app, &c.liaison_pk, plan).await.len(), 1);
}

#[tokio::test]
async fn the_plan_report_counts_and_sums_the_nominations() {
    let app = spawn_app().await;
    let w = world(&app, 10).await;
    let c = &w.c;
    let (plan, line) = approved_plan(&app, &w, 4).await;
    let more = [
        ready_student(&app, c, "PK", "Akhtar").await,
        ready_student(&app, c, "PK", "Butt").await,
        ready_student(&app, c, "PK", "Chaudhry").await,
    ];
    let mut on_line = Vec::new();
    for student in [w.student, more[0], more[1]] {
        let answer = nominate_on_line(&app, &c.liaison_pk, student, &w, line).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        on_line.push(answer.body["id"].as_i64().unwrap());
    }
    let approved = act(&app, &c.officer, on_line[0], "approve", json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let committed = approved.body["committed_cents"].as_i64().unwrap();
    assert_eq!(committed, COST);
    let withdrawn = act(
        &app,
        &c.liaison_pk,
        on_line[2],
        "withdraw",
        json!({"reason": "Not released by his unit"}),
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let unplanned = app
        .post(
            &c.liaison_pk,
            "/api/v1/nominations",
            json!({"student_id": more[2], "offering_id": w.offering}),
        )
        .await;
    assert_eq!(unplanned.status, StatusCode::CREATED, "{}", unplanned.body);

    let report = app
        .get(&c.liaison_pk, &format!("/api/v1/plans/{plan}/report"))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let row = &report.body["lines"][0];
    assert_eq!(row["line_id"], line);
    assert_eq!(
        (
            row["planned"].as_i64(),
            row["nominated"].as_i64(),
            row["approved"].as_i64(),
            row["completed"].as_i64()
        ),
        (Some(4), Some(2), Some(1), Some(0))
    );
    assert_eq!(row["planned_cents"], 4 * COST);
    assert_eq!(row["committed_cents"], committed);
    assert_eq!(report.body["planned_total"]["committed_cents"], committed);
    let listed: Vec<i64> = report.body["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["nomination_id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![unplanned.body["id"].as_i64().unwrap()]);
    assert_eq!(
        app.get(&c.liaison_jo, &format!("/api/v1/plans/{plan}/report"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let csv = app
        .client
        .get(app.url(&format!("/api/v1/plans/{plan}/report")))
        .bearer_auth(&c.officer)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(
        rows[0],
        "line_id,nomination_id,masl_id,course_title,offering_id,class_start,priority,program,planned,nominated,approved,completed,planned_cents,committed_cents"
    );
    assert_eq!(
        rows[1],
        format!(
            "{line},,B100001,Command and General Staff,{},{},A,IMET,4,2,1,0,{},{committed}",
            w.offering,
            w.start,
            4 * COST
        )
    );
    assert_eq!(
        rows[2],
        format!(
            ",{},B100001,Command and General Staff,{},{},C,IMET,0,1,0,0,0,0",
            unplanned.body["id"], w.offering, w.start
        )
    );
    assert_eq!(rows.len(), 3);
}
