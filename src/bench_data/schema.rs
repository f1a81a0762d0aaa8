//! The one connection of the fill, and the indexes dropped for it and built after.
use super::*;

/// One connection for the whole fill, so every statement sees the schema
/// and rows of the previous ones; on SQLite with a page cache large enough
/// that index pages are written once per transaction.
pub(super) async fn single_connection(url: &str) -> anyhow::Result<DatabaseConnection> {
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
pub(super) async fn drop_indexes(
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

pub(super) async fn create_indexes(
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

pub(super) fn admin_login(config: &Config) -> (String, String) {
    config
        .bootstrap_admin
        .clone()
        .unwrap_or_else(|| (DEFAULT_EMAIL.to_owned(), DEFAULT_PASSWORD.to_owned()))
}
