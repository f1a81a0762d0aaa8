//! Command line: `serve [--demo]`, `migrate`, `create-user`.
use anyhow::Context;
use clap::{Parser, Subcommand};
use imet::{app, config::Config, db, demo, domain::role::Role, services::users};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};
use validator::Validate;

#[derive(Parser)]
#[command(
    name = "imet",
    version,
    about = "IMET-style training enrollment manager"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, then serve HTTP (and the mail worker) until SIGTERM/Ctrl-C.
    Serve {
        /// Seed demo data into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create an account (password from IMET_NEW_USER_PASSWORD or --password;
    /// without one, the welcome email invites the person to choose it).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin | program_officer | country_liaison
        #[arg(long)]
        role: String,
        /// Required for a country liaison.
        #[arg(long)]
        country: Option<String>,
        #[arg(long, env = "IMET_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Fill an empty database with synthetic data at SQL speed (for `scripts/bench`).
    BenchData {
        /// How many nominations to make.
        #[arg(long, default_value_t = 10_000)]
        nominations: u64,
        /// How many welcome emails to queue in the outbox.
        #[arg(long, default_value_t = 0)]
        outbox: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    keep_freed_memory_returned();
    // Both ring and aws-lc-rs may be linked; choose one before any TLS use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tracing_subscriber::registry()
        .with(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with(fmt::layer().json().flatten_event(true))
        .init();

    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            let conn = db::connect(&config.database_url).await?;
            db::migrate(&conn).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateUser {
            email,
            name,
            role,
            country,
            password,
        } => {
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let new = users::NewUser {
                email,
                name,
                role,
                country_code: country,
                password,
            };
            new.validate().context("invalid user")?;
            let state = app::prepare(config).await?;
            let user = users::create(&state, None, new)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.problem()))?;
            println!("created user {} <{}> as {}", user.id, user.email, user.role);
            println!("the welcome email is queued; a running `imet serve` delivers it");
            Ok(())
        }
        Command::BenchData {
            nominations,
            outbox,
        } => imet::bench_data::run(&config, nominations, outbox).await,
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let state = if demo {
        let (state, seeded) = app::prepare_demo(config).await?;
        if seeded {
            println!("Seeded the demo data.");
        } else {
            println!(
                "The database is not empty: demo data not seeded \
                 (the logins below work where an earlier `serve --demo` seeded it)."
            );
        }
        println!("{}", demo::logins());
        state
    } else {
        app::prepare(config).await?
    };
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    println!("Serving on http://{bind}");
    tracing::info!(%bind, "listening");
    app::serve(listener, state, app::shutdown_signal()).await
}

/// glibc raises its mmap threshold to the largest block freed so far: after
/// the first sign-in, every argon2 buffer (12 MiB) would be carved from a heap
/// arena and stay resident (peak RSS ~170 MB after the demo's sign-ins). A
/// fixed threshold maps such blocks and gives them back when freed (~50 MB).
/// Fewer arenas keep large list pages from leaving memory behind in each.
fn keep_freed_memory_returned() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings; it is called before
    // this process allocates anything large.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        // Two arenas (glibc allows eight per core): SQLite's connection
        // threads and tokio's workers then share a few heaps instead of
        // each keeping freed memory of its own.
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
