//! Every page of every role is valid HTML (SPEC §8): the demo data set, a
//! crawl of what each person can reach (links, filters, forms left empty,
//! buttons pressed, error pages), and one run of the Nu Html Checker over
//! every page saved.
use reqwest::StatusCode;

use crate::{
    common::{TestApp, spawn_app_with, test_config},
    crawl::{Crawl, Visit},
    vnu,
    web_client::WebClient,
};

/// Who signs in, and the fewest pages of each kind their crawl must reach
/// (total, lists, records, forms, refused forms) for the check to mean
/// something.
const PEOPLE: &[(&str, Option<&str>, [usize; 5])] = &[
    ("anonymous", None, [4, 1, 0, 3, 3]),
    (
        "liaison",
        Some("liaison.pk@imet.example"),
        [50, 10, 15, 8, 6],
    ),
    (
        "officer",
        Some("officer@imet.example"),
        [80, 15, 25, 15, 10],
    ),
    ("admin", Some("admin@imet.example"), [150, 20, 30, 60, 15]),
];

/// Pages no link leads to, in the states people still meet.
const ERROR_PAGES: &[&str] = &[
    "/no-such-page",
    "/countries?cursor=%%%",
    "/students/999999",
    "/nominations/999999",
    "/users",
    "/outbox",
];

/// The app on a fresh database holding the demo data set.
async fn demo_app() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(&dir).await;
    config.bootstrap_admin = None;
    let state = imet::app::prepare(config.clone()).await.expect("prepare");
    assert!(imet::demo::seed(&state).await.expect("seed the demo"));
    let url = config.database_url.clone();
    (spawn_app_with(move |c| c.database_url = url).await, dir)
}

#[tokio::test]
async fn every_page_of_every_role_passes_the_nu_html_checker() {
    let jar = vnu::jar();
    let (app, _data) = demo_app().await;
    let pages = tempfile::tempdir().expect("temp dir");
    let mut visits: Vec<(&str, Visit)> = Vec::new();
    let mut counts = Vec::new();
    for &(who, email, minimum) in PEOPLE {
        let mut client = WebClient::new(&app);
        let start: Vec<&str> = match email {
            Some(email) => {
                client.sign_in(email, imet::demo::DEMO_PASSWORD).await;
                ["/"].iter().chain(ERROR_PAGES).copied().collect()
            }
            None => vec!["/", "/login?next=%2Fstudents", "/no-such-page"],
        };
        let mut crawl = Crawl::new(client, who, pages.path());
        crawl.run(&start).await;
        if email.is_none() {
            refused_sign_ins(&mut crawl).await;
        }
        let seen = [
            crawl.visits.len(),
            crawl.visits.iter().filter(|v| v.is_list()).count(),
            crawl.visits.iter().filter(|v| v.is_detail()).count(),
            crawl.visits.iter().filter(|v| v.is_form()).count(),
            crawl
                .visits
                .iter()
                .filter(|v| v.status.is_client_error())
                .count(),
        ];
        println!("{who}: {seen:?} pages (all, lists, records, forms, refused)");
        counts.push((who, seen, minimum));
        visits.extend(crawl.visits.into_iter().map(|v| (who, v)));
    }
    for (who, seen, minimum) in &counts {
        assert!(
            seen.iter().zip(minimum).all(|(s, m)| s >= m),
            "{who}'s crawl reached {seen:?} pages (all, lists, records, forms, refused), \
             fewer than {minimum:?}"
        );
    }

    let files: Vec<_> = visits.iter().map(|(_, v)| v.file.clone()).collect();
    let findings = vnu::errors(&jar, &files);
    println!(
        "the Nu Html Checker checked {} pages: {} errors",
        files.len(),
        findings.len()
    );
    let report: Vec<String> = findings
        .iter()
        .map(|f| {
            let (who, visit) = visits
                .iter()
                .find(|(_, v)| v.file.ends_with(&f.file))
                .expect("a saved page");
            format!(
                "{who} {} ({}) {} line {}: {}\n    {}",
                visit.request, visit.status, f.file, f.line, f.message, f.extract
            )
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// The sign-in page refusing a wrong password, and a form sent without its
/// CSRF token.
async fn refused_sign_ins(crawl: &mut Crawl<'_>) {
    crawl.client.get("/login").await;
    let wrong = crawl
        .client
        .post_with_token(
            "/login",
            &[
                ("email", "admin@imet.example"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    crawl.save("POST /login (wrong password)", "/login", wrong);
    let forged = crawl
        .client
        .post("/login", &[("email", "admin@imet.example")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    crawl.save("POST /login (no CSRF token)", "/login", forged);
}
