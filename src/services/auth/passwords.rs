//! Password hashing with argon2id, a bounded number at a time.
use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use tokio::sync::Semaphore;

/// Password hashes computed at once. Each argon2id run holds a buffer of
/// its memory cost: a burst of sign-ins waits here instead of growing memory.
const CONCURRENT_HASHES: usize = 2;
static HASHING: Semaphore = Semaphore::const_new(CONCURRENT_HASHES);

/// argon2id with 12 MiB, 3 passes, 1 lane: one of OWASP's equivalent
/// configurations (with 19 MiB and 2 passes, the crate's default), chosen
/// for the smaller buffer each sign-in holds. A stored hash carries its own
/// parameters, so hashes made with others still verify.
const PARAMS: Params = match Params::new(12 * 1024, 3, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("valid argon2 parameters"),
};

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let _turn = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || {
        argon2()
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
        argon2()
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
    argon2()
        .hash_password(b"no such account, no such password")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_12_mib_and_3_passes_and_old_ones_still_verify() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"),
            "{hash}"
        );
        let cases = [
            (hash.clone(), "correct horse battery", true),
            (hash, "correct horse batterY", false),
            // Made with the crate's default parameters (19 MiB, 2 passes).
            (
                Argon2::default()
                    .hash_password(b"an older password")
                    .unwrap()
                    .to_string(),
                "an older password",
                true,
            ),
            (String::new(), "", false),
        ];
        for (hash, password, verifies) in cases {
            assert_eq!(
                verify_password(password.into(), hash.clone()).await,
                verifies,
                "{password:?} against {hash:?}"
            );
        }
    }
}
