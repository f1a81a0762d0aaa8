//! Training MASL ids: the catalog key of a course. One letter names the
//! implementing agency (`B` Army, `D` Air Force, `P` Navy), then six digits.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The military department that implements a course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    Army,
    AirForce,
    Navy,
}

impl Agency {
    pub const ALL: [Agency; 3] = [Agency::Army, Agency::AirForce, Agency::Navy];

    pub fn as_str(self) -> &'static str {
        match self {
            Agency::Army => "army",
            Agency::AirForce => "air_force",
            Agency::Navy => "navy",
        }
    }

    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Agency::Army => "Army",
            Agency::AirForce => "Air Force",
            Agency::Navy => "Navy",
        }
    }

    /// The first letter of the MASL ids of this agency's courses.
    pub fn letter(self) -> char {
        match self {
            Agency::Army => 'B',
            Agency::AirForce => 'D',
            Agency::Navy => 'P',
        }
    }

    fn from_letter(letter: char) -> Option<Self> {
        Agency::ALL.into_iter().find(|a| a.letter() == letter)
    }
}

impl fmt::Display for Agency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A well-formed training MASL id, upper case (`B171807`). Built only through
/// [`MaslId::parse`], so it always names an agency and six digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MaslId(String);

impl MaslId {
    /// Parses `B|D|P` + 6 digits; surrounding spaces and a lower-case letter
    /// are accepted and normalized.
    pub fn parse(input: &str) -> Result<Self, String> {
        let id = input.trim().to_ascii_uppercase();
        let mut chars = id.chars();
        let letter = chars.next();
        let digits = chars.as_str();
        let well_formed = id.len() == 7
            && letter.and_then(Agency::from_letter).is_some()
            && digits.bytes().all(|b| b.is_ascii_digit());
        if well_formed {
            Ok(Self(id))
        } else {
            Err(format!(
                "`{}` is not a training MASL id: B (Army), D (Air Force) or P (Navy) and 6 digits, e.g. B171807",
                input.trim()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The implementing agency, from the first letter.
    pub fn agency(&self) -> Agency {
        self.0
            .chars()
            .next()
            .and_then(Agency::from_letter)
            .expect("a parsed MASL id starts with an agency letter")
    }
}

impl fmt::Display for MaslId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for MaslId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masl_ids_parse_with_their_agency() {
        let cases = [
            ("B171807", Some(("B171807", Agency::Army))),
            ("b171807", Some(("B171807", Agency::Army))),
            (" D000123 ", Some(("D000123", Agency::AirForce))),
            ("P309001", Some(("P309001", Agency::Navy))),
            ("A171807", None),
            ("M171807", None),
            ("B17180", None),
            ("B1718070", None),
            ("B17180X", None),
            ("171807", None),
            ("B 171807", None),
            ("", None),
            ("BÄ71807", None),
            ("B１７１８０７", None),
        ];
        for (input, expected) in cases {
            let parsed = MaslId::parse(input).ok();
            assert_eq!(
                parsed.as_ref().map(|m| (m.as_str(), m.agency())),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn agency_names_and_letters() {
        let cases = [
            (Agency::Army, "army", 'B'),
            (Agency::AirForce, "air_force", 'D'),
            (Agency::Navy, "navy", 'P'),
        ];
        for (agency, name, letter) in cases {
            assert_eq!(agency.as_str(), name);
            assert_eq!(agency.letter(), letter);
            assert_eq!(Agency::from_letter(letter), Some(agency));
        }
    }
}
