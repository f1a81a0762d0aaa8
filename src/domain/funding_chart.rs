//! The funding chart of one country and fiscal year: what is committed by
//! the end of each month, against what is allocated, and the geometry of the
//! SVG that draws it. Pure: the amounts come from the caller.
use chrono::{Datelike, NaiveDate};

use crate::domain::fiscal_year::fiscal_year;

/// The months of a fiscal year, in order (October first).
pub const MONTHS: [&str; 12] = [
    "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
];

/// The month of fiscal year `fy` that `day` falls in (0 = October), or
/// `None` when `day` is outside that fiscal year.
pub fn month_index(fy: i32, day: NaiveDate) -> Option<usize> {
    (fiscal_year(day) == fy).then(|| (day.month0() as usize + 3) % 12)
}

/// Cumulative committed cents at the end of each month of fiscal year `fy`,
/// from commitments `(day committed, cents)`. A commitment made before the
/// year counts from October; one made after it is not in the year's chart.
pub fn committed_by_month(fy: i32, commitments: &[(NaiveDate, i64)]) -> [i64; 12] {
    let mut per_month = [0i64; 12];
    for (day, cents) in commitments {
        let index = if fiscal_year(*day) < fy {
            Some(0)
        } else {
            month_index(fy, *day)
        };
        if let Some(i) = index {
            per_month[i] += cents;
        }
    }
    let mut total = 0;
    per_month.map(|cents| {
        total += cents;
        total
    })
}

/// Width and height of the chart's drawing, in SVG units.
pub const WIDTH: i64 = 600;
pub const HEIGHT: i64 = 240;
/// Room on the left for the amounts and at the bottom for the months.
pub const LEFT: i64 = 150;
pub const BOTTOM: i64 = 30;
const TOP: i64 = 10;

/// One bar of the chart: a month's cumulative commitment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub month: &'static str,
    pub committed_cents: i64,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    /// Where the month's label is centred.
    pub label_x: i64,
}

/// Where everything of a chart is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartGeometry {
    pub bars: Vec<Bar>,
    /// The height of the allocated line (`None` when nothing is allocated).
    pub allocated_y: Option<i64>,
    /// The amount the top of the chart stands for.
    pub scale_cents: i64,
    /// The baseline's height.
    pub base_y: i64,
}

/// Lays out the monthly bars and the allocated line: the larger of the
/// allocation and the last month's commitment fills the height.
pub fn geometry(allocated_cents: i64, committed: &[i64; 12]) -> ChartGeometry {
    let plot_height = HEIGHT - TOP - BOTTOM;
    let base_y = HEIGHT - BOTTOM;
    let scale_cents = committed
        .iter()
        .copied()
        .chain([allocated_cents])
        .max()
        .unwrap_or(0)
        .max(1);
    let height_of = |cents: i64| -> i64 {
        // i128: cents times units cannot overflow.
        (i128::from(cents.max(0)) * i128::from(plot_height) / i128::from(scale_cents)) as i64
    };
    let slot = (WIDTH - LEFT) / 12;
    let bars = MONTHS
        .iter()
        .zip(committed)
        .enumerate()
        .map(|(i, (month, cents))| {
            let height = height_of(*cents);
            let x = LEFT + slot * i as i64 + slot / 6;
            Bar {
                month,
                committed_cents: *cents,
                x,
                y: base_y - height,
                width: slot * 2 / 3,
                height,
                label_x: LEFT + slot * i as i64 + slot / 2,
            }
        })
        .collect();
    ChartGeometry {
        bars,
        allocated_y: (allocated_cents > 0).then(|| base_y - height_of(allocated_cents)),
        scale_cents,
        base_y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_of_the_fiscal_year() {
        let cases = [
            (day(2025, 10, 1), Some(0)),
            (day(2025, 12, 31), Some(2)),
            (day(2026, 1, 1), Some(3)),
            (day(2026, 9, 30), Some(11)),
            (day(2025, 9, 30), None),
            (day(2026, 10, 1), None),
        ];
        for (d, expected) in cases {
            assert_eq!(month_index(2026, d), expected, "{d}");
        }
    }

    #[test]
    fn commitments_accumulate_month_by_month() {
        type Case<'a> = (&'a [(NaiveDate, i64)], [i64; 12]);
        let cases: [Case; 4] = [
            (&[], [0; 12]),
            (
                &[(day(2025, 11, 5), 100), (day(2025, 11, 30), 50)],
                [0, 150, 150, 150, 150, 150, 150, 150, 150, 150, 150, 150],
            ),
            (
                &[(day(2026, 2, 1), 10), (day(2026, 9, 30), 5)],
                [0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 15],
            ),
            // Before the year: from October; after it: not in this year.
            (&[(day(2025, 6, 1), 7), (day(2026, 10, 1), 1_000)], [7; 12]),
        ];
        for (commitments, expected) in cases {
            assert_eq!(
                committed_by_month(2026, commitments),
                expected,
                "{commitments:?}"
            );
        }
    }

    #[test]
    fn the_larger_of_allocation_and_commitment_fills_the_height() {
        let mut committed = [0; 12];
        committed[11] = 50;
        let chart = geometry(100, &committed);
        assert_eq!(chart.scale_cents, 100);
        assert_eq!(chart.base_y, HEIGHT - BOTTOM);
        assert_eq!(chart.allocated_y, Some(TOP));
        let last = &chart.bars[11];
        assert_eq!(last.month, "Sep");
        assert_eq!(last.height, (HEIGHT - TOP - BOTTOM) / 2);
        assert_eq!(last.y + last.height, chart.base_y);
        assert_eq!(chart.bars[0].height, 0);
        assert!(chart.bars.windows(2).all(|w| w[0].x < w[1].x));
        assert!(last.x + last.width <= WIDTH);

        // Over-committed (a penalty after a cut): the commitment sets the scale.
        let chart = geometry(40, &[80; 12]);
        assert_eq!(chart.scale_cents, 80);
        assert_eq!(chart.bars[0].y, TOP);
        assert_eq!(
            chart.allocated_y,
            Some(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) / 2)
        );

        // Nothing at all: no line, no bars, no division by zero.
        let chart = geometry(0, &[0; 12]);
        assert_eq!(chart.allocated_y, None);
        assert!(chart.bars.iter().all(|b| b.height == 0));
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let max = 100_000_000_000_000;
        let chart = geometry(max, &[max; 12]);
        assert_eq!(chart.bars[0].y, TOP);
    }
}
