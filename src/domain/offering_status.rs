//! The status of a class (offering): `open` takes submissions, `closed` takes
//! none but can reopen, `cancelled` is final.
use super::named::named_enum;

named_enum! {
    pub enum OfferingStatus: "a class status" {
        Open = "open",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

impl OfferingStatus {
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
