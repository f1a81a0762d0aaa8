//! The US federal fiscal year: FY2026 runs 2025-10-01 .. 2026-09-30. The FY
//! that pays for an enrollment is the FY of its class's start date.
use chrono::{Datelike, NaiveDate};

/// The fiscal year `date` falls in.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 10 {
        date.year() + 1
    } else {
        date.year()
    }
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
}
