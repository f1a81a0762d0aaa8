//! Talking to the app over HTTP as users would: seeding through the JSON API,
//! and the 16-client approval run.
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::{Days, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::server::{ADMIN_EMAIL, ADMIN_PASSWORD};

const PASSWORD: &str = "bench horse battery staple";

#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
}

/// Requests done, their time, and latency percentiles.
pub struct Run {
    pub count: usize,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl Run {
    pub fn per_sec(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = res.status();
        let text = res.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// Sends and insists on a 2xx answer; returns its JSON.
    pub async fn ok(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let (status, answer) = self.call(method.clone(), path, Some(token), body).await?;
        if !status.is_success() {
            bail!("{method} {path}: {status} {answer}");
        }
        Ok(answer)
    }

    pub async fn get_text(&self, path: &str, token: &str) -> anyhow::Result<String> {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("GET {path}: {}", res.status());
        }
        Ok(res.text().await?)
    }

    pub async fn login(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await?;
        if status != StatusCode::OK {
            bail!("login {email}: {status} {body}");
        }
        Ok(body["token"].as_str().context("token")?.to_owned())
    }

    pub async fn admin(&self) -> anyhow::Result<String> {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Logs in as the admin, retrying while the app answers 5xx (a job at
    /// startup may hold the database's write lock); returns the token and how
    /// long that took.
    pub async fn admin_when_ready(&self, patience: Duration) -> anyhow::Result<(String, Duration)> {
        let started = Instant::now();
        loop {
            let (status, body) = self
                .call(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
                )
                .await?;
            if status == StatusCode::OK {
                let token = body["token"].as_str().context("token")?.to_owned();
                return Ok((token, started.elapsed()));
            }
            if !status.is_server_error() || started.elapsed() > patience {
                bail!("login {ADMIN_EMAIL}: {status} {body}");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn user(
        &self,
        admin: &str,
        email: &str,
        role: &str,
        country: Option<&str>,
    ) -> anyhow::Result<String> {
        self.ok(
            Method::POST,
            "/api/v1/users",
            admin,
            Some(json!({"email": email, "name": email, "role": role,
                        "country_code": country, "password": PASSWORD})),
        )
        .await?;
        self.login(email, PASSWORD).await
    }

    /// Creates courses `B9xxxxx` until the catalog holds at least `total`.
    pub async fn courses(&self, admin: &str, total: usize) -> anyhow::Result<()> {
        let have = self
            .ok(Method::GET, "/api/v1/courses?limit=200", admin, None)
            .await?["items"]
            .as_array()
            .map_or(0, Vec::len);
        for i in have..total {
            self.ok(
                Method::POST,
                "/api/v1/courses",
                admin,
                Some(json!({
                    "masl_id": format!("B9{:05}", 1000 + i), "title": format!("Benchmark Course {i}"),
                    "school": "Bench School", "location": "Fort Bench, KS", "category": "pme",
                    "audience": ["officer"], "prerequisites": [],
                })),
            )
            .await?;
        }
        Ok(())
    }

    /// Seeds `n` submitted nominations to one class with `n` seats and money
    /// for all; returns an officer's token and the nomination ids.
    pub async fn seed_approvals(
        &self,
        n: usize,
        clients: usize,
    ) -> anyhow::Result<(String, Vec<i64>)> {
        let admin = self.admin().await?;
        self.ok(
            Method::POST,
            "/api/v1/countries",
            &admin,
            Some(json!({"code": "PK", "name": "Pakistan", "travel_estimate_cents": 250_000})),
        )
        .await?;
        let officer = self
            .user(&admin, "officer@bench.example", "program_officer", None)
            .await?;
        let liaison = self
            .user(
                &admin,
                "liaison@bench.example",
                "country_liaison",
                Some("PK"),
            )
            .await?;
        self.courses(&admin, 1).await?;
        let masl = "B901000";
        let start = Utc::now().date_naive() + Days::new(60);
        let offering = self
            .ok(
                Method::POST,
                &format!("/api/v1/courses/{masl}/offerings"),
                &admin,
                Some(json!({
                    "start_date": start.to_string(), "end_date": (start + Days::new(11)).to_string(),
                    "seats": n, "tuition_cents": 2_500_000, "living_allowance_per_day_cents": 9_000,
                })),
            )
            .await?;
        let fy = offering["fiscal_year"].as_i64().context("fiscal_year")?;
        let offering_id = offering["id"].as_i64().context("offering id")?;
        self.ok(
            Method::PUT,
            &format!("/api/v1/allocations/PK/IMET/{fy}"),
            &officer,
            Some(json!({"allocated_cents": 10_000_000_000_i64})),
        )
        .await?;
        let today = Utc::now().date_naive().to_string();
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (api, next, officer, liaison, today) = (
                self.clone(),
                next.clone(),
                officer.clone(),
                liaison.clone(),
                today.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        return anyhow::Ok(ids);
                    }
                    let student = api
                        .ok(
                            Method::POST,
                            "/api/v1/students",
                            &liaison,
                            Some(json!({
                            "country_code": "PK", "given_names": "Bench",
                            "family_name": format!("Student {i:05}"), "date_of_birth": "1990-01-01",
                            "rank": "Major", "grade": "O-4", "service": "army"})),
                        )
                        .await?;
                    let id = student["id"].as_i64().context("student id")?;
                    api.ok(
                        Method::POST,
                        &format!("/api/v1/students/{id}/vetting"),
                        &officer,
                        Some(
                            json!({"status": "cleared", "case_reference": format!("B-{i}"),
                                    "decided_on": today}),
                        ),
                    )
                    .await?;
                    let nomination = api
                        .ok(
                            Method::POST,
                            "/api/v1/nominations",
                            &liaison,
                            Some(json!({"student_id": id, "offering_id": offering_id,
                                        "submit": true})),
                        )
                        .await?;
                    ids.push(nomination["id"].as_i64().context("nomination id")?);
                }
            }));
        }
        let mut ids = Vec::with_capacity(n);
        for task in tasks {
            ids.extend(task.await??);
        }
        ids.sort_unstable();
        Ok((officer, ids))
    }

    /// `clients` concurrent clients approve every nomination of `ids`.
    pub async fn approve_all(
        &self,
        officer: &str,
        ids: &[i64],
        clients: usize,
    ) -> anyhow::Result<Run> {
        let ids = Arc::new(ids.to_vec());
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (api, ids, next, officer) =
                (self.clone(), ids.clone(), next.clone(), officer.to_owned());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let Some(id) = ids.get(next.fetch_add(1, Ordering::SeqCst)) else {
                        return anyhow::Ok(latencies);
                    };
                    let at = Instant::now();
                    let (status, body) = api
                        .call(
                            Method::POST,
                            &format!("/api/v1/nominations/{id}/approve"),
                            Some(&officer),
                            None,
                        )
                        .await?;
                    if status != StatusCode::OK {
                        bail!("approve {id}: {status} {body}");
                    }
                    latencies.push(at.elapsed());
                }
            }));
        }
        let mut latencies = Vec::with_capacity(ids.len());
        for task in tasks {
            latencies.extend(task.await??);
        }
        let elapsed = started.elapsed();
        latencies.sort_unstable();
        let pick = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default()
        };
        Ok(Run {
            count: latencies.len(),
            elapsed,
            p50: pick(0.50),
            p99: pick(0.99),
        })
    }

    /// Pages through `path` (which ends in a query string) 200 at a time and
    /// returns the cursor `depth` (0..1) of the way through, and the row count.
    pub async fn deep_cursor(
        &self,
        token: &str,
        path: &str,
        depth: f64,
    ) -> anyhow::Result<(String, usize)> {
        let mut cursors = Vec::new();
        let mut rows = 0;
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{path}&limit=200");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let page = self.ok(Method::GET, &url, token, None).await?;
            rows += page["items"].as_array().map_or(0, Vec::len);
            match page["next_cursor"].as_str() {
                Some(next) => {
                    cursors.push(next.to_owned());
                    cursor = Some(next.to_owned());
                }
                None => break,
            }
        }
        let at = ((cursors.len() as f64) * depth) as usize;
        let cursor = cursors
            .get(at.min(cursors.len().saturating_sub(1)))
            .cloned()
            .context("the list has a single page: no cursor")?;
        Ok((cursor, rows))
    }
}
