//! The demo allocations: IMET for every demo country, FMF for a few, for the
//! current and the next fiscal year (the next one a little larger).
use chrono::NaiveDate;

use crate::{
    domain::actor::Actor,
    domain::{fiscal_year::fiscal_year, program::Program},
    error::AppResult,
    services::Context,
    services::allocations::{self, AllocationKey},
};

/// Country, program, current-FY allocation in dollars.
const ALLOCATIONS: &[(&str, Program, i64)] = &[
    ("PK", Program::Imet, 4_000_000),
    ("PK", Program::Fmf, 2_500_000),
    ("IN", Program::Imet, 1_600_000),
    ("JO", Program::Imet, 3_800_000),
    ("JO", Program::Fmf, 3_000_000),
    ("PH", Program::Imet, 2_400_000),
    ("CO", Program::Imet, 1_800_000),
    ("CO", Program::Fmf, 1_500_000),
    ("KE", Program::Imet, 1_000_000),
    ("GH", Program::Imet, 650_000),
    ("MN", Program::Imet, 900_000),
];

/// Sets every demo allocation through the allocation service, as `actor`.
pub async fn seed(state: &Context, actor: &Actor, today: NaiveDate) -> AppResult<()> {
    let current = fiscal_year(today);
    for &(country, program, dollars) in ALLOCATIONS {
        // The next year's request is 5% higher.
        for (fy, cents) in [(current, dollars * 100), (current + 1, dollars * 105)] {
            let key = AllocationKey {
                country_code: country.to_owned(),
                program,
                fiscal_year: fy,
            };
            allocations::set(state, actor, &key, cents).await?;
        }
    }
    Ok(())
}
