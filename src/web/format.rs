//! How values are shown on pages and read back from forms.

/// Cents as US dollars: `350000` → `$3,500.00`.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// Cents as a form value a person would type: `350000` → `3500.00`.
pub fn dollars_input(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

/// Reads an amount of US dollars as typed (`3500`, `3,500.50`, `$3500.5`)
/// into cents, exactly. Negative amounts and fractions of a cent are refused.
pub fn parse_dollars(input: &str) -> Result<i64, &'static str> {
    const MESSAGE: &str = "must be an amount in dollars, like 3500 or 3,500.00";
    let cleaned: String = input
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return Err(MESSAGE);
    }
    let whole: i64 = whole.parse().map_err(|_| MESSAGE)?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| MESSAGE)?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or(MESSAGE)
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
    fn dollars_are_grouped_with_cents() {
        let cases = [
            (0, "$0.00"),
            (5, "$0.05"),
            (350_000, "$3,500.00"),
            (123_456_789, "$1,234,567.89"),
            (100_000_000, "$1,000,000.00"),
            (-2_550, "-$25.50"),
        ];
        for (cents, shown) in cases {
            assert_eq!(dollars(cents), shown, "{cents}");
        }
        assert_eq!(dollars_input(350_005), "3500.05");
    }

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
    fn typed_dollars_become_exact_cents() {
        let cases = [
            ("3500", Ok(350_000)),
            ("3,500.00", Ok(350_000)),
            ("$3500.5", Ok(350_050)),
            (" 0.07 ", Ok(7)),
            ("0", Ok(0)),
            ("", Err(())),
            ("-5", Err(())),
            ("1.005", Err(())),
            ("12e3", Err(())),
            ("abc", Err(())),
            (".50", Err(())),
            ("99999999999999999999", Err(())),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_dollars(input).map_err(|_| ()), expected, "{input:?}");
        }
    }
}
