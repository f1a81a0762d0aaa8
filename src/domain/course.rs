//! Catalog vocabulary: course categories and audiences.
use super::named::named_enum;

named_enum! {
    pub enum Category: "a category" {
        /// Professional military education (staff and war colleges).
        Pme = "pme",
        Technical = "technical",
        Management = "management",
        Medical = "medical",
        EnglishLanguage = "english_language",
        Other = "other",
    }
}

impl Category {
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

named_enum! {
    /// Who a course admits. A student's grade maps to one of these.
    #[derive(PartialOrd, Ord)]
    pub enum Audience: "an audience" {
        Officer = "officer",
        Enlisted = "enlisted",
        Civilian = "civilian",
    }
}

impl Audience {
    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Officer => "Officers",
            Self::Enlisted => "Enlisted",
            Self::Civilian => "Civilians",
        }
    }
}

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
