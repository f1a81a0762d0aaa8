//! Students (nominees): grades, the audience category a grade counts as,
//! the age window, and who may attend a course.
use std::{fmt, str::FromStr};

pub use crate::domain::course::Audience;
use chrono::{Datelike, NaiveDate};

/// A pay grade: `O-1`..`O-10`, `W-1`..`W-5`, `E-1`..`E-9`, or `CIV`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grade {
    Officer(u8),
    Warrant(u8),
    Enlisted(u8),
    Civilian,
}

impl Grade {
    /// The course audience this grade belongs to.
    pub fn audience(self) -> Audience {
        match self {
            Grade::Officer(_) | Grade::Warrant(_) => Audience::Officer,
            Grade::Enlisted(_) => Audience::Enlisted,
            Grade::Civilian => Audience::Civilian,
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grade::Officer(n) => write!(f, "O-{n}"),
            Grade::Warrant(n) => write!(f, "W-{n}"),
            Grade::Enlisted(n) => write!(f, "E-{n}"),
            Grade::Civilian => f.write_str("CIV"),
        }
    }
}

impl FromStr for Grade {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("`{s}` is not a grade (O-1..O-10, W-1..W-5, E-1..E-9 or CIV)");
        if s == "CIV" {
            return Ok(Grade::Civilian);
        }
        let (letter, number) = s.split_once('-').ok_or_else(err)?;
        if number.starts_with('0') || number.starts_with('+') {
            return Err(err());
        }
        let n: u8 = number.parse().map_err(|_| err())?;
        match (letter, n) {
            ("O", 1..=10) => Ok(Grade::Officer(n)),
            ("W", 1..=5) => Ok(Grade::Warrant(n)),
            ("E", 1..=9) => Ok(Grade::Enlisted(n)),
            _ => Err(err()),
        }
    }
}

/// Youngest and oldest age a student may have.
pub const MIN_AGE: i32 = 18;
pub const MAX_AGE: i32 = 70;

/// Age in whole years on `today`.
pub fn age_on(date_of_birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - date_of_birth.year();
    if (today.month(), today.day()) < (date_of_birth.month(), date_of_birth.day()) {
        age -= 1;
    }
    age
}

/// Checks a date of birth is plausible: the student is 18 to 70 years old.
pub fn check_date_of_birth(date_of_birth: NaiveDate, today: NaiveDate) -> Result<(), String> {
    let age = age_on(date_of_birth, today);
    if (MIN_AGE..=MAX_AGE).contains(&age) {
        Ok(())
    } else {
        Err(format!(
            "the student must be {MIN_AGE} to {MAX_AGE} years old (is {age})"
        ))
    }
}

/// Whether a student of `grade` may attend a course for `audience`. A
/// civilian may attend only E-IMET courses open to civilians.
pub fn audience_admits(
    grade: Grade,
    audience: &[Audience],
    course_e_imet: bool,
) -> Result<(), String> {
    let category = grade.audience();
    if !audience.contains(&category) {
        let names: Vec<_> = audience.iter().map(|a| a.as_str()).collect();
        return Err(format!(
            "grade {grade} is {}; the course is for {}",
            category.as_str(),
            names.join(", ")
        ));
    }
    if category == Audience::Civilian && !course_e_imet {
        return Err("civilians may attend only E-IMET courses".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn grades_parse_and_map_to_audience() {
        let cases = [
            ("O-1", Some(Audience::Officer)),
            ("O-10", Some(Audience::Officer)),
            ("W-5", Some(Audience::Officer)),
            ("E-1", Some(Audience::Enlisted)),
            ("E-9", Some(Audience::Enlisted)),
            ("CIV", Some(Audience::Civilian)),
            ("O-11", None),
            ("O-0", None),
            ("O-01", None),
            ("W-6", None),
            ("E-10", None),
            ("X-1", None),
            ("civ", None),
            ("O4", None),
            ("", None),
        ];
        for (input, expected) in cases {
            let parsed = input.parse::<Grade>();
            assert_eq!(
                parsed.as_ref().ok().map(|g| g.audience()),
                expected,
                "{input}"
            );
            if let Ok(g) = parsed {
                assert_eq!(g.to_string(), input);
            }
        }
    }

    #[test]
    fn age_window_boundaries() {
        let today = d("2026-11-28");
        let cases = [
            ("2008-11-28", true),  // 18 today
            ("2008-11-29", false), // 18 tomorrow
            ("1956-11-28", true),  // 70 today
            ("1955-11-29", true),  // 70, 71 tomorrow
            ("1955-11-28", false), // 71 today
            ("1990-04-02", true),
            ("2030-01-01", false),
        ];
        for (dob, ok) in cases {
            assert_eq!(check_date_of_birth(d(dob), today).is_ok(), ok, "{dob}");
        }
        assert_eq!(age_on(d("2000-02-29"), d("2026-02-28")), 25);
        assert_eq!(age_on(d("2000-02-29"), d("2026-03-01")), 26);
    }

    #[test]
    fn who_may_attend() {
        use Audience::*;
        let o4: Grade = "O-4".parse().unwrap();
        let e5: Grade = "E-5".parse().unwrap();
        let civ = Grade::Civilian;
        let cases = [
            (o4, vec![Officer], false, true),
            (o4, vec![Enlisted], false, false),
            (e5, vec![Officer, Enlisted], false, true),
            (civ, vec![Officer, Civilian], true, true),
            (civ, vec![Officer, Civilian], false, false),
            (civ, vec![Officer], true, false),
            (o4, vec![Officer, Civilian], true, true),
        ];
        for (grade, audience, e_imet, ok) in cases {
            assert_eq!(
                audience_admits(grade, &audience, e_imet).is_ok(),
                ok,
                "{grade} {audience:?} e_imet={e_imet}"
            );
        }
    }
}
