//! The status of a class (offering): `open` takes submissions, `closed` takes
//! none but can reopen, `cancelled` is final.
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
    Serialize,
    Deserialize,
    ToSchema,
    EnumIter,
    DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum OfferingStatus {
    Open,
    Closed,
    Cancelled,
}

impl OfferingStatus {
    pub const ALL: [OfferingStatus; 3] = [Self::Open, Self::Closed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Closed => "Closed",
            Self::Cancelled => "Cancelled",
        }
    }

    /// Whether a class may move from `self` to `next` by an edit. Staying put
    /// is allowed; open and closed move freely between each other and to
    /// cancelled; nothing leaves cancelled.
    pub fn check_transition(self, next: OfferingStatus) -> Result<(), String> {
        match (self, next) {
            (a, b) if a == b => Ok(()),
            (Self::Cancelled, _) => Err("a cancelled class is final".into()),
            (Self::Open | Self::Closed, _) => Ok(()),
        }
    }
}

impl fmt::Display for OfferingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OfferingStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown offering status `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::OfferingStatus::{self, *};

    #[test]
    fn transitions() {
        let cases = [
            (Open, Open, true),
            (Open, Closed, true),
            (Open, Cancelled, true),
            (Closed, Open, true),
            (Closed, Closed, true),
            (Closed, Cancelled, true),
            (Cancelled, Cancelled, true),
            (Cancelled, Open, false),
            (Cancelled, Closed, false),
        ];
        for (from, to, allowed) in cases {
            assert_eq!(from.check_transition(to).is_ok(), allowed, "{from} -> {to}");
        }
    }

    #[test]
    fn names_round_trip() {
        for status in OfferingStatus::ALL {
            assert_eq!(status.as_str().parse::<OfferingStatus>(), Ok(status));
        }
        assert!("Open".parse::<OfferingStatus>().is_err());
    }
}
