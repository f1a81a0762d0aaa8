//! Funding and assistance programs a suspension can name (SPEC §2).
use super::named::named_enum;

named_enum! {
    #[derive(PartialOrd, Ord)]
    pub enum Program: "a program" {
        Imet = "IMET",
        /// IMET courses certified for civilians and human-rights / civil-military content.
        EImet = "E-IMET",
        Fmf = "FMF",
        Csf = "CSF",
    }
}

impl Program {
    /// Programs that pay for enrollments: IMET (default; also pays E-IMET courses) and FMF.
    pub fn funds_enrollments(self) -> bool {
        matches!(self, Program::Imet | Program::Fmf)
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
