//! `bcda serve`: run the BCDA-compatible server (API and workers in one process, or one role
//! of many nodes sharing a PostgreSQL database).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

/// Arguments of `bcda serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to bind.
    #[arg(long, env = "BCDA_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port (0 picks a free one; the chosen address is printed).
    #[arg(long, env = "BCDA_PORT", default_value_t = 3000)]
    port: u16,
    /// Data directory (database, signing key, export files).
    #[arg(long, env = "BCDA_DATA_DIR", default_value = "./bcda-data")]
    data_dir: PathBuf,
    /// Export worker tasks (default: one per core).
    #[arg(long, env = "BCDA_WORKERS")]
    workers: Option<usize>,
    /// Hours completed files stay downloadable.
    #[arg(long, env = "BCDA_RETENTION_HOURS", default_value_t = 24)]
    retention_hours: u64,
    /// gzip level of export files at rest (0-9).
    #[arg(long, env = "BCDA_GZIP_LEVEL", default_value_t = 1)]
    gzip_level: u32,
    /// Serve HTTPS with this PEM certificate chain (requires --tls-key).
    #[arg(long, env = "BCDA_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "BCDA_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Job pacing: `realistic` (a job takes time in proportion to its size, a few seconds for
    /// A9994, as BCDA's sandbox), `instant` (as fast as possible; tests, benchmarks) or a job
    /// duration in seconds.
    #[arg(long, env = "BCDA_PACE", default_value = "realistic")]
    pace: bcda_server::Pace,
    /// Which ACOs get BCDA's duplicate-job 429: `all`, `none` or a comma-separated list of CMS
    /// ids (plus those flagged with `bcda admin rate-limit`). Test ACOs (TEST001, A9994, ...)
    /// never do, as in BCDA.
    #[arg(long, env = "BCDA_RATE_LIMIT", default_value = "all")]
    rate_limit: bcda_server::RateLimit,
    /// Key order and number text of the export files: go (BCDA's: keys sorted at every level,
    /// Go float64 numbers, as BCDA re-marshals every resource) or bfd (BFD's: resourceType
    /// first, money with two decimals).
    #[arg(long = "key-order", env = "BCDA_KEY_ORDER", default_value = "go")]
    key_order: bcda_synth::KeyOrder,
    /// String escapes of the export files: utf8 (raw UTF-8 with Go's escapes, as BCDA),
    /// minimal (raw UTF-8, only the escapes JSON requires, as BFD) or ascii (every non-ASCII
    /// character as \uXXXX).
    #[arg(long, env = "BCDA_TEXT", default_value = "utf8")]
    text: bcda_synth::TextEscapes,
    /// Utilization of the synthetic claims: realistic (Medicare's volumes and costs, as `bcda
    /// generate`; A9994's v2 export is about 70 MB) or light (about a tenth of the claims).
    #[arg(long, env = "BCDA_SCALE", default_value = "realistic")]
    scale: bcda_synth::Scale,
    /// Do not seed the sandbox ACOs and their published credentials.
    #[arg(long)]
    no_sandbox: bool,
    /// Do not print the sandbox credentials at start.
    #[arg(long)]
    quiet: bool,
    /// A PostgreSQL database shared by every node (`postgres://user@host:port/db`); default:
    /// the embedded SQLite file in --data-dir (one node). Every node sharing the database must
    /// mount the same --data-dir (export files, signing key).
    #[arg(long, env = "BCDA_DATABASE_URL")]
    database: Option<String>,
    /// What this node does: api (answer HTTP), worker (run exports; answers only /_health and
    /// /_version) or all.
    #[arg(long, env = "BCDA_ROLE", default_value = "all")]
    role: bcda_server::Role,
    /// Seconds a worker's claim on a sub-job lasts without renewal (renewed while it works):
    /// how soon another worker takes over the work of a dead one (PostgreSQL).
    #[arg(long, env = "BCDA_LEASE_SECS", default_value_t = 30)]
    lease_secs: u64,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<()> {
    let database = bcda_server::Database::parse(args.database.as_deref())?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let quiet = args.quiet;
    let mut config = server_config(args);
    config.database = database;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let server = bcda_server::start(config.clone())
            .await
            .with_context(|| format!("starting the server on {}", config.data_dir.display()))?;
        let base = server.base_url();
        if config.seed_sandbox && !quiet {
            println!("Sandbox credentials (POST {base}/auth/token with HTTP Basic client_id:client_secret):");
            for c in bcda_server::sandbox::sandbox_credentials() {
                println!(
                    "  {:<8} {:>6} beneficiaries  client_id={}  client_secret={}",
                    c.aco, c.beneficiaries, c.client_id, c.client_secret
                );
            }
        }
        println!("bcda-rs listening on {base}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let trigger = server.shutdown_trigger();
        tokio::spawn(async move {
            wait_for_signal().await;
            let _ = trigger.send(true);
        });
        server.wait().await.context("serving")?;
        Ok(())
    })
}

/// The server configuration these arguments describe.
fn server_config(args: ServeArgs) -> bcda_server::ServerConfig {
    let mut config = bcda_server::ServerConfig {
        bind: args.bind,
        port: args.port,
        data_dir: args.data_dir,
        retention: Duration::from_secs(args.retention_hours * 3600),
        seed_sandbox: !args.no_sandbox,
        gzip_level: args.gzip_level,
        pace: args.pace,
        rate_limit: args.rate_limit,
        output_style: bcda_synth::Style {
            keys: args.key_order,
            text: args.text,
        },
        scale: args.scale,
        role: args.role,
        lease: Duration::from_secs(args.lease_secs.max(1)),
        ..Default::default()
    };
    if let Some(w) = args.workers {
        config.workers = w;
    }
    if let (Some(cert), Some(key)) = (args.tls_cert, args.tls_key) {
        config.tls = Some(bcda_server::TlsFiles { cert, key });
    }
    config
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use bcda_synth::{KeyOrder, Style, TextEscapes};
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn config_of(args: &[&str]) -> bcda_server::ServerConfig {
        let cli = Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        server_config(cli.serve)
    }

    #[test]
    fn role_and_lease_default_to_one_node_and_follow_the_options() {
        let c = config_of(&[]);
        assert_eq!(c.role, bcda_server::Role::All);
        assert_eq!(c.lease, Duration::from_secs(30));
        let c = config_of(&["--role", "worker", "--lease-secs", "5"]);
        assert_eq!(c.role, bcda_server::Role::Worker);
        assert_eq!(c.lease, Duration::from_secs(5));
        assert_eq!(config_of(&["--role", "api"]).role, bcda_server::Role::Api);
        let cli = Cli::try_parse_from(["serve", "--role", "both"]);
        assert!(cli.is_err(), "an unknown role is refused");
    }

    #[test]
    fn claims_are_at_medicares_scale_unless_asked_for_light() {
        assert_eq!(config_of(&[]).scale, bcda_synth::Scale::Realistic);
        assert_eq!(
            config_of(&["--scale", "light"]).scale,
            bcda_synth::Scale::Light
        );
    }

    #[test]
    fn export_byte_style_defaults_to_bcdas_and_follows_the_options() {
        assert_eq!(config_of(&[]).output_style, Style::default());
        assert_eq!(
            config_of(&["--key-order", "bfd"]).output_style,
            Style {
                keys: KeyOrder::Bfd,
                text: TextEscapes::Utf8
            },
            "the two options are independent"
        );
        assert_eq!(
            config_of(&["--key-order", "bfd", "--text", "minimal"]).output_style,
            Style::BFD
        );
        assert_eq!(
            config_of(&["--key-order", "go", "--text", "ascii"]).output_style,
            Style {
                keys: KeyOrder::Go,
                text: TextEscapes::AsciiEscaped
            }
        );
        let err = Cli::try_parse_from(["serve", "--key-order", "xml"])
            .err()
            .expect("an unknown key order is refused")
            .to_string();
        assert!(err.contains("xml") && err.contains("bfd"), "{err}");
    }
}
