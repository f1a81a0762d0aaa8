//! Demo nominations in every status, made through the nomination workflow
//! by the demo liaisons and officer: approved (PME and technical),
//! submitted, draft, waitlisted, rejected, withdrawn, completed when the
//! fiscal year allows it, and on hold under a Colombian Leahy suspension.
//! Travel orders: in force for Pakistan's two approved students (one of
//! them amended), revoked by the withdrawal of Jordan's and by the hold of
//! Colombia's.
use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    domain::actor::Actor,
    domain::{
        fiscal_year::fiscal_year, offering_status::OfferingStatus, program::Program,
        suspension::LegalBasis,
    },
    entities::{offering, user},
    error::{AppError, AppResult},
    services::Context,
    services::{
        auth::{self, Caller},
        courses,
        nominations::{self, AmendRequest, IssueRequest, NewNomination, ReasonRequest},
        offerings::{self, OfferingPatch},
        suspensions::{self, NewSuspension},
    },
};

pub(super) async fn caller(ctx: &Context, email: &str) -> AppResult<Caller> {
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::not_found(format!("demo user {email}")))?;
    auth::current_user(u, None)
}

/// The first class of a course starting after `today`.
pub(super) async fn next_class(state: &Context, masl_id: &str, today: NaiveDate) -> AppResult<i32> {
    let course = courses::find(&state.db, masl_id).await?;
    offering::Entity::find()
        .filter(offering::Column::CourseId.eq(course.id))
        .filter(offering::Column::StartDate.gt(today))
        .order_by_asc(offering::Column::StartDate)
        .one(&state.db)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| AppError::not_found(format!("a class of {masl_id}")))
}

async fn nominate(
    state: &Context,
    liaison: &Actor,
    student: i32,
    offering: i32,
    submit: bool,
) -> AppResult<i32> {
    let new = NewNomination {
        student_id: student,
        offering_id: offering,
        program: Some(Program::Imet),
        priority: None,
        plan_line_id: None,
        submit,
    };
    Ok(nominations::create(state, liaison, new)
        .await?
        .nomination
        .id)
}

async fn issue(state: &Context, officer: &Actor, id: i32, remarks: Option<&str>) -> AppResult<()> {
    let request = IssueRequest {
        remarks: remarks.map(str::to_owned),
    };
    nominations::issue_travel_order(state, officer, id, request).await?;
    Ok(())
}

fn reason(text: &str) -> ReasonRequest {
    ReasonRequest {
        reason: text.into(),
    }
}

/// `students` are the demo students' ids in the order of `people::STUDENTS`.
pub async fn seed(
    state: &Context,
    admin: &Actor,
    students: &[i32],
    today: NaiveDate,
) -> AppResult<()> {
    let officer = caller(state, "officer@imet.example").await?;
    let pk = caller(state, "liaison.pk@imet.example").await?;
    let jo = caller(state, "liaison.jo@imet.example").await?;
    let ph = caller(state, "liaison.ph@imet.example").await?;
    let co = caller(state, "liaison.co@imet.example").await?;
    let [
        raza,
        malik,
        qureshi,
        ahmed,
        _butt,
        haddad,
        khoury,
        nasser,
        santos,
        _reyes,
        gomez,
        ruiz,
    ] = students
    else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "unexpected demo students"
        )));
    };

    // Approved: a staff course and a technical course for Pakistan, a staff
    // course for Jordan; each gets its travel order.
    let mut approved = Vec::new();
    for (liaison, student, course, remarks) in [
        (&pk, *qureshi, "B171850", None),
        (
            &pk,
            *raza,
            "B162520",
            Some("Bring the service's technical records for the maintenance practicals."),
        ),
        (&jo, *haddad, "B171850", None),
    ] {
        let id = nominate(
            state,
            liaison,
            student,
            next_class(state, course, today).await?,
            true,
        )
        .await?;
        nominations::approve(state, &officer, id).await?;
        issue(state, &officer, id, remarks).await?;
        approved.push(id);
    }
    let [qureshi_id, _, haddad_id] = approved[..] else {
        return Err(AppError::Internal(anyhow::anyhow!("unexpected approvals")));
    };
    nominations::amend_travel_order(
        state,
        &officer,
        qureshi_id,
        AmendRequest {
            reason: "The school moved the report date; quarters are assigned on arrival.".into(),
            remarks: Some(
                "Report to the International Military Student Office, Bell Hall, on arrival."
                    .into(),
            ),
        },
    )
    .await?;
    nominations::withdraw(
        state,
        &jo,
        haddad_id,
        reason("The student was called to a command assignment; Jordan renominates next year."),
    )
    .await?;
    // Submitted, awaiting a decision.
    nominate(
        state,
        &pk,
        *malik,
        next_class(state, "B151027", today).await?,
        true,
    )
    .await?;
    // A draft.
    nominate(
        state,
        &jo,
        *khoury,
        next_class(state, "D178035", today).await?,
        false,
    )
    .await?;
    // Waitlisted (vetting still pending).
    let waiting = nominate(
        state,
        &pk,
        *ahmed,
        next_class(state, "B309027", today).await?,
        true,
    )
    .await?;
    nominations::waitlist(state, &officer, waiting).await?;
    // Rejected, with the reason.
    let rejected = nominate(
        state,
        &jo,
        *nasser,
        next_class(state, "P309200", today).await?,
        true,
    )
    .await?;
    nominations::reject(state, &officer, rejected, reason("Jordan's E-IMET seats for this class went to the Ministry of Justice; renominate for the next class.")).await?;
    // Withdrawn by the liaison.
    let withdrawn = nominate(
        state,
        &co,
        *ruiz,
        next_class(state, "P179060", today).await?,
        true,
    )
    .await?;
    nominations::withdraw(
        state,
        &co,
        withdrawn,
        reason("The student was reassigned to the Ministry's budget office."),
    )
    .await?;

    // Completed: a class that ran earlier this fiscal year.
    let (ran_from, ran_to) = (today - Days::new(12), today - Days::new(2));
    if fiscal_year(ran_from) == fiscal_year(today) {
        let class = next_class(state, "D177025", today).await?;
        let soon = (today + Days::new(1), today + Days::new(10));
        offerings::update(
            state,
            admin,
            class,
            OfferingPatch {
                start_date: Some(soon.0),
                end_date: Some(soon.1),
                ..Default::default()
            },
        )
        .await?;
        let id = nominate(state, &ph, *santos, class, true).await?;
        nominations::approve(state, &officer, id).await?;
        let ran = OfferingPatch {
            start_date: Some(ran_from),
            end_date: Some(ran_to),
            status: Some(OfferingStatus::Closed),
            ..Default::default()
        };
        offerings::update(state, admin, class, ran).await?;
        nominations::complete(state, &officer, id).await?;
    }

    // On hold: approved, then Colombia's IMET is suspended (frozen, not canceled).
    let held = nominate(
        state,
        &co,
        *gomez,
        next_class(state, "B162520", today).await?,
        true,
    )
    .await?;
    nominations::approve(state, &officer, held).await?;
    issue(state, &officer, held, None).await?;
    suspensions::impose(
        state,
        &officer,
        "CO",
        NewSuspension {
            programs: vec!["IMET".into()],
            exempt_programs: vec![],
            legal_basis: LegalBasis::Leahy,
            reason: "A unit of the student's brigade is credibly implicated in a gross violation of human rights; remediation under review.".into(),
            effective_from: today,
        },
    )
    .await?;
    Ok(())
}
