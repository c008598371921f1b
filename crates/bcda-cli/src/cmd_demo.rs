//! `bcda demo`: an in-process server on an ephemeral loopback port and a temporary data
//! directory, then the four steps of the BCDA getting-started guide for sandbox ACO A9994 on v2
//! (token, kick-off, status, download), each request and answer printed, then the stats.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use bcda_client::{BulkClient, ClientConfig, Credentials, Event, ExportRequest, Progress};

use crate::cmd_export::{ingest, runtime, summary_text};

const ACO: &str = "A9994";
const BODY_LIMIT: usize = 600;

/// Prints exchanges grouped into the guide's steps.
struct StepPrinter {
    step: Mutex<u8>,
}

fn step_of(url: &str) -> u8 {
    if url.contains("/auth/token") {
        1
    } else if url.contains("$export") {
        2
    } else if url.contains("/jobs/") {
        3
    } else {
        4
    }
}

const TITLES: [&str; 4] = [
    "Step 1: get an access token (POST /auth/token with HTTP Basic client credentials)",
    "Step 2: start a bulk export (GET /api/v2/Group/all/$export)",
    "Step 3: check the job status (GET the Content-Location until 200)",
    "Step 4: download the files listed in the manifest",
];

/// The token body with the access token shortened (it is a bearer credential).
fn shorten_token(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            if let Some(t) = v.get_mut("access_token") {
                if let Some(s) = t.as_str() {
                    let short: String = s.chars().take(24).collect();
                    *t = serde_json::Value::String(format!("{short}...({} chars)", s.len()));
                }
            }
            v.to_string()
        }
        Err(_) => body.to_string(),
    }
}

fn clip(body: &str) -> String {
    let body = body.trim();
    // The manifest is shown whole and indented, in the server's key order.
    if let Ok(m) = bcda_client::Manifest::parse(body) {
        if let Ok(pretty) = serde_json::to_string_pretty(&m) {
            return pretty.replace('\n', "\n<   ");
        }
    }
    if body.len() <= BODY_LIMIT {
        return body.to_string();
    }
    let mut end = BODY_LIMIT;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} ... ({} bytes)", &body[..end], body.len())
}

impl Progress for StepPrinter {
    fn on_event(&self, event: &Event) {
        let mut out = std::io::stdout().lock();
        match event {
            Event::Exchange(x) => {
                let step = step_of(&x.url);
                if let Ok(mut current) = self.step.lock() {
                    if step > *current {
                        *current = step;
                        let _ = writeln!(out, "\n== {} ==", TITLES[usize::from(step - 1)]);
                    }
                }
                let _ = writeln!(out, "> {} {}", x.method, x.url);
                if step == 1 {
                    let _ = writeln!(
                        out,
                        ">   Authorization: Basic <client_id:client_secret, base64>"
                    );
                } else {
                    let _ = writeln!(out, ">   Authorization: Bearer <access token>");
                }
                for (k, v) in &x.request_headers {
                    let _ = writeln!(out, ">   {k}: {v}");
                }
                let _ = writeln!(out, "< HTTP {}", x.status);
                for (k, v) in &x.response_headers {
                    let _ = writeln!(out, "<   {k}: {v}");
                }
                if let Some(body) = x.body.as_deref().filter(|b| !b.trim().is_empty()) {
                    let shown = if step == 1 {
                        shorten_token(body)
                    } else {
                        clip(body)
                    };
                    let _ = writeln!(out, "<   {shown}");
                }
            }
            Event::InProgress { progress, wait } => {
                let p = progress.as_deref().unwrap_or("-");
                let _ = writeln!(
                    out,
                    "  (job in progress: X-Progress {p:?}; waiting {wait:.1?})"
                );
            }
            Event::Retrying {
                what, reason, wait, ..
            } => {
                let _ = writeln!(out, "  (retrying {what}: {reason}; waiting {wait:.1?})");
            }
            Event::DownloadFinished { file, lines, bytes } => {
                let _ = writeln!(
                    out,
                    "  saved {file}: {lines} resources, {bytes} bytes, every line checked"
                );
            }
            Event::ManifestSaved { path } => {
                let _ = writeln!(out, "  saved {}", path.display());
            }
            _ => {}
        }
    }
}

/// Runs `bcda demo`.
pub(crate) fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("bcda-demo-")
        .tempdir()
        .context("creating a temporary directory")?;
    let data_dir = dir.path().join("server-data");
    let out_dir = dir.path().join("export");
    let rt = runtime()?;
    let summary = rt.block_on(async {
        let config = bcda_server::ServerConfig {
            port: 0,
            data_dir: data_dir.clone(),
            workers: 2,
            retry_after_secs: 1,
            hash_params: bcda_server::HashParams::PUBLISHED,
            cleanup_interval: Duration::from_secs(3600),
            // As `bcda serve`: the job takes a few seconds, so the polls show X-Progress.
            pace: bcda_server::Pace::Realistic,
            ..bcda_server::ServerConfig::default()
        };
        let server = bcda_server::start(config)
            .await
            .context("starting the in-process server")?;
        let base = server.base_url();
        println!("bcda-rs demo: a BCDA-compatible server is running at {base}");
        println!(
            "  (in-process, temporary data directory {})",
            data_dir.display()
        );
        println!(
            "  sandbox ACO {ACO}, client id {} (the published sandbox secret is not shown)",
            bcda_server::sandbox::client_id_for(ACO)
        );
        let mut config = ClientConfig::new(
            &base,
            Credentials::new(
                bcda_server::sandbox::client_id_for(ACO),
                bcda_server::sandbox::client_secret_for(ACO),
            ),
        );
        config.max_wait = Duration::from_secs(2);
        let client = BulkClient::new(config)?;
        let printer = StepPrinter {
            step: Mutex::new(0),
        };
        let result = client
            .export(&ExportRequest::group_all(), &out_dir, &printer)
            .await;
        server
            .shutdown()
            .await
            .context("stopping the in-process server")?;
        anyhow::Ok(result?)
    })?;
    println!("\n== Summary ==");
    print!("{}", summary_text(&summary));
    println!("\n== Ingest: bcda stats {} ==", out_dir.display());
    let (table, errors) = ingest(&out_dir)?;
    print!("{table}");
    if errors {
        anyhow::bail!("the engine found errors in the exported data");
    }
    println!(
        "\ndemo finished in {:.1}s; the temporary directory is removed on exit.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
