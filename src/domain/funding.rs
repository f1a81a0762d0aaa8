//! Funding arithmetic in integer cents (SPEC §2, Allocation and Reports):
//! shares as integer basis points, the PME flag, lapsed funds and the ≥ 90%
//! committed alert. Products are taken in `i128`, so no amount overflows.
use chrono::NaiveDate;

use crate::domain::fiscal_year::fiscal_year_end;

/// An allocation at or above this share committed alerts the program officers.
pub const ALERT_PERCENT: i64 = 90;

/// A country whose PME share of committed funds is below this is flagged.
pub const PME_SHARE_FLOOR_PERCENT: i64 = 50;

/// `part ÷ whole` in basis points (1/100 of a percent), rounded down; `None`
/// when `whole` is not positive (no share to speak of).
pub fn basis_points(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    i64::try_from(i128::from(part) * 10_000 / i128::from(whole)).ok()
}

/// Basis points as a percentage with two decimals: `6250` → `"62.50%"`.
pub fn percent(basis_points: i64) -> String {
    let sign = if basis_points < 0 { "-" } else { "" };
    let bp = basis_points.unsigned_abs();
    format!("{sign}{}.{:02}%", bp / 100, bp % 100)
}

/// Whether the PME share (`pme_cents` of `committed_cents`) is below 50%.
/// Nothing committed is not flagged: there is no share to judge.
pub fn pme_share_below_floor(pme_cents: i64, committed_cents: i64) -> bool {
    committed_cents > 0
        && i128::from(pme_cents) * 100
            < i128::from(committed_cents) * i128::from(PME_SHARE_FLOOR_PERCENT)
}

/// Funds left unspent when the fiscal year is over: `allocated − committed`
/// once `today` is past the FY's last day, else 0.
pub fn lapsed_cents(allocated_cents: i64, committed_cents: i64, fy: i32, today: NaiveDate) -> i64 {
    if today > fiscal_year_end(fy) {
        allocated_cents - committed_cents
    } else {
        0
    }
}

/// Whether an allocation is at or above the alert share committed. An empty
/// allocation (nothing allocated) never alerts.
pub fn reaches_alert(allocated_cents: i64, committed_cents: i64) -> bool {
    allocated_cents > 0
        && i128::from(committed_cents) * 100
            >= i128::from(allocated_cents) * i128::from(ALERT_PERCENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_points_table() {
        let cases = [
            (0, 100, Some(0)),
            (50, 100, Some(5_000)),
            (1, 3, Some(3_333)),
            (2, 3, Some(6_666)),
            (100, 100, Some(10_000)),
            (4_999_999, 10_000_000, Some(4_999)),
            (i64::MAX, i64::MAX, Some(10_000)),
            (10, 0, None),
            (0, 0, None),
        ];
        for (part, whole, expected) in cases {
            assert_eq!(basis_points(part, whole), expected, "{part}/{whole}");
        }
    }

    #[test]
    fn percent_table() {
        let cases = [
            (0, "0.00%"),
            (5, "0.05%"),
            (6_250, "62.50%"),
            (10_000, "100.00%"),
            (3_333, "33.33%"),
            (-150, "-1.50%"),
        ];
        for (bp, expected) in cases {
            assert_eq!(percent(bp), expected, "{bp}");
        }
    }

    #[test]
    fn pme_flag_table() {
        let cases = [
            (0, 0, false),
            (0, 100, true),
            (49, 100, true),
            (50, 100, false),
            (4_999_999, 10_000_000, true),
            (5_000_000, 10_000_000, false),
            (100, 100, false),
            (i64::MAX / 2, i64::MAX, true),
        ];
        for (pme, committed, flagged) in cases {
            assert_eq!(
                pme_share_below_floor(pme, committed),
                flagged,
                "{pme}/{committed}"
            );
        }
    }

    #[test]
    fn lapsed_table() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let cases = [
            (1_000, 400, 2026, "2026-09-30", 0),
            (1_000, 400, 2026, "2026-10-01", 600),
            (1_000, 400, 2026, "2025-10-01", 0),
            (1_000, 1_000, 2025, "2026-03-01", 0),
            (0, 0, 2020, "2026-03-01", 0),
            (5_000, 1, 2027, "2026-10-01", 0),
        ];
        for (allocated, committed, fy, today, expected) in cases {
            assert_eq!(
                lapsed_cents(allocated, committed, fy, d(today)),
                expected,
                "FY{fy} on {today}"
            );
        }
    }

    #[test]
    fn alert_table() {
        let cases = [
            (1_000, 899, false),
            (1_000, 900, true),
            (1_000, 1_000, true),
            (999, 899, false),
            (999, 900, true),
            (1_001, 900, false),
            (0, 0, false),
            (1, 0, false),
            (1, 1, true),
            (i64::MAX, i64::MAX, true),
        ];
        for (allocated, committed, alert) in cases {
            assert_eq!(
                reaches_alert(allocated, committed),
                alert,
                "{committed}/{allocated}"
            );
        }
    }
}
