//! The real server binary (`imet serve`) in a child process, and the
//! `imet bench-data` fill.
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

pub const ADMIN_EMAIL: &str = "bench.admin@imet.example";
pub const ADMIN_PASSWORD: &str = "imet-bench-2026";

/// Where and how one server runs.
pub struct Setup<'a> {
    pub imet: &'a Path,
    pub dir: &'a Path,
    pub database_url: String,
    pub smtp_port: u16,
}

impl Setup<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.imet);
        cmd.args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("IMET_DATA_DIR", self.dir)
            .env("IMET_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("IMET_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("SMTP_URL", format!("smtp://127.0.0.1:{}", self.smtp_port))
            .kill_on_drop(true);
        cmd
    }

    /// `imet bench-data`: returns its summary line.
    pub async fn bench_data(&self, nominations: u64, outbox: u64) -> anyhow::Result<String> {
        let out = self
            .command(&[
                "bench-data",
                "--nominations",
                &nominations.to_string(),
                "--outbox",
                &outbox.to_string(),
            ])
            .env("RUST_LOG", "warn")
            .output()
            .await
            .context("running imet bench-data")?;
        if !out.status.success() {
            bail!(
                "imet bench-data failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Starts `imet serve` on a free port and waits until `/health` answers.
    pub async fn serve(&self, name: &str) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log_path = self.dir.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path)?;
        let child = self
            .command(&["serve"])
            .env("IMET_BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("starting imet serve")?;
        let mut server = Server {
            marks: Vec::new(),
            name: name.to_owned(),
            pid: child.id().context("server pid")?,
            child,
            base: format!("http://127.0.0.1:{port}"),
            log: log_path,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Ok(res) = client.get(format!("{}/health", server.base)).send().await
                && res.status().is_success()
            {
                server.mark("started");
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("{name} did not start; see {}", server.log.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub struct Server {
    /// The peak RSS after each step, for the notes.
    marks: Vec<(String, u64)>,
    pub name: String,
    pub base: String,
    pub pid: u32,
    pub log: PathBuf,
    child: Child,
}

impl Server {
    /// Peak resident set (VmHWM) so far, in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmHWM in /proc/PID/status")
    }

    /// Notes the peak RSS so far, after `step`.
    pub fn mark(&mut self, step: &str) {
        if let Ok(kib) = self.peak_rss_kib() {
            self.marks.push((step.to_owned(), kib));
        }
    }

    /// Reads the peak RSS, then stops the server as SIGTERM would. Returns
    /// the peak in KiB and how it grew, step by step.
    pub async fn stop(mut self) -> anyhow::Result<(u64, String)> {
        let peak = self.peak_rss_kib()?;
        let trail = self
            .marks
            .iter()
            .map(|(step, kib)| format!("{step} {:.1}", *kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" → ");
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        Ok((
            peak,
            format!("{trail} → end {:.1} MiB", peak as f64 / 1024.0),
        ))
    }
}
