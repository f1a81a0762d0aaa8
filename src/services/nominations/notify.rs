//! Who is emailed about a nomination, and the emails of submission and decision.
use super::*;

/// What a nomination's emails name: the student, the country, the course
/// (MASL id and title) and the class dates.
pub fn mail_facts(
    id: i32,
    student: &student::Model,
    country: &country::Model,
    (masl_id, title): (&str, &str),
    offering: &offering::Model,
) -> NominationFacts {
    NominationFacts {
        id,
        student: student_name(student),
        country: format!("{} ({})", country.name, country.code),
        course: format!("{masl_id} {title}"),
        start_date: offering.start_date,
        end_date: offering.end_date,
    }
}

/// How emails and pages name a student: rank, given names, family name.
pub fn student_name(s: &student::Model) -> String {
    format!("{} {} {}", s.rank, s.given_names, s.family_name)
}

/// Emails of the program officers.
pub(super) async fn officer_emails<C: ConnectionTrait>(db: &C) -> AppResult<Vec<String>> {
    role_emails(db, Role::ProgramOfficer, None).await
}

/// Emails of a country's liaisons.
pub(super) async fn liaison_emails<C: ConnectionTrait>(
    db: &C,
    country: &str,
) -> AppResult<Vec<String>> {
    role_emails(db, Role::CountryLiaison, Some(country)).await
}

pub async fn role_emails<C: ConnectionTrait>(
    db: &C,
    role: Role,
    country: Option<&str>,
) -> AppResult<Vec<String>> {
    let mut query = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.eq(role.as_str()));
    if let Some(code) = country {
        query = query.filter(user::Column::CountryCode.eq(code));
    }
    Ok(query.all(db).await?.into_iter().map(|u| u.email).collect())
}

pub(super) async fn notify_submitted<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    facts: &Facts,
    n: &nomination::Model,
) -> AppResult<()> {
    submitted_email(db, state, facts, n.id, n.priority, n.estimated_cost_cents)
        .await?
        .write(db)
        .await?;
    Ok(())
}

/// The "nomination submitted" email to the program officers, rendered.
pub(super) async fn submitted_email<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    facts: &Facts,
    id: i32,
    priority: Priority,
    cost_cents: i64,
) -> AppResult<mail::outbox::Prepared> {
    let email = NominationSubmitted {
        n: facts.facts_for_mail(id),
        priority: priority.as_str().to_owned(),
        cost: Cents(cost_cents).to_string(),
    };
    mail::outbox::prepare(&state.config, None, officer_emails(db).await?, &email)
}

/// The decision email to the country's liaisons and the student, rendered.
pub(super) async fn decision_email<C: ConnectionTrait>(
    db: &C,
    state: &Context,
    facts: &Facts,
    n: &nomination::Model,
    decision: &str,
    reason: Option<String>,
) -> AppResult<mail::outbox::Prepared> {
    let mut recipients = liaison_emails(db, &n.country_code).await?;
    recipients.extend(facts.student.email.clone());
    let email = NominationDecision {
        n: facts.facts_for_mail(n.id),
        decision: decision.to_owned(),
        reason,
    };
    mail::outbox::prepare(&state.config, None, recipients, &email)
}
