//! Page tests in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver, against the real app on a fresh
//! database; plus checks of the pages' HTTP contract with a plain client, and
//! of every page of every role with the Nu Html Checker.
#[path = "../common/mod.rs"]
mod common;
mod crawl;
mod driver;
mod markup;
#[path = "../api/smtp.rs"]
mod smtp;
mod web_client;

mod accounts;
mod catalog;
mod countries;
mod docs;
mod ecl_exemptions;
mod funding;
mod http;
mod nominations;
mod outbox;
mod plans;
mod reports;
mod screenshots;
mod sign_in;
mod students;
mod suspensions;
mod travel_orders;
mod users;
mod valid_html;
mod vnu;
