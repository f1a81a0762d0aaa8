//! `/`: the overview of each role — the pages it may open; for a liaison
//! their country with today's status per program and any suspension in
//! effect, the funding left this fiscal year and their nominations by
//! status; for program officers and admins, how many nominations await review.
use askama::Template;
use axum::extract::State;

use crate::{
    app::AppState,
    db::pagination::MAX_LIMIT,
    domain::money::Cents,
    domain::{fiscal_year::fiscal_year, nomination::Status},
    services::{
        allocations::{self, AllocationFilter, AllocationView},
        countries::{self, CountryView},
        nominations::{self, NominationFilter},
    },
    web::{
        countries::CountryStatus,
        error::{PageResult, render},
        format::Tag,
        layout::{Layout, NavItem},
        nominations::NominationRow,
        session::SignedIn,
    },
};

/// A liaison's allocation this fiscal year, in dollars.
struct FundingRow {
    allocation: AllocationView,
    allocated: String,
    committed: String,
    available: String,
}

/// A liaison's nominations of one status.
struct StatusGroup {
    tag: Tag,
    rows: Vec<NominationRow>,
}

/// What a liaison's dashboard shows of their country.
struct LiaisonOverview {
    country: CountryView,
    travel: String,
    status: CountryStatus,
    fiscal_year: i32,
    funding: Vec<FundingRow>,
    groups: Vec<StatusGroup>,
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// The role's pages other than this one.
    cards: Vec<NavItem>,
    liaison: Option<LiaisonOverview>,
    /// Staff: how many nominations are submitted and await a decision
    /// (`None` for a liaison).
    awaiting_review: Option<usize>,
}

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> PageResult {
    let layout = signed_in.layout(&state, "Home").await?;
    let cards = layout
        .nav
        .iter()
        .filter(|i| i.href != "/")
        .cloned()
        .collect();
    let user = &signed_in.user;
    let liaison = match user.country_scope() {
        Some(code) => {
            let today = state.clock.today();
            let detail = countries::detail(&state.db, user, code, today).await?;
            let fy = fiscal_year(today);
            let funding = allocations::list(
                &state.db,
                user,
                AllocationFilter {
                    fiscal_year: Some(fy),
                    ..Default::default()
                },
                MAX_LIMIT,
                None,
            )
            .await?
            .items
            .into_iter()
            .map(|allocation| FundingRow {
                allocated: Cents(allocation.allocated_cents).to_string(),
                committed: Cents(allocation.committed_cents).to_string(),
                available: Cents(allocation.available_cents).to_string(),
                allocation,
            })
            .collect();
            let mine = nominations::list(
                &state.db,
                user,
                NominationFilter::default(),
                MAX_LIMIT,
                None,
            )
            .await?
            .items;
            let mut groups: Vec<StatusGroup> = Status::ALL
                .into_iter()
                .map(|status| StatusGroup {
                    tag: Tag::nomination(status),
                    rows: Vec::new(),
                })
                .collect();
            for n in mine {
                if let Some(i) = Status::ALL.iter().position(|s| *s == n.status) {
                    groups[i].rows.push(NominationRow::from(n));
                }
            }
            groups.retain(|g| !g.rows.is_empty());
            Some(LiaisonOverview {
                status: CountryStatus::of(&detail, today),
                travel: Cents(detail.country.travel_estimate_cents).to_string(),
                country: detail.country,
                fiscal_year: fy,
                funding,
                groups,
            })
        }
        None => None,
    };
    let awaiting_review = if user.role.is_staff() {
        let filter = NominationFilter {
            status: Some(Status::Submitted),
            ..Default::default()
        };
        Some(
            nominations::list(&state.db, user, filter, MAX_LIMIT, None)
                .await?
                .items
                .len(),
        )
    } else {
        None
    };
    Ok(render(&DashboardPage {
        layout,
        cards,
        liaison,
        awaiting_review,
    }))
}
