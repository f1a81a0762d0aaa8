//! Country codes: assigned ISO 3166-1 alpha-2 codes, plus `XK` for Kosovo.
use std::fmt;

/// An assigned ISO 3166-1 alpha-2 code, upper case. Built only through
/// [`CountryCode::parse`], so it never holds a well-formed but unassigned code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("must be a two-letter ISO 3166-1 alpha-2 code".into());
        }
        if code == "XK" || celes::Country::from_alpha2(&code).is_ok() {
            Ok(Self(code))
        } else {
            Err(format!(
                "`{code}` is not an assigned ISO 3166-1 alpha-2 code"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigned_codes_only() {
        let cases = [
            ("PK", Some("PK")),
            ("pk", Some("PK")),
            (" jo ", Some("JO")),
            ("XK", Some("XK")),
            ("US", Some("US")),
            ("GB", Some("GB")),
            ("JJ", None),
            ("UK", None),
            ("AA", None),
            ("P", None),
            ("PAK", None),
            ("P1", None),
            ("", None),
            ("ÄÖ", None),
        ];
        for (input, expected) in cases {
            let parsed = CountryCode::parse(input).ok();
            assert_eq!(
                parsed.as_ref().map(CountryCode::as_str),
                expected,
                "{input:?}"
            );
        }
    }
}
