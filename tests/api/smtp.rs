//! A real SMTP server for the tests: `tests/smtp/catcher.py` (aiosmtpd) run
//! as a child process on a free port, killed on drop. It can be stopped and
//! started again on the same port, to test outages. Also a small MIME reader
//! for what it received and for the `.eml` files of the file transport.
// Shared with `tests/browser`, which uses only the server.
#![allow(dead_code)]
use std::{
    collections::HashMap,
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use base64::Engine;
use tempfile::TempDir;

use crate::common::eventually;

pub struct SmtpServer {
    port: u16,
    dir: TempDir,
    child: Option<Child>,
}

/// One message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    /// Envelope recipients (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    pub email: Email,
}

impl SmtpServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut server = Self {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
        };
        server.restart().await;
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Kills the server: connections are refused until [`Self::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// (Re)starts the server on its port, keeping what it received.
    pub async fn restart(&mut self) {
        self.stop();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/catcher.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 runs tests/smtp/catcher.py (pip install aiosmtpd)");
        let port = self.port;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().expect("catcher status") {
                panic!("the SMTP catcher exited with {status}; is aiosmtpd installed?");
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP catcher did not listen on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.child = Some(child);
    }

    /// Everything received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .expect("catcher dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let record: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("read message"))
                        .expect("message record");
                Received {
                    rcpt_tos: serde_json::from_value(record["rcpt_tos"].clone()).expect("rcpt"),
                    email: Email::parse(record["data"].as_str().expect("data")),
                }
            })
            .collect()
    }

    /// Messages whose envelope names `address`.
    pub fn messages_to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits (with a deadline) for the first message to `address`.
    pub async fn wait_for(&self, address: &str) -> Received {
        eventually(&format!("an email to {address}"), || async {
            self.messages_to(address).into_iter().next()
        })
        .await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The complete emails to `address` among the `.eml` files the file
/// transport wrote into `dir`, oldest first. A file still being written
/// (no end of its HTML part yet) is left out.
pub fn eml_files_to(dir: &Path, address: &str) -> Vec<Email> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, Email)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| {
            let written = p.metadata().ok()?.modified().ok()?;
            Some((written, Email::parse(&std::fs::read_to_string(p).ok()?)))
        })
        .filter(|(_, e)| e.header("to") == address && e.html.contains("</html>"))
        .collect();
    files.sort_by_key(|(written, _)| *written);
    files.into_iter().map(|(_, email)| email).collect()
}

/// A parsed email: headers, and the text and HTML parts of a
/// multipart/alternative body (or the single part it has).
#[derive(Clone, Debug)]
pub struct Email {
    headers: HashMap<String, String>,
    pub text: String,
    pub html: String,
    /// Other parts: content type, file name and decoded bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

impl Email {
    pub fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (headers, body) = split_entity(&raw);
        let mut email = Self {
            headers: headers.clone(),
            text: String::new(),
            html: String::new(),
            attachments: Vec::new(),
        };
        email.take_part(&headers, body);
        email
    }

    /// Takes the bodies of an entity, and of each part of a multipart one
    /// (multipart/mixed holding multipart/alternative and attachments).
    fn take_part(&mut self, headers: &HashMap<String, String>, body: &str) {
        let content_type = headers.get("content-type").cloned().unwrap_or_default();
        if let Some(boundary) = parameter(&content_type, "boundary") {
            let delimiter = format!("--{boundary}");
            for part in body.split(&delimiter).skip(1) {
                if part.starts_with("--") {
                    break;
                }
                let (part_headers, part_body) = split_entity(part.trim_start_matches('\n'));
                self.take_part(&part_headers, part_body);
            }
            return;
        }
        let content_type = content_type.to_ascii_lowercase();
        let encoding = headers
            .get("content-transfer-encoding")
            .map(|v| v.to_ascii_lowercase())
            .unwrap_or_default();
        let disposition = headers
            .get("content-disposition")
            .cloned()
            .unwrap_or_default();
        if disposition.to_ascii_lowercase().starts_with("attachment") {
            let name = parameter(&disposition, "filename").unwrap_or_default();
            let mime = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
            self.attachments
                .push((mime, name, decode_bytes(body, &encoding)));
        } else if content_type.starts_with("text/html") {
            self.html = decode(body, &encoding);
        } else if content_type.starts_with("text/plain") || content_type.is_empty() {
            self.text = decode(body, &encoding);
        }
    }

    /// A header's (unfolded) value; empty when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Headers (lower-cased names, unfolded values) and the body of an entity.
fn split_entity(raw: &str) -> (HashMap<String, String>, &str) {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut headers = HashMap::new();
    let mut current: Option<(String, String)> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.as_mut() {
                value.push_str(line);
            }
            continue;
        }
        if let Some((name, value)) = current.take() {
            headers.insert(name, value);
        }
        if let Some((name, value)) = line.split_once(':') {
            current = Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    if let Some((name, value)) = current {
        headers.insert(name, value);
    }
    (headers, body)
}

fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (key, v) = p.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn decode_bytes(body: &str, encoding: &str) -> Vec<u8> {
    match encoding {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("base64 part")
        }
        _ => decode(body, encoding).into_bytes(),
    }
}

fn decode(body: &str, encoding: &str) -> String {
    match encoding {
        "base64" => String::from_utf8(decode_bytes(body, encoding)).expect("utf-8 part"),
        "quoted-printable" => {
            let mut out = Vec::new();
            let bytes = body.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
                    b'=' if i + 2 < bytes.len() => {
                        let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("qp");
                        out.push(u8::from_str_radix(hex, 16).expect("qp escape"));
                        i += 3;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            String::from_utf8(out).expect("utf-8 part")
        }
        _ => body.to_owned(),
    }
}
