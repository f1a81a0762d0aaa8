//! Nomination checks: each has a name, a pass/fail and a readable detail;
//! some may be waived by a program officer.
use super::{named::named_enum, nomination::Status};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

named_enum! {
    pub enum CheckName: "a check" {
        CountryEligible = "country_eligible",
        English = "english",
        Prerequisites = "prerequisites",
        Audience = "audience",
        Vetting = "vetting",
        /// DoD security screening: a travel order needs it, approval doesn't.
        Security = "security",
        Seats = "seats",
        Funds = "funds",
    }
}

impl CheckName {
    /// Checks a program officer may waive (vetting never is).
    pub fn waivable(self) -> bool {
        matches!(
            self,
            CheckName::English | CheckName::Prerequisites | CheckName::CountryEligible
        )
    }

    /// Whether a waiver of this check may be granted on a nomination in
    /// `status`: country eligibility while it is a draft or on hold (a
    /// suspension), the other waivable checks until it is decided.
    pub fn waivable_on(self, status: Status) -> bool {
        match self {
            CheckName::CountryEligible => matches!(status, Status::Draft | Status::OnHold),
            _ => {
                self.waivable()
                    && matches!(
                        status,
                        Status::Draft | Status::Submitted | Status::Waitlisted | Status::OnHold
                    )
            }
        }
    }

    /// Checks whose failure blocks approval with `checks_unmet` (seats and
    /// funds answer their own codes).
    pub fn gates_approval(self) -> bool {
        !matches!(self, CheckName::Seats | CheckName::Funds)
    }
}

/// One check result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Check {
    pub name: CheckName,
    pub passed: bool,
    pub detail: String,
    /// A waiver covers this check.
    #[serde(default)]
    pub waived: bool,
}

impl Check {
    pub fn from_result(name: CheckName, result: Result<String, String>, waived: bool) -> Self {
        let (passed, detail) = match result {
            Ok(detail) => (true, detail),
            Err(detail) => (false, detail),
        };
        Self {
            name,
            passed,
            detail,
            waived: waived && name.waivable(),
        }
    }

    /// Met, or waived.
    pub fn satisfied(&self) -> bool {
        self.passed || self.waived
    }
}

/// The checks that block approval: unmet, not waived, and gating.
pub fn unmet_for_approval(checks: &[Check]) -> Vec<CheckName> {
    checks
        .iter()
        .filter(|c| c.name.gates_approval() && !c.satisfied())
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivable_and_gating() {
        let cases = [
            (CheckName::CountryEligible, true, true),
            (CheckName::English, true, true),
            (CheckName::Prerequisites, true, true),
            (CheckName::Audience, false, true),
            (CheckName::Vetting, false, true),
            (CheckName::Security, false, true),
            (CheckName::Seats, false, false),
            (CheckName::Funds, false, false),
        ];
        for (name, waivable, gates) in cases {
            assert_eq!(name.waivable(), waivable, "{name}");
            assert_eq!(name.gates_approval(), gates, "{name}");
            assert_eq!(name.as_str().parse::<CheckName>(), Ok(name));
        }
    }

    #[test]
    fn when_a_waiver_may_be_granted() {
        use Status::*;
        let undecided = [Draft, Submitted, Waitlisted, OnHold];
        let cases = [
            (CheckName::CountryEligible, vec![Draft, OnHold]),
            (CheckName::English, undecided.to_vec()),
            (CheckName::Prerequisites, undecided.to_vec()),
            (CheckName::Audience, vec![]),
            (CheckName::Vetting, vec![]),
            (CheckName::Security, vec![]),
            (CheckName::Seats, vec![]),
            (CheckName::Funds, vec![]),
        ];
        for (name, allowed) in cases {
            for status in Status::ALL {
                assert_eq!(
                    name.waivable_on(status),
                    allowed.contains(&status),
                    "{name} on {status}"
                );
            }
        }
    }

    #[test]
    fn unmet_checks_for_approval() {
        let c = |name, ok: bool, waived| {
            Check::from_result(
                name,
                if ok {
                    Ok("ok".into())
                } else {
                    Err("no".into())
                },
                waived,
            )
        };
        let cases = [
            (
                vec![
                    c(CheckName::English, true, false),
                    c(CheckName::Vetting, true, false),
                ],
                vec![],
            ),
            (
                vec![c(CheckName::English, false, false)],
                vec![CheckName::English],
            ),
            (vec![c(CheckName::English, false, true)], vec![]),
            (
                vec![c(CheckName::Vetting, false, true)],
                vec![CheckName::Vetting],
            ), // never waivable
            (
                vec![c(CheckName::Audience, false, true)],
                vec![CheckName::Audience],
            ),
            (
                vec![
                    c(CheckName::Seats, false, false),
                    c(CheckName::Funds, false, false),
                ],
                vec![],
            ),
            (
                vec![
                    c(CheckName::CountryEligible, false, false),
                    c(CheckName::Prerequisites, false, false),
                ],
                vec![CheckName::CountryEligible, CheckName::Prerequisites],
            ),
        ];
        for (checks, expected) in cases {
            assert_eq!(unmet_for_approval(&checks), expected, "{checks:?}");
        }
    }
}
