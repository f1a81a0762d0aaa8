//! The checks of §2 run against a nomination's facts, and what blocks a submission.
use super::*;

/// Runs every check on `today` for a nomination of `facts` funded by `program`.
pub(super) async fn run_checks<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    facts: &Facts,
    program: Program,
    today: NaiveDate,
) -> AppResult<Vec<Check>> {
    let mut checks = Vec::with_capacity(CheckName::ALL.len());
    checks.push(eligibility_check(facts, program, today));
    checks.push(english_check_of(db, state, facts, today).await?);
    let completed = completed_training(db, facts.student.id, today).await?;
    checks.push(Check::from_result(
        CheckName::Prerequisites,
        prerequisites_met(&facts.course.prerequisites, &completed, today),
        facts.waived(CheckName::Prerequisites),
    ));
    checks.push(Check::from_result(
        CheckName::Audience,
        audience(facts),
        false,
    ));
    checks.push(vetting_check(db, state, facts, VettingKind::Leahy).await?);

    let free = facts.offering.seats - facts.offering.seats_taken;
    let seats = if free > 0 {
        Ok(format!("{free} of {} seats free", facts.offering.seats))
    } else {
        Err(format!("all {} seats taken", facts.offering.seats))
    };
    checks.push(Check::from_result(CheckName::Seats, seats, false));

    let cost = facts.cost()?;
    let key = AllocationKey {
        country_code: facts.country.code.clone(),
        program,
        fiscal_year: fiscal_year(facts.offering.start_date),
    };
    let funds = match allocations::find(db, &key).await? {
        None => Err(format!("no {program} allocation for FY{}", key.fiscal_year)),
        Some(a) if a.frozen && !facts.waived(CheckName::CountryEligible) => Err(format!(
            "the {program} FY{} allocation is frozen",
            key.fiscal_year
        )),
        Some(a) if a.allocated_cents - a.committed_cents < cost => Err(format!(
            "{} available, {} needed",
            Cents(a.allocated_cents - a.committed_cents),
            Cents(cost)
        )),
        Some(a) => Ok(format!(
            "{} available, {} needed",
            Cents(a.allocated_cents - a.committed_cents),
            Cents(cost)
        )),
    };
    checks.push(Check::from_result(CheckName::Funds, funds, false));
    Ok(checks)
}

/// Whether no suspension in effect on `today` blocks `program` for the
/// student's country (or a waiver covers it).
pub(super) fn eligibility_check(facts: &Facts, program: Program, today: NaiveDate) -> Check {
    let blocking = facts.blocking(program, today);
    let eligible = if blocking.is_empty() {
        Ok(format!("{} is eligible on {today}", facts.country.code))
    } else {
        Err(blocking
            .iter()
            .map(|s| {
                format!(
                    "suspended ({}) since {}: suspension {}",
                    s.view(today).programs.join(", "),
                    s.row.effective_from,
                    s.row.id
                )
            })
            .collect::<Vec<_>>()
            .join("; "))
    };
    Check::from_result(
        CheckName::CountryEligible,
        eligible,
        facts.waived(CheckName::CountryEligible),
    )
}

/// The student's latest English scores against the course's minimums on
/// `today`, the ECL minimum met by an exemption of the student's country in
/// the fiscal year of the class (looked up only when the course sets one).
pub(super) async fn english_check_of<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    facts: &Facts,
    today: NaiveDate,
) -> AppResult<Check> {
    let validity = state.config.validity;
    let (ecl, opi) = students::latest_scores(db, facts.student.id).await?;
    let fy = fiscal_year(facts.offering.start_date);
    let ecl_exempt_in = match facts.course.ecl_min {
        Some(_) if ecl_exemptions::exempt(db, fy, &facts.country.code).await? => Some(fy),
        _ => None,
    };
    let scores = LatestScores {
        ecl: ecl.as_ref().and_then(|t| Some((t.score?, t.taken_on))),
        opi: opi
            .as_ref()
            .and_then(|t| Some((students::opi_of(t)?, t.taken_on))),
    };
    let minimums = EnglishMinimums {
        ecl: facts.course.ecl_min,
        opi: facts.course.opi_min,
    };
    let windows = Windows {
        ecl_days: validity.ecl,
        opi_days: validity.opi,
    };
    Ok(Check::from_result(
        CheckName::English,
        english_check(minimums, scores, ecl_exempt_in, today, windows),
        facts.waived(CheckName::English),
    ))
}

/// The student's latest vetting of `kind` against the class start: the
/// `vetting` check for Leahy vetting, `security` for the DoD screening.
pub(super) async fn vetting_check<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    facts: &Facts,
    kind: VettingKind,
) -> AppResult<Check> {
    let latest = students::latest_vetting(db, facts.student.id, kind)
        .await?
        .map(|v| Vetting {
            status: v.status,
            decided_on: v.decided_on,
        });
    let name = match kind {
        VettingKind::Leahy => CheckName::Vetting,
        VettingKind::Security => CheckName::Security,
    };
    Ok(Check::from_result(
        name,
        vetting_valid_for(
            kind,
            latest,
            facts.offering.start_date,
            state.config.validity.vetting,
        ),
        false,
    ))
}

pub(super) fn audience(facts: &Facts) -> Result<String, String> {
    let grade: Grade = facts.student.grade.parse()?;
    audience_admits(grade, &facts.course.audience, facts.course.e_imet)?;
    Ok(format!("grade {grade} is in the course's audience"))
}

/// The submission blockers of SPEC §2 that answer an error and store nothing.
pub(super) fn submission_blockers(
    facts: &Facts,
    program: Program,
    today: NaiveDate,
) -> AppResult<()> {
    let status: OfferingStatus = facts.offering.status;
    if status != OfferingStatus::Open {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Offering {} is {} and takes no submissions.",
                facts.offering.id,
                status.as_str()
            ),
        ));
    }
    if facts.offering.start_date <= today {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Offering {} started on {}.",
                facts.offering.id, facts.offering.start_date
            ),
        ));
    }
    audience(facts).map_err(|e| AppError::field("student_id", e))?;
    let blocking = facts.blocking(program, today);
    if !blocking.is_empty() && !facts.waived(CheckName::CountryEligible) {
        let views: Vec<_> = blocking.iter().map(|s| s.view(today)).collect();
        return Err(AppError::Conflict {
            code: ConflictCode::CountrySuspended,
            detail: format!(
                "{} is suspended for a program this nomination depends on (suspension {}).",
                facts.country.code,
                views
                    .iter()
                    .map(|v| v.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            extra: Some(json!({"suspensions": views})),
        });
    }
    Ok(())
}

/// Refuses an approval for unmet checks, keeping the checks it was decided
/// on for the nomination's page.
pub(super) async fn refuse_unmet(
    state: &Context,
    n: &nomination::Model,
    checks: Vec<Check>,
    unmet: &[CheckName],
) -> AppResult<NominationDetail> {
    let txn = state.begin().await?;
    nomination::Entity::update_many()
        .col_expr(nomination::Column::Checks, Expr::value(json!(checks)))
        .col_expr(nomination::Column::ChecksAt, Expr::value(state.clock.now()))
        .filter(nomination::Column::Id.eq(n.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Err(checks_unmet("Unmet checks", unmet, &checks))
}

/// 409 `checks_unmet`: what is unmet, and every check it was decided on.
pub(super) fn checks_unmet(what: &str, unmet: &[CheckName], checks: &[Check]) -> AppError {
    AppError::Conflict {
        code: ConflictCode::ChecksUnmet,
        detail: format!(
            "{what}: {}.",
            unmet
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        extra: Some(json!({"unmet": unmet, "checks": checks})),
    }
}
