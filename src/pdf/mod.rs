//! Printable documents, drawn in-process with krilla: the invitational
//! travel order on one US Letter page. The fonts (DejaVu Sans, see
//! `fonts/LICENSE`) are compiled in and embedded, subset, in every PDF, and
//! every field is real text a reader can copy or extract.
use chrono::NaiveDate;
use krilla::{
    Document,
    color::rgb,
    geom::{PathBuilder, Point, Rect, Transform},
    metadata::Metadata,
    num::NormalizedF32,
    page::PageSettings,
    paint::Fill,
    surface::Surface,
    text::{Font, TextDirection},
};

use crate::domain::{money::Cents, travel_order::OrderContents};

const REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// US Letter, in points.
const WIDTH: f32 = 612.0;
const HEIGHT: f32 = 792.0;
const MARGIN: f32 = 54.0;
/// Where values start, right of their labels.
const VALUE_X: f32 = MARGIN + 150.0;
/// Characters of remarks per line at the body size (DejaVu Sans is wide),
/// and the most lines they take.
const REMARKS_LINE: usize = 84;
const REMARKS_LINES: usize = 14;
/// Characters of a value per line, right of its label, and the most lines
/// one value takes.
const VALUE_LINE: usize = 56;
const VALUE_LINES: usize = 3;

/// One revision of a travel order, as it is printed.
pub struct TravelOrder<'a> {
    pub number: &'a str,
    pub revision: i32,
    pub issued_on: NaiveDate,
    /// The revision this one supersedes, and why.
    pub amends: Option<(&'a str, &'a str)>,
    /// When and why it was revoked.
    pub revoked: Option<(NaiveDate, &'a str)>,
    pub contents: &'a OrderContents,
}

/// The order as a one-page PDF.
pub fn travel_order(order: &TravelOrder<'_>) -> anyhow::Result<Vec<u8>> {
    let regular = Font::new(REGULAR.into(), 0)
        .ok_or_else(|| anyhow::anyhow!("the regular font does not load"))?;
    let bold =
        Font::new(BOLD.into(), 0).ok_or_else(|| anyhow::anyhow!("the bold font does not load"))?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Invitational Travel Order {}", order.number))
            .creator("IMET enrollment manager".to_owned()),
    );
    let settings = PageSettings::from_wh(WIDTH, HEIGHT)
        .ok_or_else(|| anyhow::anyhow!("the page size is invalid"))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    {
        let mut pen = Pen {
            surface: &mut surface,
            regular,
            bold,
            y: MARGIN,
        };
        pen.order(order);
    }
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| anyhow::anyhow!("writing the PDF: {e:?}"))
}

/// Writes lines down the page.
struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
    regular: Font,
    bold: Font,
    /// The next baseline, from the top.
    y: f32,
}

impl Pen<'_, '_> {
    fn order(&mut self, order: &TravelOrder<'_>) {
        let c = order.contents;
        self.line(&self.bold.clone(), 18.0, "INVITATIONAL TRAVEL ORDER", 24.0);
        self.line(
            &self.regular.clone(),
            10.0,
            &format!(
                "International Military Education and Training · {} FY{}",
                c.program, c.fiscal_year
            ),
            20.0,
        );
        self.rule();
        self.field("Order number", order.number);
        self.field("Revision", &order.revision.to_string());
        self.field("Issued", &format!("{} by {}", order.issued_on, c.issued_by));
        if let Some((previous, reason)) = order.amends {
            self.field("Amends", &format!("{previous}: {reason}"));
        }
        if let Some((on, reason)) = order.revoked {
            self.field("Revoked", &format!("{on}: {reason}"));
        }

        self.heading("Student");
        self.field("Name", &c.student.name);
        self.field(
            "Rank and grade",
            &format!("{} ({})", c.student.rank, c.student.grade),
        );
        self.field("Service", &c.student.service);
        self.field("Date of birth", &c.student.date_of_birth.to_string());
        self.field(
            "Country",
            &format!("{} ({})", c.student.country_name, c.student.country_code),
        );

        self.heading("Training");
        self.field("MASL id", &c.course.masl_id);
        self.field("Course", &c.course.title);
        self.field("School", &c.course.school);
        self.field("Location", &c.course.location);
        self.field(
            "Class dates",
            &format!("{} to {}", c.start_date, c.end_date),
        );
        self.field("Report by", &c.report_by.to_string());

        let e = &c.entitlements;
        self.heading("Entitlements");
        self.field("Tuition", &Cents(e.tuition_cents).to_string());
        self.field("Round-trip travel", &Cents(e.travel_cents).to_string());
        self.field(
            "Living allowance",
            &format!(
                "{} per day × {} days = {}",
                Cents(e.living_allowance_per_day_cents),
                e.days,
                Cents(e.living_allowance_cents)
            ),
        );
        self.field("Total", &Cents(e.total_cents).to_string());
        self.field(
            "Dependents authorized",
            if c.dependents_authorized { "Yes" } else { "No" },
        );

        if let Some(remarks) = &c.remarks {
            self.heading("Remarks");
            for line in clip(wrap(remarks, REMARKS_LINE), REMARKS_LINES) {
                self.line(&self.regular.clone(), 9.5, &line, 13.0);
            }
        }

        self.y = HEIGHT - MARGIN;
        self.line(
            &self.regular.clone(),
            8.0,
            "Valid only for the training above. Not valid once superseded by an amendment or revoked.",
            0.0,
        );
        if order.revoked.is_some() {
            self.stamp("REVOKED");
        }
    }

    fn heading(&mut self, text: &str) {
        self.y += 8.0;
        self.line(&self.bold.clone(), 12.0, text, 6.0);
        self.rule();
    }

    fn field(&mut self, label: &str, value: &str) {
        self.text(&self.regular.clone(), 9.0, MARGIN, label);
        for line in clip(wrap(value, VALUE_LINE), VALUE_LINES) {
            self.text(&self.bold.clone(), 10.0, VALUE_X, &line);
            self.y += 13.0;
        }
        self.y += 2.0;
    }

    /// Draws `text` at the left margin, then moves `advance` down.
    fn line(&mut self, font: &Font, size: f32, text: &str, advance: f32) {
        self.text(font, size, MARGIN, text);
        self.y += advance;
    }

    fn text(&mut self, font: &Font, size: f32, x: f32, text: &str) {
        self.surface.draw_text(
            Point::from_xy(x, self.y),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// A thin line across the page under the current line.
    fn rule(&mut self) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(MARGIN, self.y - 4.0, WIDTH - 2.0 * MARGIN, 0.6) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.draw_path(&path);
        }
        self.y += 12.0;
    }

    /// `word` in large red letters across the middle of the page.
    fn stamp(&mut self, word: &str) {
        self.surface
            .push_transform(&Transform::from_rotate_at(-35.0, WIDTH / 2.0, HEIGHT / 2.0));
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(200, 0, 0).into(),
            opacity: NormalizedF32::new(0.45).unwrap_or(NormalizedF32::ONE),
            rule: Default::default(),
        }));
        let size = 110.0;
        // DejaVu Sans Bold capitals are about 0.75 em wide.
        let width = word.chars().count() as f32 * size * 0.75;
        self.surface.draw_text(
            Point::from_xy((WIDTH - width) / 2.0, HEIGHT / 2.0 + size / 3.0),
            self.bold.clone(),
            size,
            word,
            false,
            TextDirection::Auto,
        );
        self.surface.set_fill(None);
        self.surface.pop();
    }
}

/// `text` in lines of at most `width` characters, broken between words
/// (a longer word gets a line of its own, cut at `width`).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            while word.len() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(word.drain(..width).collect());
            }
            let word: String = word.into_iter().collect();
            if word.is_empty() {
                continue;
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

/// At most `most` of `lines`, the last ending in `…` when some were left out.
fn clip(mut lines: Vec<String>, most: usize) -> Vec<String> {
    if lines.len() > most {
        lines.truncate(most);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_wrap_between_words() {
        let cases: [(&str, usize, &[&str]); 5] = [
            ("", 10, &[]),
            ("short", 10, &["short"]),
            ("one two three four", 9, &["one two", "three", "four"]),
            ("abcdefghijkl x", 5, &["abcde", "fghij", "kl x"]),
            ("first\n\nthird", 10, &["first", "", "third"]),
        ];
        for (text, width, expected) in cases {
            assert_eq!(wrap(text, width), expected, "{text:?}");
        }
        assert_eq!(clip(vec!["a".into(), "b".into()], 2), ["a", "b"]);
        assert_eq!(
            clip(vec!["a".into(), "b".into(), "c".into()], 2),
            ["a", "b…"]
        );
        let long = "word ".repeat(200);
        assert!(
            wrap(&long, REMARKS_LINE)
                .iter()
                .all(|l| l.chars().count() <= REMARKS_LINE)
        );
    }
}
