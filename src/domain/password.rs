//! Password policy.

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted (argon2 cost grows with length).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Checks a new password against the policy.
pub fn check_password(password: &str) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        let long = "x".repeat(257);
        let cases = [
            ("", false),
            ("short", false),
            ("elevenchars", false),
            ("twelve chars", true),
            ("correct horse battery staple", true),
            ("            ", false),
            ("ünïcödé-pässwörd", true),
            (long.as_str(), false),
        ];
        for (pw, ok) in cases {
            assert_eq!(check_password(pw).is_ok(), ok, "{pw:?}");
        }
    }
}
