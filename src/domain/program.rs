//! Funding and assistance programs a suspension can name (SPEC §2).
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
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
    EnumIter,
    DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Program {
    #[serde(rename = "IMET")]
    #[sea_orm(string_value = "IMET")]
    Imet,
    /// IMET courses certified for civilians and human-rights / civil-military content.
    #[serde(rename = "E-IMET")]
    #[sea_orm(string_value = "E-IMET")]
    EImet,
    #[serde(rename = "FMF")]
    #[sea_orm(string_value = "FMF")]
    Fmf,
    #[serde(rename = "CSF")]
    #[sea_orm(string_value = "CSF")]
    Csf,
}

impl Program {
    pub const ALL: [Program; 4] = [Program::Imet, Program::EImet, Program::Fmf, Program::Csf];

    pub fn as_str(self) -> &'static str {
        match self {
            Program::Imet => "IMET",
            Program::EImet => "E-IMET",
            Program::Fmf => "FMF",
            Program::Csf => "CSF",
        }
    }

    /// Programs that pay for enrollments: IMET (default; also pays E-IMET courses) and FMF.
    pub fn funds_enrollments(self) -> bool {
        matches!(self, Program::Imet | Program::Fmf)
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Program {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Program::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown program `{s}` (expected IMET, E-IMET, FMF or CSF)"))
    }
}

/// The programs a nomination depends on: its funding program, plus E-IMET
/// when the course is an E-IMET course.
pub fn dependencies(funding: Program, course_is_e_imet: bool) -> Vec<Program> {
    let mut programs = vec![funding];
    if course_is_e_imet && funding != Program::EImet {
        programs.push(Program::EImet);
    }
    programs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Program::ALL {
            assert_eq!(p.as_str().parse::<Program>(), Ok(p));
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::json!(p.as_str())
            );
        }
        for bad in ["imet", "ALL", "EIMET", ""] {
            assert!(bad.parse::<Program>().is_err(), "{bad}");
        }
    }

    #[test]
    fn nomination_dependencies() {
        let cases = [
            (Program::Imet, false, vec![Program::Imet]),
            (Program::Imet, true, vec![Program::Imet, Program::EImet]),
            (Program::Fmf, false, vec![Program::Fmf]),
            (Program::Fmf, true, vec![Program::Fmf, Program::EImet]),
        ];
        for (funding, e_imet, expected) in cases {
            assert_eq!(
                dependencies(funding, e_imet),
                expected,
                "{funding} e_imet={e_imet}"
            );
        }
    }

    #[test]
    fn funding_programs() {
        let funding: Vec<_> = Program::ALL
            .into_iter()
            .filter(|p| p.funds_enrollments())
            .collect();
        assert_eq!(funding, vec![Program::Imet, Program::Fmf]);
    }
}
