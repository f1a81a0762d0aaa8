//! Nomination checks: each has a name, a pass/fail and a readable detail;
//! some may be waived by a program officer.
use std::{fmt, str::FromStr};

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    EnumIter,
    DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum CheckName {
    CountryEligible,
    English,
    Prerequisites,
    Audience,
    Vetting,
    Seats,
    Funds,
}

impl CheckName {
    pub const ALL: [CheckName; 7] = [
        CheckName::CountryEligible,
        CheckName::English,
        CheckName::Prerequisites,
        CheckName::Audience,
        CheckName::Vetting,
        CheckName::Seats,
        CheckName::Funds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::CountryEligible => "country_eligible",
            CheckName::English => "english",
            CheckName::Prerequisites => "prerequisites",
            CheckName::Audience => "audience",
            CheckName::Vetting => "vetting",
            CheckName::Seats => "seats",
            CheckName::Funds => "funds",
        }
    }

    /// Checks a program officer may waive (vetting never is).
    pub fn waivable(self) -> bool {
        matches!(
            self,
            CheckName::English | CheckName::Prerequisites | CheckName::CountryEligible
        )
    }

    /// Checks whose failure blocks approval with `checks_unmet` (seats and
    /// funds answer their own codes).
    pub fn gates_approval(self) -> bool {
        !matches!(self, CheckName::Seats | CheckName::Funds)
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CheckName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckName::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown check `{s}`"))
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
