//! Warnings to liaisons of ECL scores that expire before an approved class starts.
use std::collections::HashSet;

use super::*;
use crate::{
    domain::proficiency::valid_through,
    entities::{course, outbox},
    mail::templates::EclExpiry,
    services::countries,
};

/// Queues, once per nomination, a warning to the country's liaisons when the
/// student's latest ECL score stops being valid before an approved class
/// that requires one starts, unless the student's country is exempt from ECL
/// testing in the class's fiscal year. The database picks the candidates
/// (approved, class ahead, course with an ECL minimum, not warned yet); each
/// warning is queued in a short transaction of its own.
pub async fn warn_ecl_expiry(ctx: &Context, today: NaiveDate) -> AppResult<usize> {
    let warned = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::DedupeKey)
        .filter(outbox::Column::DedupeKey.starts_with(ECL_EXPIRY_KEY))
        .into_tuple::<Option<String>>()
        .all(&ctx.db)
        .await?;
    let warned: HashSet<String> = warned.into_iter().flatten().collect();
    let mut queued = 0;
    let mut after = 0;
    // A page of candidates at a time, so memory stays flat however many there are.
    loop {
        let candidates = nomination::Entity::find()
            .find_also_related(student::Entity)
            .find_also(nomination::Entity, offering::Entity)
            .find_also(offering::Entity, course::Entity)
            .filter(nomination::Column::Status.eq(Status::Approved.as_str()))
            .filter(nomination::Column::Id.gt(after))
            .filter(offering::Column::StartDate.gt(today))
            .filter(course::Column::EclMin.is_not_null())
            .order_by_asc(nomination::Column::Id)
            .limit(CANDIDATES_PER_PAGE)
            .all(&ctx.db)
            .await?;
        let Some((last, ..)) = candidates.last() else {
            if queued > 0 {
                ctx.mailer.wake();
            }
            return Ok(queued);
        };
        after = last.id;
        for (n, student, class, course) in candidates {
            queued += warn_if_expiring(ctx, &warned, n, student, class, course).await?;
        }
    }
}

/// Candidates of [`warn_ecl_expiry`] read at once.
const CANDIDATES_PER_PAGE: u64 = 500;

/// Queues the ECL expiry warning of one candidate when it is due; answers
/// how many were queued (0 or 1).
async fn warn_if_expiring(
    ctx: &Context,
    warned: &HashSet<String>,
    n: nomination::Model,
    student: Option<student::Model>,
    class: Option<offering::Model>,
    course: Option<course::Model>,
) -> AppResult<usize> {
    let key = format!("{ECL_EXPIRY_KEY}{}", n.id);
    if warned.contains(&key) {
        return Ok(0);
    }
    let (Some(student), Some(class), Some(course)) = (student, class, course) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "nomination {} without its student, class or course",
            n.id
        )));
    };
    let (Some(ecl), _) = students::latest_scores(&ctx.db, n.student_id).await? else {
        return Ok(0);
    };
    let Some(score) = ecl.score else {
        return Ok(0);
    };
    let expires = valid_through(ecl.taken_on, ctx.config.validity.ecl);
    if expires >= class.start_date {
        return Ok(0);
    }
    // A student of a country exempt from ECL testing needs no valid score.
    if ecl_exemptions::exempt(&ctx.db, fiscal_year(class.start_date), &n.country_code).await? {
        return Ok(0);
    }
    let country = countries::find(&ctx.db, &n.country_code).await?;
    let email = EclExpiry {
        n: mail_facts(
            n.id,
            &student,
            &country,
            (&course.masl_id, &course.title),
            &class,
        ),
        score,
        taken_on: ecl.taken_on,
        valid_through: expires,
    };
    let recipients = role_emails(&ctx.db, Role::CountryLiaison, Some(&n.country_code)).await?;
    let txn = ctx.begin().await?;
    let queued = mail::enqueue_once(&txn, &ctx.config, &key, recipients, &email).await?;
    txn.commit().await?;
    Ok(usize::from(queued))
}

/// The outbox key of a nomination's ECL expiry warning, before its id.
const ECL_EXPIRY_KEY: &str = "ecl_expiry:nomination:";
