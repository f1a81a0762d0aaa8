//! `/`: the overview of each role — the pages it may open, and for a
//! liaison their country.
use askama::Template;
use axum::extract::State;

use crate::{
    app::AppState,
    services::countries::{self, CountryView},
    web::{
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
    /// A liaison's country and its travel estimate.
    country: Option<(CountryView, String)>,
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
            let country = countries::get_visible(&state.db, &signed_in.user, code).await?;
            let travel = dollars(country.travel_estimate_cents);
            Some((country, travel))
        }
        None => None,
    };
    Ok(render(&DashboardPage {
        layout,
        cards,
        country,
    }))
}
