//! Invitational travel orders (SPEC §6): what must hold on the day of issue,
//! how they are numbered, what they entitle the student to, and which
//! changes of a nomination revoke them.
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    checks::{Check, CheckName},
    cost::Entitlements,
    named::named_enum,
    nomination::Status,
    program::Program,
};

/// Longest officer's remarks on an order.
pub const MAX_REMARKS: u64 = 1000;

/// The checks an order needs on the day of issue: country eligibility
/// (or its waiver), English (or its waiver), Leahy vetting and security
/// screening (never waivable), and the committed cost still matching the
/// entitlements.
pub const REQUIRED: [CheckName; 5] = [
    CheckName::CountryEligible,
    CheckName::English,
    CheckName::Vetting,
    CheckName::Security,
    CheckName::Funds,
];

/// The required checks that fail, in [`REQUIRED`] order; a missing one
/// counts as failed.
pub fn unmet_for_issue(checks: &[Check]) -> Vec<CheckName> {
    REQUIRED
        .into_iter()
        .filter(|name| !checks.iter().any(|c| c.name == *name && c.satisfied()))
        .collect()
}

/// The number of a first issue: `PK-2027-00012`.
pub fn number(country: &str, fiscal_year: i32, seq: i32) -> String {
    format!("{country}-{fiscal_year}-{seq:05}")
}

/// The number of a revision: the base number, then `-A{n}` for amendment `n`.
pub fn revision_number(base: &str, revision: i32) -> String {
    if revision == 0 {
        base.to_owned()
    } else {
        format!("{base}-A{revision}")
    }
}

/// Whether a nomination entering `status` loses its travel order: it is
/// withdrawn, rejected or put on hold (a released hold does not re-issue it).
pub fn revoked_by(status: Status) -> bool {
    matches!(
        status,
        Status::Withdrawn | Status::Rejected | Status::OnHold
    )
}

named_enum! {
    /// Where one revision of an order stands.
    pub enum OrderStatus: "a travel order status" {
        /// The order the student travels on.
        InForce = "in_force",
        /// An amendment replaced it.
        Superseded = "superseded",
        /// Revoked, by hand or by the nomination's withdrawal or hold.
        Revoked = "revoked",
    }
}

impl OrderStatus {
    /// The status of a revision superseded or revoked (or neither).
    pub fn of(superseded: bool, revoked: bool) -> Self {
        match (superseded, revoked) {
            (_, true) => OrderStatus::Revoked,
            (true, false) => OrderStatus::Superseded,
            (false, false) => OrderStatus::InForce,
        }
    }

    /// Human label, for pages.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::InForce => "In force",
            OrderStatus::Superseded => "Superseded",
            OrderStatus::Revoked => "Revoked",
        }
    }
}

/// The day a student reports: the day before the class starts.
pub fn report_by(start: NaiveDate) -> NaiveDate {
    start.checked_sub_days(Days::new(1)).unwrap_or(start)
}

/// The student as the order names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderStudent {
    pub name: String,
    pub rank: String,
    pub grade: String,
    pub service: String,
    pub date_of_birth: NaiveDate,
    pub country_code: String,
    pub country_name: String,
}

/// The course as the order names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderCourse {
    pub masl_id: String,
    pub title: String,
    pub school: String,
    pub location: String,
}

/// Everything an order says, frozen when it is issued: later edits of the
/// student, class or country don't change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderContents {
    pub issued_by: String,
    pub student: OrderStudent,
    pub course: OrderCourse,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The day before the start.
    pub report_by: NaiveDate,
    pub program: Program,
    pub fiscal_year: i32,
    pub entitlements: Entitlements,
    /// Always `false`: IMET students travel alone.
    pub dependents_authorized: bool,
    pub remarks: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn check(name: CheckName, passed: bool, waived: bool) -> Check {
        Check::from_result(
            name,
            if passed {
                Ok("ok".into())
            } else {
                Err("no".into())
            },
            waived,
        )
    }

    #[test]
    fn what_an_issue_needs() {
        use CheckName::*;
        let all_pass: Vec<Check> = REQUIRED.iter().map(|n| check(*n, true, false)).collect();
        let with = |name, passed, waived| {
            let mut checks = all_pass.clone();
            checks.retain(|c| c.name != name);
            checks.push(check(name, passed, waived));
            checks
        };
        let cases: Vec<(Vec<Check>, Vec<CheckName>)> = vec![
            (all_pass.clone(), vec![]),
            (with(English, false, true), vec![]),
            (with(CountryEligible, false, true), vec![]),
            (with(English, false, false), vec![English]),
            (with(CountryEligible, false, false), vec![CountryEligible]),
            // Never waivable, whatever the waivers say.
            (with(Vetting, false, true), vec![Vetting]),
            (with(Security, false, true), vec![Security]),
            (with(Funds, false, false), vec![Funds]),
            // Prerequisites, audience and seats were settled at approval.
            (with(Prerequisites, false, false), vec![]),
            (with(Seats, false, false), vec![]),
            (vec![], REQUIRED.to_vec()),
        ];
        for (checks, expected) in cases {
            assert_eq!(unmet_for_issue(&checks), expected, "{checks:?}");
        }
    }

    #[test]
    fn statuses() {
        let cases = [
            ((false, false), OrderStatus::InForce),
            ((true, false), OrderStatus::Superseded),
            ((false, true), OrderStatus::Revoked),
            ((true, true), OrderStatus::Revoked),
        ];
        for ((superseded, revoked), expected) in cases {
            assert_eq!(OrderStatus::of(superseded, revoked), expected);
        }
    }

    #[test]
    fn numbers() {
        let cases = [
            (("PK", 2027, 12, 0), "PK-2027-00012"),
            (("JO", 2026, 1, 0), "JO-2026-00001"),
            (("PK", 2027, 12, 1), "PK-2027-00012-A1"),
            (("PK", 2027, 99_999, 3), "PK-2027-99999-A3"),
        ];
        for ((country, fy, seq, revision), expected) in cases {
            let base = number(country, fy, seq);
            assert_eq!(revision_number(&base, revision), expected);
        }
    }

    #[test]
    fn which_statuses_revoke() {
        for status in Status::ALL {
            let expected = matches!(
                status,
                Status::Withdrawn | Status::Rejected | Status::OnHold
            );
            assert_eq!(revoked_by(status), expected, "{status}");
        }
    }

    #[test]
    fn the_report_day_is_the_day_before_the_start() {
        assert_eq!(report_by(d("2027-01-11")), d("2027-01-10"));
        assert_eq!(report_by(d("2027-03-01")), d("2027-02-28"));
    }
}
