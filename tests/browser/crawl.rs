//! Walks the pages one person can reach, breadth-first from where they
//! start, through every same-origin link and every form: GET forms as shown
//! and with each choice of their short selects, POST forms with the fields
//! a person fills in left empty (their error state), and action buttons
//! pressed once each. Every HTML answer is saved for the Nu Html Checker.
use std::{
    collections::{HashMap, HashSet, VecDeque},
    path::{Path, PathBuf},
};

use reqwest::StatusCode;

use crate::{
    markup::{self, Form},
    web_client::{Page, WebClient},
};

/// Pages fetched per person at most.
const MAX_PAGES: usize = 400;
/// Pages of one shape (the same path with other ids, the same query keys
/// with other values) fetched at most: pagination and year choices end.
const MAX_PER_SHAPE: usize = 25;
/// A filter with at most this many choices is tried with each.
const MAX_FILTER_CHOICES: usize = 12;
/// A CSV that the importer refuses, for the upload form's error state.
const BAD_CSV: &str = "masl_id,title\nX1,No school\n";

/// One HTML answer, saved.
pub struct Visit {
    /// `GET /path?query` or `POST /path (blank)`.
    pub request: String,
    pub path: String,
    pub status: StatusCode,
    pub file: PathBuf,
}

impl Visit {
    /// A page whose purpose is a form: a new, edit or action page, or any
    /// page answered to a POST.
    pub fn is_form(&self) -> bool {
        self.request.starts_with("POST")
            || ["/new", "/edit", "/password", "/lift", "/import", "/login"]
                .iter()
                .any(|end| self.path.ends_with(end))
    }

    /// A page of one record: `/resource/{key}`.
    pub fn is_detail(&self) -> bool {
        !self.is_form() && self.path.trim_matches('/').split('/').count() == 2
    }

    /// The dashboard or a list: `/` or `/resource`.
    pub fn is_list(&self) -> bool {
        !self.is_form() && self.path.trim_matches('/').split('/').count() <= 1
    }
}

pub struct Crawl<'a> {
    pub client: WebClient,
    who: &'static str,
    dir: &'a Path,
    queue: VecDeque<String>,
    seen: HashSet<String>,
    shapes: HashMap<String, usize>,
    /// Each form with the path of the page it was found on.
    forms: Vec<(String, Form)>,
    form_shapes: HashSet<String>,
    pub visits: Vec<Visit>,
}

impl<'a> Crawl<'a> {
    pub fn new(client: WebClient, who: &'static str, dir: &'a Path) -> Self {
        Self {
            client,
            who,
            dir,
            queue: VecDeque::new(),
            seen: HashSet::new(),
            shapes: HashMap::new(),
            forms: Vec::new(),
            form_shapes: HashSet::new(),
            visits: Vec::new(),
        }
    }

    /// Visits `start` and every page reachable from it, then sends each form
    /// found (and visits what those answers link to).
    pub async fn run(&mut self, start: &[&str]) {
        for url in start {
            self.enqueue(url);
        }
        self.drain().await;
        let mut next = 0;
        while let Some((found_on, form)) = self.forms.get(next).cloned() {
            self.send(&found_on, &form).await;
            next += 1;
            self.drain().await;
        }
    }

    async fn drain(&mut self) {
        while let Some(url) = self.queue.pop_front() {
            let page = self.client.get(&url).await;
            self.record(format!("GET {url}"), &url, page).await;
        }
    }

    /// Queues a link when it is this site's page, not yet seen, and within
    /// the caps.
    fn enqueue(&mut self, href: &str) {
        let url = href.split('#').next().unwrap_or_default();
        let url = url.strip_prefix(&self.client.base).unwrap_or(url);
        let path = url.split('?').next().unwrap_or_default();
        if !url.starts_with('/')
            || url.starts_with("//")
            || path.starts_with("/api/")
            || path.starts_with("/static/")
            || path == "/logout"
            || self.seen.len() >= MAX_PAGES
            || self.seen.contains(url)
        {
            return;
        }
        let count = self.shapes.entry(shape(url)).or_default();
        if *count >= MAX_PER_SHAPE {
            return;
        }
        *count += 1;
        self.seen.insert(url.to_owned());
        self.queue.push_back(url.to_owned());
    }

    /// Saves an HTML answer (see [`Self::save`]) or follows a redirect: the
    /// page after a POST is saved even when seen before, as it shows the
    /// outcome.
    async fn record(&mut self, request: String, url: &str, page: Page) {
        if !page.status.is_redirection() {
            return self.save(&request, url, page);
        }
        let location = page.location().to_owned();
        if !request.starts_with("POST") || !location.starts_with('/') {
            return self.enqueue(&location);
        }
        let after = self.client.get(&location).await;
        if after.status.is_redirection() {
            self.enqueue(after.location());
        } else {
            self.save(&format!("GET {location} after {request}"), &location, after);
        }
    }

    /// Saves an HTML answer to `request` for `url`, queues its links and
    /// keeps its forms.
    pub fn save(&mut self, request: &str, url: &str, page: Page) {
        if !page.content_type().starts_with("text/html") {
            return;
        }
        let file = self
            .dir
            .join(format!("{}-{:04}.html", self.who, self.visits.len()));
        std::fs::write(&file, &page.body).expect("save the page");
        for link in markup::links(&page.body) {
            self.enqueue(&link);
        }
        let path = url.split('?').next().unwrap_or_default();
        for form in markup::forms(&page.body) {
            let key = format!("{} {}", form.method, shape(&form.action));
            // Never the buttons that end the crawler's own sign-in.
            let signs_out =
                form.action == "/logout" || form.action.starts_with("/account/sessions/");
            if !signs_out && self.form_shapes.insert(key) {
                self.forms.push((path.to_owned(), form));
            }
        }
        self.visits.push(Visit {
            request: request.to_owned(),
            path: path.to_owned(),
            status: page.status,
            file,
        });
    }

    /// Sends a form: a GET form as shown and with each choice of its short
    /// selects; a POST form with its fields
    /// left empty, filled in too when it only edits what is there (found on
    /// an edit page) or checks a nomination, or pressed when it is only a
    /// button.
    async fn send(&mut self, found_on: &str, form: &Form) {
        if form.method == "get" {
            for fields in form.variants(MAX_FILTER_CHOICES) {
                let query = serde_urlencoded::to_string(&fields).expect("query");
                self.enqueue(&format!("{}?{query}", form.action));
            }
            return;
        }
        if form.multipart {
            let token = self.client.csrf_token.clone().expect("a CSRF token");
            let page = self
                .client
                .post_multipart(
                    &form.action,
                    &[
                        ("csrf_token", None, &token),
                        ("file", Some("catalog.csv"), BAD_CSV),
                    ],
                )
                .await;
            self.record(
                format!("POST {} (refused CSV)", form.action),
                &form.action,
                page,
            )
            .await;
            return;
        }
        let mut variants = vec![("pressed", form.shown.clone())];
        if !form.editable.is_empty() {
            variants[0] = ("blank", form.blank());
            if form.action == "/nominations" || found_on.ends_with("/edit") {
                variants.push(("filled", form.filled()));
            }
        }
        for (how, fields) in variants {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let page = self.client.post(&form.action, &fields).await;
            self.record(format!("POST {} ({how})", form.action), &form.action, page)
                .await;
        }
    }
}

/// A URL's shape: ids and keys in its path as `{}`, its query's names only.
fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if segment.chars().any(|c| c.is_ascii_digit())
                || (!segment.is_empty() && segment.chars().all(|c| c.is_ascii_uppercase()))
            {
                "{}"
            } else {
                segment
            }
        })
        .collect();
    let mut names: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort_unstable();
    format!("{}?{}", path.join("/"), names.join("&"))
}
