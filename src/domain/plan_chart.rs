//! The plan report's chart: for each line, the students planned against
//! those nominated, approved and completed, as a group of horizontal bars.
//! Pure: the counts come from the caller.

/// Width of the chart's drawing, in SVG units.
pub const WIDTH: i64 = 640;
/// Room on the left for the lines' labels.
pub const LEFT: i64 = 180;
/// Room on the right for the count after the longest bar.
const RIGHT: i64 = 40;
const TOP: i64 = 10;
const BOTTOM: i64 = 10;
const BAR: i64 = 12;
const BAR_GAP: i64 = 2;
/// Space between two lines' groups of bars.
const GROUP_GAP: i64 = 18;
const GROUP: i64 = BAR * 4 + BAR_GAP * 3;

/// What one bar of a group counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Planned,
    Nominated,
    Approved,
    Completed,
}

impl Measure {
    pub const ALL: [Self; 4] = [
        Self::Planned,
        Self::Nominated,
        Self::Approved,
        Self::Completed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "Planned",
            Self::Nominated => "Nominated",
            Self::Approved => "Approved",
            Self::Completed => "Completed",
        }
    }

    /// The name of the stylesheet's class colouring its bars.
    pub fn class(self) -> &'static str {
        match self {
            Self::Planned => "plan-bar-planned",
            Self::Nominated => "plan-bar-nominated",
            Self::Approved => "plan-bar-approved",
            Self::Completed => "plan-bar-completed",
        }
    }
}

/// One line's students: planned, and how far nominations have taken them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineCounts {
    pub planned: i64,
    pub nominated: i64,
    pub approved: i64,
    pub completed: i64,
}

impl LineCounts {
    pub fn of(self, measure: Measure) -> i64 {
        match measure {
            Measure::Planned => self.planned,
            Measure::Nominated => self.nominated,
            Measure::Approved => self.approved,
            Measure::Completed => self.completed,
        }
    }
}

/// One bar: a count, from the left edge of the plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub measure: Measure,
    pub count: i64,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    /// Where the count is written, just after the bar.
    pub count_x: i64,
    pub count_y: i64,
}

/// One line's group of bars, with where its label goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub label_y: i64,
    pub bars: Vec<Bar>,
}

/// Where everything of a chart is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanChart {
    pub groups: Vec<Group>,
    /// The drawing's height: one group per line.
    pub height: i64,
    /// The count a bar of the full plot width stands for.
    pub scale: i64,
}

/// Lays out a group of four bars per line, top to bottom in line order;
/// the largest count of any line fills the plot's width.
pub fn geometry(lines: &[LineCounts]) -> PlanChart {
    let plot_width = WIDTH - LEFT - RIGHT;
    let scale = lines
        .iter()
        .flat_map(|l| Measure::ALL.map(|m| l.of(m)))
        .max()
        .unwrap_or(0)
        .max(1);
    let groups = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let top = TOP + i as i64 * (GROUP + GROUP_GAP);
            let bars = Measure::ALL
                .into_iter()
                .enumerate()
                .map(|(j, measure)| {
                    let count = line.of(measure);
                    let width = count.max(0) * plot_width / scale;
                    let y = top + j as i64 * (BAR + BAR_GAP);
                    Bar {
                        measure,
                        count,
                        x: LEFT,
                        y,
                        width,
                        height: BAR,
                        count_x: LEFT + width + 4,
                        count_y: y + BAR - 2,
                    }
                })
                .collect();
            Group {
                label_y: top + GROUP / 2 + 5,
                bars,
            }
        })
        .collect::<Vec<_>>();
    let rows = groups.len() as i64;
    PlanChart {
        height: TOP + rows * GROUP + (rows - 1).max(0) * GROUP_GAP + BOTTOM,
        groups,
        scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(planned: i64, nominated: i64, approved: i64, completed: i64) -> LineCounts {
        LineCounts {
            planned,
            nominated,
            approved,
            completed,
        }
    }

    #[test]
    fn the_largest_count_fills_the_plot() {
        let plot = WIDTH - LEFT - RIGHT;
        // (lines, scale, widths of the first line's bars)
        let cases: [(Vec<LineCounts>, i64, [i64; 4]); 4] = [
            (vec![counts(4, 2, 1, 0)], 4, [plot, plot / 2, plot / 4, 0]),
            // Over-filled beyond the plan: the nominations set the scale.
            (
                vec![counts(2, 4, 4, 4), counts(1, 0, 0, 0)],
                4,
                [plot / 2, plot, plot, plot],
            ),
            (
                vec![counts(5, 5, 0, 0), counts(10, 0, 0, 0)],
                10,
                [plot / 2, plot / 2, 0, 0],
            ),
            // Nothing planned or done: no division by zero.
            (vec![counts(0, 0, 0, 0)], 1, [0, 0, 0, 0]),
        ];
        for (lines, scale, widths) in cases {
            let chart = geometry(&lines);
            assert_eq!(chart.scale, scale, "{lines:?}");
            let got: Vec<i64> = chart.groups[0].bars.iter().map(|b| b.width).collect();
            assert_eq!(got, widths, "{lines:?}");
        }
    }

    #[test]
    fn groups_stack_top_to_bottom_within_the_drawing() {
        let chart = geometry(&[counts(3, 1, 0, 0), counts(2, 2, 2, 1), counts(1, 0, 0, 0)]);
        assert_eq!(chart.groups.len(), 3);
        let bars: Vec<&Bar> = chart.groups.iter().flat_map(|g| &g.bars).collect();
        assert!(bars.windows(2).all(|w| w[0].y + w[0].height <= w[1].y));
        assert!(bars.iter().all(|b| b.x == LEFT && b.count_x + 30 <= WIDTH));
        let last = bars.last().expect("bars");
        assert_eq!(last.y + last.height + BOTTOM, chart.height);
        assert_eq!(
            chart.groups[0]
                .bars
                .iter()
                .map(|b| b.measure)
                .collect::<Vec<_>>(),
            Measure::ALL
        );
        for group in &chart.groups {
            let (first, last) = (&group.bars[0], &group.bars[3]);
            assert!(first.y < group.label_y && group.label_y < last.y + last.height);
        }
    }

    #[test]
    fn a_plan_without_lines_draws_nothing() {
        let chart = geometry(&[]);
        assert!(chart.groups.is_empty());
        assert_eq!(chart.height, TOP + BOTTOM);
        assert_eq!(chart.scale, 1);
    }
}
