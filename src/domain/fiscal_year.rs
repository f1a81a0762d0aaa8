//! The US federal fiscal year: FY2026 runs 2025-10-01 .. 2026-09-30. The FY
//! that pays for an enrollment is the FY of its class's start date.
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};

/// Fiscal years the service accepts for allocations and reports.
pub const SANE_FISCAL_YEARS: RangeInclusive<i32> = 2000..=2100;

/// The fiscal year `date` falls in.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 10 {
        date.year() + 1
    } else {
        date.year()
    }
}

/// The first day of fiscal year `fy`: October 1 of the calendar year before
/// (`NaiveDate::MIN` for a year before chrono's range).
pub fn fiscal_year_start(fy: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(fy - 1, 10, 1).unwrap_or(NaiveDate::MIN)
}

/// The last day of fiscal year `fy`: September 30 of the calendar year `fy`
/// (`NaiveDate::MAX`, never ending, for a year beyond chrono's range).
pub fn fiscal_year_end(fy: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(fy, 9, 30).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_year_boundaries() {
        let cases = [
            ("2025-09-30", 2025),
            ("2025-10-01", 2026),
            ("2025-12-31", 2026),
            ("2026-01-01", 2026),
            ("2026-09-30", 2026),
            ("2026-10-01", 2027),
            ("2024-02-29", 2024),
        ];
        for (date, fy) in cases {
            let date: NaiveDate = date.parse().unwrap();
            assert_eq!(fiscal_year(date), fy, "{date}");
        }
    }

    #[test]
    fn fiscal_year_start_and_end_dates() {
        let cases = [
            (2026, "2025-10-01", "2026-09-30"),
            (2025, "2024-10-01", "2025-09-30"),
            (2000, "1999-10-01", "2000-09-30"),
            (2100, "2099-10-01", "2100-09-30"),
        ];
        for (fy, start, end) in cases {
            let start: NaiveDate = start.parse().unwrap();
            let end: NaiveDate = end.parse().unwrap();
            assert_eq!(fiscal_year_start(fy), start, "FY{fy}");
            assert_eq!(fiscal_year_end(fy), end, "FY{fy}");
            // The start is the first day of the FY: the day before ends the previous one.
            assert_eq!(fiscal_year(start), fy, "FY{fy}");
            assert_eq!(fiscal_year(start.pred_opt().unwrap()), fy - 1, "FY{fy}");
            // The end is the last day of the FY: the next day starts the next one.
            assert_eq!(fiscal_year(end), fy, "FY{fy}");
            assert_eq!(fiscal_year(end.succ_opt().unwrap()), fy + 1, "FY{fy}");
        }
    }
}
