//! `/`: the overview of each role — the pages it may open, and for a
//! liaison their country with today's status per program and any
//! suspension in effect.
use askama::Template;
use axum::extract::State;

use crate::{
    app::AppState,
    services::countries::{self, CountryView},
    web::{
        countries::CountryStatus,
        error::{PageResult, render},
        format::dollars,
        layout::{Layout, NavItem},
        session::SignedIn,
    },
};

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// The role's pages other than this one.
    cards: Vec<NavItem>,
    /// A liaison's country, its travel estimate and its status.
    country: Option<(CountryView, String, CountryStatus)>,
}

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> PageResult {
    let layout = signed_in.layout(&state, "Home").await?;
    let cards = layout
        .nav
        .iter()
        .filter(|i| i.href != "/")
        .cloned()
        .collect();
    let country = match signed_in.user.country_scope() {
        Some(code) => {
            let detail = countries::detail(&state.db, &signed_in.user, code).await?;
            let status = CountryStatus::of(&detail);
            let travel = dollars(detail.country.travel_estimate_cents);
            Some((detail.country, travel, status))
        }
        None => None,
    };
    Ok(render(&DashboardPage {
        layout,
        cards,
        country,
    }))
}
