//! Database connection and the one way to open a write transaction, with
//! what every layer above writes and reads alike: audit records and pages.
//!
//! SQLite takes one writer at a time. Rather than letting writers collide in
//! `BEGIN IMMEDIATE` and sleep in SQLite's busy handler (whose back-off
//! sleeps dominate latency under load), write transactions on one SQLite file
//! queue in the application, first come first served, while reads use the
//! rest of the pool. PostgreSQL needs no such queue.
pub mod audit;
pub mod pagination;

use std::{
    cell::Cell,
    collections::HashMap,
    ops::Deref,
    path::{Path, PathBuf},
    sync::{
        Arc, LazyLock, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use tokio::sync::OwnedMutexGuard;

/// SQLite connections: each runs on a thread of its own, and every query
/// hands its rows across threads; with few cores, more connections only add
/// context switches (the catalog GET served 1,650 req/s with 2, 1,010 with 8).
const SQLITE_CONNECTIONS: u32 = 4;

/// The longest wait for a pooled connection, opening one included: a
/// database out of reach answers 503 after this, never a hang.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Prepared statements kept per connection: every statement the service
/// runs, with room to spare, so hot paths never re-prepare.
const STATEMENT_CACHE: usize = 512;

/// Connects to `url` (SQLite or PostgreSQL). For SQLite, creates the parent
/// directory and sets WAL, a busy timeout, foreign keys and `synchronous =
/// NORMAL` on every pooled connection.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if is_sqlite(url) {
            SQLITE_CONNECTIONS
        } else {
            16
        })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false);
    if is_sqlite(url) {
        if let Some(dir) = sqlite_file(url).and_then(|f| Path::new(f).parent().map(Path::to_owned))
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(&dir)?;
        }
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .synchronous(SqliteSynchronous::Normal)
                .statement_cache_capacity(STATEMENT_CACHE)
        });
    } else {
        options.map_sqlx_postgres_opts(|opts| opts.statement_cache_capacity(STATEMENT_CACHE));
    }
    Ok(Database::connect(options).await?)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A write transaction. On SQLite it holds its file's writer turn until it
/// commits or is dropped (rolled back).
pub struct WriteTxn {
    txn: DatabaseTransaction,
    turn: Option<(OwnedMutexGuard<()>, Generation)>,
}

/// How many write transactions have committed on one SQLite file in this
/// process. In-memory copies of rows (see [`crate::services::read_cache`])
/// are valid only for the generation they were read at. SQLite is served by
/// one process, so every write to the file that matters goes through here;
/// PostgreSQL, shared by several instances, has no generation and no such
/// copies.
#[derive(Clone, Debug, Default)]
pub struct Generation(Arc<AtomicU64>);

impl Generation {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    fn advance(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// The write generation of `db`'s SQLite file; `None` on PostgreSQL.
pub fn generation(db: &DatabaseConnection) -> Option<Generation> {
    (db.get_database_backend() == DbBackend::Sqlite).then(|| shared_file(db).generation)
}

/// Opens a write transaction. On SQLite it first waits for the file's writer
/// turn, then runs `BEGIN IMMEDIATE`, so it never fails mid-transaction on a
/// lock.
pub async fn write_txn(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let turn = match sqlite {
        true => {
            let file = shared_file(db);
            Some((file.writers.lock_owned().await, file.generation))
        }
        false => None,
    };
    let options = TransactionOptions {
        sqlite_transaction_mode: sqlite.then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(WriteTxn {
        txn: db.begin_with_options(options).await?,
        turn,
    })
}

/// One SQLite file's queue of writers and its write generation, shared by
/// every pool on it.
#[derive(Clone, Default)]
struct SqliteFile {
    writers: Arc<tokio::sync::Mutex<()>>,
    generation: Generation,
}

fn shared_file(db: &DatabaseConnection) -> SqliteFile {
    static FILES: LazyLock<Mutex<HashMap<PathBuf, SqliteFile>>> = LazyLock::new(Mutex::default);
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_owned();
    let mut files = FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    files.entry(file).or_default().clone()
}

tokio::task_local! {
    static COMMITS: Cell<u32>;
}

/// Runs `work`, answering its output and how many write transactions it
/// committed (on this task).
pub async fn counting_commits<F: Future>(work: F) -> (F::Output, u32) {
    COMMITS
        .scope(Cell::new(0), async {
            let output = work.await;
            (output, COMMITS.with(Cell::get))
        })
        .await
}

impl WriteTxn {
    /// Commits, then lets the next writer in.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        // Outside `counting_commits` (a background job) nobody counts.
        let _ = COMMITS.try_with(|count| count.set(count.get() + 1));
        if let Some((_, generation)) = &self.turn {
            generation.advance();
        }
        Ok(())
    }

    /// Makes every transaction that takes the same `lock` wait for this one
    /// to end, so that what it reads stays true until it commits: an
    /// advisory lock on PostgreSQL; nothing on SQLite, whose write
    /// transactions run one at a time already.
    pub async fn serialize_on(&self, lock: i64) -> Result<(), DbErr> {
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn
                .execute_unprepared(&format!("SELECT pg_advisory_xact_lock({lock})"))
                .await?;
        }
        Ok(())
    }

    /// Rolls back, then lets the next writer in.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}
