//! Money rules, in integer cents (SPEC §2): the estimated cost of an
//! enrollment and the late-cancellation penalty.
use super::named::named_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Days before the start within which a liaison's withdrawal of an approved
/// nomination leaves a penalty.
pub const LATE_CANCELLATION_DAYS: i64 = 60;

/// The prices that make up an estimated cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    pub tuition_cents: i64,
    pub travel_cents: i64,
    pub living_allowance_per_day_cents: i64,
}

/// The money an enrollment costs (and a travel order authorizes), in cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Entitlements {
    pub tuition_cents: i64,
    /// Round trip.
    pub travel_cents: i64,
    pub living_allowance_per_day_cents: i64,
    /// Class days, start and end included.
    pub days: i64,
    /// Per day × days.
    pub living_allowance_cents: i64,
    /// Tuition + travel + living allowance.
    pub total_cents: i64,
}

/// What a class from `start` to `end` costs at `prices`, item by item, with
/// days = end − start + 1. `None` on overflow or an end before the start.
pub fn entitlements(prices: Prices, start: NaiveDate, end: NaiveDate) -> Option<Entitlements> {
    let days = (end - start).num_days().checked_add(1).filter(|d| *d > 0)?;
    let allowance = prices.living_allowance_per_day_cents.checked_mul(days)?;
    let total = prices
        .tuition_cents
        .checked_add(prices.travel_cents)?
        .checked_add(allowance)?;
    Some(Entitlements {
        tuition_cents: prices.tuition_cents,
        travel_cents: prices.travel_cents,
        living_allowance_per_day_cents: prices.living_allowance_per_day_cents,
        days,
        living_allowance_cents: allowance,
        total_cents: total,
    })
}

/// `tuition + travel + days × living allowance`, days = end − start + 1.
/// `None` on overflow or an end before the start.
pub fn estimated_cost(prices: Prices, start: NaiveDate, end: NaiveDate) -> Option<i64> {
    entitlements(prices, start, end).map(|e| e.total_cents)
}

named_enum! {
    /// Who withdrew a nomination, which decides the penalty.
    pub enum WithdrawalCause: "a withdrawal cause" {
        /// The country's liaison.
        Liaison = "liaison",
        /// A program officer or admin.
        Program = "program",
        /// A suspension still in effect when the class started.
        Suspension = "suspension",
        /// The offering was cancelled.
        Cancellation = "cancellation",
    }
}

/// The facts a withdrawal penalty depends on.
#[derive(Clone, Copy, Debug)]
pub struct Withdrawal {
    pub cause: WithdrawalCause,
    /// The nomination was `approved` (not `on_hold`) when withdrawn.
    pub was_approved: bool,
    pub start_date: NaiveDate,
    pub today: NaiveDate,
    /// The withdrawal promoted a waitlisted nomination.
    pub promoted_waitlisted: bool,
    pub tuition_cents: i64,
}

/// Cents that stay committed: 50% of tuition (rounded down) when the liaison
/// withdraws an approved nomination `start − today ≤ 60` days before the
/// start, unless a waitlisted nomination was promoted; otherwise nothing.
pub fn withdrawal_penalty(w: Withdrawal) -> i64 {
    let late = (w.start_date - w.today).num_days() <= LATE_CANCELLATION_DAYS;
    if w.cause == WithdrawalCause::Liaison && w.was_approved && late && !w.promoted_waitlisted {
        w.tuition_cents / 2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn estimated_cost_table() {
        let p = Prices {
            tuition_cents: 2_500_000,
            travel_cents: 350_000,
            living_allowance_per_day_cents: 9_000,
        };
        let cases = [
            (
                "2026-08-03",
                "2026-08-03",
                Some(2_500_000 + 350_000 + 9_000),
            ),
            (
                "2026-08-03",
                "2026-08-04",
                Some(2_500_000 + 350_000 + 18_000),
            ),
            (
                "2026-08-03",
                "2026-12-11",
                Some(2_500_000 + 350_000 + 131 * 9_000),
            ),
            (
                "2026-02-27",
                "2026-03-01",
                Some(2_500_000 + 350_000 + 3 * 9_000),
            ),
            ("2026-08-04", "2026-08-03", None),
        ];
        for (start, end, expected) in cases {
            assert_eq!(
                estimated_cost(p, d(start), d(end)),
                expected,
                "{start}..{end}"
            );
        }
        let huge = Prices {
            tuition_cents: i64::MAX,
            ..p
        };
        assert_eq!(estimated_cost(huge, d("2026-01-01"), d("2026-01-02")), None);
    }

    #[test]
    fn entitlements_item_by_item() {
        let prices = Prices {
            tuition_cents: 2_500_000,
            travel_cents: 350_000,
            living_allowance_per_day_cents: 4_500,
        };
        let cases = [
            (("2027-01-11", "2027-01-11"), Some((1, 4_500, 2_854_500))),
            (("2027-01-11", "2027-03-12"), Some((61, 274_500, 3_124_500))),
            (("2027-01-11", "2027-01-10"), None),
        ];
        for ((start, end), expected) in cases {
            let got = entitlements(prices, d(start), d(end))
                .map(|e| (e.days, e.living_allowance_cents, e.total_cents));
            assert_eq!(got, expected, "{start}..{end}");
        }
        let huge = Prices {
            living_allowance_per_day_cents: i64::MAX,
            ..prices
        };
        assert_eq!(entitlements(huge, d("2027-01-11"), d("2027-01-12")), None);
    }

    #[test]
    fn penalty_table() {
        use WithdrawalCause::*;
        let base = Withdrawal {
            cause: Liaison,
            was_approved: true,
            start_date: d("2027-01-30"),
            today: d("2026-12-01"), // 60 days before
            promoted_waitlisted: false,
            tuition_cents: 1_234_567,
        };
        let cases = [
            (base, 617_283),
            (
                Withdrawal {
                    today: d("2026-11-30"),
                    ..base
                },
                0,
            ), // 61 days before
            (
                Withdrawal {
                    today: d("2027-01-30"),
                    ..base
                },
                617_283,
            ), // on the start day
            (
                Withdrawal {
                    promoted_waitlisted: true,
                    ..base
                },
                0,
            ),
            (
                Withdrawal {
                    cause: Program,
                    ..base
                },
                0,
            ),
            (
                Withdrawal {
                    cause: Suspension,
                    ..base
                },
                0,
            ),
            (
                Withdrawal {
                    cause: Cancellation,
                    ..base
                },
                0,
            ),
            (
                Withdrawal {
                    was_approved: false,
                    ..base
                },
                0,
            ),
            (
                Withdrawal {
                    tuition_cents: 1,
                    ..base
                },
                0,
            ),
            (
                Withdrawal {
                    tuition_cents: 3,
                    ..base
                },
                1,
            ),
        ];
        for (w, expected) in cases {
            assert_eq!(withdrawal_penalty(w), expected, "{w:?}");
        }
    }
}
