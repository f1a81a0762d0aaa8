//! Countries: created and updated by admins, readable by everyone, a liaison
//! seeing only their own (another country answers 404, like a missing one).
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::country_code::CountryCode,
    entities::country,
    error::{AppError, AppResult, ConflictCode},
    services::suspensions::{self, ProgramStatus, SuspensionView},
};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CountryView {
    pub code: String,
    pub name: String,
    pub travel_estimate_cents: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<country::Model> for CountryView {
    fn from(c: country::Model) -> Self {
        Self {
            code: c.code,
            name: c.name,
            travel_estimate_cents: c.travel_estimate_cents,
            active: c.active,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewCountry {
    /// Assigned ISO 3166-1 alpha-2 code (or `XK`).
    pub code: String,
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    pub name: String,
    /// Round-trip travel estimate, in cents.
    #[validate(range(
        min = 0,
        max = 1_000_000_000,
        message = "must be between 0 and 1000000000"
    ))]
    pub travel_estimate_cents: i64,
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct CountryPatch {
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    pub name: Option<String>,
    #[validate(range(
        min = 0,
        max = 1_000_000_000,
        message = "must be between 0 and 1000000000"
    ))]
    pub travel_estimate_cents: Option<i64>,
    pub active: Option<bool>,
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewCountry,
) -> AppResult<CountryView> {
    let code = CountryCode::parse(&new.code).map_err(|e| AppError::field("code", e))?;
    let txn = db::write_txn(db).await?;
    if country::Entity::find_by_id(code.as_str())
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            ConflictCode::Duplicate,
            format!("Country {code} already exists."),
        ));
    }
    let now = Utc::now();
    let created = country::ActiveModel {
        code: Set(code.into_string()),
        name: Set(new.name.trim().to_owned()),
        travel_estimate_cents: Set(new.travel_estimate_cents),
        active: Set(new.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = CountryView::from(created);
    audit::record(
        &txn,
        Change::new(Some(actor.id), "country.create", "country", &view.code).after(snapshot(&view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    code: &str,
    patch: CountryPatch,
) -> AppResult<CountryView> {
    let txn = db::write_txn(db).await?;
    let existing = find(&txn, code).await?;
    let before = CountryView::from(existing.clone());
    let mut model: country::ActiveModel = existing.into();
    if let Some(name) = patch.name {
        model.name = Set(name.trim().to_owned());
    }
    if let Some(cents) = patch.travel_estimate_cents {
        model.travel_estimate_cents = Set(cents);
    }
    if let Some(active) = patch.active {
        model.active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    let view = CountryView::from(model.update(&txn).await?);
    audit::record(
        &txn,
        Change::new(Some(actor.id), "country.update", "country", &view.code)
            .before(snapshot(&before))
            .after(snapshot(&view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

/// A country by code; 404 when missing.
pub async fn find<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<country::Model> {
    country::Entity::find_by_id(code.trim().to_ascii_uppercase())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Country"))
}

/// A country with today's status per program and its full suspension history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryDetail {
    #[serde(flatten)]
    pub country: CountryView,
    pub status: Vec<ProgramStatus>,
    /// Every suspension, oldest first.
    pub suspensions: Vec<SuspensionView>,
}

pub async fn detail<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    code: &str,
    today: NaiveDate,
) -> AppResult<CountryDetail> {
    let country = get_visible(db, caller, code).await?;
    let history = suspensions::history(db, &country.code).await?;
    Ok(CountryDetail {
        status: suspensions::status_on(&history, today),
        suspensions: history.iter().map(|s| s.view(today)).collect(),
        country,
    })
}

/// A country the caller may see; another country's answers 404 to a liaison.
pub async fn get_visible<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    code: &str,
) -> AppResult<CountryView> {
    let code = code.trim().to_ascii_uppercase();
    if !caller.sees_country(&code) {
        return Err(AppError::not_found("Country"));
    }
    find(db, &code).await.map(CountryView::from)
}

/// Countries in code order; a liaison's list holds only their own.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    active: Option<bool>,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<CountryView>> {
    let mut query = country::Entity::find().order_by_asc(country::Column::Code);
    if let Some(code) = caller.country_scope() {
        query = query.filter(country::Column::Code.eq(code));
    }
    if let Some(active) = active {
        query = query.filter(country::Column::Active.eq(active));
    }
    if let Some(cursor) = cursor {
        let after = cursor.parts().first().cloned().unwrap_or_default();
        query = query.filter(country::Column::Code.gt(after));
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |c| Cursor::new(vec![c.code.clone()]),
        CountryView::from,
    ))
}
