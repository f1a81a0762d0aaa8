//! Just enough reading of the server's own HTML to crawl it: the links and
//! the forms of a page, with their fields as a browser would send them.

/// One start tag: its name (lower case) and attributes (values unescaped).
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
    /// Byte offset just past the tag's `>`.
    end: usize,
}

impl Tag {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The start tags of `html`, in document order.
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let mut start = at + offset + 1;
        // An end tag reads as its name with a leading `/`.
        let closing = bytes.get(start) == Some(&b'/');
        if closing {
            start += 1;
        }
        let name_len = html[start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(0);
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            at = start;
            continue;
        }
        let name = format!(
            "{}{}",
            if closing { "/" } else { "" },
            html[start..start + name_len].to_ascii_lowercase()
        );
        let (attributes, end) = attributes(html, start + name_len);
        tags.push(Tag {
            name,
            attributes,
            end,
        });
        at = end;
    }
    tags
}

/// Reads attributes from `at` to the end of the tag; returns them and the
/// offset past the `>`.
fn attributes(html: &str, mut at: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() {
            return (found, at);
        }
        if bytes[at] == b'>' {
            return (found, at + 1);
        }
        let name_end = html[at..]
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
            .map_or(bytes.len(), |n| at + n);
        let name = html[at..name_end].to_ascii_lowercase();
        at = name_end;
        let mut value = String::new();
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            let (raw, next) = match bytes.get(at) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = html[at + 1..]
                        .find(quote as char)
                        .map_or(bytes.len(), |n| at + 1 + n);
                    (&html[at + 1..close], close + 1)
                }
                _ => {
                    let close = html[at..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(bytes.len(), |n| at + n);
                    (&html[at..close], close)
                }
            };
            value = unescape(raw);
            at = next;
        }
        found.push((name, value));
    }
}

/// The character references askama writes.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `href` of the page's links.
pub fn links(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|tag| tag.name == "a")
        .filter_map(|tag| tag.attribute("href").map(str::to_owned))
        .collect()
}

/// A form of the page, with the values a browser would send for it unchanged
/// (the first named submit button counted as pressed).
#[derive(Clone)]
pub struct Form {
    pub method: String,
    pub action: String,
    pub multipart: bool,
    /// Fields as shown: hidden, text, chosen options and checked boxes.
    pub shown: Vec<(String, String)>,
    /// The names of the fields a person fills in (not hidden, not buttons).
    pub editable: Vec<String>,
    /// The values of each select and radio group, in order.
    pub choices: Vec<(String, Vec<String>)>,
}

impl Form {
    /// The form as shown, then once more for each other value of each
    /// select or radio group of at most `max_choices` values.
    pub fn variants(&self, max_choices: usize) -> Vec<Vec<(String, String)>> {
        let mut variants = vec![self.shown.clone()];
        for (name, values) in &self.choices {
            if values.len() > max_choices {
                continue;
            }
            for value in values {
                let mut fields: Vec<(String, String)> = self
                    .shown
                    .iter()
                    .filter(|(n, _)| n != name)
                    .cloned()
                    .collect();
                fields.push((name.clone(), value.clone()));
                variants.push(fields);
            }
        }
        variants
    }

    /// The form as shown, with a choice made in every select and radio
    /// group left without one.
    pub fn filled(&self) -> Vec<(String, String)> {
        let mut fields = self.shown.clone();
        for (name, values) in &self.choices {
            let Some(choice) = values.iter().find(|v| !v.is_empty()) else {
                continue;
            };
            match fields.iter_mut().find(|(n, _)| n == name) {
                Some((_, value)) if value.is_empty() => *value = choice.clone(),
                Some(_) => {}
                None => fields.push((name.clone(), choice.clone())),
            }
        }
        fields
    }

    /// The form sent with every field a person fills in left empty.
    pub fn blank(&self) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = self
            .shown
            .iter()
            .filter(|(name, _)| !self.editable.contains(name))
            .cloned()
            .collect();
        let mut seen = Vec::new();
        for name in &self.editable {
            if !seen.contains(name) {
                seen.push(name.clone());
                fields.push((name.clone(), String::new()));
            }
        }
        fields
    }
}

/// The page's forms.
pub fn forms(html: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    let mut open: Option<(Form, bool)> = None;
    let mut select: Option<(String, Option<String>, bool)> = None;
    for tag in tags(html) {
        match tag.name.as_str() {
            "form" => {
                let form = Form {
                    method: tag
                        .attribute("method")
                        .unwrap_or("get")
                        .to_ascii_lowercase(),
                    action: tag.attribute("action").unwrap_or("").to_owned(),
                    multipart: tag.attribute("enctype") == Some("multipart/form-data"),
                    shown: Vec::new(),
                    editable: Vec::new(),
                    choices: Vec::new(),
                };
                if let Some((done, _)) = open.replace((form, false)) {
                    forms.push(done);
                }
            }
            "/form" => {
                flush_select(&mut select, &mut open);
                if let Some((done, _)) = open.take() {
                    forms.push(done);
                }
                continue;
            }
            _ if open.is_none() => {}
            "input" | "textarea" | "button" => {
                let Some((form, pressed)) = open.as_mut() else {
                    continue;
                };
                let Some(name) = tag.attribute("name") else {
                    continue;
                };
                let kind = tag.attribute("type").unwrap_or(match tag.name.as_str() {
                    "button" => "submit",
                    "textarea" => "textarea",
                    _ => "text",
                });
                let value = match tag.name.as_str() {
                    "textarea" => textarea_text(html, tag.end),
                    _ => tag.attribute("value").unwrap_or("").to_owned(),
                };
                match kind {
                    "submit" => {
                        if !*pressed {
                            *pressed = true;
                            form.shown.push((name.to_owned(), value));
                        }
                    }
                    "hidden" => form.shown.push((name.to_owned(), value)),
                    "checkbox" | "radio" => {
                        form.editable.push(name.to_owned());
                        if kind == "radio" {
                            add_choice(form, name, &value);
                        }
                        if tag.attribute("checked").is_some() {
                            form.shown.push((name.to_owned(), value));
                        }
                    }
                    "file" => form.editable.push(name.to_owned()),
                    _ => {
                        form.editable.push(name.to_owned());
                        form.shown.push((name.to_owned(), value));
                    }
                }
            }
            "select" => {
                if let Some((form, _)) = open.as_mut() {
                    let name = tag.attribute("name").unwrap_or("").to_owned();
                    form.editable.push(name.clone());
                    select = Some((name, None, false));
                }
            }
            "option" => {
                if let Some((name, chosen, selected)) = select.as_mut() {
                    let value = tag.attribute("value").unwrap_or("").to_owned();
                    if let Some((form, _)) = open.as_mut() {
                        add_choice(form, name, &value);
                    }
                    if tag.attribute("selected").is_some() && !*selected {
                        *chosen = Some(value);
                        *selected = true;
                    } else if chosen.is_none() {
                        *chosen = Some(value);
                    }
                }
            }
            _ => {}
        }
        // A select ends where the next field or form begins (the server's
        // selects hold only options).
        if !matches!(tag.name.as_str(), "select" | "option" | "/option") {
            flush_select(&mut select, &mut open);
        }
    }
    flush_select(&mut select, &mut open);
    if let Some((form, _)) = open {
        forms.push(form);
    }
    forms
}

/// Adds `value` to the choices of `name`.
fn add_choice(form: &mut Form, name: &str, value: &str) {
    match form.choices.iter_mut().find(|(n, _)| n == name) {
        Some((_, values)) => values.push(value.to_owned()),
        None => form.choices.push((name.to_owned(), vec![value.to_owned()])),
    }
}

/// Records the chosen option of the select just read.
fn flush_select(
    select: &mut Option<(String, Option<String>, bool)>,
    open: &mut Option<(Form, bool)>,
) {
    if let Some((name, Some(value), _)) = select.take()
        && let Some((form, _)) = open.as_mut()
    {
        form.shown.push((name, value));
    }
}

fn textarea_text(html: &str, from: usize) -> String {
    let end = html[from..].find("</textarea").map_or(from, |n| from + n);
    unescape(&html[from..end])
}
