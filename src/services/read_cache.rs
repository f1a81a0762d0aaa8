//! In-memory copies of read-mostly answers (a bearer token's caller, a
//! catalog page), kept on SQLite only. Each copy remembers the database's
//! write generation ([`crate::db::Generation`]) it was read at and is used
//! only while no write transaction has committed since, so a revocation, a
//! deactivation or a catalog edit is seen by the very next request. On
//! PostgreSQL, which several instances may share, nothing is kept.
use std::hash::Hash;

use quick_cache::sync::Cache;
use sea_orm::DatabaseConnection;

use crate::db::{self, Generation};

/// Entries kept per cache; the least recently used go first.
const CAPACITY: usize = 4096;

pub struct ReadCache<K, V> {
    kept: Option<Kept<K, V>>,
}

/// The copies, each with the generation it was read at, and the generation now.
type Kept<K, V> = (Cache<K, (u64, V)>, Generation);

/// Where a read started: the generation to store its answer under.
#[derive(Clone, Copy)]
pub struct ReadStart(Option<u64>);

impl<K: Eq + Hash + Clone, V: Clone> ReadCache<K, V> {
    /// A cache for `db`: active on SQLite, always empty on PostgreSQL.
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            kept: db::generation(db).map(|generation| (Cache::new(CAPACITY), generation)),
        }
    }

    /// The copy of `key`, if it was read since the last committed write.
    pub fn get(&self, key: &K) -> Option<V> {
        let (cache, generation) = self.kept.as_ref()?;
        let (read_at, value) = cache.get(key)?;
        (read_at == generation.current()).then_some(value)
    }

    /// Call before reading from the database what [`ReadCache::put`] will keep:
    /// a write committed meanwhile then makes the copy stale at once.
    pub fn start(&self) -> ReadStart {
        ReadStart(self.kept.as_ref().map(|(_, g)| g.current()))
    }

    /// Keeps `value`, read from the database after `start`.
    pub fn put(&self, key: K, start: ReadStart, value: V) {
        if let (Some((cache, _)), ReadStart(Some(read_at))) = (&self.kept, start) {
            cache.insert(key, (read_at, value));
        }
    }
}
