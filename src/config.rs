//! Settings from the environment, with defaults that just work: no settings at
//! all gives an SQLite file under `./data/` and emails written as `.eml` files.
use std::{env, path::PathBuf, time::Duration};

use anyhow::{Context, bail};

use crate::domain::{client_addr, second_factor::Policy};

#[derive(Clone, Debug)]
pub struct Config {
    /// Listen address (`IMET_BIND`), default `127.0.0.1:8080`.
    pub bind: String,
    /// `IMET_DATA_DIR`, default `./data`: the SQLite file and the `.eml` mail drop.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://PATH?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// `SMTP_URL`: `smtp://host:port` (plain), `smtp://user:pass@host:587?tls=starttls`
    /// or `smtps://user:pass@host` (implicit TLS); none means `.eml` files.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`, the sender of every email.
    pub mail_from: String,
    /// `IMET_BASE_URL`, the root of links in emails.
    pub base_url: String,
    /// First wait before retrying an email (`IMET_MAIL_RETRY_BASE_SECS`,
    /// default 5); it doubles per attempt (see `mail::worker`).
    pub mail_retry_base: Duration,
    /// Longest sleep of the mail worker between two looks at the outbox
    /// (`IMET_MAIL_POLL_SECS`, default 5); it also wakes when a message is queued.
    pub mail_poll_interval: Duration,
    /// How often the worker runs the daily job (`IMET_DAILY_JOB_MINUTES`,
    /// default 60): suspensions due today, classes started on hold, ECL warnings.
    pub daily_job_interval: Duration,
    /// `IMET_ADMIN_EMAIL` / `IMET_ADMIN_PASSWORD`: the first admin, created when no user exists.
    pub bootstrap_admin: Option<(String, String)>,
    /// The longest a request may take before it answers 503
    /// (`IMET_REQUEST_TIMEOUT_SECS`, default 30).
    pub request_timeout: Duration,
    /// Bearer token lifetime (`IMET_TOKEN_TTL_HOURS`, default 12).
    pub token_ttl: chrono::Duration,
    pub validity: ValidityDays,
    /// `IMET_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the
    /// client (comma-separated addresses or CIDR blocks); none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `IMET_REQUIRE_2FA`: `staff` makes admins and program officers turn on
    /// two-factor sign-in before anything else; `optional` (the default) lets
    /// everyone choose.
    pub require_2fa: Policy,
}

/// Validity windows of §2, in days (`IMET_ECL_VALIDITY_DAYS`,
/// `IMET_OPI_VALIDITY_DAYS`, `IMET_VETTING_VALIDITY_DAYS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityDays {
    pub ecl: i64,
    pub opi: i64,
    pub vetting: i64,
}

impl Default for ValidityDays {
    fn default() -> Self {
        Self {
            ecl: 105,
            opi: 180,
            vetting: 365,
        }
    }
}

impl Config {
    /// Reads the settings of SPEC §3 from the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| env::var(name).ok().filter(|v| !v.trim().is_empty());
        // A positive whole number (of days, hours for the token lifetime, or seconds).
        let positive = |name: &str, default: i64| -> anyhow::Result<i64> {
            match var(name) {
                None => Ok(default),
                Some(v) => {
                    let n: i64 = v
                        .parse()
                        .with_context(|| format!("{name} must be a whole number"))?;
                    if n <= 0 {
                        bail!("{name} must be positive");
                    }
                    Ok(n)
                }
            }
        };
        let bind = var("IMET_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let data_dir = PathBuf::from(var("IMET_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| sqlite_url(&data_dir));
        let bootstrap_admin = match (var("IMET_ADMIN_EMAIL"), var("IMET_ADMIN_PASSWORD")) {
            (Some(email), Some(password)) => Some((email, password)),
            _ => None,
        };
        Ok(Self {
            base_url: var("IMET_BASE_URL").unwrap_or_else(|| format!("http://{bind}")),
            bind,
            database_url,
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM")
                .unwrap_or_else(|| "IMET Enrollment <no-reply@imet.localhost>".into()),
            mail_retry_base: Duration::from_secs(
                positive("IMET_MAIL_RETRY_BASE_SECS", 5)?.unsigned_abs(),
            ),
            mail_poll_interval: Duration::from_secs(
                positive("IMET_MAIL_POLL_SECS", 5)?.unsigned_abs(),
            ),
            daily_job_interval: Duration::from_secs(
                positive("IMET_DAILY_JOB_MINUTES", 60)?.unsigned_abs() * 60,
            ),
            bootstrap_admin,
            request_timeout: Duration::from_secs(
                positive("IMET_REQUEST_TIMEOUT_SECS", 30)?.unsigned_abs(),
            ),
            token_ttl: chrono::Duration::hours(positive("IMET_TOKEN_TTL_HOURS", 12)?),
            validity: ValidityDays {
                ecl: positive("IMET_ECL_VALIDITY_DAYS", 105)?,
                opi: positive("IMET_OPI_VALIDITY_DAYS", 180)?,
                vetting: positive("IMET_VETTING_VALIDITY_DAYS", 365)?,
            },
            trusted_proxies: client_addr::parse_trusted(
                &var("IMET_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|e| anyhow::anyhow!("IMET_TRUSTED_PROXIES: {e}"))?,
            require_2fa: var("IMET_REQUIRE_2FA")
                .map(|v| v.parse())
                .transpose()
                .map_err(|e| anyhow::anyhow!("IMET_REQUIRE_2FA: {e}"))?
                .unwrap_or(Policy::Optional),
            data_dir,
        })
    }

    /// Directory where emails are written as `.eml` files when no SMTP server is set.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

/// The default database: an SQLite file inside the data directory.
pub fn sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("imet.db").display())
}
