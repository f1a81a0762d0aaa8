//! The ceilings of the approval measure: the minimal approval transaction
//! (lock the nomination; guarded allocation and seat updates on one hot row
//! each; status; audit row; outbox row) run straight on the database.
use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use rusqlite::{Connection, params};
use tokio::process::Command;

/// Rows of the nominations table the transactions pick from.
const NOMINATIONS: i64 = 100_000;

/// The tables, on both databases (`{ts}`: the timestamp type).
const SCHEMA: &str = "
CREATE TABLE allocations (id integer PRIMARY KEY, allocated_cents bigint NOT NULL,
    committed_cents bigint NOT NULL, updated_at {ts} NOT NULL);
CREATE TABLE offerings (id integer PRIMARY KEY, seats integer NOT NULL,
    seats_taken integer NOT NULL, updated_at {ts} NOT NULL);
CREATE TABLE nominations (id integer PRIMARY KEY, status varchar(16) NOT NULL,
    estimated_cost_cents bigint NOT NULL, committed_cents bigint NOT NULL,
    decided_at {ts}, updated_at {ts} NOT NULL);
CREATE TABLE audit_log (id bigserial PRIMARY KEY, actor_id integer, action text NOT NULL,
    entity text NOT NULL, entity_id text NOT NULL, before text, after text, at {ts} NOT NULL);
CREATE TABLE outbox (id bigserial PRIMARY KEY, event text NOT NULL, recipients text NOT NULL,
    subject text NOT NULL, text_body text NOT NULL, html_body text NOT NULL,
    status text NOT NULL, attempts integer NOT NULL, next_attempt_at {ts} NOT NULL,
    message_id text NOT NULL UNIQUE, created_at {ts} NOT NULL);
CREATE INDEX idx_outbox_due ON outbox (status, next_attempt_at);
";

/// A body about as large as a rendered decision email.
fn body() -> String {
    "Your nomination of Maj. Bench Student to Benchmark Course (B901000), class of \
     2027-01-10, was approved. "
        .repeat(12)
}

pub struct Ceiling {
    pub tps: f64,
    pub detail: String,
}

/// The transaction on SQLite: one connection, WAL, `synchronous=NORMAL`,
/// `BEGIN IMMEDIATE`, for `seconds`.
pub fn sqlite(dir: &Path, seconds: u64) -> anyhow::Result<Ceiling> {
    let conn = Connection::open(dir.join("ceiling.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(
        &SCHEMA
            .replace("bigserial", "integer")
            .replace("{ts}", "text"),
    )?;
    conn.execute_batch(&format!(
        "BEGIN;
         INSERT INTO allocations VALUES (1, 9000000000000000, 0, '2026-01-01');
         INSERT INTO offerings VALUES (1, 2147483647, 0, '2026-01-01');
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {NOMINATIONS})
         INSERT INTO nominations SELECT i, 'submitted', 3100000, 0, NULL, '2026-01-01' FROM n;
         COMMIT;"
    ))?;
    let body = body();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut done: i64 = 0;
    while Instant::now() < deadline {
        let id = done % NOMINATIONS + 1;
        let now = chrono::Utc::now().to_rfc3339();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let (status, cost): (String, i64) = conn
            .prepare_cached("SELECT status, estimated_cost_cents FROM nominations WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let funded = conn
            .prepare_cached(
                "UPDATE allocations SET committed_cents = committed_cents + ?1, updated_at = ?2 \
                 WHERE id = 1 AND allocated_cents - committed_cents >= ?1",
            )?
            .execute(params![cost, now])?;
        let seated = conn
            .prepare_cached(
                "UPDATE offerings SET seats_taken = seats_taken + 1, updated_at = ?1 \
                 WHERE id = 1 AND seats_taken < seats",
            )?
            .execute([&now])?;
        ensure!(funded == 1 && seated == 1, "the hot rows ran out");
        conn.prepare_cached(
            "UPDATE nominations SET status = 'approved', committed_cents = ?1, decided_at = ?2, \
             updated_at = ?2 WHERE id = ?3",
        )?
        .execute(params![cost, now, id])?;
        conn.prepare_cached(
            "INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after, at) \
             VALUES (2, 'nomination.approve', 'nomination', ?1, ?2, '{\"status\":\"approved\"}', ?3)",
        )?
        .execute(params![id.to_string(), format!("{{\"status\":\"{status}\"}}"), now])?;
        conn.prepare_cached(
            "INSERT INTO outbox (event, recipients, subject, text_body, html_body, status, \
             attempts, next_attempt_at, message_id, created_at) \
             VALUES ('nomination_decision', '[\"liaison@bench.example\"]', 'Nomination approved', \
             ?1, ?1, 'pending', 0, ?2, ?3, ?2)",
        )?
        .execute(params![body, now, format!("<ceiling-{done}@bench>")])?;
        conn.execute_batch("COMMIT")?;
        done += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Ceiling {
        tps: done as f64 / elapsed,
        detail: format!("{done} transactions in {elapsed:.1} s (rusqlite, one connection)"),
    })
}

/// `psql` or `pgbench` from PATH, else from PostgreSQL 15's directory.
pub fn pg_tool(name: &str) -> String {
    let in_path = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()));
    if in_path {
        name.to_owned()
    } else {
        format!("/usr/lib/postgresql/15/bin/{name}")
    }
}

/// Runs SQL through psql on `url`, stopping at the first error.
pub async fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let out = Command::new(pg_tool("psql"))
        .args([url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .await
        .context("running psql")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> anyhow::Result<String> {
    let (main, query) = url
        .split_once('?')
        .map_or((url, None), |(m, q)| (m, Some(q)));
    let rest = main.split_once("://").context("a postgres:// URL")?.1;
    let base = if rest.contains('/') {
        main.rsplit_once('/').context("URL")?.0
    } else {
        main
    };
    Ok(match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    })
}

/// The transaction on PostgreSQL with pgbench: `clients` clients, 2 threads,
/// `seconds`, in a scratch database `database` on the server of `url`.
pub async fn postgres(
    url: &str,
    database: &str,
    dir: &Path,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Ceiling> {
    psql(url, &format!("CREATE DATABASE {database}")).await?;
    let scratch = with_database(url, database)?;
    psql(
        &scratch,
        &format!(
            "{}
             INSERT INTO allocations VALUES (1, 9000000000000000, 0, now());
             INSERT INTO offerings VALUES (1, 2147483647, 0, now());
             INSERT INTO nominations SELECT i, 'submitted', 3100000, 0, NULL, now()
               FROM generate_series(1, {NOMINATIONS}) AS i;",
            SCHEMA.replace("{ts}", "timestamptz")
        ),
    )
    .await?;
    psql(&scratch, "VACUUM ANALYZE").await?;
    let script = dir.join("approve.sql");
    std::fs::write(
        &script,
        format!(
            "\\set id random(1, {NOMINATIONS})
BEGIN;
SELECT status, estimated_cost_cents FROM nominations WHERE id = :id FOR UPDATE;
UPDATE allocations SET committed_cents = committed_cents + 3100000, updated_at = now() WHERE id = 1 AND allocated_cents - committed_cents >= 3100000;
UPDATE offerings SET seats_taken = seats_taken + 1, updated_at = now() WHERE id = 1 AND seats_taken < seats;
UPDATE nominations SET status = 'approved', committed_cents = 3100000, decided_at = now(), updated_at = now() WHERE id = :id;
INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after, at) VALUES (2, 'nomination.approve', 'nomination', :id, '{{\"status\":\"submitted\"}}', '{{\"status\":\"approved\"}}', now());
INSERT INTO outbox (event, recipients, subject, text_body, html_body, status, attempts, next_attempt_at, message_id, created_at) VALUES ('nomination_decision', '[\"liaison@bench.example\"]', 'Nomination approved', '{body}', '{body}', 'pending', 0, now(), md5(random()::text || clock_timestamp()::text), now());
COMMIT;
",
            body = body()
        ),
    )?;
    let out = Command::new(pg_tool("pgbench"))
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(&script)
        .arg(&scratch)
        .output()
        .await
        .context("running pgbench")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let _ = psql(
        url,
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    )
    .await;
    if !out.status.success() {
        bail!("pgbench: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    let tps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("tps in pgbench's output:\n{text}"))?;
    let latency = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("latency average = "))
        .unwrap_or("?");
    Ok(Ceiling {
        tps,
        detail: format!("pgbench -c {clients} -j 2 -T {seconds}: latency average {latency}"),
    })
}
