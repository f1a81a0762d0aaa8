//! Prerequisite satisfaction: every prerequisite course was completed
//! (prior training, or a completed enrollment from its end date) on or
//! before the day the check runs.
use chrono::NaiveDate;

/// `Ok(detail)` when each of `required` (MASL ids) appears in `completed`
/// (MASL id, completion date) on or before `day`; else `Err` naming the
/// missing ones.
pub fn prerequisites_met(
    required: &[String],
    completed: &[(String, NaiveDate)],
    day: NaiveDate,
) -> Result<String, String> {
    if required.is_empty() {
        return Ok("the course has no prerequisites".into());
    }
    let missing: Vec<&str> = required
        .iter()
        .filter(|masl| {
            !completed
                .iter()
                .any(|(done, on)| done == *masl && *on <= day)
        })
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        Ok(format!("completed {}", required.join(", ")))
    } else {
        Err(format!("missing prerequisite {}", missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn prerequisites_table() {
        let day = d("2026-06-01");
        let done = vec![
            ("B000001".to_string(), d("2024-06-30")),
            ("D000002".to_string(), d("2026-06-02")),
        ];
        let req = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = [
            (req(&[]), true),
            (req(&["B000001"]), true),
            (req(&["B000001", "P000003"]), false),
            (req(&["D000002"]), false), // completes after the day
        ];
        for (required, ok) in cases {
            assert_eq!(
                prerequisites_met(&required, &done, day).is_ok(),
                ok,
                "{required:?}"
            );
        }
    }
}
