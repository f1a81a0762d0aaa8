//! Money: whole US cents, exact. Shown as dollars, typed as dollars.
use std::fmt;

/// An amount in US cents; `Display` prints dollars: `350000` → `$3,500.00`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub i64);

impl Cents {
    /// Reads an amount of US dollars as typed (`3500`, `3,500.50`, `$3500.5`),
    /// exactly. Negative amounts and fractions of a cent are refused.
    pub fn parse_dollars(input: &str) -> Result<Self, &'static str> {
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
            .map(Self)
            .ok_or(MESSAGE)
    }

    /// As a form value a person would type: `350000` → `3500.00`.
    pub fn input(self) -> String {
        format!("{}.{:02}", self.0 / 100, (self.0 % 100).abs())
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        let whole = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}${grouped}.{:02}", cents % 100)
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
            assert_eq!(Cents(cents).to_string(), shown, "{cents}");
        }
        assert_eq!(Cents(350_005).input(), "3500.05");
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
            let parsed = Cents::parse_dollars(input).map(|c| c.0).map_err(|_| ());
            assert_eq!(parsed, expected, "{input:?}");
        }
    }
}
