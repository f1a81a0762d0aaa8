//! ILR proficiency levels (Interagency Language Roundtable), as OPI scores
//! and course minimums use them: `0`, `0+`, `1`, `1+`, … `4+`, `5`.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One ILR level. Ordered as the scale is: `2` < `2+` < `3`. Built only
/// through [`IlrLevel::parse`] (or deserialization, which uses it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IlrLevel {
    // Field order matters: the derived `Ord` compares the base level first.
    base: u8,
    plus: bool,
}

impl IlrLevel {
    /// Parses `0`..`5` with an optional `+` on `0`..`4`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let (digits, plus) = match s.strip_suffix('+') {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let base = match digits {
            "0" => 0,
            "1" => 1,
            "2" => 2,
            "3" => 3,
            "4" => 4,
            "5" => 5,
            _ => return Err(invalid(s)),
        };
        if base == 5 && plus {
            return Err(invalid(s));
        }
        Ok(Self { base, plus })
    }
}

fn invalid(s: &str) -> String {
    format!("`{s}` is not an ILR level: 0, 0+, 1, 1+, 2, 2+, 3, 3+, 4, 4+ or 5")
}

impl fmt::Display for IlrLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, if self.plus { "+" } else { "" })
    }
}

impl FromStr for IlrLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for IlrLevel {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<IlrLevel> for String {
    fn from(level: IlrLevel) -> Self {
        level.to_string()
    }
}

/// An OPI pair: listening and speaking levels, as a course minimum or a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Opi {
    #[schema(value_type = String, example = "2")]
    pub listening: IlrLevel,
    #[schema(value_type = String, example = "2+")]
    pub speaking: IlrLevel,
}

impl Opi {
    /// Parses the CSV form `listening/speaking`, e.g. `2/2+`.
    pub fn parse_pair(input: &str) -> Result<Self, String> {
        let (listening, speaking) = input
            .split_once('/')
            .ok_or_else(|| format!("`{input}` is not `listening/speaking`, e.g. 2/2+"))?;
        Ok(Self {
            listening: IlrLevel::parse(listening)?,
            speaking: IlrLevel::parse(speaking)?,
        })
    }
}

impl fmt::Display for Opi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.listening, self.speaking)
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;

    fn level(s: &str) -> IlrLevel {
        IlrLevel::parse(s).unwrap()
    }

    #[test]
    fn levels_parse_and_display() {
        let cases = [
            ("0", Some("0")),
            ("0+", Some("0+")),
            (" 2+ ", Some("2+")),
            ("4+", Some("4+")),
            ("5", Some("5")),
            ("5+", None),
            ("6", None),
            ("-1", None),
            ("2++", None),
            ("+", None),
            ("2.5", None),
            ("", None),
            ("two", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                IlrLevel::parse(input)
                    .ok()
                    .map(|l| l.to_string())
                    .as_deref(),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn levels_compare_along_the_scale() {
        let cases = [
            ("2+", "2", Ordering::Greater),
            ("2", "2+", Ordering::Less),
            ("2+", "3", Ordering::Less),
            ("3", "2+", Ordering::Greater),
            ("0+", "0", Ordering::Greater),
            ("1", "0+", Ordering::Greater),
            ("2", "2", Ordering::Equal),
            ("4+", "5", Ordering::Less),
            ("5", "0", Ordering::Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(level(a).cmp(&level(b)), expected, "{a} vs {b}");
        }
    }

    #[test]
    fn opi_pairs_parse_from_csv_cells() {
        let cases = [
            ("2/2+", Some("2/2+")),
            (" 1+ / 1 ", Some("1+/1")),
            ("2", None),
            ("2/6", None),
            ("2/2/2", None),
            ("/", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Opi::parse_pair(input)
                    .ok()
                    .map(|o| o.to_string())
                    .as_deref(),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn opi_deserializes_naming_the_bad_level() {
        let ok: Opi = serde_json::from_str(r#"{"listening":"2+","speaking":"2"}"#).unwrap();
        assert!(ok.listening > ok.speaking);
        let err = serde_json::from_str::<Opi>(r#"{"listening":"7","speaking":"2"}"#).unwrap_err();
        assert!(err.to_string().contains("not an ILR level"), "{err}");
    }
}
