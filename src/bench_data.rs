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

pub const DEFAULT_EMAIL: &str = "bench.admin@imet.example";
pub const DEFAULT_PASSWORD: &str = "imet-bench-2026";

/// Countries with their share of nominations (percent) and travel estimate.
const COUNTRIES: &[(&str, &str, u64, i64)] = &[
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
const PAST: &[(&str, u64)] = &[("completed", 78), ("withdrawn", 10), ("rejected", 12)];

/// Statuses of nominations to classes still ahead (percent): the work in hand.
const AHEAD: &[(&str, u64)] = &[
    ("draft", 12),
    ("submitted", 30),
    ("waitlisted", 10),
    ("approved", 35),
    ("on_hold", 5),
    ("rejected", 5),
    ("withdrawn", 3),
];

const COURSES: usize = 60;
/// Classes of each course, one every 200 days, the last ones still ahead: ten
/// years of history, so that most nominations are settled ones.
const OFFERINGS_PER_COURSE: i64 = 20;
/// Nominations per student, about.
const PER_STUDENT: usize = 4;
/// Rows per transaction.
const TXN_ROWS: usize = 250_000;

/// Splitmix64: a small deterministic generator, so two runs make the same data.
struct Rng(u64);

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
async fn insert_rows<C: ConnectionTrait>(
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
struct IdCode {
    id: i32,
    code: String,
}

async fn ids_by<C: ConnectionTrait>(db: &C, sql: &str) -> anyhow::Result<Vec<IdCode>> {
    let backend = db.get_database_backend();
    Ok(
        IdCode::find_by_statement(Statement::from_string(backend, sql.to_owned()))
            .all(db)
            .await?,
    )
}

/// An offering as the nominations need it.
struct Class {
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

const NOMINATION_COLS: [&str; 20] = [
    "student_id",
    "offering_id",
    "country_code",
    "program",
    "priority",
    "status",
    "held_from",
    "estimated_cost_cents",
    "committed_cents",
    "fiscal_year",
    "checks",
    "checks_at",
    "submitted_at",
    "decided_at",
    "reason",
    "withdrawal_cause",
    "penalty_cents",
    "created_by",
    "created_at",
    "updated_at",
];

/// Everything the nomination rows are made from.
struct Plan {
    /// The country (index into [`COUNTRIES`]) of every nomination.
    countries: Vec<u8>,
    /// The liaison who created a country's nominations.
    liaisons: Vec<i32>,
    students: Vec<Vec<i32>>,
    classes: Vec<Class>,
    checks: Vec<Value>,
    now: DateTime<Utc>,
}

impl Plan {
    /// Sends the rows in chunks of `per_chunk`; stops early if nobody listens.
    fn generate(
        self,
        rng: &mut Rng,
        per_chunk: usize,
        tx: &tokio::sync::mpsc::Sender<Vec<Vec<Value>>>,
    ) {
        let mut seen = vec![0usize; COUNTRIES.len()];
        let mut rows = Vec::with_capacity(per_chunk);
        for (i, &c) in self.countries.iter().enumerate() {
            let c = c as usize;
            let k = seen[c];
            seen[c] += 1;
            rows.push(self.row(rng, i, c, k));
            if rows.len() == per_chunk || i + 1 == self.countries.len() {
                let chunk = std::mem::replace(&mut rows, Vec::with_capacity(per_chunk));
                if tx.blocking_send(chunk).is_err() {
                    return;
                }
            }
        }
    }

    /// The `k`th nomination of country `c`, `i`th of all.
    fn row(&self, rng: &mut Rng, i: usize, c: usize, k: usize) -> Vec<Value> {
        let now = self.now;
        // Student k mod S, class (hash(student) + round) mod classes: a student's
        // nominations are to distinct classes (at most one active per class).
        let of_country = &self.students[c];
        let s = k % of_country.len();
        let round = k / of_country.len();
        let class = &self.classes[(s * 7919 + round) % self.classes.len()];
        let statuses = if class.start <= now.date_naive() {
            PAST
        } else {
            AHEAD
        };
        let (status, _) = statuses[rng.weighted(statuses.iter().map(|s| s.1))];
        let days = |n: u64| chrono::Duration::seconds((n * 86_400) as i64);
        let class_start = class.start.and_time(chrono::NaiveTime::MIN).and_utc();
        let created = (class_start - days(60) - days(rng.below(120))).min(
            now - days(rng.below(8) + 12) - chrono::Duration::seconds(rng.below(86_400) as i64),
        );
        let submitted = (status != "draft").then(|| created + days(rng.below(5)));
        let decided = matches!(
            status,
            "approved" | "rejected" | "completed" | "withdrawn" | "on_hold"
        )
        .then(|| created + days(6 + rng.below(6)));
        let held_from = (status == "on_hold").then_some("approved");
        let committed = match status {
            "approved" | "completed" | "on_hold" => class.cost,
            _ => 0,
        };
        let (reason, cause, penalty) = match status {
            "rejected" => (Some("Does not meet the English requirement"), None, 0),
            "withdrawn" if rng.below(4) == 0 => (
                Some("Operational commitment at home"),
                Some("liaison"),
                class.cost / 10,
            ),
            "withdrawn" => (Some("Operational commitment at home"), Some("liaison"), 0),
            _ => (None, None, 0),
        };
        let program = if rng.below(10) == 0 { "E-IMET" } else { "IMET" };
        let priority = ["A", "B", "C", "D"][rng.below(4) as usize];
        let updated = decided.or(submitted).unwrap_or(created);
        vec![
            Value::from(of_country[s]),
            class.id.into(),
            COUNTRIES[c].0.into(),
            program.into(),
            priority.into(),
            status.into(),
            held_from.map(str::to_owned).into(),
            class.cost.into(),
            (committed + penalty).into(),
            class.fiscal_year.into(),
            self.checks[i % self.checks.len()].clone(),
            submitted.into(),
            submitted.into(),
            decided.into(),
            reason.map(str::to_owned).into(),
            cause.map(str::to_owned).into(),
            penalty.into(),
            self.liaisons[c].into(),
            created.into(),
            updated.into(),
        ]
    }
}

/// One connection for the whole fill, so every statement sees the schema
/// and rows of the previous ones; on SQLite with a page cache large enough
/// that index pages are written once per transaction.
async fn single_connection(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-1048576")
        });
    }
    Ok(Database::connect(options).await?)
}

/// Drops the secondary indexes of `table` (to build them once, sorted, after
/// a bulk load); returns their names and definitions.
async fn drop_indexes(
    conn: &DatabaseConnection,
    table: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    #[derive(FromQueryResult)]
    struct Index {
        name: String,
        def: String,
    }
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT indexname AS name, indexdef AS def FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = '{table}' \
             AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ),
        _ => format!(
            "SELECT name, sql AS def FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = '{table}' AND sql IS NOT NULL"
        ),
    };
    let indexes = Index::find_by_statement(Statement::from_string(backend, sql))
        .all(conn)
        .await?;
    for index in &indexes {
        conn.execute_unprepared(&format!("DROP INDEX {}", index.name))
            .await?;
    }
    Ok(indexes.into_iter().map(|i| (i.name, i.def)).collect())
}

async fn create_indexes(
    conn: &DatabaseConnection,
    indexes: Vec<(String, String)>,
) -> anyhow::Result<()> {
    for (name, def) in indexes {
        conn.execute_unprepared(&def)
            .await
            .with_context(|| format!("creating index {name} again"))?;
    }
    Ok(())
}

fn admin_login(config: &Config) -> (String, String) {
    config
        .bootstrap_admin
        .clone()
        .unwrap_or_else(|| (DEFAULT_EMAIL.to_owned(), DEFAULT_PASSWORD.to_owned()))
}

/// Countries, users, courses, classes and allocations.
async fn seed_reference<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let rows = COUNTRIES
        .iter()
        .map(|(code, name, _, travel)| {
            vec![
                (*code).into(),
                (*name).into(),
                (*travel).into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        db,
        "countries",
        &[
            "code",
            "name",
            "travel_estimate_cents",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    let (admin_email, password) = admin_login(config);
    let hash = hash_password(password).await?;
    let mut users: Vec<(String, String, &str, Option<&str>)> = vec![
        (
            admin_email.trim().to_lowercase(),
            "Bench Admin".into(),
            Role::Admin.as_str(),
            None,
        ),
        (
            "bench.officer@imet.example".into(),
            "Bench Officer".into(),
            Role::ProgramOfficer.as_str(),
            None,
        ),
    ];
    for (code, name, _, _) in COUNTRIES {
        users.push((
            format!("bench.liaison.{}@imet.example", code.to_ascii_lowercase()),
            format!("Liaison {name}"),
            Role::CountryLiaison.as_str(),
            Some(code),
        ));
    }
    let rows = users
        .into_iter()
        .map(|(email, name, role, country)| {
            vec![
                email.into(),
                name.into(),
                role.into(),
                country.map(str::to_owned).into(),
                hash.clone().into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        db,
        "users",
        &[
            "email",
            "name",
            "role",
            "country_code",
            "password_hash",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    const CATEGORIES: [&str; 5] = ["pme", "technical", "management", "medical", "other"];
    let rows = (0..COURSES)
        .map(|i| {
            let letter = ["B", "D", "P"][i % 3];
            vec![
                format!("{letter}{:06}", 171_000 + i).into(),
                format!("Benchmark Course {i:02}").into(),
                ["US Army War College", "Air University", "Naval War College"][i % 3].into(),
                ["Carlisle, PA", "Maxwell AFB, AL", "Newport, RI"][i % 3].into(),
                "A course of the benchmark catalog.".into(),
                CATEGORIES[i % CATEGORIES.len()].into(),
                (i % 4 == 0).then_some(80).into(),
                Option::<String>::None.into(),
                Option::<String>::None.into(),
                (i % 5 == 0).into(),
                if i % 2 == 0 {
                    "officer"
                } else {
                    "officer;enlisted"
                }
                .into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        db,
        "courses",
        &[
            "masl_id",
            "title",
            "school",
            "location",
            "description",
            "category",
            "ecl_min",
            "opi_min_listening",
            "opi_min_speaking",
            "e_imet",
            "audience",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    let courses = ids_by(db, "SELECT id, masl_id AS code FROM courses ORDER BY id").await?;
    let mut rows = Vec::new();
    for (i, course) in courses.iter().enumerate() {
        for k in 0..OFFERINGS_PER_COURSE {
            let start = today - chrono::Duration::days(3650 - 200 * k - (i as i64 % 30));
            let end = start + Days::new(20 + (i as u64 % 4) * 10);
            rows.push(vec![
                course.id.into(),
                start.into(),
                end.into(),
                10_000.into(),
                0.into(),
                (2_000_000 + i as i64 * 10_000).into(),
                9_000i64.into(),
                if start > today { "open" } else { "closed" }.into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        db,
        "offerings",
        &[
            "course_id",
            "start_date",
            "end_date",
            "seats",
            "seats_taken",
            "tuition_cents",
            "living_allowance_per_day_cents",
            "status",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    let fy = crate::domain::fiscal_year::fiscal_year(today);
    let mut rows = Vec::new();
    for (code, ..) in COUNTRIES {
        for year in fy - 11..=fy + 1 {
            rows.push(vec![
                (*code).into(),
                "IMET".into(),
                year.into(),
                100_000_000_000i64.into(),
                0i64.into(),
                false.into(),
                false.into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        db,
        "allocations",
        &[
            "country_code",
            "program",
            "fiscal_year",
            "allocated_cents",
            "committed_cents",
            "frozen",
            "alert_sent",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await
}

async fn load_classes(db: &DatabaseConnection) -> anyhow::Result<Vec<Class>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
        start_date: NaiveDate,
        end_date: NaiveDate,
        tuition_cents: i64,
        living_allowance_per_day_cents: i64,
    }
    let backend = db.get_database_backend();
    let rows = Row::find_by_statement(Statement::from_string(
        backend,
        "SELECT id, start_date, end_date, tuition_cents, living_allowance_per_day_cents \
         FROM offerings ORDER BY id",
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let days = (r.end_date - r.start_date).num_days() + 1;
            Class {
                id: r.id,
                start: r.start_date,
                fiscal_year: crate::domain::fiscal_year::fiscal_year(r.start_date),
                cost: r.tuition_cents + r.living_allowance_per_day_cents * days + 300_000,
            }
        })
        .collect())
}

/// About one student per [`PER_STUDENT`] nominations of each country; returns
/// the student ids of each country, in the order of [`COUNTRIES`].
async fn seed_students(
    db: &DatabaseConnection,
    per_country: &[usize],
    now: DateTime<Utc>,
    rng: &mut Rng,
) -> anyhow::Result<Vec<Vec<i32>>> {
    const GIVEN: [&str; 8] = [
        "Ali",
        "Omar",
        "Ana",
        "Luis",
        "Sara",
        "Kwame",
        "Bat-Erdene",
        "Priya",
    ];
    const FAMILY: [&str; 8] = [
        "Raza", "Haddad", "Reyes", "Ortega", "Qureshi", "Mensah", "Bold", "Sharma",
    ];
    const RANKS: [(&str, &str); 4] = [
        ("Captain", "O-3"),
        ("Major", "O-4"),
        ("Lieutenant Colonel", "O-5"),
        ("Sergeant First Class", "E-7"),
    ];
    let indexes = drop_indexes(db, "students").await?;
    let txn = db.begin().await?;
    let mut rows = Vec::new();
    for (c, &n) in per_country.iter().enumerate() {
        for k in 0..n.div_ceil(PER_STUDENT).max(1) {
            let (rank, grade) = RANKS[rng.below(4) as usize];
            let born = NaiveDate::from_ymd_opt(1975, 1, 1).unwrap_or_default()
                + Days::new(rng.below(365 * 22));
            rows.push(vec![
                COUNTRIES[c].0.into(),
                GIVEN[rng.below(8) as usize].into(),
                format!("{} {k}", FAMILY[rng.below(8) as usize]).into(),
                born.into(),
                rank.into(),
                grade.into(),
                ["army", "navy", "air_force"][rng.below(3) as usize].into(),
                Option::<String>::None.into(),
                Some("cleared".to_owned()).into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        &txn,
        "students",
        &[
            "country_code",
            "given_names",
            "family_name",
            "date_of_birth",
            "rank",
            "grade",
            "service",
            "email",
            "vetting_status",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;
    txn.commit().await?;
    create_indexes(db, indexes).await?;
    let mut by_country = vec![Vec::new(); COUNTRIES.len()];
    for s in ids_by(
        db,
        "SELECT id, country_code AS code FROM students ORDER BY id",
    )
    .await?
    {
        if let Some(c) = COUNTRIES.iter().position(|c| c.0 == s.code) {
            by_country[c].push(s.id);
        }
    }
    Ok(by_country)
}

/// A few realistic check lists (all met, or one waived), as stored.
fn checks_variants() -> Vec<serde_json::Value> {
    let base = [
        ("country_eligible", "Eligible for IMET"),
        ("english", "ECL 84 (minimum 80), taken 40 days before"),
        ("prerequisites", "No prerequisites"),
        ("audience", "Officer (O-4) may attend"),
        ("vetting", "Cleared 120 days before the class"),
        ("seats", "12 of 30 seats taken"),
        ("funds", "$31,000.00 of $412,000.00 available"),
    ];
    (0..4)
        .map(|v| {
            json!(
                base.iter()
                    .enumerate()
                    .map(|(i, (name, detail))| {
                        let waived = v == 3 && i == 1;
                        json!({"name": name, "passed": !waived, "detail": detail, "waived": waived})
                    })
                    .collect::<Vec<_>>()
            )
        })
        .collect()
}
