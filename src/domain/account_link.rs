//! One-time links that let a person set a password (SPEC §10): what each
//! is for, how long it lives, and how often a reset may be asked for.
use chrono::Duration;

use crate::domain::named::named_enum;

named_enum! {
    /// What a one-time link is for.
    pub enum LinkPurpose: "a link purpose" {
        /// Sent with the welcome email: the person chooses a first password.
        Invitation = "invitation",
        /// Sent on request when a password is forgotten.
        Reset = "reset",
    }
}

impl LinkPurpose {
    /// How long a link stays usable after it is sent.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::Invitation => Duration::hours(72),
            Self::Reset => Duration::hours(1),
        }
    }

    /// The page the link opens.
    pub fn page(self) -> &'static str {
        match self {
            Self::Invitation => "/account/setup",
            Self::Reset => "/account/reset",
        }
    }
}

/// Reset emails sent for one account within [`RESET_WINDOW`], at most.
pub const RESETS_PER_ACCOUNT: u64 = 3;
/// Reset requests from one client address within [`RESET_WINDOW`], at most.
pub const RESETS_PER_CLIENT: u64 = 20;
pub const RESET_WINDOW: Duration = Duration::hours(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_and_pages() {
        let cases = [
            (LinkPurpose::Invitation, 72 * 60, "/account/setup"),
            (LinkPurpose::Reset, 60, "/account/reset"),
        ];
        for (purpose, minutes, page) in cases {
            assert_eq!(purpose.lifetime().num_minutes(), minutes, "{purpose}");
            assert_eq!(purpose.page(), page, "{purpose}");
        }
    }
}
