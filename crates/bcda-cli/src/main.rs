//! `bcda`: the single binary of bcda-rs.
//!
//! Every subcommand lives in its own module; library crates never parse arguments or print.

/// mimalloc as the binary's allocator: the typed path (`bcda validate`) spends much of its time
/// allocating, and took 5-7 % less CPU with it on BCDA-style EOBs (crates/bcda-ndjson/README.md);
/// the libraries never choose an allocator for their users.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

mod cmd_admin;
mod cmd_demo;
mod cmd_export;
mod cmd_generate;
mod cmd_jobs;
mod cmd_sandbox;
mod cmd_schema;
mod cmd_serve;
mod cmd_stats;
mod cmd_tuva;
mod cmd_validate;
mod cmd_view;

/// bcda-rs: a Rust re-implementation of the Medicare Beneficiary Claims Data API and its tools.
#[derive(Debug, Parser)]
#[command(name = "bcda", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the NDJSON files an export of a sandbox ACO contains (deterministic synthetic data).
    Generate(cmd_generate::GenerateArgs),
    /// Run the end-to-end demonstration on embedded defaults.
    Demo,
    /// Bulk-export from a BCDA-compatible server into a directory (exit 1 if --ingest found errors).
    Export(cmd_export::ExportArgs),
    /// List the ACO's export jobs on a BCDA-compatible server.
    Jobs(cmd_jobs::JobsArgs),
    /// Run the BCDA-compatible server (API and export workers).
    Serve(cmd_serve::ServeArgs),
    /// Administer a server's data directory (ACOs, credentials, revocations, denylist).
    Admin(cmd_admin::AdminArgs),
    /// The fixed, published sandbox credentials.
    Sandbox(cmd_sandbox::SandboxArgs),
    /// Print the JSON Schema of a modelled FHIR resource type.
    Schema(cmd_schema::SchemaArgs),
    /// Validate FHIR JSON/NDJSON files (exit 1 if anything is invalid, 2 on unreadable input).
    Validate(cmd_validate::ValidateArgs),
    /// Claims statistics over a bulk export (exit 1 if the data had errors, 2 if it could not run).
    Stats(cmd_stats::StatsArgs),
    /// SQL on FHIR views over a bulk export to Parquet, Arrow, CSV or NDJSON (exit 1 if lines were bad, 2 if it could not run).
    View(cmd_view::ViewArgs),
    /// The Tuva Project's input layer from a v2 export (exit 1 if lines were bad, 2 if it could not run).
    Tuva(cmd_tuva::TuvaArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate(args) => cmd_generate::run(args),
        Command::Serve(args) => cmd_serve::run(args),
        Command::Admin(args) => cmd_admin::run(args),
        Command::Sandbox(args) => cmd_sandbox::run(args),
        Command::Schema(args) => cmd_schema::run(args),
        Command::Validate(args) => match cmd_validate::run(args) {
            Ok(code) => std::process::exit(code),
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::exit(2)
            }
        },
        Command::Stats(args) => match cmd_stats::run(args) {
            Ok(0) => Ok(()),
            Ok(code) => std::process::exit(code),
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::exit(2)
            }
        },
        Command::View(args) => match cmd_view::run(args) {
            Ok(0) => Ok(()),
            Ok(code) => std::process::exit(code),
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::exit(2)
            }
        },
        Command::Tuva(args) => match cmd_tuva::run(args) {
            Ok(code) => std::process::exit(code),
            Err(e) => {
                eprintln!("bcda tuva: {e:#}");
                std::process::exit(2);
            }
        },
        Command::Demo => cmd_demo::run(),
        Command::Export(args) => match cmd_export::run(args) {
            Ok(0) => Ok(()),
            Ok(code) => std::process::exit(code),
            Err(e) => Err(e),
        },
        Command::Jobs(args) => cmd_jobs::run(args),
    }
}
