//! Shared by the test binaries (`tests/api`, `tests/browser`): spawns the
//! real application on a random port with a fresh database (SQLite in a temp
//! dir, or a new PostgreSQL database when `TEST_DATABASE_URL` is set), and
//! sets up records through the JSON API.
// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]
use std::{sync::Once, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use imet::{
    app::{self, AppState},
    config::Config,
};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const ADMIN_EMAIL: &str = "admin@test.example";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub config: Config,
    /// The running app's state (database, mail wake-up), for the few tests
    /// that must act below HTTP, such as rolling back a transaction.
    pub state: AppState,
    dir: TempDir,
    shutdown: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

fn init_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A fresh database URL: a new PostgreSQL database when `TEST_DATABASE_URL`
/// names a server, else an SQLite file inside `dir`.
async fn fresh_database(dir: &TempDir) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            let name = format!("imet_test_{}", hex::encode(rand::random::<[u8; 6]>()));
            let admin = Database::connect(&server)
                .await
                .expect("connect TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (base, _) = server
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL has a database name");
            format!("{base}/{name}")
        }
        _ => imet::config::sqlite_url(dir.path()),
    }
}

/// Default test configuration: bootstrap admin, mail into the temp dir
/// (`.eml` files) unless `smtp_url` is set.
pub async fn test_config(dir: &TempDir) -> Config {
    Config {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.path().to_owned(),
        database_url: fresh_database(dir).await,
        smtp_url: None,
        mail_from: "IMET Test <no-reply@imet.test>".into(),
        base_url: "http://imet.test".into(),
        // Short, so outage and recovery take seconds.
        mail_retry_base: Duration::from_millis(200),
        mail_poll_interval: Duration::from_secs(1),
        daily_job_interval: Duration::from_secs(3600),
        bootstrap_admin: Some((ADMIN_EMAIL.into(), PASSWORD.into())),
        request_timeout: Duration::from_secs(30),
        token_ttl: chrono::Duration::hours(12),
        validity: Default::default(),
        trusted_proxies: Vec::new(),
        require_2fa: imet::domain::second_factor::Policy::Optional,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns the app after `adjust` has changed the default test configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    init_crypto();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(&dir).await;
    adjust(&mut config);
    let state = app::prepare(config.clone()).await.expect("prepare app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn({
        let state = state.clone();
        async move {
            app::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        }
    });
    TestApp {
        base,
        client: reqwest::Client::new(),
        config,
        state,
        dir,
        shutdown: tx,
        server,
    }
}

/// Polls `check` until it gives a value, failing the test after 20 seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A JSON answer: status, body (Null when empty) and headers.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl TestApp {
    /// Shuts the app down as SIGTERM would, and waits until the HTTP server
    /// and the mail worker have stopped. Returns the data directory (it holds
    /// the SQLite database), to keep for another instance on the same data.
    pub async fn stop(self) -> TempDir {
        let Self {
            client,
            shutdown,
            server,
            dir,
            ..
        } = self;
        drop(client);
        let _ = shutdown.send(());
        server.await.expect("server task");
        dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The body of an anonymous GET, as text (metrics, documents).
    pub async fn text(&self, path: &str) -> String {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.text().await.expect("body")
    }

    /// The served OpenAPI document.
    pub async fn openapi(&self) -> Value {
        serde_json::from_str(&self.text("/api/openapi.json").await).expect("JSON document")
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        Self::answer(res).await
    }

    pub async fn answer(res: reqwest::Response) -> Answer {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Sends a raw body with the given content type (CSV uploads, malformed bodies).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let res = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        Self::answer(res).await
    }

    pub async fn login_answer(&self, email: &str, password: &str) -> Answer {
        self.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    /// Logs in and returns the token; panics when refused.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let answer = self.login_answer(email, password).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login {email}: {}",
            answer.body
        );
        answer.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn admin(&self) -> String {
        self.login(ADMIN_EMAIL, PASSWORD).await
    }

    /// Registers a country (as admin).
    pub async fn country(&self, admin: &str, code: &str, name: &str) {
        let answer = self
            .post(
                admin,
                "/api/v1/countries",
                json!({"code": code, "name": name, "travel_estimate_cents": 250_000}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }

    /// Creates a user and returns (id, token).
    pub async fn user(
        &self,
        admin: &str,
        email: &str,
        role: &str,
        country: Option<&str>,
    ) -> (i64, String) {
        let answer = self
            .post(
                admin,
                "/api/v1/users",
                json!({"email": email, "name": email, "role": role, "country_code": country, "password": PASSWORD}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let id = answer.body["id"].as_i64().expect("id");
        (id, self.login(email, PASSWORD).await)
    }
}

impl TestApp {
    /// Creates a course (as admin) for officers, with the given prerequisites;
    /// returns its JSON.
    pub async fn course(&self, admin: &str, masl_id: &str, prerequisites: &[&str]) -> Value {
        let answer = self
            .post(
                admin,
                "/api/v1/courses",
                json!({
                    "masl_id": masl_id, "title": format!("Course {masl_id}"),
                    "school": "Test School", "location": "Fort Test, KS", "category": "pme",
                    "audience": ["officer"], "prerequisites": prerequisites,
                }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body
    }

    /// Schedules an open class of `masl_id` (as admin); returns its JSON.
    pub async fn offering(
        &self,
        admin: &str,
        masl_id: &str,
        start: &str,
        end: &str,
        seats: i32,
    ) -> Value {
        let answer = self
            .post(
                admin,
                &format!("/api/v1/courses/{masl_id}/offerings"),
                json!({
                    "start_date": start, "end_date": end, "seats": seats,
                    "tuition_cents": 2_500_000, "living_allowance_per_day_cents": 9_000,
                }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body
    }
}

impl TestApp {
    /// Sends a request whose body announces 8 MiB but stops after 1 KiB, and
    /// returns the status the server answers without waiting for the rest; a
    /// server that reads the body first never answers within the timeout.
    pub async fn status_before_body(
        &self,
        path: &str,
        content_type: &str,
        extra_headers: &[(&str, &str)],
    ) -> u16 {
        let address = self.base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).await.expect("connect");
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
             Content-Length: {}\r\n",
            8 * 1024 * 1024
        );
        for (name, value) in extra_headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&[b'a'; 1024]).await.unwrap();
        let mut answer = Vec::new();
        let mut buffer = [0u8; 1024];
        tokio::time::timeout(Duration::from_secs(5), async {
            while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buffer).await.expect("read");
                assert!(n > 0, "connection closed without an answer");
                answer.extend_from_slice(&buffer[..n]);
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{path}: no answer before the body was sent"));
        let status_line = String::from_utf8_lossy(&answer);
        status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code")
    }
}
