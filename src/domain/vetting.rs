//! Vetting: the Leahy human-rights vetting an approval needs, and the DoD
//! security screening a travel order needs too. For each kind the latest
//! record counts, and a `cleared` decision is good for
//! `vetting_validity_days` before a class starts.
use super::named::named_enum;

use chrono::NaiveDate;

named_enum! {
    pub enum VettingStatus: "a vetting status" {
        Pending = "pending",
        Cleared = "cleared",
        Denied = "denied",
    }
}

impl VettingStatus {
    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            VettingStatus::Pending => "Pending",
            VettingStatus::Cleared => "Cleared",
            VettingStatus::Denied => "Denied",
        }
    }
}

named_enum! {
    /// What a vetting record decides.
    #[derive(Default)]
    pub enum VettingKind: "a vetting kind" {
        /// Leahy human-rights vetting: approval needs it.
        #[default]
        Leahy = "leahy",
        /// DoD security screening: a travel order needs it too.
        Security = "security",
    }
}

impl VettingKind {
    /// How messages and pages name it.
    pub fn label(self) -> &'static str {
        match self {
            VettingKind::Leahy => "Leahy vetting",
            VettingKind::Security => "security screening",
        }
    }
}

/// The latest vetting decision of a student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vetting {
    pub status: VettingStatus,
    pub decided_on: NaiveDate,
}

/// Whether vetting of `kind` lets a student start a class on `start`: the
/// latest record is `cleared`, decided on or before `start` and at most
/// `validity_days` before it. The message says why not.
pub fn vetting_valid_for(
    kind: VettingKind,
    latest: Option<Vetting>,
    start: NaiveDate,
    validity_days: i64,
) -> Result<String, String> {
    let what = kind.label();
    let Some(v) = latest else {
        return Err(format!("no {what} on record"));
    };
    match v.status {
        VettingStatus::Pending => Err(format!("{what} pending since {}", v.decided_on)),
        VettingStatus::Denied => Err(format!("{what} denied on {}", v.decided_on)),
        VettingStatus::Cleared if v.decided_on > start => Err(format!(
            "cleared on {}, after the class starts on {start}",
            v.decided_on
        )),
        VettingStatus::Cleared if (start - v.decided_on).num_days() > validity_days => {
            Err(format!(
                "cleared on {}, more than {validity_days} days before the class starts on {start}",
                v.decided_on
            ))
        }
        VettingStatus::Cleared => Ok(format!("cleared on {}", v.decided_on)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn validity_before_start() {
        let start = d("2027-01-11");
        let v = |status, day: &str| {
            Some(Vetting {
                status,
                decided_on: d(day),
            })
        };
        use VettingStatus::*;
        let cases = [
            (None, false),
            (v(Pending, "2026-12-01"), false),
            (v(Denied, "2026-12-01"), false),
            (v(Cleared, "2026-12-01"), true),
            (v(Cleared, "2027-01-11"), true), // decided on the start date
            (v(Cleared, "2027-01-12"), false), // after the start
            (v(Cleared, "2026-01-11"), true), // exactly 365 days before
            (v(Cleared, "2026-01-10"), false), // 366 days before
        ];
        for kind in VettingKind::ALL {
            for (latest, ok) in cases {
                let result = vetting_valid_for(kind, latest, start, 365);
                assert_eq!(result.is_ok(), ok, "{kind} {latest:?}");
                if latest.is_none() {
                    assert_eq!(result, Err(format!("no {} on record", kind.label())));
                }
            }
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in VettingStatus::ALL {
            assert_eq!(s.as_str().parse::<VettingStatus>(), Ok(s));
        }
        assert!("approved".parse::<VettingStatus>().is_err());
        for k in VettingKind::ALL {
            assert_eq!(k.as_str().parse::<VettingKind>(), Ok(k));
        }
        assert_eq!(VettingKind::default(), VettingKind::Leahy);
        assert!("dod".parse::<VettingKind>().is_err());
    }
}
