//! Country suspensions and eligibility (SPEC §2): a country is eligible for
//! program P on date D iff no suspension covering P is in effect on D
//! (`effective_from <= D < lifted_on`).
use super::named::named_enum;

use chrono::NaiveDate;

use crate::domain::program::Program;

/// What a suspension covers: named programs, or all programs but the exempt ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coverage {
    Programs(Vec<Program>),
    AllExcept(Vec<Program>),
}

impl Coverage {
    /// Builds a coverage from the request's `programs` and `exempt_programs`.
    /// Errors name the field at fault.
    pub fn parse(programs: &[String], exempt: &[String]) -> Result<Self, (&'static str, String)> {
        if programs.is_empty() {
            return Err(("programs", "must name at least one program, or ALL".into()));
        }
        let parse_list = |field: &'static str,
                          list: &[String]|
         -> Result<Vec<Program>, (&'static str, String)> {
            let mut out = Vec::new();
            for name in list {
                let p: Program = name.parse().map_err(|e| (field, e))?;
                if out.contains(&p) {
                    return Err((field, format!("`{p}` is listed twice")));
                }
                out.push(p);
            }
            out.sort();
            Ok(out)
        };
        if programs.iter().any(|p| p == "ALL") {
            if programs.len() > 1 {
                return Err((
                    "programs",
                    "ALL cannot be combined with named programs".into(),
                ));
            }
            let exempt = parse_list("exempt_programs", exempt)?;
            if exempt.len() == Program::ALL.len() {
                return Err(("exempt_programs", "cannot exempt every program".into()));
            }
            Ok(Coverage::AllExcept(exempt))
        } else {
            if !exempt.is_empty() {
                return Err((
                    "exempt_programs",
                    "only allowed with programs [\"ALL\"]".into(),
                ));
            }
            Ok(Coverage::Programs(parse_list("programs", programs)?))
        }
    }

    pub fn covers(&self, program: Program) -> bool {
        match self {
            Coverage::Programs(list) => list.contains(&program),
            Coverage::AllExcept(exempt) => !exempt.contains(&program),
        }
    }

    /// The `programs` list as stored and answered (`["ALL"]` or names).
    pub fn program_names(&self) -> Vec<String> {
        match self {
            Coverage::Programs(list) => list.iter().map(|p| p.to_string()).collect(),
            Coverage::AllExcept(_) => vec!["ALL".into()],
        }
    }

    pub fn exempt_names(&self) -> Vec<String> {
        match self {
            Coverage::Programs(_) => vec![],
            Coverage::AllExcept(exempt) => exempt.iter().map(|p| p.to_string()).collect(),
        }
    }
}

named_enum! {
    /// The legal bases a suspension may cite.
    pub enum LegalBasis: "a legal basis" {
        BrookeAmendment = "brooke_amendment",
        Faa620q = "faa_620q",
        Coup7008 = "coup_7008",
        ChildSoldiersAct = "child_soldiers_act",
        Leahy = "leahy",
        PresidentialDecision = "presidential_decision",
        Other = "other",
    }
}

impl LegalBasis {
    /// Human label, for emails and pages.
    pub fn label(self) -> &'static str {
        match self {
            LegalBasis::BrookeAmendment => "Brooke Amendment (loan arrears)",
            LegalBasis::Faa620q => "FAA section 620q",
            LegalBasis::Coup7008 => "Section 7008 (military coup)",
            LegalBasis::ChildSoldiersAct => "Child Soldiers Prevention Act",
            LegalBasis::Leahy => "Leahy law",
            LegalBasis::PresidentialDecision => "Presidential decision",
            LegalBasis::Other => "Other",
        }
    }
}

/// The facts of one suspension that eligibility depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspensionTerms {
    pub coverage: Coverage,
    pub effective_from: NaiveDate,
    pub lifted_on: Option<NaiveDate>,
}

impl SuspensionTerms {
    /// In effect on `day`: `effective_from <= day < lifted_on`.
    pub fn in_effect_on(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.lifted_on.is_none_or(|lifted| day < lifted)
    }

    /// Blocks `program` on `day`.
    pub fn blocks(&self, program: Program, day: NaiveDate) -> bool {
        self.coverage.covers(program) && self.in_effect_on(day)
    }
}

/// The indexes of the suspensions that block `program` on `day`; eligible
/// when empty.
pub fn blocking<'a>(
    suspensions: impl IntoIterator<Item = &'a SuspensionTerms>,
    program: Program,
    day: NaiveDate,
) -> Vec<usize> {
    suspensions
        .into_iter()
        .enumerate()
        .filter(|(_, s)| s.blocks(program, day))
        .map(|(i, _)| i)
        .collect()
}

/// Checks a lift request: once only, and not before the suspension began.
pub fn check_lift(terms: &SuspensionTerms, lifted_on: NaiveDate) -> Result<(), LiftError> {
    if terms.lifted_on.is_some() {
        return Err(LiftError::AlreadyLifted);
    }
    if lifted_on < terms.effective_from {
        return Err(LiftError::BeforeEffective);
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum LiftError {
    AlreadyLifted,
    BeforeEffective,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// Pakistan, the seed case of SPEC §2.
    fn pakistan() -> Vec<SuspensionTerms> {
        vec![
            SuspensionTerms {
                coverage: Coverage::AllExcept(vec![Program::Imet]),
                effective_from: d("2018-01-04"),
                lifted_on: None,
            },
            SuspensionTerms {
                coverage: Coverage::Programs(vec![Program::Imet]),
                effective_from: d("2018-08-01"),
                lifted_on: Some(d("2020-01-03")),
            },
        ]
    }

    #[test]
    fn seed_case_answers_right_for_any_date() {
        let s = pakistan();
        let cases = [
            (Program::Imet, "2018-01-03", vec![]),
            (Program::Imet, "2018-03-01", vec![]),
            (Program::Imet, "2018-07-31", vec![]),
            (Program::Imet, "2018-08-01", vec![1]),
            (Program::Imet, "2019-06-01", vec![1]),
            (Program::Imet, "2020-01-02", vec![1]),
            (Program::Imet, "2020-01-03", vec![]),
            (Program::Imet, "2026-11-28", vec![]),
            (Program::Fmf, "2018-01-03", vec![]),
            (Program::Fmf, "2018-01-04", vec![0]),
            (Program::Fmf, "2018-03-01", vec![0]),
            (Program::Fmf, "2019-06-01", vec![0]),
            (Program::Fmf, "2026-11-28", vec![0]),
            (Program::Csf, "2026-11-28", vec![0]),
            (Program::EImet, "2019-06-01", vec![0]),
            (Program::EImet, "2026-11-28", vec![0]),
        ];
        for (program, day, expected) in cases {
            assert_eq!(
                blocking(&s, program, d(day)),
                expected,
                "{program} on {day}"
            );
        }
    }

    #[test]
    fn effective_window_is_half_open() {
        let terms = SuspensionTerms {
            coverage: Coverage::Programs(vec![Program::Fmf]),
            effective_from: d("2024-05-10"),
            lifted_on: Some(d("2024-05-12")),
        };
        let cases = [
            ("2024-05-09", false),
            ("2024-05-10", true),
            ("2024-05-11", true),
            ("2024-05-12", false),
        ];
        for (day, expected) in cases {
            assert_eq!(terms.in_effect_on(d(day)), expected, "{day}");
        }
        let same_day = SuspensionTerms {
            lifted_on: Some(d("2024-05-10")),
            ..terms
        };
        assert!(
            !same_day.in_effect_on(d("2024-05-10")),
            "lifted the day it began: never in effect"
        );
    }

    #[test]
    fn coverage_parsing() {
        type Case<'a> = (&'a [&'a str], &'a [&'a str], Result<Coverage, &'a str>);
        let cases: Vec<Case> = vec![
            (
                &["ALL"],
                &["IMET"],
                Ok(Coverage::AllExcept(vec![Program::Imet])),
            ),
            (&["ALL"], &[], Ok(Coverage::AllExcept(vec![]))),
            (
                &["FMF", "IMET"],
                &[],
                Ok(Coverage::Programs(vec![Program::Imet, Program::Fmf])),
            ),
            (
                &["E-IMET"],
                &[],
                Ok(Coverage::Programs(vec![Program::EImet])),
            ),
            (&[], &[], Err("programs")),
            (&["IMET"], &["FMF"], Err("exempt_programs")),
            (&["ALL", "IMET"], &[], Err("programs")),
            (&["NAVY"], &[], Err("programs")),
            (&["IMET", "IMET"], &[], Err("programs")),
            (&["ALL"], &["XYZ"], Err("exempt_programs")),
            (
                &["ALL"],
                &["IMET", "E-IMET", "FMF", "CSF"],
                Err("exempt_programs"),
            ),
        ];
        for (programs, exempt, expected) in cases {
            let got = Coverage::parse(&strings(programs), &strings(exempt));
            match expected {
                Ok(c) => assert_eq!(got, Ok(c), "{programs:?} {exempt:?}"),
                Err(field) => {
                    assert_eq!(got.map_err(|e| e.0), Err(field), "{programs:?} {exempt:?}")
                }
            }
        }
    }

    #[test]
    fn all_versus_exempt() {
        let all_but_imet = Coverage::AllExcept(vec![Program::Imet]);
        let named = Coverage::Programs(vec![Program::Fmf, Program::Csf]);
        let cases = [
            (&all_but_imet, Program::Imet, false),
            (&all_but_imet, Program::EImet, true),
            (&all_but_imet, Program::Fmf, true),
            (&named, Program::Fmf, true),
            (&named, Program::Imet, false),
            (&named, Program::EImet, false),
        ];
        for (coverage, program, expected) in cases {
            assert_eq!(coverage.covers(program), expected, "{coverage:?} {program}");
        }
    }

    #[test]
    fn lifting_rules() {
        let open = pakistan().remove(0);
        let lifted = pakistan().remove(1);
        assert_eq!(check_lift(&open, d("2018-01-04")), Ok(()));
        assert_eq!(check_lift(&open, d("2030-01-01")), Ok(()));
        assert_eq!(
            check_lift(&open, d("2018-01-03")),
            Err(LiftError::BeforeEffective)
        );
        assert_eq!(
            check_lift(&lifted, d("2021-01-01")),
            Err(LiftError::AlreadyLifted)
        );
    }

    #[test]
    fn legal_bases_round_trip() {
        for b in LegalBasis::ALL {
            assert_eq!(b.as_str().parse::<LegalBasis>(), Ok(b));
            assert_eq!(
                serde_json::to_value(b).unwrap(),
                serde_json::json!(b.as_str())
            );
        }
        assert!("martial_law".parse::<LegalBasis>().is_err());
    }
}
