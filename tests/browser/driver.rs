//! A headless Chromium for one test: `chromedriver` runs as a child process
//! on a free port (killed, with the browser, when the test ends) and opens a
//! session with a fresh profile.
use std::{
    net::{TcpListener, TcpStream},
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::TestApp;

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);

/// `chromedriver` and the browsers it started, all in one process group.
struct ChromeDriver {
    child: Child,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid: this ends the browser with it.
        if let Ok(group) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: killpg only sends a signal; the group is our own child's.
            unsafe {
                libc::killpg(group, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub struct Browser {
    pub client: Client,
    base: String,
    _driver: ChromeDriver,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium pointed at `app`.
    pub async fn open(app: &TestApp) -> Self {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver (apt-get install chromium-driver)");
        let driver = ChromeDriver { child };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("capabilities are an object")
        };
        let client = ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a Chromium session");
        Self {
            client,
            base: app.base.clone(),
            _driver: driver,
            _profile: profile,
        }
    }

    /// Ends the browser session.
    pub async fn close(self) {
        self.client
            .clone()
            .close()
            .await
            .expect("close the browser");
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
    }

    /// The text of the first element matching `css`, as one line.
    pub async fn text(&self, css: &str) -> String {
        let text = self.find(css).await.text().await.expect("text");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The current value of a form field.
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until the page's `h1` reads `heading` (a navigation has completed).
    pub async fn expect_heading(&self, heading: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let shown = match self.client.find(Locator::Css("h1")).await {
                Ok(h1) => h1.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown == heading {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "expected the heading {heading:?}, the page shows {shown:?} at {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Replaces the content of a field.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .expect("select an option");
    }

    /// Clicks the element; when it is a link to another page or a submit
    /// button, waits until the next page has loaded, so that what the test
    /// looks for next is never found on the page it left.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        let leaves = leaves_page(&element).await;
        if leaves {
            self.client
                .execute("window.imetLeaving = true;", vec![])
                .await
                .expect("mark the page");
        }
        element.click().await.expect("click");
        if leaves {
            self.wait_for_next_page(css).await;
        }
    }

    async fn wait_for_next_page(&self, clicked: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let arrived = self
                .client
                .execute(
                    "return window.imetLeaving !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(arrived, Ok(Value::Bool(true))) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "clicking `{clicked}` loaded no new page"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Signs in through the sign-in page and waits for `heading`.
    pub async fn sign_in(&self, email: &str, password: &str, heading: &str) {
        self.goto("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.expect_heading(heading).await;
    }

    /// Saves a PNG of the page as `docs/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Accessibility problems a machine can find on the page: landmarks,
    /// skip link, one `h1`, labels, descriptions, unique ids, link text.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        // Headless Chromium gives a newly loaded page focus only at the first
        // interaction; without it no element matches `:focus`, and the skip
        // link could not be seen to appear. A click on the heading gives it.
        if let Ok(heading) = self.client.find(Locator::Css("h1")).await {
            heading.click().await.expect("click the page's heading");
        }
        let found = self
            .client
            .execute(ACCESSIBILITY_CHECK, vec![])
            .await
            .expect("run the accessibility check");
        serde_json::from_value(found).expect("a list of problems")
    }
}

/// Whether clicking `element` loads another page: a link elsewhere than
/// this page, or a button or input that submits its form.
async fn leaves_page(element: &Element) -> bool {
    let tag = element.tag_name().await.unwrap_or_default().to_lowercase();
    let kind = element
        .attr("type")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    match tag.as_str() {
        "a" => element
            .attr("href")
            .await
            .ok()
            .flatten()
            .is_some_and(|href| !href.starts_with('#')),
        "button" => kind.is_empty() || kind == "submit",
        "input" => kind == "submit",
        _ => false,
    }
}

const ACCESSIBILITY_CHECK: &str = r#"
const problems = [];
if (!document.documentElement.lang) problems.push('no lang on <html>');
if (!document.querySelector('main#main')) problems.push('no <main id="main">');
if (!document.querySelector('header')) problems.push('no <header>');
const skip = document.querySelector('body > a.skip-link');
if (!skip || skip.getAttribute('href') !== '#main') problems.push('no skip link to #main');
if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
  if (!el.id || !document.querySelector(`label[for="${el.id}"]`)) problems.push('no label for ' + (el.name || el.outerHTML));
}
for (const el of document.querySelectorAll('[aria-describedby]')) {
  for (const id of el.getAttribute('aria-describedby').split(/\s+/).filter(Boolean)) {
    if (!document.getElementById(id)) problems.push('aria-describedby names a missing ' + id);
  }
}
const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
for (const id of new Set(ids)) if (ids.filter(i => i === id).length > 1) problems.push('duplicate id ' + id);
for (const a of document.querySelectorAll('a, button')) {
  if (!a.textContent.trim()) problems.push('no text in ' + a.outerHTML);
}
if (skip) {
  skip.focus();
  const box = skip.getBoundingClientRect();
  if (box.left < 0 || box.width === 0) problems.push('the skip link stays hidden when focused');
  skip.blur();
}
return problems;
"#;
