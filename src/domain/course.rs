//! Catalog vocabulary: course categories and audiences.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Professional military education (staff and war colleges).
    Pme,
    Technical,
    Management,
    Medical,
    EnglishLanguage,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Self::Pme,
        Self::Technical,
        Self::Management,
        Self::Medical,
        Self::EnglishLanguage,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pme => "pme",
            Self::Technical => "technical",
            Self::Management => "management",
            Self::Medical => "medical",
            Self::EnglishLanguage => "english_language",
            Self::Other => "other",
        }
    }

    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pme => "Professional military education",
            Self::Technical => "Technical",
            Self::Management => "Management",
            Self::Medical => "Medical",
            Self::EnglishLanguage => "English language",
            Self::Other => "Other",
        }
    }
}

/// Who a course admits. A student's grade maps to one of these.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Officer,
    Enlisted,
    Civilian,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Self::Officer, Self::Enlisted, Self::Civilian];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Enlisted => "enlisted",
            Self::Civilian => "civilian",
        }
    }

    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Officer => "Officers",
            Self::Enlisted => "Enlisted",
            Self::Civilian => "Civilians",
        }
    }
}

macro_rules! named {
    ($ty:ty, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        format!(
                            concat!("`{}` is not ", $what, ": one of {}"),
                            s,
                            names.join(", ")
                        )
                    })
            }
        }
    };
}

named!(Category, "a category");
named!(Audience, "an audience");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        for a in Audience::ALL {
            assert_eq!(a.as_str().parse::<Audience>(), Ok(a));
        }
        let cases = ["PME", "english", "", "officers"];
        for input in cases {
            assert!(input.parse::<Category>().is_err(), "{input}");
            assert!(input.parse::<Audience>().is_err(), "{input}");
        }
    }
}
