//! The password rule of SPEC §10, the same for every path that sets one
//! (invitation, reset, change, an admin, the CLI).

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted (argon2's cost grows with length).
pub const MAX_PASSWORD_LEN: usize = 128;
/// A local part shorter than this is too common a string to forbid.
const MIN_LOCAL_PART_LEN: usize = 3;

/// Common passwords, lowercased, one per line: refused whatever their case.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// What the rule asks, in words for forms.
pub const PASSWORD_HINT: &str = "12 to 128 characters, not a common password, \
    and not containing the part of your email address before the @.";

/// The part of the rule that needs nothing but the password: its length,
/// and not blank.
pub fn check_length(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!("must be at least {MIN_PASSWORD_LEN} characters"));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(format!("must be at most {MAX_PASSWORD_LEN} characters"));
    }
    if password.trim().is_empty() {
        return Err("must not be blank".into());
    }
    Ok(())
}

/// Checks a new password for the account of `email` against the rule.
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    check_length(password)?;
    let lowered = password.to_lowercase();
    let local_part = email
        .split('@')
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    if local_part.chars().count() >= MIN_LOCAL_PART_LEN && lowered.contains(&local_part) {
        return Err("must not contain the part of your email address before the @".into());
    }
    if COMMON_PASSWORDS.lines().any(|common| common == lowered) {
        return Err("is too common: choose one that is harder to guess".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let longest = "x".repeat(127) + "y";
        let too_long = "x".repeat(128) + "y";
        let email = "amina.khan@mod.gov.pk";
        let cases = [
            ("", Err("must be at least 12 characters")),
            ("short", Err("must be at least 12 characters")),
            ("elevenchars", Err("must be at least 12 characters")),
            ("twelve chars", Ok(())),
            ("correct horse battery staple", Ok(())),
            ("            ", Err("must not be blank")),
            ("ünïcödé-pässwörd", Ok(())),
            (longest.as_str(), Ok(())),
            (too_long.as_str(), Err("must be at most 128 characters")),
            (
                "amina.khan-2026!",
                Err("must not contain the part of your email address before the @"),
            ),
            (
                "My AMINA.KHAN password",
                Err("must not contain the part of your email address before the @"),
            ),
            ("amina khan 2026", Ok(())),
            (
                "password1234",
                Err("is too common: choose one that is harder to guess"),
            ),
            (
                "QWERTY123456",
                Err("is too common: choose one that is harder to guess"),
            ),
            (
                "administrator",
                Err("is too common: choose one that is harder to guess"),
            ),
            ("administrator of plans", Ok(())),
        ];
        for (password, expected) in cases {
            assert_eq!(
                check_password(password, email),
                expected.map_err(String::from),
                "{password:?}"
            );
        }
    }

    #[test]
    fn a_short_local_part_is_not_forbidden() {
        assert_eq!(
            check_password("a long passphrase", "al@example.org"),
            Ok(())
        );
        assert!(check_password("a long passphrase", "phrase@example.org").is_err());
    }

    #[test]
    fn the_list_is_lowercase() {
        assert!(COMMON_PASSWORDS.lines().count() > 19_000);
        assert!(COMMON_PASSWORDS.lines().all(|l| l == l.to_lowercase()));
    }
}
