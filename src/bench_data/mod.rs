//! `imet bench-data`: fills an empty database with a synthetic but valid data
//! set at SQL speed (multi-row INSERTs in large transactions, not through the
//! services), for the benchmark in `scripts/bench`. Not used by `serve`.
//!
//! It makes eight countries, an admin (`IMET_ADMIN_EMAIL`/`IMET_ADMIN_PASSWORD`,
//! or [`DEFAULT_EMAIL`]/[`DEFAULT_PASSWORD`]), an officer and one liaison per
//! country, 60 courses with twenty classes each over ten years (the last ones
//! still ahead), allocations, students, and `nominations` nominations spread
//! over countries, and over statuses by their class's date (settled ones for
//! past classes, work in hand for classes ahead); optionally `outbox` welcome
//! emails queued through the real outbox. Secondary indexes of the two big
//! tables are dropped for the load and built again after it.

mod nominations;
mod reference;
mod schema;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, FromQueryResult,
    Statement, TransactionTrait, Value,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use serde_json::json;

use crate::{
    config::Config,
    db,
    domain::role::Role,
    mail::{self, templates::Welcome},
    services::auth::hash_password,
};

use nominations::*;
use reference::*;
use schema::*;

pub const DEFAULT_EMAIL: &str = "bench.admin@imet.example";
pub const DEFAULT_PASSWORD: &str = "imet-bench-2026";

/// Countries with their share of nominations (percent) and travel estimate.
pub(super) const COUNTRIES: &[(&str, &str, u64, i64)] = &[
    ("PK", "Pakistan", 20, 350_000),
    ("IN", "India", 15, 340_000),
    ("JO", "Jordan", 12, 220_000),
    ("PH", "Philippines", 12, 310_000),
    ("CO", "Colombia", 12, 160_000),
    ("KE", "Kenya", 10, 290_000),
    ("GH", "Ghana", 10, 260_000),
    ("MN", "Mongolia", 9, 380_000),
];

/// Statuses of nominations to classes that have started (percent): history.
pub(super) const PAST: &[(&str, u64)] = &[("completed", 78), ("withdrawn", 10), ("rejected", 12)];

/// Statuses of nominations to classes still ahead (percent): the work in hand.
pub(super) const AHEAD: &[(&str, u64)] = &[
    ("draft", 12),
    ("submitted", 30),
    ("waitlisted", 10),
    ("approved", 35),
    ("on_hold", 5),
    ("rejected", 5),
    ("withdrawn", 3),
];

pub(super) const COURSES: usize = 60;
/// Classes of each course, one every 200 days, the last ones still ahead: ten
/// years of history, so that most nominations are settled ones.
pub(super) const OFFERINGS_PER_COURSE: i64 = 20;
/// Nominations per student, about.
pub(super) const PER_STUDENT: usize = 4;
/// Rows per transaction.
pub(super) const TXN_ROWS: usize = 250_000;

/// Splitmix64: a small deterministic generator, so two runs make the same data.
pub(super) struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Index into a table of (…, weight) by weight out of 100.
    fn weighted(&mut self, weights: impl Iterator<Item = u64>) -> usize {
        let mut roll = self.below(100);
        for (i, w) in weights.enumerate() {
            if roll < w {
                return i;
            }
            roll -= w;
        }
        0
    }
}

/// Inserts `rows` (each `cols.len()` values) into `table` with multi-row
/// INSERTs of at most ~30,000 bound values each.
pub(super) async fn insert_rows<C: ConnectionTrait>(
    db: &C,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Value>>,
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let per_stmt = (30_000 / cols.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_stmt).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (r, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), cols.len());
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..cols.len() {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                match backend {
                    DbBackend::Postgres => sql.push_str(&format!("${n}")),
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
        }
        let values = chunk.into_iter().flatten();
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .with_context(|| format!("inserting into {table}"))?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
pub(super) struct IdCode {
    id: i32,
    code: String,
}

pub(super) async fn ids_by<C: ConnectionTrait>(db: &C, sql: &str) -> anyhow::Result<Vec<IdCode>> {
    let backend = db.get_database_backend();
    Ok(
        IdCode::find_by_statement(Statement::from_string(backend, sql.to_owned()))
            .all(db)
            .await?,
    )
}

/// An offering as the nominations need it.
pub(super) struct Class {
    id: i32,
    start: NaiveDate,
    fiscal_year: i32,
    cost: i64,
}

/// Fills the database named by `config`, which must be empty (migrations
/// are applied first).
pub async fn run(config: &Config, nominations: u64, outbox: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let migrated = db::connect(&config.database_url).await?;
    db::migrate(&migrated).await?;
    migrated.close().await?;
    let conn = single_connection(&config.database_url).await?;
    let backend = conn.get_database_backend();
    if !ids_by(&conn, "SELECT 0 AS id, code FROM countries LIMIT 1")
        .await?
        .is_empty()
    {
        bail!("bench-data needs an empty database");
    }
    let now = Utc::now();
    let today = now.date_naive();
    let mut rng = Rng(0x1BE7_2026);

    let txn = conn.begin().await?;
    seed_reference(&txn, config, now, today).await?;
    txn.commit().await?;

    let users = ids_by(
        &conn,
        "SELECT id, COALESCE(country_code, role) AS code FROM users",
    )
    .await?;
    let liaison = |code: &str| {
        users
            .iter()
            .find(|u| u.code == code)
            .map_or(users[0].id, |u| u.id)
    };
    let classes = load_classes(&conn).await?;

    // Countries of every nomination first: the student count of a country follows.
    let countries: Vec<u8> = (0..nominations)
        .map(|_| rng.weighted(COUNTRIES.iter().map(|c| c.2)) as u8)
        .collect();
    let mut per_country = vec![0usize; COUNTRIES.len()];
    for &c in &countries {
        per_country[c as usize] += 1;
    }
    let students = seed_students(&conn, &per_country, now, &mut rng).await?;
    let student_count: usize = students.iter().map(Vec::len).sum();

    let plan = Plan {
        countries,
        liaisons: COUNTRIES.iter().map(|c| liaison(c.0)).collect(),
        students,
        classes,
        // SQLite stores JSON as text: bind it serialized once.
        checks: checks_variants()
            .into_iter()
            .map(|c| match backend {
                DbBackend::Sqlite => Value::from(c.to_string()),
                _ => Value::from(c),
            })
            .collect(),
        now,
    };
    let classes = plan.classes.len();
    // Rows are made on a thread of their own while the database inserts.
    let per_stmt = 30_000 / NOMINATION_COLS.len();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Value>>>(8);
    let producer = std::thread::spawn(move || plan.generate(&mut rng, per_stmt, &tx));
    let indexes = drop_indexes(&conn, "nominations").await?;
    let mut txn = conn.begin().await?;
    let mut in_txn = 0;
    while let Some(chunk) = rx.recv().await {
        in_txn += chunk.len();
        insert_rows(&txn, "nominations", &NOMINATION_COLS, chunk).await?;
        if in_txn >= TXN_ROWS {
            txn.commit().await?;
            txn = conn.begin().await?;
            in_txn = 0;
        }
    }
    txn.commit().await?;
    producer
        .join()
        .map_err(|_| anyhow::anyhow!("the row generator panicked"))?;
    create_indexes(&conn, indexes).await?;

    if outbox > 0 {
        let txn = conn.begin().await?;
        for n in 0..outbox {
            let email = format!("bench.recipient{n}@imet.example");
            let welcome = Welcome {
                name: format!("Bench Recipient {n}"),
                email: email.clone(),
                role: Role::CountryLiaison,
                country: Some("Jordan (JO)".into()),
                setup: None,
            };
            mail::enqueue(&txn, config, vec![email], &welcome)
                .await
                .map_err(|e| anyhow::anyhow!("queueing a welcome email: {}", e.problem()))?;
        }
        txn.commit().await?;
    }
    // Fresh statistics, as a long-lived database would have.
    conn.execute_unprepared("ANALYZE").await?;
    conn.close().await?;
    let (email, _) = admin_login(config);
    println!(
        "bench data: {nominations} nominations, {} students, {} classes, {outbox} queued emails in {:.1} s; admin {email}",
        student_count,
        classes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
