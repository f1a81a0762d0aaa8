//! Email contents. Each event has a struct holding what its email shows and
//! three askama templates under `templates/email/<event>/`: `subject.txt`,
//! `body.txt` (plain text, ends with `email/footer.txt`) and `body.html`
//! (extends the shared `email/layout.html`; inline styles, no remote images).
//! Templates see the event struct as `e` and the service's root URL as
//! `base_url`, from which every link is built.
use askama::Template;

use crate::domain::role::Role;

/// An email rendered for the outbox.
#[derive(Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A file sent with an email.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub filename: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

/// The contents of one event's email.
pub trait Email {
    /// The event kind: stored with the message and naming its template directory.
    const EVENT: &'static str;
    /// Renders the subject (on one line), the text and the HTML body.
    fn render(&self, base_url: &str) -> Result<Rendered, askama::Error>;
    /// The file sent with it, if any.
    fn attachment(&self) -> Option<&Attachment> {
        None
    }
}

/// Implements [`Email`] for an event struct from its three template files.
macro_rules! email {
    ($event:ident, $kind:tt, subject = $subject:tt, text = $text:tt, html = $html:tt) => {
        email!(
            $event,
            $kind,
            subject = $subject,
            text = $text,
            html = $html,
            attachment = |_e| None
        );
    };
    ($event:ident, $kind:tt, subject = $subject:tt, text = $text:tt, html = $html:tt, attachment = |$e:ident| $attachment:expr) => {
        impl Email for $event {
            const EVENT: &'static str = $kind;

            fn attachment(&self) -> Option<&Attachment> {
                let $e = self;
                $attachment
            }

            fn render(&self, base_url: &str) -> Result<Rendered, askama::Error> {
                // A template need not show every field.
                #[allow(dead_code)]
                #[derive(Template)]
                #[template(path = $subject)]
                struct Subject<'a> {
                    e: &'a $event,
                    base_url: &'a str,
                }
                #[allow(dead_code)]
                #[derive(Template)]
                #[template(path = $text)]
                struct Text<'a> {
                    e: &'a $event,
                    base_url: &'a str,
                }
                #[allow(dead_code)]
                #[derive(Template)]
                #[template(path = $html)]
                struct Html<'a> {
                    e: &'a $event,
                    base_url: &'a str,
                }
                let base_url = base_url.trim_end_matches('/');
                let subject = Subject { e: self, base_url }.render()?;
                Ok(Rendered {
                    subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
                    text: Text { e: self, base_url }.render()?,
                    html: Html { e: self, base_url }.render()?,
                })
            }
        }
    };
}

/// An account was created: to the new user, with their role and country.
#[derive(Debug)]
pub struct Welcome {
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The liaison's country, as "Pakistan (PK)".
    pub country: Option<String>,
    /// The one-time link to choose a password (an invitation), with its
    /// expiry as shown; `None` when an admin set the password.
    pub setup: Option<OneTimeLink>,
}

/// A one-time link in an email, and when it stops working.
#[derive(Clone, Debug)]
pub struct OneTimeLink {
    pub url: String,
    /// E.g. "3 Dec 2026 at 06:10 UTC".
    pub expires: String,
}

email!(
    Welcome,
    "welcome",
    subject = "email/welcome/subject.txt",
    text = "email/welcome/body.txt",
    html = "email/welcome/body.html"
);

/// A forgotten password: the one-time link to choose a new one.
#[derive(Debug)]
pub struct PasswordReset {
    pub name: String,
    pub link: OneTimeLink,
}

email!(
    PasswordReset,
    "password_reset",
    subject = "email/password_reset/subject.txt",
    text = "email/password_reset/body.txt",
    html = "email/password_reset/body.html"
);

/// The events whose emails may carry a one-time link: once such an email
/// is sent, its bodies are cleared, so that no usable link stays at rest in
/// the outbox.
pub const WITH_ONE_TIME_LINKS: [&str; 2] = [Welcome::EVENT, PasswordReset::EVENT];

/// What a cleared body says instead.
pub const CLEARED_BODY: &str = "(Cleared once sent: it held a one-time link.)";

/// What every nomination email names: the student, the course and the class dates.
#[derive(Clone, Debug)]
pub struct NominationFacts {
    pub id: i32,
    pub student: String,
    /// "Pakistan (PK)".
    pub country: String,
    /// "B171807 Command and General Staff Officer Course".
    pub course: String,
    pub start_date: chrono::NaiveDate,
    pub end_date: chrono::NaiveDate,
}

/// A nomination was submitted: to the program officers.
#[derive(Debug)]
pub struct NominationSubmitted {
    pub n: NominationFacts,
    pub priority: String,
    /// In dollars, e.g. "$31,679.00".
    pub cost: String,
}

email!(
    NominationSubmitted,
    "nomination_submitted",
    subject = "email/nomination_submitted/subject.txt",
    text = "email/nomination_submitted/body.txt",
    html = "email/nomination_submitted/body.html"
);

/// A decision: approved, rejected or waitlisted, with the reason if any.
#[derive(Debug)]
pub struct NominationDecision {
    pub n: NominationFacts,
    pub decision: String,
    pub reason: Option<String>,
}

email!(
    NominationDecision,
    "nomination_decision",
    subject = "email/nomination_decision/subject.txt",
    text = "email/nomination_decision/body.txt",
    html = "email/nomination_decision/body.html"
);

/// A seat freed: a waitlisted nomination is submitted again.
#[derive(Debug)]
pub struct WaitlistPromoted {
    pub n: NominationFacts,
}

email!(
    WaitlistPromoted,
    "waitlist_promoted",
    subject = "email/waitlist_promoted/subject.txt",
    text = "email/waitlist_promoted/body.txt",
    html = "email/waitlist_promoted/body.html"
);

/// A nomination was withdrawn, with the penalty kept committed if any.
#[derive(Debug)]
pub struct NominationWithdrawn {
    pub n: NominationFacts,
    /// Who or what withdrew it, e.g. "by the country liaison".
    pub cause: String,
    pub reason: String,
    /// In dollars, when a late-cancellation penalty stays committed.
    pub penalty: Option<String>,
}

email!(
    NominationWithdrawn,
    "nomination_withdrawn",
    subject = "email/nomination_withdrawn/subject.txt",
    text = "email/nomination_withdrawn/body.txt",
    html = "email/nomination_withdrawn/body.html"
);

/// A nomination whose status a suspension changed.
#[derive(Clone, Debug)]
pub struct AffectedNomination {
    pub id: i32,
    pub student: String,
    pub course: String,
    pub start_date: chrono::NaiveDate,
    pub from: String,
    pub to: String,
}

/// A suspension was imposed or lifted: to the country's liaisons and the
/// program officers, listing the nominations it put on hold or released.
#[derive(Debug)]
pub struct SuspensionChanged {
    pub country: String,
    pub country_code: String,
    /// "imposed" or "lifted".
    pub change: String,
    /// "ALL except IMET", "FMF, CSF".
    pub programs: String,
    pub legal_basis: String,
    pub reason: String,
    pub effective_from: chrono::NaiveDate,
    pub lifted_on: Option<chrono::NaiveDate>,
    pub affected: Vec<AffectedNomination>,
}

email!(
    SuspensionChanged,
    "suspension_changed",
    subject = "email/suspension_changed/subject.txt",
    text = "email/suspension_changed/body.txt",
    html = "email/suspension_changed/body.html"
);

/// The latest ECL score expires before an approved class starts: to the liaison.
#[derive(Debug)]
pub struct EclExpiry {
    pub n: NominationFacts,
    pub score: i32,
    pub taken_on: chrono::NaiveDate,
    pub valid_through: chrono::NaiveDate,
}

email!(
    EclExpiry,
    "ecl_expiry",
    subject = "email/ecl_expiry/subject.txt",
    text = "email/ecl_expiry/body.txt",
    html = "email/ecl_expiry/body.html"
);

/// An allocation reached 90% committed: to the program officers, once per crossing.
#[derive(Debug)]
pub struct AllocationThreshold {
    /// As "Pakistan (PK)".
    pub country: String,
    pub country_code: String,
    pub program: String,
    pub fiscal_year: i32,
    /// Amounts in dollars, as "$1,250,000.00".
    pub allocated: String,
    pub committed: String,
    pub available: String,
    /// As "93.75%".
    pub percent_committed: String,
}

email!(
    AllocationThreshold,
    "allocation_threshold",
    subject = "email/allocation_threshold/subject.txt",
    text = "email/allocation_threshold/body.txt",
    html = "email/allocation_threshold/body.html"
);

/// A travel order was issued (revision 0) or amended: to the country's
/// liaisons and the student, with the order's PDF.
#[derive(Debug)]
pub struct TravelOrderIssued {
    pub n: NominationFacts,
    pub number: String,
    pub revision: i32,
    /// Why it was amended.
    pub reason: Option<String>,
    /// In dollars.
    pub total: String,
    pub pdf: Attachment,
}

email!(
    TravelOrderIssued,
    "travel_order_issued",
    subject = "email/travel_order_issued/subject.txt",
    text = "email/travel_order_issued/body.txt",
    html = "email/travel_order_issued/body.html",
    attachment = |e| Some(&e.pdf)
);

/// A travel order was revoked: to the same people, with the reason.
#[derive(Debug)]
pub struct TravelOrderRevoked {
    pub n: NominationFacts,
    pub number: String,
    pub reason: String,
}

email!(
    TravelOrderRevoked,
    "travel_order_revoked",
    subject = "email/travel_order_revoked/subject.txt",
    text = "email/travel_order_revoked/body.txt",
    html = "email/travel_order_revoked/body.html"
);

/// A training plan was submitted (to the program officers), or approved,
/// returned or reopened (to the country's liaisons).
#[derive(Debug)]
pub struct PlanStatusChanged {
    pub plan_id: i32,
    /// "Pakistan (PK)".
    pub country: String,
    pub fiscal_year: i32,
    /// "submitted", "approved", "returned" or "reopened".
    pub action: &'static str,
    /// The plan's status label now.
    pub status: &'static str,
    /// Why it was returned.
    pub reason: Option<String>,
    /// The priority-A total, e.g. "$1,250,000.00".
    pub a_total: String,
    /// The PME share of the A total, e.g. "62.50%".
    pub pme_share: String,
}

email!(
    PlanStatusChanged,
    "plan_status_changed",
    subject = "email/plan_status_changed/subject.txt",
    text = "email/plan_status_changed/body.txt",
    html = "email/plan_status_changed/body.html"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcome_shows_role_country_and_links() {
        let welcome = Welcome {
            name: "Maj. Sara <Qureshi>".into(),
            email: "sara@pk.example".into(),
            role: Role::CountryLiaison,
            country: Some("Pakistan (PK)".into()),
            setup: None,
        };
        let r = welcome.render("https://imet.example.org/").unwrap();
        assert!(!r.subject.contains('\n'), "{}", r.subject);
        for body in [&r.text, &r.html] {
            assert!(body.contains("Country liaison"), "{body}");
            assert!(body.contains("Pakistan (PK)"), "{body}");
            assert!(body.contains("https://imet.example.org/"), "{body}");
            assert!(!body.contains("imet.example.org//"), "{body}");
        }
        assert!(r.text.contains("Maj. Sara <Qureshi>"));
        assert!(r.html.contains("Maj. Sara &#60;Qureshi&#62;"), "escaped");
        assert!(!r.html.contains("<img"), "no remote images");

        let officer = Welcome {
            country: None,
            role: Role::ProgramOfficer,
            ..welcome
        };
        let r = officer.render("http://localhost:8080").unwrap();
        assert!(r.text.contains("Program officer"));
        assert!(!r.text.contains("Country:"));
    }

    #[test]
    fn allocation_threshold_shows_amounts() {
        let alert = AllocationThreshold {
            country: "Pakistan (PK)".into(),
            country_code: "PK".into(),
            program: "IMET".into(),
            fiscal_year: 2026,
            allocated: "$1,000,000.00".into(),
            committed: "$937,500.00".into(),
            available: "$62,500.00".into(),
            percent_committed: "93.75%".into(),
        };
        let r = alert.render("https://imet.example.org").unwrap();
        assert_eq!(r.subject, "PK IMET FY2026 allocation is 93.75% committed");
        for body in [&r.text, &r.html] {
            for shown in [
                "Pakistan (PK)",
                "FY2026",
                "$1,000,000.00",
                "$937,500.00",
                "$62,500.00",
            ] {
                assert!(body.contains(shown), "{shown} in {body}");
            }
        }
    }
}
