//! Page tests in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver, against the real app on a fresh
//! database; plus a few checks of the pages' HTTP contract with a plain client.
#[path = "../common/mod.rs"]
mod common;
mod driver;
mod web_client;

mod countries;
mod http;
mod screenshots;
mod sign_in;
mod users;
