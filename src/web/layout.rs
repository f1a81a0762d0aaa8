//! What every page's frame shows: title, the signed-in user, the navigation
//! for their role, the CSRF token for forms and a pending flash message.
use crate::{domain::role::Role, services::auth::Caller};

/// One entry of the navigation, also shown as a card on the dashboard.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    /// One sentence for the dashboard card.
    pub description: &'static str,
    /// This is the page being shown (or one below it).
    pub current: bool,
}

/// The pages each role may open, in menu order (the dashboard is always first).
/// A page is listed here only once it exists.
pub fn nav_items(user: &Caller, path: &str) -> Vec<NavItem> {
    let mut items = vec![("/".to_owned(), "Home", "Your overview.")];
    match user.role {
        Role::CountryLiaison => {
            if let Some(code) = user.country_code() {
                items.push((
                    format!("/countries/{code}"),
                    "Country",
                    "Your country's status per program, its suspensions and travel estimate.",
                ));
            }
            items.push((
                "/students".into(),
                "Students",
                "Register your country's students, their English tests and prior training.",
            ));
            items.push((
                "/nominations".into(),
                "Nominations",
                "Nominate students to classes, see their checks and cost, follow the decisions.",
            ));
            items.push((
                "/funding".into(),
                "Funding",
                "Your country's allocations this fiscal year: committed, available, frozen.",
            ));
        }
        Role::ProgramOfficer => {
            items.push((
                "/countries".into(),
                "Countries",
                "Every country: status per program, suspensions, impose and lift.",
            ));
            items.push((
                "/students".into(),
                "Students",
                "Every country's students, their English tests and Leahy vetting.",
            ));
            items.push((
                "/nominations".into(),
                "Review queue",
                "Submitted nominations, oldest first, with their checks: approve, reject, waitlist, waive.",
            ));
            items.push((
                "/funding".into(),
                "Funding",
                "Allocations, transfers, a chart per country and the funding report.",
            ));
        }
        Role::Admin => {
            items.push((
                "/countries".into(),
                "Countries",
                "Register countries, keep travel estimates current, impose and lift suspensions.",
            ));
            items.push((
                "/students".into(),
                "Students",
                "Every country's students, their English tests and Leahy vetting.",
            ));
            items.push((
                "/nominations".into(),
                "Nominations",
                "Every nomination with its checks: nominate, review and decide.",
            ));
            items.push((
                "/funding".into(),
                "Funding",
                "Allocations, transfers, a chart per country and the funding report.",
            ));
        }
    }
    items.push((
        "/plans".into(),
        "Training plans",
        if user.role.is_staff() {
            "Each country's plan for a fiscal year: its lines, ceilings and PME share; approve or return."
        } else {
            "Your country's plan for a fiscal year: draft its lines, submit it, follow its execution."
        },
    ));
    items.push((
        "/reports/training".into(),
        "Training report",
        if user.role.is_staff() {
            "Each country's classes of a fiscal year: students and cost by program, also as CSV."
        } else {
            "Your country's classes of a fiscal year: students and cost by program, also as CSV."
        },
    ));
    items.push((
        "/ecl-exemptions".into(),
        "ECL exemptions",
        match user.role {
            Role::Admin => {
                "Countries exempt from ECL testing each fiscal year: add, change the note, remove."
            }
            Role::ProgramOfficer => {
                "Countries exempt from ECL testing each fiscal year, with the reasons."
            }
            Role::CountryLiaison => {
                "Whether your country is exempt from ECL testing each fiscal year."
            }
        },
    ));
    items.push((
        "/courses".into(),
        "Catalog",
        if user.role == Role::Admin {
            "Courses and their classes: add, edit, schedule, upload and download as CSV."
        } else {
            "Search the courses and see their classes, seats and dates."
        },
    ));
    if user.role == Role::Admin {
        items.push((
            "/users".into(),
            "Users",
            "Create accounts, reset passwords, deactivate and reactivate users.",
        ));
        items.push((
            "/outbox".into(),
            "Outbox",
            "Emails waiting, sent and failed; send a failed one again.",
        ));
    }
    items
        .into_iter()
        .map(|(href, label, description)| NavItem {
            current: if href == "/" {
                path == "/"
            } else {
                path == href || path.starts_with(&format!("{href}/"))
            },
            href,
            label,
            description,
        })
        .collect()
}

/// The frame of a page (`templates/base.html`).
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// The `<title>` (before the service name); also the page's `h1` as a rule.
    pub title: String,
    /// The page shows a failed form: the title gets an "Error: " prefix.
    pub has_errors: bool,
    pub user_name: Option<String>,
    pub role_label: Option<&'static str>,
    pub nav: Vec<NavItem>,
    /// Empty when the page has no session (error pages).
    pub csrf_token: String,
    pub flash: Option<String>,
}

impl Layout {
    /// A frame without session: error pages.
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            ..Default::default()
        }
    }

    /// Marks the page as showing a failed form.
    pub fn with_errors(mut self, has_errors: bool) -> Self {
        self.has_errors = has_errors;
        self
    }
}
