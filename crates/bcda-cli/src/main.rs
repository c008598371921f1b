//! `bcda`: the single binary of bcda-rs.
//!
//! Every subcommand lives in its own module; library crates never parse arguments or print.

use clap::{Parser, Subcommand};

/// bcda-rs: a Rust re-implementation of the Medicare Beneficiary Claims Data API and its tools.
#[derive(Debug, Parser)]
#[command(name = "bcda", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the end-to-end demonstration on embedded defaults.
    Demo,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo => {
            println!("bcda-rs demo: the workspace is being bootstrapped; no pipeline is wired yet.");
            Ok(())
        }
    }
}
