//! How values are shown on pages and read back from forms.
use chrono::NaiveDate;

use crate::domain::{
    checks::Check, nomination::Status, offering_status::OfferingStatus, plan::PlanStatus,
    travel_order::OrderStatus, vetting::VettingStatus,
};

/// A status tag: a short label on a colour (`templates/macros.html`, `tag`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub label: &'static str,
    /// One of the stylesheet's tag colours: green, grey, red, yellow, blue.
    pub colour: &'static str,
}

impl Tag {
    fn new(label: &'static str, colour: &'static str) -> Self {
        Self { label, colour }
    }

    pub fn offering(status: OfferingStatus) -> Self {
        match status {
            OfferingStatus::Open => Self::new(status.label(), "green"),
            OfferingStatus::Closed => Self::new(status.label(), "grey"),
            OfferingStatus::Cancelled => Self::new(status.label(), "red"),
        }
    }

    /// A student's latest vetting decision; `None` when never vetted.
    pub fn vetting(status: Option<VettingStatus>) -> Self {
        match status {
            None => Self::new("Not vetted", "grey"),
            Some(s @ VettingStatus::Pending) => Self::new(s.label(), "yellow"),
            Some(s @ VettingStatus::Cleared) => Self::new(s.label(), "green"),
            Some(s @ VettingStatus::Denied) => Self::new(s.label(), "red"),
        }
    }

    /// One revision of a travel order.
    pub fn travel_order(status: OrderStatus) -> Self {
        let colour = match status {
            OrderStatus::InForce => "green",
            OrderStatus::Superseded => "grey",
            OrderStatus::Revoked => "red",
        };
        Self::new(status.label(), colour)
    }

    /// A country's eligibility for a program today.
    pub fn eligibility(eligible: bool) -> Self {
        if eligible {
            Self::new("Eligible", "green")
        } else {
            Self::new("Suspended", "red")
        }
    }

    /// A course: active or archived.
    pub fn course(active: bool) -> Self {
        if active {
            Self::new("Active", "green")
        } else {
            Self::new("Archived", "grey")
        }
    }

    /// A nomination's status.
    pub fn nomination(status: Status) -> Self {
        let colour = match status {
            Status::Draft | Status::Withdrawn => "grey",
            Status::Submitted => "blue",
            Status::Waitlisted => "yellow",
            Status::Approved | Status::Completed => "green",
            Status::Rejected | Status::OnHold => "red",
        };
        Self::new(status.label(), colour)
    }

    /// A nomination check's outcome: passed, waived or failed.
    pub fn check(check: &Check) -> Self {
        if check.passed {
            Self::new("Pass", "green")
        } else if check.waived {
            Self::new("Waived", "yellow")
        } else {
            Self::new("Fail", "red")
        }
    }

    /// A training plan's status.
    pub fn plan(status: PlanStatus) -> Self {
        let colour = match status {
            PlanStatus::Draft => "grey",
            PlanStatus::Submitted => "blue",
            PlanStatus::Approved => "green",
            PlanStatus::Returned => "yellow",
        };
        Self::new(status.label(), colour)
    }

    /// A queued email's status.
    pub fn outbox(status: &str) -> Self {
        match status {
            "sent" => Self::new("Sent", "green"),
            "failed" => Self::new("Failed", "red"),
            "sending" => Self::new("Sending", "blue"),
            _ => Self::new("Pending", "yellow"),
        }
    }
}

/// Reads a date as typed, year-month-day (`1990-04-02`).
pub fn parse_date(input: &str) -> Result<NaiveDate, &'static str> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a real date, year-month-day, like 2026-05-01")
}

/// Reads a whole number as typed (`12`, ` 80 `).
pub fn parse_whole(input: &str) -> Result<i32, &'static str> {
    input
        .trim()
        .parse()
        .map_err(|_| "must be a whole number, like 12")
}

/// An optional value typed in a form: `None` when left empty.
pub fn optional(input: &str) -> Option<&str> {
    Some(input.trim()).filter(|s| !s.is_empty())
}

/// A link to `path` with the non-empty `params` as its query string, e.g. the
/// next page of a filtered list.
pub fn link_with_query(path: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(name, value);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A moment as pages show it: `2026-06-01 09:00 UTC`.
pub fn moment(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A wait in words: `45` → `45 seconds`, `600` → `10 minutes`.
pub fn wait_time(secs: u64) -> String {
    match secs {
        0..=1 => "1 second".into(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "1 minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_in_words() {
        let cases = [
            (0, "1 second"),
            (1, "1 second"),
            (45, "45 seconds"),
            (60, "1 minute"),
            (61, "1 minute"),
            (120, "2 minutes"),
            (899, "15 minutes"),
        ];
        for (secs, words) in cases {
            assert_eq!(wait_time(secs), words, "{secs}");
        }
    }

    #[test]
    fn typed_dates_and_numbers() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let dates = [
            ("2026-05-01", Ok(day(2026, 5, 1))),
            (" 1990-04-02 ", Ok(day(1990, 4, 2))),
            ("2026-02-30", Err(())),
            ("01/05/2026", Err(())),
            ("", Err(())),
        ];
        for (input, expected) in dates {
            assert_eq!(parse_date(input).map_err(|_| ()), expected, "{input:?}");
        }
        let numbers = [
            ("12", Ok(12)),
            (" 80 ", Ok(80)),
            ("-3", Ok(-3)),
            ("1.5", Err(())),
            ("", Err(())),
        ];
        for (input, expected) in numbers {
            assert_eq!(parse_whole(input).map_err(|_| ()), expected, "{input:?}");
        }
        assert_eq!(
            link_with_query(
                "/courses",
                &[("q", "staff & war"), ("category", ""), ("cursor", "Ab_1")]
            ),
            "/courses?q=staff+%26+war&cursor=Ab_1"
        );
        assert_eq!(link_with_query("/courses", &[("q", "")]), "/courses");
        assert_eq!(optional("  "), None);
        assert_eq!(optional(" B000001 "), Some("B000001"));
    }
}
