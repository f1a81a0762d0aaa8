//! Delivery of one outbox message: over SMTP when `SMTP_URL` is set, otherwise
//! as an `.eml` file under `IMET_DATA_DIR/mail/`.
use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Attachment, Mailbox, MultiPart, header::ContentType},
    transport::smtp::PoolConfig,
};

use crate::{config::Config, entities::outbox};

/// Longest wait for one SMTP command (connect, greeting, each reply).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// Pooled SMTP connections, each carrying one message at a time. lettre
/// writes a message's closing `.` apart from its body on a socket without
/// `TCP_NODELAY`, so each message waits for the server's delayed ACK
/// (~40 ms on Linux): one connection delivers ~25 messages a second, and
/// throughput comes from connections side by side (well under the 50 per
/// client that Postfix allows by default).
pub const POOL_SIZE: u32 = 32;

/// Why a message was not delivered.
#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// The server refused it for good (5xx), or it cannot be composed: retrying won't help.
    Permanent(String),
    /// The server is unreachable, slow or answered 4xx: try again later.
    Transient(String),
}

pub struct Transport {
    from: Mailbox,
    delivery: Delivery,
}

enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

impl Transport {
    /// SMTP from `SMTP_URL` (pooled, with timeouts; TLS by rustls), or files
    /// in `config.mail_dir()`. Fails on a malformed `SMTP_URL` or `MAIL_FROM`.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .with_context(|| format!("MAIL_FROM `{}` is not an address", config.mail_from))?;
        let delivery = match &config.smtp_url {
            Some(url) => Delivery::Smtp(smtp(url)?),
            None => {
                let dir = config.mail_dir();
                Delivery::Files {
                    transport: AsyncFileTransport::new(&dir),
                    dir,
                }
            }
        };
        Ok(Self { from, delivery })
    }

    /// Composes `message` and hands it to the server (or writes the file).
    pub async fn send(&self, message: &outbox::Model) -> Result<(), SendError> {
        let email = compose(&self.from, message)?;
        match &self.delivery {
            Delivery::Smtp(smtp) => smtp.send(email).await.map(drop).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Delivery::Files { dir, transport } => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| SendError::Transient(format!("{}: {e}", dir.display())))?;
                transport
                    .send(email)
                    .await
                    .map(drop)
                    .map_err(|e| SendError::Transient(e.to_string()))
            }
        }
    }
}

/// The pooled SMTP transport for `url`: `smtp://host:port` (plain),
/// `smtp://user:pass@host:port?tls=starttls` (STARTTLS required) or
/// `smtps://user:pass@host[:port]` (implicit TLS, port 465 by default).
fn smtp(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url(url))
        .context("SMTP_URL is not a valid smtp:// or smtps:// URL")?;
    Ok(builder
        .timeout(Some(COMMAND_TIMEOUT))
        .pool_config(
            PoolConfig::new()
                .max_size(POOL_SIZE)
                .idle_timeout(Duration::from_secs(60)),
        )
        .build())
}

/// Lettre spells STARTTLS `tls=required` (and `tls=opportunistic`); accept
/// `tls=starttls` for the required form.
fn lettre_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = if key == "tls" && value.eq_ignore_ascii_case("starttls") {
            "required".into()
        } else {
            value
        };
        out.append_pair(&key, &value);
    }
    format!("{base}?{}", out.finish())
}

/// The MIME message: multipart/alternative of the text and HTML bodies
/// (inside multipart/mixed with the attachment, when it has one), with the
/// Message-ID fixed when it was queued (so a resend can be recognized).
fn compose(from: &Mailbox, message: &outbox::Model) -> Result<Message, SendError> {
    let recipients = &message.recipients.0;
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(message.subject.clone())
        .message_id(Some(message.message_id.clone()))
        .date(message.created_at.into());
    for recipient in recipients {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| SendError::Permanent(format!("recipient `{recipient}`: {e}")))?;
        builder = builder.to(to);
    }
    let bodies =
        MultiPart::alternative_plain_html(message.text_body.clone(), message.html_body.clone());
    let body = match (
        &message.attachment_name,
        &message.attachment_type,
        &message.attachment,
    ) {
        (Some(name), Some(content_type), Some(data)) => {
            let content_type = ContentType::parse(content_type).map_err(|e| {
                SendError::Permanent(format!("attachment type `{content_type}`: {e}"))
            })?;
            MultiPart::mixed()
                .multipart(bodies)
                .singlepart(Attachment::new(name.clone()).body(data.clone(), content_type))
        }
        _ => bodies,
    };
    builder
        .multipart(body)
        .map_err(|e| SendError::Permanent(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_is_spelled_for_lettre() {
        let cases = [
            ("smtp://127.0.0.1:2525", "smtp://127.0.0.1:2525"),
            (
                "smtp://u:p@mail.example.org:587?tls=starttls",
                "smtp://u:p@mail.example.org:587?tls=required",
            ),
            (
                "smtp://mail.example.org?tls=opportunistic",
                "smtp://mail.example.org?tls=opportunistic",
            ),
            (
                "smtps://u:p@mail.example.org",
                "smtps://u:p@mail.example.org",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(lettre_url(input), expected, "{input}");
        }
    }

    #[tokio::test]
    async fn smtp_urls_are_checked() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cases = [
            ("smtp://127.0.0.1:2525", true),
            ("smtps://user:secret@mail.example.org", true),
            ("smtps://user:secret@mail.example.org:2465", true),
            ("smtp://user:secret@mail.example.org:587?tls=starttls", true),
            ("http://mail.example.org", false),
            ("smtp://", false),
            ("smtp://mail.example.org?tls=sometimes", false),
        ];
        for (url, ok) in cases {
            assert_eq!(smtp(url).is_ok(), ok, "{url}");
        }
    }
}
