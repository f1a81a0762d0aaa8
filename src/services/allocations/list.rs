//! Allocations as listed, filtered and paged.
use super::*;

/// What `GET /allocations` filters on.
#[derive(Debug, Default)]
pub struct AllocationFilter {
    pub fiscal_year: Option<i32>,
    pub country: Option<String>,
    pub program: Option<Program>,
}

/// Allocations ordered by fiscal year, country and program; a liaison's
/// list holds only their country.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    filter: AllocationFilter,
    limit: u64,
    cursor: Option<&Cursor>,
) -> AppResult<Page<AllocationView>> {
    let mut query = allocation::Entity::find()
        .order_by_asc(allocation::Column::FiscalYear)
        .order_by_asc(allocation::Column::CountryCode)
        .order_by_asc(allocation::Column::Program);
    if let Some(code) = caller.country_scope() {
        query = query.filter(allocation::Column::CountryCode.eq(code));
    }
    if let Some(fy) = filter.fiscal_year {
        query = query.filter(allocation::Column::FiscalYear.eq(fy));
    }
    if let Some(code) = filter.country {
        query = query.filter(allocation::Column::CountryCode.eq(code.trim().to_ascii_uppercase()));
    }
    if let Some(program) = filter.program {
        query = query.filter(allocation::Column::Program.eq(program.as_str()));
    }
    if let Some(cursor) = cursor {
        let invalid = || AppError::field("cursor", "is not a cursor returned by this list");
        let [fy, code, program] = cursor.parts() else {
            return Err(invalid());
        };
        let fy: i32 = fy.parse().map_err(|_| invalid())?;
        query = query.filter(
            Condition::any()
                .add(allocation::Column::FiscalYear.gt(fy))
                .add(
                    Condition::all()
                        .add(allocation::Column::FiscalYear.eq(fy))
                        .add(allocation::Column::CountryCode.gt(code.clone())),
                )
                .add(
                    Condition::all()
                        .add(allocation::Column::FiscalYear.eq(fy))
                        .add(allocation::Column::CountryCode.eq(code.clone()))
                        .add(allocation::Column::Program.gt(program.clone())),
                ),
        );
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |a| {
            Cursor::new(vec![
                a.fiscal_year.to_string(),
                a.country_code.clone(),
                a.program.as_str().to_owned(),
            ])
        },
        AllocationView::from,
    ))
}
