//! `scripts/bench [--postgres URL]`: measures the SPEC §9 table against the
//! real server binary (`imet serve`, a child process with a fresh database)
//! and prints each measure beside its ceiling, measured in the same run.
//!
//! Sizes come from the environment: `BENCH_APPROVALS` (2000 nominations
//! approved), `BENCH_CLIENTS` (16), `BENCH_SECONDS` (10, each timed run),
//! `BENCH_COURSES` (60), `BENCH_LIST_SMALL` / `BENCH_LIST_LARGE` (10,000 /
//! 1,000,000 nominations), `BENCH_LIST_CONNECTIONS` (1), `BENCH_MAILS` (2000).
mod api;
mod ceiling;
mod server;
mod sink;
mod wrk;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use clap::{Parser, Subcommand};
use tokio::process::Command;

use crate::{api::Api, server::Setup, sink::Sink};

#[derive(Parser)]
#[command(
    name = "imet-bench",
    about = "The SPEC §9 benchmark (run it through scripts/bench)"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every measure and print the table.
    Run {
        /// A PostgreSQL server (`postgres://user@host:port/db`, a superuser or
        /// a role that may create databases) for the PostgreSQL approval row.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// A bare axum server answering GET /api/v1/courses with a file's bytes.
    BareServer {
        #[arg(long)]
        bind: String,
        #[arg(long)]
        body: PathBuf,
    },
}

struct Settings {
    approvals: usize,
    clients: usize,
    seconds: u64,
    courses: usize,
    list_small: u64,
    list_large: u64,
    list_connections: usize,
    mails: u64,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}=`{v}` is not a number")),
        _ => Ok(default),
    }
}

impl Settings {
    fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            approvals: env_or("BENCH_APPROVALS", 2000)?,
            clients: env_or("BENCH_CLIENTS", 16)?,
            seconds: env_or("BENCH_SECONDS", 10)?,
            courses: env_or("BENCH_COURSES", 60)?,
            list_small: env_or("BENCH_LIST_SMALL", 10_000)?,
            list_large: env_or("BENCH_LIST_LARGE", 1_000_000)?,
            list_connections: env_or("BENCH_LIST_CONNECTIONS", 1)?,
            mails: env_or("BENCH_MAILS", 2000)?,
        })
    }
}

/// One line of the final table.
struct Row {
    measure: String,
    app: String,
    ceiling: String,
    ratio: Option<f64>,
    target: &'static str,
    met: Option<bool>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Run { postgres } => run(postgres).await,
        Cmd::BareServer { bind, body } => bare_server(&bind, &body).await,
    }
}

async fn bare_server(bind: &str, body: &Path) -> anyhow::Result<()> {
    let body: &'static [u8] = Vec::leak(std::fs::read(body)?);
    let app = axum::Router::new().route(
        "/api/v1/courses",
        axum::routing::get(move || async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// 1000000 → "1,000,000".
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

struct Progress(Instant);

impl Progress {
    fn step(&self, what: &str) {
        eprintln!("[{:>6.1} s] {what}", self.0.elapsed().as_secs_f64());
    }
}

async fn run(postgres: Option<String>) -> anyhow::Result<()> {
    let s = Settings::from_env()?;
    let imet = std::env::current_exe()?.with_file_name("imet");
    ensure!(
        imet.is_file(),
        "{} is missing: build it first",
        imet.display()
    );
    let mut tmp = tempfile::Builder::new().prefix("imet-bench.").tempdir()?;
    let result = measure(&s, &imet, tmp.path(), postgres).await;
    if result.is_err() {
        tmp.disable_cleanup(true);
        eprintln!("kept {} (server logs)", tmp.path().display());
    }
    result
}

async fn measure(
    s: &Settings,
    imet: &Path,
    tmp: &Path,
    postgres: Option<String>,
) -> anyhow::Result<()> {
    let progress = Progress(Instant::now());
    let sink = Sink::start().await?;
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut peaks = Vec::new();
    let clients = s.clients;

    // --- approvals on SQLite: the ceiling, then the app -------------------
    progress.step("SQLite ceiling: the minimal approval transaction (rusqlite)");
    let dir = mkdir(tmp, "sqlite-ceiling")?;
    let seconds = s.seconds;
    let ceiling = tokio::task::spawn_blocking(move || ceiling::sqlite(&dir, seconds)).await??;
    notes.push(format!("SQLite ceiling: {}", ceiling.detail));
    let dir = mkdir(tmp, "sqlite-app")?;
    let setup = Setup {
        imet,
        dir: &dir,
        database_url: format!("sqlite://{}?mode=rwc", dir.join("imet.db").display()),
        smtp_port: sink.port,
    };
    let mut server = setup.serve("sqlite-app").await?;
    let api = Api::new(&server.base);
    rows.push(approvals(&progress, &api, s, "SQLite", ceiling.tps, &mut notes).await?);
    server.mark("approvals");

    // --- the catalog GET, against a bare axum handler -----------------------
    progress.step(&format!("catalog: {} courses, wrk on the app", s.courses));
    let admin = api.admin().await?;
    api.courses(&admin, s.courses).await?;
    let path = "/api/v1/courses?limit=50";
    let body = api.get_text(path, &admin).await?;
    let items = serde_json::from_str::<serde_json::Value>(&body)?["items"]
        .as_array()
        .map_or(0, Vec::len);
    ensure!(items == 50, "the catalog page has {items} courses, not 50");
    let app = wrk::run(
        &format!("{}{path}", server.base),
        Some(&admin),
        clients,
        s.seconds,
    )
    .await?;
    progress.step("catalog: wrk on a bare axum handler with the same bytes");
    server.mark("catalog");
    let body_file = dir.join("courses.json");
    std::fs::write(&body_file, &body)?;
    let bare = bare_run(&body_file, path, &admin, clients, s.seconds).await?;
    notes.push(format!(
        "catalog GET: app {:.0} req/s p50 {} p99 {} ({} errors); bare {:.0} req/s p50 {} p99 {}; body {} bytes",
        app.req_per_sec,
        ms(app.p50),
        ms(app.p99),
        app.errors,
        bare.req_per_sec,
        ms(bare.p50),
        ms(bare.p99),
        body.len()
    ));
    let ratio = app.req_per_sec / bare.req_per_sec;
    rows.push(Row {
        measure: format!("`GET {path}` req/s, bearer token, {clients} connections"),
        app: format!("{:.0}/s", app.req_per_sec),
        ceiling: format!("{:.0}/s (bare axum)", bare.req_per_sec),
        ratio: Some(ratio),
        target: "≥ 0.25×",
        met: Some(ratio >= 0.25 && app.errors == 0),
    });
    rows.push(Row {
        measure: format!("p99 latency of that GET at {clients} connections"),
        app: ms(app.p99),
        ceiling: format!("{} (bare axum)", ms(bare.p99)),
        ratio: None,
        target: "≤ 10 ms",
        met: Some(app.p99 <= Duration::from_millis(10)),
    });
    peaks.push((server.name.clone(), server.stop().await?));

    // --- list nominations at two sizes; outbox delivery on the small one ----
    let mut p50s = Vec::new();
    let mut mails_per_sec = None;
    for (size, outbox) in [(s.list_small, s.mails), (s.list_large, 0)] {
        let name = format!("list-{size}");
        let dir = mkdir(tmp, &name)?;
        let setup = Setup {
            imet,
            dir: &dir,
            database_url: format!("sqlite://{}?mode=rwc", dir.join("imet.db").display()),
            smtp_port: sink.port,
        };
        progress.step(&format!(
            "imet bench-data --nominations {size} --outbox {outbox}"
        ));
        let summary = setup.bench_data(size, outbox).await?;
        notes.push(summary);
        sink.reset();
        let mut server = setup.serve(&name).await?;
        if outbox > 0 {
            progress.step(&format!("outbox: waiting for {outbox} emails at the sink"));
            let deadline = Instant::now() + Duration::from_secs(300);
            while sink.count() < outbox {
                if Instant::now() > deadline {
                    bail!(
                        "only {} of {outbox} emails arrived in 5 minutes",
                        sink.count()
                    );
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let span = sink.span().context("no email arrived")?;
            let rate = outbox as f64 / span.as_secs_f64();
            notes.push(format!(
                "outbox: {outbox} emails delivered in {:.2} s",
                span.as_secs_f64()
            ));
            mails_per_sec = Some(rate);
            server.mark("outbox");
        }
        let api = Api::new(&server.base);
        let (admin, waited) = api.admin_when_ready(Duration::from_secs(600)).await?;
        server.mark("login");
        if waited > Duration::from_secs(2) {
            notes.push(format!(
                "list at {size}: logins failed (5xx) for {:.0} s after the server started",
                waited.as_secs_f64()
            ));
        }
        progress.step(&format!("list at {size}: paging to a deep cursor"));
        let list = "/api/v1/nominations?country=JO&status=completed";
        let (cursor, matching) = api.deep_cursor(&admin, list, 0.9).await?;
        server.mark("paging");
        progress.step(&format!("list at {size}: wrk"));
        let url = format!("{}{list}&limit=50&cursor={cursor}", server.base);
        let result = wrk::run(&url, Some(&admin), s.list_connections, s.seconds).await?;
        notes.push(format!(
            "list at {size} ({matching} JO/completed, cursor 90% deep): p50 {} p99 {} {:.0} req/s, {} connection(s), {} errors",
            ms(result.p50),
            ms(result.p99),
            result.req_per_sec,
            s.list_connections,
            result.errors
        ));
        ensure!(
            result.errors == 0,
            "the list answered errors: see {}",
            server.log.display()
        );
        p50s.push(result.p50);
        peaks.push((server.name.clone(), server.stop().await?));
        std::fs::remove_dir_all(&dir)?;
    }
    let ratio = p50s[1].as_secs_f64() / p50s[0].as_secs_f64();
    rows.push(Row {
        measure: format!(
            "list nominations (JO + completed, 50 per page, deep cursor) p50 with {} nominations, {} connection(s)",
            count(s.list_large),
            s.list_connections
        ),
        app: ms(p50s[1]),
        ceiling: format!("{} with {}", ms(p50s[0]), count(s.list_small)),
        ratio: Some(ratio),
        target: "≤ 1.5×",
        met: Some(ratio <= 1.5),
    });
    rows.push(Row {
        measure: format!(
            "the same list's p50, absolute, with {}",
            count(s.list_large)
        ),
        app: ms(p50s[1]),
        ceiling: "—".into(),
        ratio: None,
        target: "≤ 15 ms",
        met: Some(p50s[1] <= Duration::from_millis(15)),
    });

    // --- approvals on PostgreSQL --------------------------------------------
    if let Some(url) = &postgres {
        let suffix = std::process::id();
        progress.step("PostgreSQL ceiling: pgbench with the minimal approval transaction");
        let dir = mkdir(tmp, "postgres")?;
        let ceiling = ceiling::postgres(
            url,
            &format!("imet_bench_ceiling_{suffix}"),
            &dir,
            clients,
            s.seconds,
        )
        .await?;
        notes.push(format!("PostgreSQL ceiling: {}", ceiling.detail));
        let database = format!("imet_bench_app_{suffix}");
        ceiling::psql(url, &format!("CREATE DATABASE {database}")).await?;
        let setup = Setup {
            imet,
            dir: &dir,
            database_url: ceiling::with_database(url, &database)?,
            smtp_port: sink.port,
        };
        let result = async {
            let mut server = setup.serve("postgres-app").await?;
            let api = Api::new(&server.base);
            let row = approvals(&progress, &api, s, "PostgreSQL", ceiling.tps, &mut notes).await;
            server.mark("approvals");
            peaks.push((server.name.clone(), server.stop().await?));
            row
        }
        .await;
        let _ = ceiling::psql(
            url,
            &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        )
        .await;
        rows.insert(1, result?);
    }

    let (worst, peak) = peaks
        .iter()
        .max_by_key(|(_, (kib, _))| *kib)
        .map(|(name, (kib, _))| (name.clone(), *kib))
        .context("no server ran")?;
    for (name, (_, trail)) in &peaks {
        notes.push(format!("peak RSS (VmHWM) of {name}: {trail}"));
    }
    rows.push(Row {
        measure: "peak RSS of the server through the whole benchmark".into(),
        app: format!("{:.1} MiB ({worst})", peak as f64 / 1024.0),
        ceiling: "—".into(),
        ratio: None,
        target: "≤ 64 MB",
        met: Some(peak <= 64 * 1024),
    });
    if let Some(rate) = mails_per_sec {
        rows.push(Row {
            measure: format!("outbox delivery to a local SMTP sink ({} emails)", s.mails),
            app: format!("{rate:.0} mails/s"),
            ceiling: "—".into(),
            ratio: None,
            target: "≥ 500 mails/s",
            met: Some(rate >= 500.0),
        });
    }
    progress.step("done");

    println!();
    for note in &notes {
        println!("- {note}");
    }
    println!();
    println!("| measure | app | ceiling | ratio | target | met? |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.measure,
            r.app,
            r.ceiling,
            r.ratio.map_or("—".into(), |x| format!("{x:.2}×")),
            r.target,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            }
        );
    }
    println!(
        "\ntimed runs of {} s; whole benchmark {:.0} s",
        s.seconds,
        progress.0.elapsed().as_secs_f64()
    );
    Ok(())
}

fn mkdir(root: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Seeds and runs the approvals on the app behind `api`; the row beside `ceiling_tps`.
async fn approvals(
    progress: &Progress,
    api: &Api,
    s: &Settings,
    database: &str,
    ceiling_tps: f64,
    notes: &mut Vec<String>,
) -> anyhow::Result<Row> {
    progress.step(&format!(
        "{database} app: seeding {} submitted nominations through the API",
        s.approvals
    ));
    let seeding = Instant::now();
    let (officer, ids) = api.seed_approvals(s.approvals, s.clients).await?;
    let seeded = seeding.elapsed();
    progress.step(&format!(
        "{database} app: {} clients approve them",
        s.clients
    ));
    let run = api.approve_all(&officer, &ids, s.clients).await?;
    notes.push(format!(
        "{database} approvals: seeded {} in {:.1} s; {} approved in {:.2} s, p50 {} p99 {}",
        ids.len(),
        seeded.as_secs_f64(),
        run.count,
        run.elapsed.as_secs_f64(),
        ms(run.p50),
        ms(run.p99)
    ));
    let ratio = run.per_sec() / ceiling_tps;
    Ok(Row {
        measure: format!(
            "approvals/s through HTTP, {} clients, one class and one allocation ({database})",
            s.clients
        ),
        app: format!("{:.0}/s (p99 {})", run.per_sec(), ms(run.p99)),
        ceiling: format!("{ceiling_tps:.0}/s"),
        ratio: Some(ratio),
        target: "≥ 0.5×",
        met: Some(ratio >= 0.5),
    })
}

/// Starts the bare server on `body`, runs the same wrk against it, stops it.
async fn bare_run(
    body: &Path,
    path: &str,
    token: &str,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<wrk::Wrk> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "bare-server",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--body",
        ])
        .arg(body)
        .kill_on_drop(true)
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        ensure!(Instant::now() < deadline, "the bare server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let result = wrk::run(
        &format!("http://127.0.0.1:{port}{path}"),
        Some(token),
        connections,
        seconds,
    )
    .await;
    child.kill().await?;
    result
}
