//! The pages through a plain HTTP client that keeps its cookies and follows
//! no redirects, to check what a browser cannot show: status codes,
//! headers, and forms posted without (or with a wrong) CSRF token.
use std::collections::BTreeMap;

use reqwest::{StatusCode, header, redirect::Policy};

use crate::common::TestApp;

pub struct WebClient {
    client: reqwest::Client,
    base: String,
    /// The cookies the server set, by name.
    pub cookies: BTreeMap<String, String>,
    /// The CSRF token of the last page that had a form.
    pub csrf_token: Option<String>,
}

/// A page as answered.
pub struct Page {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookie(&self) -> Option<&str> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
    }
}

impl WebClient {
    /// The `imet_session` cookie, once the server set one.
    pub fn session_cookie(&self) -> Option<&str> {
        self.cookies.get("imet_session").map(String::as_str)
    }

    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
            cookies: BTreeMap::new(),
            csrf_token: None,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            let pairs: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request.header(header::COOKIE, pairs.join("; "))
        };
        let response = request.send().await.expect("request");
        let page = Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        };
        for set in page.headers.get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        if let Some(token) = page
            .body
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.csrf_token = Some(token.to_owned());
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// Posts a form exactly as given (add `csrf_token` yourself).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields);
        self.send(request).await
    }

    /// Posts a form with the session's CSRF token.
    pub async fn post_with_token(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self
            .csrf_token
            .clone()
            .expect("a page with a form was shown");
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post(path, &fields).await
    }

    /// Posts a `multipart/form-data` body of `(name, file name, content)`
    /// parts exactly as given (add `csrf_token` yourself), as a browser
    /// sends a form with a file input.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        parts: &[(&str, Option<&str>, &str)],
    ) -> Page {
        const BOUNDARY: &str = "----imet-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, file_name, content) in parts {
            body.push_str(&format!("--{BOUNDARY}\r\n"));
            match file_name {
                Some(file) => body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: text/csv\r\n\r\n"
                )),
                None => body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                )),
            }
            body.push_str(content);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        self.send(request).await
    }

    /// Signs in through the sign-in form; panics when refused.
    pub async fn sign_in(&mut self, email: &str, password: &str) {
        self.get("/login").await;
        let page = self
            .post_with_token("/login", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign in {email}: {}",
            page.body
        );
        assert_eq!(page.location(), "/");
    }
}
