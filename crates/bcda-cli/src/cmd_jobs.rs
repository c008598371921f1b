//! `bcda jobs`: the ACO's export jobs on a BCDA-compatible server.

use bcda_client::{BulkClient, NoProgress};

use crate::cmd_export::{runtime, ConnArgs};

/// Arguments of `bcda jobs`.
#[derive(Debug, clap::Args)]
pub(crate) struct JobsArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Only jobs in these states, comma-separated (BCDA names: Pending, In Progress, Completed, ...).
    #[arg(long)]
    status: Option<String>,
    /// Print the server's Task bundle as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `bcda jobs`.
pub(crate) fn run(args: JobsArgs) -> anyhow::Result<()> {
    let client = BulkClient::new(args.conn.config()?)?;
    let bundle = runtime()?.block_on(client.jobs(args.status.as_deref(), &NoProgress))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&bundle)?);
        return Ok(());
    }
    println!(
        "{:>8}  {:<12} {:<21} {:<21} request",
        "job", "status", "start", "end"
    );
    for e in &bundle.entry {
        let t = &e.resource;
        let id = t
            .identifier
            .first()
            .map(|i| i.value.as_str())
            .unwrap_or("?");
        let request = t
            .input
            .first()
            .map(|i| i.value_string.as_str())
            .unwrap_or("");
        println!(
            "{id:>8}  {:<12} {:<21} {:<21} {request}",
            t.status, t.execution_period.start, t.execution_period.end
        );
    }
    println!("{} job(s)", bundle.total);
    Ok(())
}
