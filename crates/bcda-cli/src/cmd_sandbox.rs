//! `bcda sandbox credentials`: the fixed, published sandbox credentials.

/// Arguments of `bcda sandbox`.
#[derive(Debug, clap::Args)]
pub(crate) struct SandboxArgs {
    #[command(subcommand)]
    command: SandboxCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SandboxCommand {
    /// Print every sandbox ACO's client id and secret.
    Credentials {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Output format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// Aligned text.
    Table,
    /// A JSON array.
    Json,
}

pub(crate) fn run(args: SandboxArgs) -> anyhow::Result<()> {
    match args.command {
        SandboxCommand::Credentials { format } => {
            let creds = bcda_server::sandbox::sandbox_credentials();
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&creds)?),
                Format::Table => {
                    println!(
                        "{:<8} {:>13}  {:<36}  client_secret",
                        "aco", "beneficiaries", "client_id"
                    );
                    for c in creds {
                        println!(
                            "{:<8} {:>13}  {:<36}  {}",
                            c.aco, c.beneficiaries, c.client_id, c.client_secret
                        );
                    }
                }
            }
            Ok(())
        }
    }
}
