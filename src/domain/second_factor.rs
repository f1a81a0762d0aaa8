//! Two-factor sign-in (SPEC §10): TOTP codes of RFC 6238 (6 digits, 30 s,
//! one step either side), each accepted once; one-time recovery codes; and
//! who must enrol.
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::domain::{named::named_enum, role::Role};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "IMET Enrollment";
/// Recovery codes given when two-factor sign-in is turned on.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes of a TOTP secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

named_enum! {
    /// Who must turn on two-factor sign-in before doing anything else
    /// (`IMET_REQUIRE_2FA`).
    pub enum Policy: "a two-factor policy" {
        /// Anyone may; nobody must.
        Optional = "optional",
        /// Admins and program officers must.
        Staff = "staff",
    }
}

impl Policy {
    /// Whether an account of `role` must have a second factor.
    pub fn requires(self, role: Role) -> bool {
        match self {
            Self::Optional => false,
            Self::Staff => role.is_staff(),
        }
    }

    /// Whether an account of `role`, `enrolled` or not, must turn on
    /// two-factor sign-in before it may do anything else.
    pub fn must_enrol(self, role: Role, enrolled: bool) -> bool {
        !enrolled && self.requires(role)
    }
}

/// The secret as an authenticator app takes it: unpadded base32.
pub fn secret_text(bytes: &[u8]) -> String {
    Secret::from(bytes.to_vec()).to_base32()
}

/// The TOTP generator of a stored secret, named for `account` (the email).
pub fn generator(secret: &str, account: &str) -> Result<Totp, String> {
    let bytes = Secret::try_from_base32(secret).map_err(|e| format!("unreadable secret: {e}"))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(bytes)
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| format!("unusable secret: {e}"))
}

/// What a code sent with a sign-in proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code of this time step, not used before.
    Accepted(u64),
    /// A right code whose step was already used: refused (no replay).
    Replayed,
    Wrong,
}

/// Checks `code` at `unix_time`, given the last step accepted for the
/// account. Spaces in the code are ignored; it must be six digits.
pub fn check_code(totp: &Totp, code: &str, unix_time: u64, last_step: Option<u64>) -> CodeCheck {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return CodeCheck::Wrong;
    }
    match totp.check(&code, unix_time) {
        None => CodeCheck::Wrong,
        Some(step) if last_step.is_some_and(|last| step <= last) => CodeCheck::Replayed,
        Some(step) => CodeCheck::Accepted(step),
    }
}

/// A recovery code as shown: ten base32 letters and digits in two groups.
pub fn recovery_code_text(bytes: &[u8; 7]) -> String {
    let text = Secret::from(bytes.to_vec()).to_base32().to_lowercase();
    format!("{}-{}", &text[..5], &text[5..10])
}

/// A recovery code as typed, in the form it is hashed in: lowercase,
/// without spaces and hyphens.
pub fn normalize_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test secret ("12345678901234567890").
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn who_must_enrol() {
        let cases = [
            (Policy::Optional, Role::Admin, false, false),
            (Policy::Optional, Role::CountryLiaison, false, false),
            (Policy::Staff, Role::Admin, false, true),
            (Policy::Staff, Role::Admin, true, false),
            (Policy::Staff, Role::ProgramOfficer, false, true),
            (Policy::Staff, Role::ProgramOfficer, true, false),
            (Policy::Staff, Role::CountryLiaison, false, false),
        ];
        for (policy, role, enrolled, must) in cases {
            assert_eq!(
                policy.must_enrol(role, enrolled),
                must,
                "{policy} {role} enrolled: {enrolled}"
            );
        }
        assert_eq!("staff".parse(), Ok(Policy::Staff));
        assert!("everyone".parse::<Policy>().is_err());
    }

    #[test]
    fn codes_of_rfc_6238_within_one_step() {
        let totp = generator(&secret_text(RFC_SECRET), "a@example.org").unwrap();
        // RFC 6238 appendix B: T = 59 s gives 94287082, whose last six digits are the code.
        let t = 59;
        let step = t / 30;
        let cases = [
            ("287082", t, None, CodeCheck::Accepted(step)),
            ("287 082", t, None, CodeCheck::Accepted(step)),
            ("287082", t + 30, None, CodeCheck::Accepted(step)),
            ("287082", t - 30, None, CodeCheck::Accepted(step)),
            ("287082", t + 60, None, CodeCheck::Wrong),
            ("287082", t, Some(step - 1), CodeCheck::Accepted(step)),
            ("287082", t, Some(step), CodeCheck::Replayed),
            ("287082", t, Some(step + 1), CodeCheck::Replayed),
            ("287083", t, None, CodeCheck::Wrong),
            ("28708", t, None, CodeCheck::Wrong),
            ("2870822", t, None, CodeCheck::Wrong),
            ("28708a", t, None, CodeCheck::Wrong),
            ("", t, None, CodeCheck::Wrong),
        ];
        for (code, time, last, expected) in cases {
            assert_eq!(
                check_code(&totp, code, time, last),
                expected,
                "{code:?} at {time} after {last:?}"
            );
        }
    }

    #[test]
    fn the_otpauth_uri_names_issuer_and_account() {
        let totp = generator(&secret_text(RFC_SECRET), "amina@mod.gov.pk").unwrap();
        let uri = totp.to_url().unwrap();
        assert!(
            uri.starts_with("otpauth://totp/IMET%20Enrollment:amina%40mod.gov.pk?"),
            "{uri}"
        );
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(generator("not base32!", "a@example.org").is_err());
    }

    #[test]
    fn recovery_codes_read_back_however_typed() {
        let shown = recovery_code_text(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(shown.len(), 11);
        assert_eq!(&shown[5..6], "-");
        let cases = [
            (shown.clone(), shown.replace('-', "")),
            (shown.to_uppercase(), shown.replace('-', "")),
            (
                format!(" {} ", shown.replace('-', " ")),
                shown.replace('-', ""),
            ),
        ];
        for (typed, normal) in cases {
            assert_eq!(normalize_recovery_code(&typed), normal, "{typed:?}");
        }
    }
}
