//! `/nominations`: the review queue of officers, a liaison's own list.
use super::*;

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    pub country: String,
    /// MASL id of the course.
    #[serde(default)]
    pub course: String,
    /// A status, `all`, or empty for the role's default (staff: submitted).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    pub cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/nominations/list.html")]
pub(super) struct QueuePage {
    layout: Layout,
    query: QueueQuery,
    countries: Vec<Choice>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    rows: Vec<NominationRow>,
    is_staff: bool,
    may_nominate: bool,
    next_page: Option<String>,
}

pub(super) fn priority_choices(selected: &str, any: &'static str) -> Vec<Choice> {
    choices(
        [
            ("", any),
            ("A", "A (highest)"),
            ("B", "B"),
            ("C", "C"),
            ("D", "D (lowest)"),
        ],
        &[selected],
    )
}

/// `GET /nominations`: the review queue, oldest first; a liaison's own list.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(mut query): Query<QueueQuery>,
) -> PageResult {
    let is_staff = signed_in.user.role.is_staff();
    if query.status.is_empty() {
        query.status = if is_staff { "submitted" } else { "all" }.to_owned();
    }
    let filter = NominationFilter {
        country: optional(&query.country).map(str::to_owned),
        status: query.status.parse().ok(),
        course: optional(&query.course).map(str::to_ascii_uppercase),
        priority: query.priority.parse().ok(),
        ..Default::default()
    };
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = nominations::list(
        &state.db,
        &signed_in.user,
        filter,
        MAX_LIMIT,
        cursor.as_ref(),
    )
    .await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query(
            "/nominations",
            &[
                ("country", &query.country),
                ("course", &query.course),
                ("status", &query.status),
                ("priority", &query.priority),
                ("cursor", &cursor),
            ],
        )
    });
    let countries = if is_staff {
        let list = countries::list(&state.db, &signed_in.user, None, MAX_LIMIT, None)
            .await?
            .items;
        let names: Vec<(String, String)> = list
            .into_iter()
            .map(|c| (c.code.clone(), format!("{} ({})", c.name, c.code)))
            .collect();
        choices(
            std::iter::once(("", "Every country"))
                .chain(names.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
            &[query.country.as_str()],
        )
    } else {
        Vec::new()
    };
    let statuses = choices(
        std::iter::once(("all", "Any status")).chain(Status::ALL.map(|s| (s.as_str(), s.label()))),
        &[query.status.as_str()],
    );
    let title = if is_staff {
        "Review queue"
    } else {
        "Nominations"
    };
    Ok(render(&QueuePage {
        layout: signed_in.layout(&state, title).await?,
        countries,
        statuses,
        priorities: priority_choices(&query.priority, "Any priority"),
        rows: page.items.into_iter().map(NominationRow::from).collect(),
        is_staff,
        may_nominate: signed_in.user.role != Role::ProgramOfficer,
        next_page,
        query,
    }))
}
