//! Password hashing with argon2id, a bounded number at a time.
use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use tokio::sync::Semaphore;

/// Password hashes computed at once. Each argon2id run holds a 19 MiB
/// buffer: a burst of sign-ins waits here instead of growing memory.
const CONCURRENT_HASHES: usize = 2;
static HASHING: Semaphore = Semaphore::const_new(CONCURRENT_HASHES);

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let _turn = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// Verifies a password against a stored hash on a blocking thread. An
/// empty hash (an invited account without a password yet) verifies nothing,
/// in the time a real one takes.
pub async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_turn) = HASHING.acquire().await else {
        return false;
    };
    let usable = !hash.is_empty();
    let hash = if usable { hash } else { DUMMY_HASH.clone() };
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
        && usable
}

/// A hash to verify against when there is none, so an unknown email costs
/// the same time as a wrong password.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no such account, no such password")
        .map(|h| h.to_string())
        .unwrap_or_default()
});
