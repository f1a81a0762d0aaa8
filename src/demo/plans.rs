//! The demo training plans, drafted by the liaisons through the plan
//! service: Pakistan's, approved, for the fiscal year of its next staff
//! college preparatory class (IMET only, as the seed's story allows; PME
//! the larger share of priority A), and Jordan's, submitted and waiting
//! for the officer. Lines naming a class answer which class they are for,
//! so that the demo nominations can fill them.
use chrono::NaiveDate;

use super::nominations::{caller, next_class_of};

use crate::{
    domain::{actor::Actor, fiscal_year::fiscal_year, nomination::Priority, program::Program},
    error::AppResult,
    services::{
        Context,
        plans::{self, NewLine, NewPlan},
    },
};

/// A plan line, by MASL id: whether it names the course's next class, its
/// quantity, priority and program, and the unit cost in dollars when it
/// names no class.
type DemoLine = (&'static str, bool, i32, Priority, Program, Option<i64>);

const PAKISTAN: &[DemoLine] = &[
    ("B171850", true, 2, Priority::A, Program::Imet, None),
    (
        "B171807",
        false,
        1,
        Priority::A,
        Program::Imet,
        Some(98_000),
    ),
    ("B162520", true, 2, Priority::A, Program::Imet, None),
    (
        "B151027",
        false,
        2,
        Priority::B,
        Program::Imet,
        Some(31_000),
    ),
];

const JORDAN: &[DemoLine] = &[
    (
        "B171807",
        false,
        2,
        Priority::A,
        Program::Imet,
        Some(96_000),
    ),
    ("B309027", false, 2, Priority::A, Program::Fmf, Some(42_000)),
    (
        "B122044",
        false,
        3,
        Priority::B,
        Program::Imet,
        Some(38_000),
    ),
];

/// Seeds both plans; answers the Pakistani lines naming a class, as
/// (class, line).
pub async fn seed(
    state: &Context,
    officer: &Actor,
    today: NaiveDate,
) -> AppResult<Vec<(i32, i32)>> {
    let pk = caller(state, "liaison.pk@imet.example").await?;
    let jo = caller(state, "liaison.jo@imet.example").await?;
    let next_class = |masl_id| next_class_of(state, masl_id, today);
    let fy = fiscal_year(next_class("B171850").await?.start_date);
    let mut classes = Vec::new();
    for (liaison, code, lines) in [(&pk, "PK", PAKISTAN), (&jo, "JO", JORDAN)] {
        let plan = plans::create(
            state,
            liaison,
            NewPlan {
                country_code: code.into(),
                fiscal_year: fy,
            },
        )
        .await?;
        for &(masl_id, names_class, quantity, priority, program, dollars) in lines {
            let class = next_class(masl_id).await?;
            // A class of another fiscal year can't be planned in this one.
            let class = (names_class && fiscal_year(class.start_date) == fy).then_some(class);
            let line = plans::add_line(
                state,
                liaison,
                plan.id,
                NewLine {
                    masl_id: masl_id.into(),
                    offering_id: class.as_ref().map(|c| c.id),
                    quantity,
                    priority,
                    program,
                    unit_cost_cents: match class {
                        Some(_) => None,
                        None => Some(dollars.unwrap_or(30_000) * 100),
                    },
                },
            )
            .await?;
            if let (Some(class), "PK") = (class, code) {
                classes.push((class.id, line.id));
            }
        }
        plans::submit(state, liaison, plan.id).await?;
        if code == "PK" {
            plans::approve(state, officer, plan.id).await?;
        }
    }
    Ok(classes)
}
