//! The time services decide by. Real by default; a test (or a rehearsal of
//! a future date) moves it, and every clone follows, so the whole process
//! sees the same moved time.
use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Duration, NaiveDate, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// How far this clock is ahead of the system's, in milliseconds.
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Today's date in UTC, the day every program rule counts in.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves the clock so that it now reads `at`; it keeps running from there.
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = (at - Utc::now()).num_milliseconds();
        self.offset_ms.store(offset, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_reads_the_set_time_in_every_clone() {
        let clock = Clock::default();
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 2);
        let copy = clock.clone();
        let at = DateTime::parse_from_rfc3339("2031-10-01T09:00:00Z")
            .unwrap()
            .to_utc();
        clock.set(at);
        for c in [&clock, &copy] {
            assert!((c.now() - at).num_seconds().abs() < 2);
            assert_eq!(c.today(), NaiveDate::from_ymd_opt(2031, 10, 1).unwrap());
        }
    }
}
