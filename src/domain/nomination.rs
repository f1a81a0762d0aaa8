//! The nomination state machine, its priorities and the waitlist order
//! (SPEC §2):
//!
//! ```text
//! draft -> submitted -> approved -> completed          (officer, after end_date)
//!             |   \-> waitlisted -> submitted         (promotion when a seat frees)
//!             |   \-> rejected                        (reason required)
//!             \--------- withdrawn                    (from draft, submitted, waitlisted, approved, on_hold)
//! submitted | waitlisted | approved <-> on_hold       (suspension in effect / lifted)
//! ```
use super::named::named_enum;

use chrono::{DateTime, Utc};

named_enum! {
    pub enum Status: "a nomination status" {
        Draft = "draft",
        Submitted = "submitted",
        Waitlisted = "waitlisted",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Completed = "completed",
        OnHold = "on_hold",
    }
}

impl Status {
    /// "Active" = draft, submitted, waitlisted, approved, on_hold.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Status::Draft
                | Status::Submitted
                | Status::Waitlisted
                | Status::Approved
                | Status::OnHold
        )
    }

    /// Statuses a suspension puts on hold.
    pub fn can_be_held(self) -> bool {
        matches!(
            self,
            Status::Submitted | Status::Waitlisted | Status::Approved
        )
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitted => "Submitted",
            Status::Waitlisted => "Waitlisted",
            Status::Approved => "Approved",
            Status::Rejected => "Rejected",
            Status::Withdrawn => "Withdrawn",
            Status::Completed => "Completed",
            Status::OnHold => "On hold",
        }
    }
}

/// What can happen to a nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit,
    Approve,
    Reject,
    Waitlist,
    /// A seat freed: the head of the waitlist returns to `submitted`.
    Promote,
    Withdraw,
    Complete,
    /// A suspension in effect for a program the nomination depends on.
    Hold,
    /// The suspension was lifted (or waived): back to the status held from.
    Release,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Waitlist => "waitlist",
            Action::Promote => "promote",
            Action::Withdraw => "withdraw",
            Action::Complete => "complete",
            Action::Hold => "hold",
            Action::Release => "release",
        }
    }
}

/// The status after `action` on a nomination in `from`, or `None` when the
/// transition is illegal. `held_from` is the status an `on_hold` nomination
/// returns to.
pub fn transition(from: Status, action: Action, held_from: Option<Status>) -> Option<Status> {
    use Action as A;
    use Status as S;
    match (from, action) {
        (S::Draft, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::Approve) => Some(S::Approved),
        (S::Submitted, A::Reject) => Some(S::Rejected),
        (S::Submitted, A::Waitlist) => Some(S::Waitlisted),
        (S::Waitlisted, A::Promote) => Some(S::Submitted),
        (S::Draft | S::Submitted | S::Waitlisted | S::Approved | S::OnHold, A::Withdraw) => {
            Some(S::Withdrawn)
        }
        (S::Approved, A::Complete) => Some(S::Completed),
        (S::Submitted | S::Waitlisted | S::Approved, A::Hold) => Some(S::OnHold),
        (S::OnHold, A::Release) => held_from.filter(|s| s.can_be_held()),
        _ => None,
    }
}

named_enum! {
    /// Nomination priority: `A` first.
    #[derive(PartialOrd, Ord, Default)]
    pub enum Priority: "a priority" {
        A = "A",
        B = "B",
        #[default]
        C = "C",
        D = "D",
    }
}

/// Waitlist order: priority (A first), then submission time, then id.
pub fn waitlist_key(
    priority: Priority,
    submitted_at: Option<DateTime<Utc>>,
    id: i32,
) -> (Priority, Option<DateTime<Utc>>, i32) {
    (priority, submitted_at, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [Action; 9] = [
        Action::Submit,
        Action::Approve,
        Action::Reject,
        Action::Waitlist,
        Action::Promote,
        Action::Withdraw,
        Action::Complete,
        Action::Hold,
        Action::Release,
    ];

    /// Every (status, action) pair: the legal ones and where they lead; all
    /// others are illegal.
    #[test]
    fn exhaustive_transition_table() {
        use Action as A;
        use Status as S;
        let legal = [
            (S::Draft, A::Submit, S::Submitted),
            (S::Draft, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Approve, S::Approved),
            (S::Submitted, A::Reject, S::Rejected),
            (S::Submitted, A::Waitlist, S::Waitlisted),
            (S::Submitted, A::Withdraw, S::Withdrawn),
            (S::Submitted, A::Hold, S::OnHold),
            (S::Waitlisted, A::Promote, S::Submitted),
            (S::Waitlisted, A::Withdraw, S::Withdrawn),
            (S::Waitlisted, A::Hold, S::OnHold),
            (S::Approved, A::Complete, S::Completed),
            (S::Approved, A::Withdraw, S::Withdrawn),
            (S::Approved, A::Hold, S::OnHold),
            (S::OnHold, A::Withdraw, S::Withdrawn),
            (S::OnHold, A::Release, S::Approved), // held from approved, below
        ];
        for from in Status::ALL {
            for action in ACTIONS {
                let expected = legal
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    transition(from, action, Some(Status::Approved)),
                    expected,
                    "{from} {action:?}"
                );
            }
        }
    }

    #[test]
    fn release_returns_to_the_status_held_from() {
        let cases = [
            (Some(Status::Submitted), Some(Status::Submitted)),
            (Some(Status::Waitlisted), Some(Status::Waitlisted)),
            (Some(Status::Approved), Some(Status::Approved)),
            (Some(Status::Draft), None),
            (Some(Status::Withdrawn), None),
            (None, None),
        ];
        for (held_from, expected) in cases {
            assert_eq!(
                transition(Status::OnHold, Action::Release, held_from),
                expected,
                "{held_from:?}"
            );
        }
    }

    #[test]
    fn active_and_holdable_statuses() {
        let active: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(
            active,
            vec![
                Status::Draft,
                Status::Submitted,
                Status::Waitlisted,
                Status::Approved,
                Status::OnHold
            ]
        );
        let holdable: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.can_be_held())
            .collect();
        assert_eq!(
            holdable,
            vec![Status::Submitted, Status::Waitlisted, Status::Approved]
        );
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
    }

    #[test]
    fn waitlist_order_is_priority_then_submission() {
        let t = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        let mut entries = [
            (1, Priority::C, t("2026-01-01T10:00:00Z")),
            (2, Priority::A, t("2026-01-03T10:00:00Z")),
            (3, Priority::C, t("2026-01-01T09:00:00Z")),
            (4, Priority::B, t("2026-01-02T10:00:00Z")),
            (5, Priority::A, t("2026-01-03T10:00:00Z")),
            (6, Priority::D, t("2025-12-01T10:00:00Z")),
        ];
        entries.sort_by_key(|(id, p, at)| waitlist_key(*p, *at, *id));
        let order: Vec<i32> = entries.iter().map(|e| e.0).collect();
        assert_eq!(order, vec![2, 5, 4, 3, 1, 6]);
        assert_eq!(Priority::default(), Priority::C);
        assert!("E".parse::<Priority>().is_err());
    }
}
