//! How nominations are read: one, its history and waivers, and the filtered list.
use super::*;

pub(super) async fn waivers_of<C: ConnectionTrait>(
    db: &C,
    nomination_id: i32,
) -> AppResult<Vec<WaiverView>> {
    Ok(waiver::Entity::find()
        .filter(waiver::Column::NominationId.eq(nomination_id))
        .order_by_asc(waiver::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|w| WaiverView {
            id: w.id,
            check: w.check_name,
            justification: w.justification,
            granted_by: w.granted_by,
            granted_at: w.granted_at,
        })
        .collect())
}

/// The view of a stored nomination.
pub(super) async fn view<C: ConnectionTrait>(
    db: &C,
    n: nomination::Model,
) -> AppResult<NominationView> {
    let student = student_of(db, &n).await?;
    let offering = find_offering(db, n.offering_id).await?;
    let course = offering_course(db, &offering).await?;
    view_with(n, &student, &offering, (&course.masl_id, &course.title))
}

/// The view of a nomination from its student, class and course in hand.
pub(super) fn view_with(
    n: nomination::Model,
    student: &student::Model,
    offering: &offering::Model,
    (masl_id, title): (&str, &str),
) -> AppResult<NominationView> {
    Ok(NominationView {
        id: n.id,
        student_id: n.student_id,
        student_name: student_name(student),
        country_code: n.country_code,
        offering_id: n.offering_id,
        course_masl_id: masl_id.to_owned(),
        course_title: title.to_owned(),
        start_date: offering.start_date,
        end_date: offering.end_date,
        program: n.program,
        priority: n.priority,
        status: n.status,
        held_from: n.held_from,
        fiscal_year: n.fiscal_year,
        estimated_cost_cents: n.estimated_cost_cents,
        committed_cents: n.committed_cents,
        penalty_cents: n.penalty_cents,
        plan_line_id: n.plan_line_id,
        reason: n.reason,
        withdrawal_cause: n.withdrawal_cause.map(|c| c.as_str().to_owned()),
        checks: n.checks.0,
        checks_at: n.checks_at,
        submitted_at: n.submitted_at,
        decided_at: n.decided_at,
        created_by: n.created_by,
        created_at: n.created_at,
        updated_at: n.updated_at,
    })
}

pub(super) async fn detail<C: ConnectionTrait>(
    db: &C,
    n: nomination::Model,
) -> AppResult<NominationDetail> {
    let id = n.id;
    Ok(NominationDetail {
        history: events_of(db, id).await?,
        nomination: view(db, n).await?,
        waivers: waivers_of(db, id).await?,
    })
}

/// A nomination's history, oldest first.
pub(super) async fn events_of<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<EventView>> {
    Ok(nomination_event::Entity::find()
        .filter(nomination_event::Column::NominationId.eq(id))
        .order_by_asc(nomination_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(EventView::from)
        .collect())
}

impl From<nomination_event::Model> for EventView {
    fn from(e: nomination_event::Model) -> Self {
        Self {
            id: e.id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            detail: e.detail,
            actor_id: e.actor_id,
            at: e.at,
        }
    }
}

/// A nomination the caller may see: staff all, a liaison their country's.
pub(super) async fn find_visible<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<nomination::Model> {
    nomination::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| caller.sees_country(&n.country_code))
        .ok_or_else(|| AppError::not_found("Nomination"))
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<NominationDetail> {
    detail(db, find_visible(db, caller, id).await?).await
}

/// Filters of the nomination list, as its query string names them.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NominationFilter {
    pub country: Option<String>,
    #[param(inline)]
    pub status: Option<Status>,
    /// MASL id of the course.
    pub course: Option<String>,
    pub offering: Option<i32>,
    pub student: Option<i32>,
    #[param(inline)]
    pub priority: Option<Priority>,
}

/// Nominations, oldest submission first (drafts by creation), then id; a
/// liaison's list holds only their country.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    filter: NominationFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<NominationView>> {
    // One query: each nomination with its student, class and course.
    let mut query = nomination::Entity::find()
        .find_also_related(student::Entity)
        .find_also(nomination::Entity, offering::Entity)
        .find_also(offering::Entity, crate::entities::course::Entity)
        .order_by_asc(nomination::Column::Id);
    if let Some(code) = caller.country_scope() {
        query = query.filter(nomination::Column::CountryCode.eq(code));
    }
    if let Some(code) = filter.country {
        query = query.filter(nomination::Column::CountryCode.eq(code.trim().to_ascii_uppercase()));
    }
    if let Some(status) = filter.status {
        query = query.filter(nomination::Column::Status.eq(status.as_str()));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(nomination::Column::Priority.eq(priority.as_str()));
    }
    if let Some(offering) = filter.offering {
        query = query.filter(nomination::Column::OfferingId.eq(offering));
    }
    if let Some(student) = filter.student {
        query = query.filter(nomination::Column::StudentId.eq(student));
    }
    if let Some(masl) = filter.course {
        query = query
            .filter(crate::entities::course::Column::MaslId.eq(masl.trim().to_ascii_uppercase()));
    }
    if let Some(cursor) = cursor {
        query = query.filter(nomination::Column::Id.gt(cursor.int()?));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    let page = Page::from_rows(rows, limit, |row| Cursor::from_int(row.0.id), |row| row);
    let mut items = Vec::with_capacity(page.items.len());
    for (n, student, offering, course) in page.items {
        let (Some(student), Some(offering), Some(course)) = (student, offering, course) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "nomination {} without its student, class or course",
                n.id
            )));
        };
        items.push(view_with(
            n,
            &student,
            &offering,
            (&course.masl_id, &course.title),
        )?);
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}
