//! The nomination rows: which country, student, class and status each gets.
use super::*;

pub(super) const NOMINATION_COLS: [&str; 20] = [
    "student_id",
    "offering_id",
    "country_code",
    "program",
    "priority",
    "status",
    "held_from",
    "estimated_cost_cents",
    "committed_cents",
    "fiscal_year",
    "checks",
    "checks_at",
    "submitted_at",
    "decided_at",
    "reason",
    "withdrawal_cause",
    "penalty_cents",
    "created_by",
    "created_at",
    "updated_at",
];

/// Everything the nomination rows are made from.
pub(super) struct Plan {
    /// The country (index into [`COUNTRIES`]) of every nomination.
    pub(super) countries: Vec<u8>,
    /// The liaison who created a country's nominations.
    pub(super) liaisons: Vec<i32>,
    pub(super) students: Vec<Vec<i32>>,
    pub(super) classes: Vec<Class>,
    pub(super) checks: Vec<Value>,
    pub(super) now: DateTime<Utc>,
}

impl Plan {
    /// Sends the rows in chunks of `per_chunk`; stops early if nobody listens.
    pub(super) fn generate(
        self,
        rng: &mut Rng,
        per_chunk: usize,
        tx: &tokio::sync::mpsc::Sender<Vec<Vec<Value>>>,
    ) {
        let mut seen = vec![0usize; COUNTRIES.len()];
        let mut rows = Vec::with_capacity(per_chunk);
        for (i, &c) in self.countries.iter().enumerate() {
            let c = c as usize;
            let k = seen[c];
            seen[c] += 1;
            rows.push(self.row(rng, i, c, k));
            if rows.len() == per_chunk || i + 1 == self.countries.len() {
                let chunk = std::mem::replace(&mut rows, Vec::with_capacity(per_chunk));
                if tx.blocking_send(chunk).is_err() {
                    return;
                }
            }
        }
    }

    /// The `k`th nomination of country `c`, `i`th of all.
    fn row(&self, rng: &mut Rng, i: usize, c: usize, k: usize) -> Vec<Value> {
        let now = self.now;
        // Student k mod S, class (hash(student) + round) mod classes: a student's
        // nominations are to distinct classes (at most one active per class).
        let of_country = &self.students[c];
        let s = k % of_country.len();
        let round = k / of_country.len();
        let class = &self.classes[(s * 7919 + round) % self.classes.len()];
        let statuses = if class.start <= now.date_naive() {
            PAST
        } else {
            AHEAD
        };
        let (status, _) = statuses[rng.weighted(statuses.iter().map(|s| s.1))];
        let days = |n: u64| chrono::Duration::seconds((n * 86_400) as i64);
        let class_start = class.start.and_time(chrono::NaiveTime::MIN).and_utc();
        let created = (class_start - days(60) - days(rng.below(120))).min(
            now - days(rng.below(8) + 12) - chrono::Duration::seconds(rng.below(86_400) as i64),
        );
        let submitted = (status != "draft").then(|| created + days(rng.below(5)));
        let decided = matches!(
            status,
            "approved" | "rejected" | "completed" | "withdrawn" | "on_hold"
        )
        .then(|| created + days(6 + rng.below(6)));
        let held_from = (status == "on_hold").then_some("approved");
        let committed = match status {
            "approved" | "completed" | "on_hold" => class.cost,
            _ => 0,
        };
        let (reason, cause, penalty) = match status {
            "rejected" => (Some("Does not meet the English requirement"), None, 0),
            "withdrawn" if rng.below(4) == 0 => (
                Some("Operational commitment at home"),
                Some("liaison"),
                class.cost / 10,
            ),
            "withdrawn" => (Some("Operational commitment at home"), Some("liaison"), 0),
            _ => (None, None, 0),
        };
        let program = if rng.below(10) == 0 { "E-IMET" } else { "IMET" };
        let priority = ["A", "B", "C", "D"][rng.below(4) as usize];
        let updated = decided.or(submitted).unwrap_or(created);
        vec![
            Value::from(of_country[s]),
            class.id.into(),
            COUNTRIES[c].0.into(),
            program.into(),
            priority.into(),
            status.into(),
            held_from.map(str::to_owned).into(),
            class.cost.into(),
            (committed + penalty).into(),
            class.fiscal_year.into(),
            self.checks[i % self.checks.len()].clone(),
            submitted.into(),
            submitted.into(),
            decided.into(),
            reason.map(str::to_owned).into(),
            cause.map(str::to_owned).into(),
            penalty.into(),
            self.liaisons[c].into(),
            created.into(),
            updated.into(),
        ]
    }
}

/// A few realistic check lists (all met, or one waived), as stored.
pub(super) fn checks_variants() -> Vec<serde_json::Value> {
    let base = [
        ("country_eligible", "Eligible for IMET"),
        ("english", "ECL 84 (minimum 80), taken 40 days before"),
        ("prerequisites", "No prerequisites"),
        ("audience", "Officer (O-4) may attend"),
        ("vetting", "Cleared 120 days before the class"),
        ("seats", "12 of 30 seats taken"),
        ("funds", "$31,000.00 of $412,000.00 available"),
    ];
    (0..4)
        .map(|v| {
            json!(
                base.iter()
                    .enumerate()
                    .map(|(i, (name, detail))| {
                        let waived = v == 3 && i == 1;
                        json!({"name": name, "passed": !waived, "detail": detail, "waived": waived})
                    })
                    .collect::<Vec<_>>()
            )
        })
        .collect()
}
