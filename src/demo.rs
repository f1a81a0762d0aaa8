//! `serve --demo`: a realistic data set for an empty database, built through
//! the same services as the API, so every record is valid and audited.
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::{
    domain::actor::Actor,
    domain::fiscal_year::fiscal_year,
    domain::role::Role,
    entities::{country, user},
    error::AppResult,
    services::Context,
    services::{
        countries::{self, NewCountry},
        ecl_exemptions::{self, ExemptionNote},
        users::{self, NewUser},
    },
};

mod catalog;
mod funding;
mod nominations;
mod people;
mod plans;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "imet-demo-2026";

/// Countries of the demo: code, name, round-trip travel estimate in cents.
const COUNTRIES: &[(&str, &str, i64)] = &[
    ("PK", "Pakistan", 350_000),
    ("IN", "India", 340_000),
    ("JO", "Jordan", 220_000),
    ("PH", "Philippines", 310_000),
    ("CO", "Colombia", 160_000),
    ("KE", "Kenya", 290_000),
    ("GH", "Ghana", 260_000),
    ("MN", "Mongolia", 380_000),
];

/// Demo accounts: email, name, role, country.
const USERS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin@imet.example", "Dana Whitfield", Role::Admin, None),
    (
        "officer@imet.example",
        "Marcus Bell",
        Role::ProgramOfficer,
        None,
    ),
    (
        "officer2@imet.example",
        "Priya Natarajan",
        Role::ProgramOfficer,
        None,
    ),
    (
        "liaison.pk@imet.example",
        "Maj. Sara Qureshi (SCO Islamabad)",
        Role::CountryLiaison,
        Some("PK"),
    ),
    (
        "liaison.jo@imet.example",
        "Lt. Col. Omar Haddad (SCO Amman)",
        Role::CountryLiaison,
        Some("JO"),
    ),
    (
        "liaison.ph@imet.example",
        "Cdr. Ana Reyes (JUSMAG Manila)",
        Role::CountryLiaison,
        Some("PH"),
    ),
    (
        "liaison.co@imet.example",
        "Maj. Luis Ortega (MILGRP Bogotá)",
        Role::CountryLiaison,
        Some("CO"),
    ),
];

/// Seeds the demo into an empty database (every account gets its welcome
/// email). Returns `false` (and changes nothing) when the database already
/// holds countries or users.
pub async fn seed(state: &Context) -> AppResult<bool> {
    let db = &state.db;
    if user::Entity::find().count(db).await? > 0 || country::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let (admin_email, admin_name, _, _) = USERS[0];
    let admin = users::create(
        state,
        None,
        new_user(admin_email, admin_name, Role::Admin, None),
    )
    .await?;
    let admin = Actor {
        id: admin.id,
        role: Role::Admin,
        country: None,
    };
    for &(code, name, travel) in COUNTRIES {
        countries::create(
            db,
            &admin,
            NewCountry {
                code: code.into(),
                name: name.into(),
                travel_estimate_cents: travel,
                active: Some(true),
            },
        )
        .await?;
    }
    for &(email, name, role, country) in &USERS[1..] {
        users::create(state, Some(&admin), new_user(email, name, role, country)).await?;
    }
    let today = state.clock.today();
    catalog::seed(db, &admin, today).await?;
    let officer = users::list(
        db,
        users::UserFilter {
            role: Some(Role::ProgramOfficer),
            ..Default::default()
        },
        1,
        None,
    )
    .await?
    .items
    .remove(0);
    let officer = Actor {
        id: officer.id,
        role: Role::ProgramOfficer,
        country: None,
    };
    funding::seed(state, &admin, today).await?;
    ecl_exemptions::put(
        state,
        &admin,
        fiscal_year(today),
        "PH",
        ExemptionNote {
            note: "English is a language of instruction and command in the Armed Forces of the Philippines.".into(),
        },
    )
    .await?;
    let students = people::seed_students(state, &admin, &officer, today).await?;
    people::seed_pakistan_history(state, &officer).await?;
    let plan_lines = plans::seed(state, &officer, today).await?;
    nominations::seed(state, &admin, &students, &plan_lines, today).await?;
    Ok(true)
}

fn new_user(email: &str, name: &str, role: Role, country: Option<&str>) -> NewUser {
    NewUser {
        email: email.into(),
        name: name.into(),
        role,
        country_code: country.map(Into::into),
        password: Some(DEMO_PASSWORD.into()),
    }
}

/// The demo logins, for the console.
pub fn logins() -> String {
    let mut out = format!("Demo logins (password for all: {DEMO_PASSWORD}):\n");
    for &(email, name, role, country) in USERS {
        let country = country.map(|c| format!(" ({c})")).unwrap_or_default();
        out.push_str(&format!(
            "  {email:<28} {:<16}{country}  {name}\n",
            role.as_str()
        ));
    }
    out
}
