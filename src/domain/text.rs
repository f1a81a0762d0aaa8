//! Rules for free-text fields.
use std::borrow::Cow;

use validator::ValidationError;

/// A required text must hold something besides white space.
pub fn non_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new("blank").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}

/// Fields that may span lines (descriptions, reasons, justifications,
/// remarks, a pasted CSV), by the last segment of their name.
pub fn is_multiline_field(name: &str) -> bool {
    let last = name.rsplit(['.', '[']).next().unwrap_or(name);
    ["description", "reason", "justification", "remarks", "notes"]
        .iter()
        .any(|suffix| last.ends_with(suffix))
        || last == "csv"
}

/// Text input holds no control character (C0 or C1): a NUL can't be stored
/// on PostgreSQL and none can be shown in a valid page. TAB, LF and CR are
/// allowed in multi-line fields only (SPEC §8).
pub fn control_char_error(value: &str, multiline: bool) -> Option<String> {
    value
        .chars()
        .find(|&c| c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
        .map(|c| {
            format!(
                "must not contain control characters (found U+{:04X})",
                u32::from(c)
            )
        })
}

/// [`control_char_error`] for the field `name`, whose kind its name tells.
pub fn field_control_char_error(name: &str, value: &str) -> Option<String> {
    control_char_error(value, is_multiline_field(name))
}

/// A spreadsheet runs a cell beginning with one of these as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as exported to CSV: one that a spreadsheet would run as a formula
/// is prefixed with `'` (SPEC §8).
pub fn csv_cell_out(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell as imported from CSV: the `'` that [`csv_cell_out`] added is
/// removed again, so an export re-imports unchanged.
pub fn csv_cell_in(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_texts() {
        for (value, ok) in [
            ("", false),
            ("   ", false),
            ("\t\n", false),
            ("x", true),
            (" Raza ", true),
        ] {
            assert_eq!(non_blank(value).is_ok(), ok, "{value:?}");
        }
    }

    #[test]
    fn control_characters() {
        let cases = [
            ("Ali Raza", false, None),
            ("Zoë Ångström 李", false, None),
            ("a\0b", false, Some(0x00)),
            ("a\0b", true, Some(0x00)),
            ("a\u{3}", false, Some(0x03)),
            ("a\u{f}", true, Some(0x0f)),
            ("a\u{7f}", false, Some(0x7f)),
            ("a\u{88}", false, Some(0x88)),
            ("a\u{9f}", true, Some(0x9f)),
            ("line\nline", false, Some(0x0a)),
            ("line\r\nline\tcell", true, None),
            ("tab\t", false, Some(0x09)),
            ("\u{a0}\u{200b}", false, None),
        ];
        for (value, multiline, found) in cases {
            let expected = found
                .map(|c: u32| format!("must not contain control characters (found U+{c:04X})"));
            assert_eq!(
                control_char_error(value, multiline),
                expected,
                "{value:?} {multiline}"
            );
        }
    }

    #[test]
    fn formula_cells_round_trip() {
        let cases = [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-250", "'-250"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Ranger School", "Ranger School"),
            ("'quoted", "'quoted"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (cell, exported) in cases {
            assert_eq!(csv_cell_out(cell), exported, "{cell:?}");
            assert_eq!(csv_cell_in(exported), cell, "{exported:?}");
        }
    }

    #[test]
    fn multiline_fields_by_name() {
        let cases = [
            ("description", true),
            ("reason", true),
            ("lift_reason", true),
            ("reject_reason", true),
            ("justification", true),
            ("remarks", true),
            ("csv", true),
            ("waivers[0].justification", true),
            ("name", false),
            ("email", false),
            ("q", false),
            ("title", false),
            ("reasonable", false),
        ];
        for (name, multiline) in cases {
            assert_eq!(is_multiline_field(name), multiline, "{name}");
        }
    }
}
