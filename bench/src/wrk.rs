//! Runs `wrk` and reads its summary.
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::process::Command;

pub struct Wrk {
    pub req_per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Answers that were not 2xx/3xx, and socket errors.
    pub errors: u64,
}

/// `wrk -t{threads} -c{connections} -d{seconds}s --latency -H "Authorization: Bearer …" URL`.
pub async fn run(
    url: &str,
    token: Option<&str>,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<Wrk> {
    let threads = connections.clamp(1, 2);
    let mut cmd = Command::new("wrk");
    cmd.args([
        format!("-t{threads}"),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--latency".into(),
    ]);
    if let Some(token) = token {
        cmd.args(["-H".to_owned(), format!("Authorization: Bearer {token}")]);
    }
    let out = cmd.arg(url).output().await.context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    parse(&text).with_context(|| format!("reading wrk's output:\n{text}"))
}

fn parse(text: &str) -> anyhow::Result<Wrk> {
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let req_per_sec = field("Requests/sec:").context("Requests/sec")?.parse()?;
    let p50 = duration(field("50%").context("50%")?)?;
    let p99 = duration(field("99%").context("99%")?)?;
    let mut errors = field("Non-2xx or 3xx responses:").map_or(Ok(0), str::parse)?;
    if let Some(socket) = field("Socket errors:") {
        // "connect 0, read 0, write 0, timeout 0"
        errors += socket
            .split(',')
            .filter_map(|p| p.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum::<u64>();
    }
    Ok(Wrk {
        req_per_sec,
        p50,
        p99,
        errors,
    })
}

/// "812.00us", "1.23ms", "2.01s".
fn duration(s: &str) -> anyhow::Result<Duration> {
    let (number, scale) = if let Some(n) = s.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        bail!("`{s}` is not a wrk duration");
    };
    Ok(Duration::from_secs_f64(number.parse::<f64>()? * scale))
}
