//! `bcda export`: a bulk export from a BCDA-compatible server into a directory; `--ingest` runs
//! the engine's stats on it. Also the shared credential and connection options of `bcda jobs`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use bcda_client::{
    ApiVersion, BulkClient, ClientConfig, Credentials, Event, ExportRequest, ExportSummary,
    Progress, ResourceType, Scope,
};

/// Server and credential options shared by `bcda export` and `bcda jobs`.
#[derive(Debug, clap::Args)]
pub(crate) struct ConnArgs {
    /// Server root, e.g. http://127.0.0.1:3000 or https://sandbox.bcda.cms.gov.
    #[arg(long, env = "BCDA_BASE_URL")]
    base_url: String,
    /// Client id (or env BCDA_CLIENT_ID, or --credentials-file).
    #[arg(long, env = "BCDA_CLIENT_ID")]
    client_id: Option<String>,
    /// Client secret (or env BCDA_CLIENT_SECRET, or --credentials-file). Never printed.
    #[arg(long, env = "BCDA_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// A file with the credentials: JSON `{"client_id":..,"client_secret":..}` (one entry of
    /// `bcda sandbox credentials --format json` works) or `client_id=..`/`client_secret=..` lines.
    #[arg(long)]
    credentials_file: Option<PathBuf>,
    /// API version.
    #[arg(long, default_value = "v2", value_parser = ["v1", "v2"])]
    api: String,
}

impl ConnArgs {
    /// The client configuration these options describe.
    pub(crate) fn config(&self) -> anyhow::Result<ClientConfig> {
        let (mut id, mut secret) = (self.client_id.clone(), self.client_secret.clone());
        if let Some(path) = &self.credentials_file {
            let (fid, fsecret) = read_credentials_file(path)?;
            id = id.or(Some(fid));
            secret = secret.or(Some(fsecret));
        }
        let Some(id) = id.filter(|s| !s.is_empty()) else {
            bail!("no client id: pass --client-id, set BCDA_CLIENT_ID or use --credentials-file");
        };
        let Some(secret) = secret.filter(|s| !s.is_empty()) else {
            bail!("no client secret: pass --client-secret, set BCDA_CLIENT_SECRET or use --credentials-file");
        };
        let mut config = ClientConfig::new(&self.base_url, Credentials::new(id, secret));
        config.api = self.api.parse::<ApiVersion>()?;
        Ok(config)
    }
}

fn read_credentials_file(path: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading credentials file {}", path.display()))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value = serde_json::from_str(trimmed)
            .with_context(|| format!("{}: not valid JSON", path.display()))?;
        let obj = match &value {
            serde_json::Value::Array(items) if items.len() == 1 => &items[0],
            serde_json::Value::Array(_) => {
                bail!(
                    "{}: a JSON array must hold exactly one credential",
                    path.display()
                )
            }
            v => v,
        };
        let field = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_string);
        match (field("client_id"), field("client_secret")) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            _ => bail!(
                "{}: needs string fields client_id and client_secret",
                path.display()
            ),
        }
    } else {
        let (mut id, mut secret) = (None, None);
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"').to_string();
            let k = k.trim();
            let k = k.strip_prefix("export ").unwrap_or(k).trim();
            match k.to_ascii_lowercase().as_str() {
                "client_id" | "bcda_client_id" => id = Some(v),
                "client_secret" | "bcda_client_secret" => secret = Some(v),
                _ => {}
            }
        }
        match (id, secret) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            _ => bail!(
                "{}: needs client_id=... and client_secret=... lines",
                path.display()
            ),
        }
    }
}

/// Arguments of `bcda export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Export a group: all (default) or runout.
    #[arg(long, value_parser = ["all", "runout"], conflicts_with = "patient")]
    group: Option<String>,
    /// Export every attributed patient (`/Patient/$export`) instead of a group.
    #[arg(long)]
    patient: bool,
    /// Resource types, comma-separated (default: the server's).
    #[arg(long = "type", value_delimiter = ',')]
    types: Vec<String>,
    /// Only resources updated after this FHIR instant.
    #[arg(long)]
    since: Option<String>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Run `bcda stats` on the downloaded files.
    #[arg(long)]
    ingest: bool,
    /// Continue an existing job (its status URL) instead of starting one.
    #[arg(long)]
    resume: Option<String>,
    /// Files downloaded at once.
    #[arg(long, default_value_t = 4)]
    parallel: usize,
}

/// Progress shown on stderr: a spinner/bar on a terminal, plain lines otherwise.
struct CliProgress {
    bar: Option<indicatif::ProgressBar>,
}

impl CliProgress {
    fn new() -> CliProgress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        CliProgress { bar }
    }

    fn line(&self, msg: String) {
        match &self.bar {
            Some(b) => b.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for CliProgress {
    fn on_event(&self, event: &Event) {
        match event {
            Event::KickedOff { job_url } => self.line(format!("job started: {job_url}")),
            Event::InProgress { progress, wait } => {
                let p = progress.as_deref().unwrap_or("in progress");
                match &self.bar {
                    Some(b) => b.set_message(format!(
                        "job: {}{p} (next check in {wait:.1?})",
                        percent_bar(p)
                    )),
                    None => eprintln!("job: {p} (next check in {wait:.1?})"),
                }
            }
            Event::Retrying {
                what,
                attempt,
                reason,
                wait,
            } => self.line(format!(
                "retrying {what} (attempt {attempt}: {reason}) in {wait:.1?}"
            )),
            Event::Completed { outputs, errors } => {
                self.line(format!(
                    "job complete: {outputs} files, {errors} error files"
                ));
                if let Some(b) = &self.bar {
                    b.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} downloading {bytes} {binary_bytes_per_sec} {msg}",
                        )
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                    );
                    b.set_message("");
                }
            }
            Event::DownloadBytes { bytes, .. } => {
                if let Some(b) = &self.bar {
                    b.inc(*bytes);
                }
            }
            Event::DownloadFinished { file, lines, bytes } if self.bar.is_none() => {
                eprintln!("downloaded {file}: {lines} resources, {bytes} bytes");
            }
            _ => {}
        }
    }
}

/// `[#####.....] ` for an `X-Progress` such as `In Progress (50%)`, else nothing.
fn percent_bar(progress: &str) -> String {
    let Some(end) = progress.find('%') else {
        return String::new();
    };
    let start = progress[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    match progress[start..end].parse::<usize>() {
        Ok(pct) => {
            let filled = pct.min(100) / 5;
            format!("[{}{}] ", "#".repeat(filled), ".".repeat(20 - filled))
        }
        Err(_) => String::new(),
    }
}

fn parse_types(types: &[String]) -> anyhow::Result<Vec<ResourceType>> {
    types
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<ResourceType>()
                .map_err(|_| anyhow::anyhow!("unknown resource type {t:?}"))
        })
        .collect()
}

/// A human summary of an export.
pub(crate) fn summary_text(s: &ExportSummary) -> String {
    let mut out = String::new();
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    out.push_str(&format!("job:          {}\n", s.job_url));
    out.push_str(&format!("manifest:     {}\n", s.manifest_path.display()));
    for (t, n) in s.lines_by_type() {
        let files = s
            .files
            .iter()
            .filter(|f| !f.is_error_file && f.resource_type == t)
            .count();
        out.push_str(&format!("  {t:<22} {n:>9} resources in {files} file(s)\n"));
    }
    let errors = s.files.iter().filter(|f| f.is_error_file).count();
    if errors > 0 {
        out.push_str(&format!("  error files: {errors}\n"));
    }
    let reused = s.files.iter().filter(|f| f.already_present).count();
    let resumed = s.files.iter().filter(|f| f.resumed).count();
    out.push_str(&format!(
        "total:        {} resources, {} files, {:.1} MB NDJSON, {:.1} MB transferred, {:.1}s ({:.1} MB/s)\n",
        s.total_lines(),
        s.files.len(),
        s.total_bytes() as f64 / 1e6,
        s.total_transferred() as f64 / 1e6,
        secs,
        s.total_bytes() as f64 / 1e6 / secs,
    ));
    if reused + resumed > 0 {
        out.push_str(&format!(
            "              {reused} file(s) already present, {resumed} resumed with Range\n"
        ));
    }
    out
}

/// Runs the engine's stats over a directory; the table, and whether the data had errors.
pub(crate) fn ingest(dir: &Path) -> anyhow::Result<(String, bool)> {
    use bcda_ndjson::stats::{Stats, StatsConfig};
    let inputs = bcda_ndjson::Inputs::discover(&[dir.to_path_buf()])?;
    let engine = bcda_ndjson::Engine::new(bcda_ndjson::Config::default())?;
    let stats = Stats {
        config: StatsConfig::default(),
    };
    let report = stats.run(&engine, &inputs, None);
    Ok((bcda_ndjson::render::to_table(&report), report.has_errors()))
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `bcda export`; the exit status (1 when `--ingest` found errors in the data).
pub(crate) fn run(args: ExportArgs) -> anyhow::Result<i32> {
    let mut config = args.conn.config()?;
    config.parallel_downloads = args.parallel.max(1);
    let request = ExportRequest {
        scope: if args.patient {
            Scope::Patient
        } else {
            Scope::Group(args.group.clone().unwrap_or_else(|| "all".to_string()))
        },
        types: parse_types(&args.types)?,
        since: args.since.clone(),
    };
    let client = BulkClient::new(config)?;
    let progress = CliProgress::new();
    let result = runtime()?.block_on(async {
        match &args.resume {
            Some(url) => client.resume(url, &args.out, &progress).await,
            None => client.export(&request, &args.out, &progress).await,
        }
    });
    progress.finish();
    let summary = result?;
    print!("{}", summary_text(&summary));
    if args.ingest {
        let (table, errors) = ingest(&args.out)?;
        println!();
        print!("{table}");
        if errors {
            return Ok(1);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_bars() {
        assert_eq!(percent_bar("In Progress (50%)"), "[##########..........] ");
        assert_eq!(percent_bar("In Progress (100%)"), "[####################] ");
        assert_eq!(percent_bar("In Progress (0%)"), "[....................] ");
        assert_eq!(percent_bar("Pending"), "");
    }

    #[test]
    fn credentials_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c");
        std::fs::write(&p, r#"{"client_id":"a","client_secret":"b"}"#).unwrap();
        assert_eq!(read_credentials_file(&p).unwrap(), ("a".into(), "b".into()));
        std::fs::write(
            &p,
            "export BCDA_CLIENT_ID=a\nexport x=1\nclient_secret = \"b\"\n",
        )
        .unwrap();
        assert_eq!(read_credentials_file(&p).unwrap(), ("a".into(), "b".into()));
        std::fs::write(
            &p,
            r#"[{"client_id":"a","client_secret":"b"},{"client_id":"c","client_secret":"d"}]"#,
        )
        .unwrap();
        assert!(read_credentials_file(&p)
            .unwrap_err()
            .to_string()
            .contains("exactly one"));
        std::fs::write(&p, "client_id=a\n").unwrap();
        let err = read_credentials_file(&p).unwrap_err().to_string();
        assert!(err.contains("client_secret"), "{err}");
    }
}
