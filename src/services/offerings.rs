//! Offerings: the classes of a course, with dates, seats and costs. Admins
//! schedule and edit them; every signed-in role reads them. `seats_taken`
//! is kept on the row and only changed by conditional updates, so a class
//! is never over-filled and its seats never drop below those taken.
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::{fiscal_year::fiscal_year, masl::MaslId, offering_status::OfferingStatus},
    entities::{course, offering},
    error::{AppError, AppResult, ConflictCode},
    services::Context,
    services::{courses, nominations},
};

/// A class as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OfferingView {
    pub id: i32,
    #[schema(example = "B171807")]
    pub course_masl_id: String,
    pub course_title: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The US federal fiscal year of `start_date`, which pays for the class.
    pub fiscal_year: i32,
    pub seats: i32,
    pub seats_taken: i32,
    pub seats_available: i32,
    pub tuition_cents: i64,
    pub living_allowance_per_day_cents: i64,
    pub status: OfferingStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A class to schedule.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewOffering {
    pub start_date: NaiveDate,
    /// On or after `start_date`.
    pub end_date: NaiveDate,
    #[validate(range(min = 1, max = 10000, message = "must be between 1 and 10000"))]
    pub seats: i32,
    #[validate(range(
        min = 0,
        max = 10_000_000_000i64,
        message = "must be between 0 and 10000000000"
    ))]
    pub tuition_cents: i64,
    #[validate(range(
        min = 0,
        max = 100_000_000,
        message = "must be between 0 and 100000000"
    ))]
    pub living_allowance_per_day_cents: i64,
    /// `open` (default) or `closed`.
    pub status: Option<OfferingStatus>,
}

/// Changes to a class; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct OfferingPatch {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Never below `seats_taken` (409 `no_seats`).
    #[validate(range(min = 1, max = 10000, message = "must be between 1 and 10000"))]
    pub seats: Option<i32>,
    #[validate(range(
        min = 0,
        max = 10_000_000_000i64,
        message = "must be between 0 and 10000000000"
    ))]
    pub tuition_cents: Option<i64>,
    #[validate(range(
        min = 0,
        max = 100_000_000,
        message = "must be between 0 and 100000000"
    ))]
    pub living_allowance_per_day_cents: Option<i64>,
    /// `open` ↔ `closed`; `cancelled` is final.
    pub status: Option<OfferingStatus>,
}

impl OfferingPatch {
    /// Whether applying this patch would leave the class as it is.
    fn changes_nothing(&self, current: &OfferingView) -> bool {
        self.start_date.is_none_or(|d| d == current.start_date)
            && self.end_date.is_none_or(|d| d == current.end_date)
            && self.seats.is_none_or(|s| s == current.seats)
            && self
                .tuition_cents
                .is_none_or(|c| c == current.tuition_cents)
            && self
                .living_allowance_per_day_cents
                .is_none_or(|c| c == current.living_allowance_per_day_cents)
            && self.status.is_none_or(|s| s == current.status)
    }
}

/// Builds the view of a class of `course`.
pub fn view(model: offering::Model, course: &course::Model) -> AppResult<OfferingView> {
    let status = model.status;
    Ok(OfferingView {
        id: model.id,
        course_masl_id: course.masl_id.clone(),
        course_title: course.title.clone(),
        start_date: model.start_date,
        end_date: model.end_date,
        fiscal_year: fiscal_year(model.start_date),
        seats: model.seats,
        seats_taken: model.seats_taken,
        seats_available: (model.seats - model.seats_taken).max(0),
        tuition_cents: model.tuition_cents,
        living_allowance_per_day_cents: model.living_allowance_per_day_cents,
        status,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

fn check_dates(start: NaiveDate, end: NaiveDate) -> AppResult<()> {
    if end < start {
        Err(AppError::field(
            "end_date",
            format!("must be on or after start_date ({start})"),
        ))
    } else {
        Ok(())
    }
}

/// A class row by id; 404 when missing.
pub async fn find<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<offering::Model> {
    offering::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Offering"))
}

async fn course_of<C: ConnectionTrait>(
    db: &C,
    model: &offering::Model,
) -> AppResult<course::Model> {
    course::Entity::find_by_id(model.course_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("offering without its course")))
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<OfferingView> {
    let model = find(db, id).await?;
    let course = course_of(db, &model).await?;
    view(model, &course)
}

/// Schedules a class of an active course.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    masl_id: &str,
    new: NewOffering,
) -> AppResult<OfferingView> {
    check_dates(new.start_date, new.end_date)?;
    let status = new.status.unwrap_or(OfferingStatus::Open);
    if status == OfferingStatus::Cancelled {
        return Err(AppError::field("status", "a new class is open or closed"));
    }
    let txn = db::write_txn(db).await?;
    let course = courses::find(&txn, masl_id).await?;
    if !course.active {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Course {} is archived; restore it before scheduling a class.",
                course.masl_id
            ),
        ));
    }
    let now = Utc::now();
    let created = offering::ActiveModel {
        course_id: Set(course.id),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
        seats: Set(new.seats),
        seats_taken: Set(0),
        tuition_cents: Set(new.tuition_cents),
        living_allowance_per_day_cents: Set(new.living_allowance_per_day_cents),
        status: Set(status),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let view = view(created, &course)?;
    audit::record(
        &txn,
        Change::new(Some(actor.id), "offering.create", "offering", view.id).after(snapshot(&view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

/// Edits a class: the one place its seats and status change by hand.
/// Lowering seats below those taken is refused (409 `no_seats`) by a
/// conditional update, so a seat taken concurrently is never lost; nothing
/// changes on a cancelled class (409 `invalid_transition`). A patch that
/// changes nothing writes nothing.
///
/// Cancelling withdraws the class's active nominations with full release;
/// added seats promote the head of the waitlist; dates cannot move the class
/// to another fiscal year once money is committed for it.
pub async fn update(
    state: &Context,
    actor: &Actor,
    id: i32,
    patch: OfferingPatch,
) -> AppResult<OfferingView> {
    let txn = state.begin().await?;
    let existing = find(&txn, id).await?;
    let course = course_of(&txn, &existing).await?;
    let before = view(existing.clone(), &course)?;
    if patch.changes_nothing(&before) {
        return Ok(before);
    }
    if before.status == OfferingStatus::Cancelled {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!("Offering {id} is cancelled; a cancelled class cannot change."),
        ));
    }
    let status = patch.status.unwrap_or(before.status);
    before
        .status
        .check_transition(status)
        .map_err(|e| AppError::conflict(ConflictCode::InvalidTransition, e))?;
    let start = patch.start_date.unwrap_or(existing.start_date);
    let end = patch.end_date.unwrap_or(existing.end_date);
    check_dates(start, end)?;
    if fiscal_year(start) != fiscal_year(existing.start_date)
        && nominations::has_commitments(&txn, id).await?
    {
        return Err(AppError::conflict(
            ConflictCode::InvalidTransition,
            format!(
                "Offering {id} has approved nominations paid from FY{}; its dates cannot move it to FY{}.",
                fiscal_year(existing.start_date),
                fiscal_year(start)
            ),
        ));
    }
    let now = state.clock.now();
    let added_seats = patch.seats.map_or(0, |s| (s - existing.seats).max(0));
    // Nominations before the class row, as an approval takes them: a
    // cancellation and the approvals in its class never wait on each other
    // in a circle.
    if status == OfferingStatus::Cancelled {
        nominations::withdraw_for_cancellation(&txn, state, id, actor).await?;
    }

    if let Some(seats) = patch.seats.filter(|s| *s != existing.seats) {
        let result = offering::Entity::update_many()
            .col_expr(offering::Column::Seats, Expr::value(seats))
            .col_expr(offering::Column::UpdatedAt, Expr::value(now))
            .filter(offering::Column::Id.eq(id))
            .filter(offering::Column::SeatsTaken.lte(seats))
            .exec(&txn)
            .await?;
        if result.rows_affected == 0 {
            let taken = find(&txn, id).await?.seats_taken;
            return Err(AppError::conflict(
                ConflictCode::NoSeats,
                format!("Offering {id} has {taken} seat(s) taken; seats cannot go below {taken}."),
            ));
        }
    }

    let mut model: offering::ActiveModel = existing.into();
    model.start_date = Set(start);
    model.end_date = Set(end);
    if let Some(cents) = patch.tuition_cents {
        model.tuition_cents = Set(cents);
    }
    if let Some(cents) = patch.living_allowance_per_day_cents {
        model.living_allowance_per_day_cents = Set(cents);
    }
    model.status = Set(status);
    model.updated_at = Set(now);
    model.update(&txn).await?;
    if status != OfferingStatus::Cancelled {
        for _ in 0..added_seats {
            if nominations::promote_head(&txn, state, id, Some(actor.id))
                .await?
                .is_none()
            {
                break;
            }
        }
    }
    let after = view(find(&txn, id).await?, &course)?;
    audit::record(
        &txn,
        Change::new(
            Some(actor.id),
            if status == OfferingStatus::Cancelled {
                "offering.cancel"
            } else {
                "offering.update"
            },
            "offering",
            id,
        )
        .before(snapshot(&before))
        .after(snapshot(&after)),
    )
    .await?;
    state.commit(txn).await?;
    Ok(after)
}

/// Filters of the class list.
#[derive(Debug, Default)]
pub struct OfferingFilter {
    /// Classes of this course.
    pub course: Option<MaslId>,
    /// Classes of the courses matching this text (MASL id prefix, title or school).
    pub course_text: Option<String>,
    /// Classes starting on or after this date.
    pub from: Option<NaiveDate>,
    /// Classes starting on or before this date.
    pub to: Option<NaiveDate>,
    pub status: Option<OfferingStatus>,
}

/// Classes in (start date, id) order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: OfferingFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<OfferingView>> {
    let mut query = offering::Entity::find()
        .order_by_asc(offering::Column::StartDate)
        .order_by_asc(offering::Column::Id);
    if let Some(masl) = &filter.course {
        let course_id: Option<i32> = course::Entity::find()
            .select_only()
            .column(course::Column::Id)
            .filter(course::Column::MaslId.eq(masl.as_str()))
            .into_tuple()
            .one(db)
            .await?;
        let Some(course_id) = course_id else {
            return Ok(Page {
                items: vec![],
                next_cursor: None,
            });
        };
        query = query.filter(offering::Column::CourseId.eq(course_id));
    }
    if let Some(text) = filter
        .course_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let course_ids: Vec<i32> = course::Entity::find()
            .select_only()
            .column(course::Column::Id)
            .filter(courses::text_matches(text))
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(offering::Column::CourseId.is_in(course_ids));
    }
    if let Some(from) = filter.from {
        query = query.filter(offering::Column::StartDate.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(offering::Column::StartDate.lte(to));
    }
    if let Some(status) = filter.status {
        query = query.filter(offering::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = cursor {
        let (date, id) = decode_cursor(cursor)?;
        query = query.filter(
            Condition::any()
                .add(offering::Column::StartDate.gt(date))
                .add(
                    Condition::all()
                        .add(offering::Column::StartDate.eq(date))
                        .add(offering::Column::Id.gt(id)),
                ),
        );
    }
    let rows = query.limit(limit + 1).all(db).await?;
    let page = Page::from_rows(
        rows,
        limit,
        |o| Cursor::new(vec![o.start_date.to_string(), o.id.to_string()]),
        |o| o,
    );
    let course_ids: BTreeSet<i32> = page.items.iter().map(|o| o.course_id).collect();
    let courses: HashMap<i32, course::Model> = course::Entity::find()
        .filter(course::Column::Id.is_in(course_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let items = page
        .items
        .into_iter()
        .map(|o| {
            let course = courses.get(&o.course_id).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("offering without its course"))
            })?;
            view(o, course)
        })
        .collect::<AppResult<_>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

fn decode_cursor(cursor: &Cursor) -> AppResult<(NaiveDate, i32)> {
    match cursor.parts() {
        [date, id] => match (date.parse(), id.parse()) {
            (Ok(date), Ok(id)) => Ok((date, id)),
            _ => Err(AppError::field(
                "cursor",
                "is not a cursor returned by this list",
            )),
        },
        _ => Err(AppError::field(
            "cursor",
            "is not a cursor returned by this list",
        )),
    }
}
