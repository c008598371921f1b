//! Export sandbox ACO A9994 from a running server and print a summary.
//!
//! `cargo run -p bcda-server ...` or `bcda serve` first, then:
//! `BCDA_BASE_URL=http://127.0.0.1:3000 BCDA_CLIENT_ID=... BCDA_CLIENT_SECRET=... \
//!  cargo run -p bcda-client --example export_sandbox -- out-dir`
//! (`bcda sandbox credentials` prints the sandbox credentials).

use bcda_client::{BulkClient, ClientConfig, Credentials, Event, ExportRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |k: &str| std::env::var(k).map_err(|_| format!("set {k}"));
    let base = std::env::var("BCDA_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let creds = Credentials::new(var("BCDA_CLIENT_ID")?, var("BCDA_CLIENT_SECRET")?);
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bcda-export".into());
    let client = BulkClient::new(ClientConfig::new(base, creds))?;
    let progress = |e: &Event| match e {
        Event::KickedOff { job_url } => eprintln!("job {job_url}"),
        Event::InProgress { progress, .. } => eprintln!("{}", progress.as_deref().unwrap_or("...")),
        Event::DownloadFinished { file, lines, .. } => eprintln!("{file}: {lines} resources"),
        _ => {}
    };
    let summary = client
        .export(&ExportRequest::group_all(), out.as_ref(), &progress)
        .await?;
    for (t, n) in summary.lines_by_type() {
        println!("{t}: {n}");
    }
    println!("{} bytes in {:.1?}", summary.total_bytes(), summary.elapsed);
    Ok(())
}
