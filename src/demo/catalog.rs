//! The demo catalog: courses of Army (B), Air Force (D) and Navy (P)
//! schools, loaded from `catalog.csv` through the catalog importer, with
//! classes (`classes.csv`) over the next 18 months counted from today, so
//! the demo never shows a stale schedule.
use chrono::{Datelike, Days, NaiveDate};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use validator::Validate;

use crate::{
    domain::actor::Actor,
    error::{AppError, AppResult},
    services::{
        catalog_csv,
        offerings::{self, NewOffering},
    },
};

/// The courses, in the importer's format.
const CATALOG: &[u8] = include_bytes!("catalog.csv");
/// How often each course runs, and what its classes cost.
const CLASSES: &[u8] = include_bytes!("classes.csv");

/// One row of `classes.csv`.
#[derive(Debug, Deserialize)]
struct Schedule {
    masl_id: String,
    tuition_dollars: i64,
    living_allowance_per_day_dollars: i64,
    weeks: u64,
    /// Weeks between the starts of two classes.
    every_weeks: u64,
    /// Weeks from today to the first class.
    first_in_weeks: u64,
    seats: i32,
}

fn schedules() -> AppResult<Vec<Schedule>> {
    csv::Reader::from_reader(CLASSES)
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("demo classes.csv: {e}")))
}

/// How far ahead the demo schedules classes.
const HORIZON_DAYS: u64 = 548;

/// Imports the demo courses and creates their classes, starting from `today`.
pub async fn seed(db: &DatabaseConnection, admin: &Actor, today: NaiveDate) -> AppResult<()> {
    catalog_csv::import(db, admin, CATALOG).await?;
    for demo in schedules()? {
        for start in class_starts(today, demo.first_in_weeks, demo.every_weeks) {
            let new = NewOffering {
                start_date: start,
                // Classes run Monday to Friday of their last week.
                end_date: start + Days::new(demo.weeks * 7 - 3),
                seats: demo.seats,
                tuition_cents: demo.tuition_dollars * 100,
                living_allowance_per_day_cents: demo.living_allowance_per_day_dollars * 100,
                status: None,
            };
            new.validate()?;
            offerings::create(db, admin, &demo.masl_id, new).await?;
        }
    }
    Ok(())
}

/// Mondays from `first_in_weeks` after `today`, every `every_weeks`, up to
/// the horizon.
fn class_starts(today: NaiveDate, first_in_weeks: u64, every_weeks: u64) -> Vec<NaiveDate> {
    let monday = today + Days::new(u64::from((7 - today.weekday().num_days_from_monday()) % 7));
    let horizon = today + Days::new(HORIZON_DAYS);
    (0..)
        .map(|k| monday + Days::new((first_in_weeks + k * every_weeks) * 7))
        .take_while(|start| *start <= horizon)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn classes_start_on_mondays_within_eighteen_months() {
        for today in ["2026-11-28", "2027-03-01", "2028-02-29"] {
            let today: NaiveDate = today.parse().unwrap();
            for demo in schedules().unwrap() {
                let starts = class_starts(today, demo.first_in_weeks, demo.every_weeks);
                assert!(!starts.is_empty(), "{}", demo.masl_id);
                for start in starts {
                    assert_eq!(start.weekday(), chrono::Weekday::Mon);
                    assert!(start > today && start <= today + Days::new(HORIZON_DAYS));
                }
            }
        }
    }

    #[test]
    fn the_catalog_is_varied_and_every_course_is_scheduled() {
        let mut catalog = csv::Reader::from_reader(CATALOG);
        let headers = catalog.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (masl, e_imet, audience) = (column("masl_id"), column("e_imet"), column("audience"));
        let rows: Vec<csv::StringRecord> = catalog.records().map(Result::unwrap).collect();
        assert!(rows.len() >= 25);
        let courses: BTreeSet<&str> = rows.iter().map(|r| &r[masl]).collect();
        assert_eq!(courses.len(), rows.len(), "a MASL id twice");
        let scheduled: BTreeSet<String> = schedules()
            .unwrap()
            .into_iter()
            .inspect(|s| {
                assert!(
                    (5_000..=90_000).contains(&s.tuition_dollars),
                    "{}",
                    s.masl_id
                )
            })
            .map(|s| s.masl_id)
            .collect();
        assert!(
            courses
                .iter()
                .copied()
                .eq(scheduled.iter().map(String::as_str))
        );
        for letter in ['B', 'D', 'P'] {
            assert!(courses.iter().filter(|c| c.starts_with(letter)).count() >= 5);
        }
        assert!(
            rows.iter()
                .any(|r| &r[e_imet] == "true" && r[audience].contains("civilian"))
        );
    }
}
