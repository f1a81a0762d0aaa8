//! English proficiency (SPEC §2): the latest score of each kind counts; an
//! ECL is valid from `taken_on` through `taken_on + ecl_validity_days`, an
//! OPI through `+ opi_validity_days`. The check passes when, on the day it
//! runs, a valid score meets each minimum the course sets. A student whose
//! country is exempt from ECL testing in the fiscal year of the class
//! (SPEC §7) meets the ECL minimum without a score; OPI minimums still apply.
use chrono::{Days, NaiveDate};

use crate::domain::ilr::Opi;

/// An English Comprehension Level score, 0 to 100. Built only through
/// [`EclScore::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EclScore(i32);

impl EclScore {
    pub fn parse(score: i32) -> Result<Self, &'static str> {
        if (0..=100).contains(&score) {
            Ok(Self(score))
        } else {
            Err("must be between 0 and 100")
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// The last day a score taken on `taken_on` is valid.
pub fn valid_through(taken_on: NaiveDate, validity_days: i64) -> NaiveDate {
    taken_on
        .checked_add_days(Days::new(validity_days.max(0) as u64))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a score taken on `taken_on` is valid on `day`.
pub fn valid_on(taken_on: NaiveDate, day: NaiveDate, validity_days: i64) -> bool {
    taken_on <= day && day <= valid_through(taken_on, validity_days)
}

/// A course's English minimums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnglishMinimums {
    pub ecl: Option<i32>,
    pub opi: Option<Opi>,
}

/// A student's latest scores, with the day each was taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatestScores {
    pub ecl: Option<(i32, NaiveDate)>,
    pub opi: Option<(Opi, NaiveDate)>,
}

/// Validity windows in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    pub ecl_days: i64,
    pub opi_days: i64,
}

/// The English check on `day`: `Ok(detail)` when every minimum is met by a
/// valid latest score, else `Err(detail)` saying what is missing.
/// `ecl_exempt_in` is the fiscal year whose ECL exemption covers the
/// student's country, if one does: the ECL minimum is then met whatever the
/// score.
pub fn english_check(
    minimums: EnglishMinimums,
    scores: LatestScores,
    ecl_exempt_in: Option<i32>,
    day: NaiveDate,
    windows: Windows,
) -> Result<String, String> {
    let mut met = Vec::new();
    let mut unmet = Vec::new();
    if let Some(min) = minimums.ecl {
        match (ecl_exempt_in, scores.ecl) {
            (Some(fy), _) => met.push(format!("exempt from ECL testing in FY{fy}")),
            (None, None) => unmet.push(format!("no ECL score (ECL {min} required)")),
            (None, Some((score, taken))) if !valid_on(taken, day, windows.ecl_days) => {
                unmet.push(format!(
                    "ECL {score} of {taken} is not valid on {day} (valid through {})",
                    valid_through(taken, windows.ecl_days)
                ))
            }
            (None, Some((score, taken))) if score < min => unmet.push(format!(
                "ECL {score} of {taken} is below the required {min}"
            )),
            (None, Some((score, taken))) => met.push(format!("ECL {score} of {taken} meets {min}")),
        }
    }
    if let Some(min) = minimums.opi {
        match scores.opi {
            None => unmet.push(format!("no OPI score (OPI {min} required)")),
            Some((opi, taken)) if !valid_on(taken, day, windows.opi_days) => unmet.push(format!(
                "OPI {opi} of {taken} is not valid on {day} (valid through {})",
                valid_through(taken, windows.opi_days)
            )),
            Some((opi, taken)) if opi.listening < min.listening || opi.speaking < min.speaking => {
                unmet.push(format!("OPI {opi} of {taken} is below the required {min}"))
            }
            Some((opi, taken)) => met.push(format!("OPI {opi} of {taken} meets {min}")),
        }
    }
    if !unmet.is_empty() {
        Err(unmet.join("; "))
    } else if met.is_empty() {
        Ok("the course sets no English minimum".into())
    } else {
        Ok(met.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecl_scores_are_zero_to_a_hundred() {
        let cases = [
            (0, true),
            (55, true),
            (100, true),
            (-1, false),
            (101, false),
        ];
        for (score, ok) in cases {
            assert_eq!(
                EclScore::parse(score).map(EclScore::get).is_ok(),
                ok,
                "{score}"
            );
        }
        assert_eq!(EclScore::parse(80).unwrap().get(), 80);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn opi(s: &str) -> Opi {
        Opi::parse_pair(s).unwrap()
    }

    const WINDOWS: Windows = Windows {
        ecl_days: 105,
        opi_days: 180,
    };

    #[test]
    fn validity_boundaries() {
        let taken = d("2026-05-01");
        let cases = [
            ("2026-04-30", 105, false), // before it was taken
            ("2026-05-01", 105, true),
            ("2026-08-14", 105, true),  // taken + 105
            ("2026-08-15", 105, false), // taken + 106
            ("2026-10-28", 180, true),  // taken + 180
            ("2026-10-29", 180, false),
        ];
        for (day, days, ok) in cases {
            assert_eq!(valid_on(taken, d(day), days), ok, "{day} within {days}");
        }
    }

    #[test]
    fn english_check_table() {
        let day = d("2026-06-01");
        let ecl80 = EnglishMinimums {
            ecl: Some(80),
            opi: None,
        };
        let ecl80_opi22 = EnglishMinimums {
            ecl: Some(80),
            opi: Some(opi("2/2")),
        };
        let opi2p2 = EnglishMinimums {
            ecl: None,
            opi: Some(opi("2+/2")),
        };
        let scores = |ecl: Option<(i32, &str)>, o: Option<(&str, &str)>| LatestScores {
            ecl: ecl.map(|(s, t)| (s, d(t))),
            opi: o.map(|(p, t)| (opi(p), d(t))),
        };
        let opi22 = EnglishMinimums {
            ecl: None,
            opi: Some(opi("2/2")),
        };
        // minimums, latest scores, fiscal year of an ECL exemption, passes,
        // and how the detail begins.
        let cases = [
            (
                EnglishMinimums::default(),
                scores(None, None),
                None,
                true,
                "the course sets no English minimum",
            ),
            (
                ecl80,
                scores(Some((82, "2026-05-01")), None),
                None,
                true,
                "ECL 82",
            ),
            (
                ecl80,
                scores(Some((80, "2026-05-01")), None),
                None,
                true,
                "ECL 80",
            ),
            (
                ecl80,
                scores(Some((79, "2026-05-01")), None),
                None,
                false,
                "ECL 79",
            ),
            (ecl80, scores(None, None), None, false, "no ECL score"),
            // 106 days before
            (
                ecl80,
                scores(Some((90, "2026-02-15")), None),
                None,
                false,
                "ECL 90",
            ),
            // 105 days before
            (
                ecl80,
                scores(Some((90, "2026-02-16")), None),
                None,
                true,
                "ECL 90",
            ),
            // taken after the day
            (
                ecl80,
                scores(Some((90, "2026-06-02")), None),
                None,
                false,
                "ECL 90",
            ),
            (
                ecl80_opi22,
                scores(Some((85, "2026-05-01")), None),
                None,
                false,
                "no OPI score",
            ),
            (
                ecl80_opi22,
                scores(Some((85, "2026-05-01")), Some(("2/2", "2026-01-01"))),
                None,
                true,
                "ECL 85",
            ),
            // 181 days
            (
                ecl80_opi22,
                scores(Some((85, "2026-05-01")), Some(("2/2", "2025-12-02"))),
                None,
                false,
                "OPI 2/2",
            ),
            (
                ecl80_opi22,
                scores(Some((85, "2026-05-01")), Some(("2/1+", "2026-05-01"))),
                None,
                false,
                "OPI 2/1+",
            ),
            // 2 < 2+
            (
                opi2p2,
                scores(None, Some(("2/2", "2026-05-01"))),
                None,
                false,
                "OPI 2/2",
            ),
            (
                opi2p2,
                scores(None, Some(("2+/2", "2026-05-01"))),
                None,
                true,
                "OPI 2+/2",
            ),
            (
                opi2p2,
                scores(None, Some(("3/2+", "2026-05-01"))),
                None,
                true,
                "OPI 3/2+",
            ),
            // Exempt from ECL testing: met without a score, or with one that
            // would fail.
            (
                ecl80,
                scores(None, None),
                Some(2026),
                true,
                "exempt from ECL testing in FY2026",
            ),
            (
                ecl80,
                scores(Some((40, "2026-05-01")), None),
                Some(2026),
                true,
                "exempt from ECL testing in FY2026",
            ),
            (
                ecl80,
                scores(Some((90, "2025-01-01")), None),
                Some(2027),
                true,
                "exempt from ECL testing in FY2027",
            ),
            // ... but OPI minimums still apply.
            (
                ecl80_opi22,
                scores(None, None),
                Some(2026),
                false,
                "no OPI score",
            ),
            (
                ecl80_opi22,
                scores(None, Some(("2/1", "2026-05-01"))),
                Some(2026),
                false,
                "OPI 2/1 of 2026-05-01 is below",
            ),
            (
                ecl80_opi22,
                scores(None, Some(("2/2", "2026-05-01"))),
                Some(2026),
                true,
                "exempt from ECL testing in FY2026; OPI 2/2",
            ),
            // An exemption is moot for a course without an ECL minimum.
            (
                opi22,
                scores(None, Some(("2/2", "2026-05-01"))),
                Some(2026),
                true,
                "OPI 2/2",
            ),
            (opi22, scores(None, None), Some(2026), false, "no OPI score"),
            (
                EnglishMinimums::default(),
                scores(None, None),
                Some(2026),
                true,
                "the course sets no English minimum",
            ),
        ];
        for (minimums, latest, exempt, ok, begins) in cases {
            let result = english_check(minimums, latest, exempt, day, WINDOWS);
            let what = format!("{minimums:?} {latest:?} exempt {exempt:?}: {result:?}");
            assert_eq!(result.is_ok(), ok, "{what}");
            let detail = result.unwrap_or_else(|unmet| unmet);
            assert!(detail.starts_with(begins), "{what}");
        }
    }
}
