//! The annual training plan (SPEC §7): its status machine, who may move it,
//! the priority-A ceiling per program, the PME share of the A total, and
//! which nominations a plan line admits.
use std::collections::BTreeMap;

use super::{
    funding::{basis_points, percent, pme_share_below_floor},
    named::named_enum,
    nomination::{Priority, Status},
    program::Program,
    role::Role,
};

/// Students one line may plan.
pub const MAX_QUANTITY: i32 = 500;

/// The largest unit cost a liaison may enter: $10,000,000 per student.
pub const MAX_UNIT_COST_CENTS: i64 = 1_000_000_000;

named_enum! {
    pub enum PlanStatus: "a plan status" {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Returned = "returned",
    }
}

impl PlanStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::Approved => "Approved",
            Self::Returned => "Returned",
        }
    }
}

/// What can happen to a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanAction {
    /// Add, change or remove a line.
    Edit,
    Submit,
    Approve,
    Return,
    Reopen,
}

impl PlanAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Reopen => "reopen",
        }
    }

    pub fn past_tense(self) -> &'static str {
        match self {
            Self::Edit => "edited",
            Self::Submit => "submitted",
            Self::Approve => "approved",
            Self::Return => "returned",
            Self::Reopen => "reopened",
        }
    }
}

/// The status after `action` on a plan in `from`; `None` when the machine
/// forbids it: `draft → submitted → approved`, `submitted → returned →
/// draft`, and an approved plan reopened to `draft`.
pub fn plan_transition(from: PlanStatus, action: PlanAction) -> Option<PlanStatus> {
    use PlanAction as A;
    use PlanStatus as S;
    match (from, action) {
        (S::Draft, A::Edit) => Some(S::Draft),
        (S::Draft, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::Approve) => Some(S::Approved),
        (S::Submitted, A::Return) => Some(S::Returned),
        (S::Returned | S::Approved, A::Reopen) => Some(S::Draft),
        _ => None,
    }
}

/// Whether `role` may take `action` on a plan in `from` (a liaison only on
/// their own country's plan, which the caller checks): the country's
/// drafters (liaisons, admins) create, edit and submit, and take a returned
/// plan back to draft; program officers and admins approve, return and
/// reopen an approved plan.
pub fn may_act(role: Role, action: PlanAction, from: PlanStatus) -> bool {
    match action {
        PlanAction::Edit | PlanAction::Submit => role.may_nominate(),
        PlanAction::Approve | PlanAction::Return => role.is_staff(),
        PlanAction::Reopen if from == PlanStatus::Returned => {
            role.may_nominate() || role.is_staff()
        }
        PlanAction::Reopen => role.is_staff(),
    }
}

/// A line's total: quantity × unit cost; `None` if it overflows.
pub fn line_total(quantity: i32, unit_cost_cents: i64) -> Option<i64> {
    unit_cost_cents.checked_mul(i64::from(quantity))
}

/// What the plan's sums are computed from, per line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineFigures {
    pub priority: Priority,
    pub program: Program,
    pub pme: bool,
    pub quantity: i32,
    pub total_cents: i64,
}

/// The priority-A total of each program that has A lines.
pub fn a_totals(lines: &[LineFigures]) -> BTreeMap<Program, i64> {
    let mut totals = BTreeMap::new();
    for line in lines.iter().filter(|l| l.priority == Priority::A) {
        *totals.entry(line.program).or_insert(0) += line.total_cents;
    }
    totals
}

/// A program whose priority-A lines do not fit its allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Excess {
    pub program: Program,
    pub a_total_cents: i64,
    pub ceiling_cents: i64,
    pub excess_cents: i64,
}

/// Every program whose A total exceeds its ceiling (the FY's allocation;
/// none means a ceiling of 0), in program order.
pub fn excesses(lines: &[LineFigures], ceiling: impl Fn(Program) -> Option<i64>) -> Vec<Excess> {
    a_totals(lines)
        .into_iter()
        .filter_map(|(program, a_total_cents)| {
            let ceiling_cents = ceiling(program).unwrap_or(0);
            (a_total_cents > ceiling_cents).then_some(Excess {
                program,
                a_total_cents,
                ceiling_cents,
                excess_cents: a_total_cents - ceiling_cents,
            })
        })
        .collect()
}

/// The professional military education share of the A total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PmeShare {
    pub a_total_cents: i64,
    pub pme_cents: i64,
    /// `None` when there is no A total to take a share of.
    pub basis_points: Option<i64>,
    pub text: String,
    /// Below 50%.
    pub below_floor: bool,
}

pub fn pme_share(lines: &[LineFigures]) -> PmeShare {
    let a_lines = || lines.iter().filter(|l| l.priority == Priority::A);
    let a_total_cents: i64 = a_lines().map(|l| l.total_cents).sum();
    let pme_cents: i64 = a_lines().filter(|l| l.pme).map(|l| l.total_cents).sum();
    let basis_points = basis_points(pme_cents, a_total_cents);
    PmeShare {
        a_total_cents,
        pme_cents,
        basis_points,
        text: basis_points.map_or_else(|| "no priority A lines".into(), percent),
        below_floor: pme_share_below_floor(pme_cents, a_total_cents),
    }
}

/// Whether a nomination in `status` fills its plan line: active or completed.
pub fn fills_line(status: Status) -> bool {
    status.is_active() || status == Status::Completed
}

/// What nominations made of a line (or of no line): those filling it,
/// those approved (approved or since completed), those completed, and what
/// the filling ones commit. A withdrawal's penalty is money lost, not
/// training given, and is left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Execution {
    pub nominated: i64,
    pub approved: i64,
    pub completed: i64,
    pub committed_cents: i64,
}

impl Execution {
    pub fn add(&mut self, status: Status, committed_cents: i64) {
        if !fills_line(status) {
            return;
        }
        self.nominated += 1;
        self.committed_cents += committed_cents;
        if matches!(status, Status::Approved | Status::Completed) {
            self.approved += 1;
        }
        if status == Status::Completed {
            self.completed += 1;
        }
    }
}

/// What a plan line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineTerms<'a> {
    pub plan_status: PlanStatus,
    pub country_code: &'a str,
    pub fiscal_year: i32,
    pub course_id: i32,
    pub offering_id: Option<i32>,
    pub program: Program,
}

/// What a nomination naming a line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NominationTerms<'a> {
    pub country_code: &'a str,
    /// The FY of the class's start.
    pub fiscal_year: i32,
    pub course_id: i32,
    pub offering_id: i32,
    pub program: Program,
}

/// Whether the line admits the nomination: a line of the country's approved
/// plan for the class's FY, for the same course, the same class if the line
/// names one, and the same program. `Err` says why not.
pub fn line_admits(line: LineTerms, nomination: NominationTerms) -> Result<(), String> {
    if line.country_code != nomination.country_code {
        Err("is not a line of this country's plans".into())
    } else if line.plan_status != PlanStatus::Approved {
        Err(format!(
            "is a line of a plan that is {}, not approved",
            line.plan_status
        ))
    } else if line.fiscal_year != nomination.fiscal_year {
        Err(format!(
            "is a line of the FY{} plan; the class starts in FY{}",
            line.fiscal_year, nomination.fiscal_year
        ))
    } else if line.course_id != nomination.course_id {
        Err("is a line for another course".into())
    } else if line
        .offering_id
        .is_some_and(|o| o != nomination.offering_id)
    {
        Err("is a line for another class of this course".into())
    } else if line.program != nomination.program {
        Err(format!("is a line funded by {}", line.program))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlanAction as A;
    use PlanStatus as S;

    #[test]
    fn plan_status_machine() {
        let cases = [
            (S::Draft, A::Edit, Some(S::Draft)),
            (S::Draft, A::Submit, Some(S::Submitted)),
            (S::Draft, A::Approve, None),
            (S::Draft, A::Return, None),
            (S::Draft, A::Reopen, None),
            (S::Submitted, A::Edit, None),
            (S::Submitted, A::Submit, None),
            (S::Submitted, A::Approve, Some(S::Approved)),
            (S::Submitted, A::Return, Some(S::Returned)),
            (S::Submitted, A::Reopen, None),
            (S::Approved, A::Edit, None),
            (S::Approved, A::Approve, None),
            (S::Approved, A::Return, None),
            (S::Approved, A::Reopen, Some(S::Draft)),
            (S::Returned, A::Edit, None),
            (S::Returned, A::Submit, None),
            (S::Returned, A::Reopen, Some(S::Draft)),
        ];
        for (from, action, to) in cases {
            assert_eq!(plan_transition(from, action), to, "{from} {action:?}");
        }
    }

    #[test]
    fn who_moves_a_plan() {
        use Role::*;
        let cases = [
            (CountryLiaison, A::Edit, S::Draft, true),
            (Admin, A::Edit, S::Draft, true),
            (ProgramOfficer, A::Edit, S::Draft, false),
            (CountryLiaison, A::Submit, S::Draft, true),
            (ProgramOfficer, A::Submit, S::Draft, false),
            (ProgramOfficer, A::Approve, S::Submitted, true),
            (Admin, A::Approve, S::Submitted, true),
            (CountryLiaison, A::Approve, S::Submitted, false),
            (CountryLiaison, A::Return, S::Submitted, false),
            (ProgramOfficer, A::Return, S::Submitted, true),
            (ProgramOfficer, A::Reopen, S::Approved, true),
            (CountryLiaison, A::Reopen, S::Approved, false),
            (CountryLiaison, A::Reopen, S::Returned, true),
            (ProgramOfficer, A::Reopen, S::Returned, true),
        ];
        for (role, action, from, allowed) in cases {
            assert_eq!(
                may_act(role, action, from),
                allowed,
                "{role} {action:?} {from}"
            );
        }
    }

    fn line(priority: Priority, program: Program, pme: bool, total_cents: i64) -> LineFigures {
        LineFigures {
            priority,
            program,
            pme,
            quantity: 1,
            total_cents,
        }
    }

    #[test]
    fn ceiling_counts_priority_a_per_program() {
        use Priority::*;
        use Program::*;
        let plan = [
            line(A, Imet, true, 600),
            line(A, Imet, false, 500),
            line(B, Imet, true, 9_000), // backup lists may exceed
            line(A, Fmf, false, 300),
        ];
        // IMET ceiling, FMF ceiling, the excesses expected.
        type Case = (Option<i64>, Option<i64>, Vec<(Program, i64)>);
        let cases: [Case; 5] = [
            (Some(1_100), Some(300), vec![]),
            (Some(1_099), Some(300), vec![(Imet, 1)]),
            (Some(2_000), None, vec![(Fmf, 300)]),
            (None, Some(299), vec![(Imet, 1_100), (Fmf, 1)]),
            (Some(0), Some(0), vec![(Imet, 1_100), (Fmf, 300)]),
        ];
        for (imet, fmf, expected) in cases {
            let over = excesses(&plan, |p| if p == Imet { imet } else { fmf });
            let got: Vec<_> = over.iter().map(|e| (e.program, e.excess_cents)).collect();
            assert_eq!(got, expected, "IMET {imet:?} FMF {fmf:?}");
        }
        assert_eq!(a_totals(&plan)[&Imet], 1_100);
    }

    #[test]
    fn pme_share_of_the_a_total() {
        use Priority::*;
        use Program::*;
        let cases = [
            (vec![], None, "no priority A lines", false),
            (
                vec![line(A, Imet, true, 500), line(A, Fmf, false, 500)],
                Some(5_000),
                "50.00%",
                false,
            ),
            (
                vec![line(A, Imet, true, 499), line(A, Imet, false, 501)],
                Some(4_990),
                "49.90%",
                true,
            ),
            (
                vec![line(A, Imet, false, 100), line(B, Imet, true, 900)],
                Some(0),
                "0.00%",
                true,
            ),
            (
                vec![line(C, Imet, true, 100)],
                None,
                "no priority A lines",
                false,
            ),
        ];
        for (lines, bp, text, flagged) in cases {
            let share = pme_share(&lines);
            assert_eq!(share.basis_points, bp, "{lines:?}");
            assert_eq!(share.text, text, "{lines:?}");
            assert_eq!(share.below_floor, flagged, "{lines:?}");
        }
    }

    #[test]
    fn line_totals_never_overflow() {
        assert_eq!(line_total(500, MAX_UNIT_COST_CENTS), Some(500_000_000_000));
        assert_eq!(line_total(3, 1_250), Some(3_750));
        assert_eq!(line_total(2, i64::MAX), None);
    }

    #[test]
    fn which_statuses_fill_a_line() {
        for status in Status::ALL {
            let expected = !matches!(status, Status::Rejected | Status::Withdrawn);
            assert_eq!(fills_line(status), expected, "{status}");
        }
    }

    #[test]
    fn execution_counts() {
        use Status::*;
        let cases = [
            (Draft, 0, (1, 0, 0, 0)),
            (Submitted, 0, (1, 0, 0, 0)),
            (Waitlisted, 0, (1, 0, 0, 0)),
            (OnHold, 500, (1, 0, 0, 500)),
            (Approved, 700, (1, 1, 0, 700)),
            (Completed, 900, (1, 1, 1, 900)),
            (Withdrawn, 300, (0, 0, 0, 0)), // a penalty is not training
            (Rejected, 0, (0, 0, 0, 0)),
        ];
        let mut all = Execution::default();
        for (status, committed, (nominated, approved, completed, cents)) in cases {
            let mut one = Execution::default();
            one.add(status, committed);
            all.add(status, committed);
            assert_eq!(
                one,
                Execution {
                    nominated,
                    approved,
                    completed,
                    committed_cents: cents
                },
                "{status}"
            );
        }
        assert_eq!(
            (
                all.nominated,
                all.approved,
                all.completed,
                all.committed_cents
            ),
            (6, 2, 1, 2_100)
        );
    }

    #[test]
    fn which_nominations_a_line_admits() {
        let line = LineTerms {
            plan_status: S::Approved,
            country_code: "PK",
            fiscal_year: 2027,
            course_id: 7,
            offering_id: Some(70),
            program: Program::Imet,
        };
        let nomination = NominationTerms {
            country_code: "PK",
            fiscal_year: 2027,
            course_id: 7,
            offering_id: 70,
            program: Program::Imet,
        };
        let any_class = LineTerms {
            offering_id: None,
            ..line
        };
        let cases = [
            (line, nomination, None),
            (
                any_class,
                NominationTerms {
                    offering_id: 71,
                    ..nomination
                },
                None,
            ),
            (
                line,
                NominationTerms {
                    offering_id: 71,
                    ..nomination
                },
                Some("another class"),
            ),
            (
                line,
                NominationTerms {
                    course_id: 8,
                    ..nomination
                },
                Some("another course"),
            ),
            (
                line,
                NominationTerms {
                    program: Program::Fmf,
                    ..nomination
                },
                Some("funded by IMET"),
            ),
            (
                line,
                NominationTerms {
                    fiscal_year: 2028,
                    ..nomination
                },
                Some("FY2028"),
            ),
            (
                line,
                NominationTerms {
                    country_code: "JO",
                    ..nomination
                },
                Some("this country's plans"),
            ),
            (
                LineTerms {
                    plan_status: S::Submitted,
                    ..line
                },
                nomination,
                Some("submitted, not approved"),
            ),
            (
                LineTerms {
                    plan_status: S::Draft,
                    ..line
                },
                nomination,
                Some("draft, not approved"),
            ),
        ];
        for (line, nomination, refusal) in cases {
            match (line_admits(line, nomination), refusal) {
                (Ok(()), None) => {}
                (Err(why), Some(part)) => assert!(why.contains(part), "{why} lacks {part}"),
                (got, want) => panic!("{line:?} {nomination:?}: {got:?}, expected {want:?}"),
            }
        }
    }
}
