//! `bcda admin`: manage ACOs, credentials, revocations and the denylist of a server's database
//! (the SQLite file of a data directory, or a shared PostgreSQL database).

use std::path::PathBuf;

use anyhow::Context;
use bcda_server::admin::Admin;

use crate::cmd_sandbox::Format;

/// Arguments of `bcda admin`.
#[derive(Debug, clap::Args)]
pub(crate) struct AdminArgs {
    /// Data directory of the server.
    #[arg(
        long,
        env = "BCDA_DATA_DIR",
        default_value = "./bcda-data",
        global = true
    )]
    data_dir: PathBuf,
    /// The server's PostgreSQL database (`postgres://...`), when it runs on one; default: the
    /// SQLite file in --data-dir.
    #[arg(long, env = "BCDA_DATABASE_URL", global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AdminCommand {
    /// Create an ACO with synthetic data.
    CreateAco {
        /// CMS id, e.g. A1234.
        #[arg(long)]
        cms_id: String,
        /// Number of beneficiaries.
        #[arg(long, default_value_t = 100)]
        beneficiaries: u32,
        /// Advanced (richer) data set.
        #[arg(long)]
        advanced: bool,
        /// Has partially adjudicated claims (v2 Claim/ClaimResponse).
        #[arg(long)]
        partially_adjudicated: bool,
    },
    /// Issue a client id and secret for an ACO (the secret is shown once).
    CreateCredentials {
        /// CMS id.
        #[arg(long)]
        cms_id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Replace a client's secret.
    RotateSecret {
        /// Client id.
        #[arg(long)]
        client_id: String,
    },
    /// Revoke an access token by its `jti` claim.
    RevokeToken {
        /// Token id.
        #[arg(long)]
        jti: String,
    },
    /// Deny an ACO every authenticated endpoint (or lift the denial with --allow).
    DenyAco {
        /// CMS id.
        #[arg(long)]
        cms_id: String,
        /// Lift the denial.
        #[arg(long)]
        allow: bool,
    },
    /// Refuse duplicate export jobs of an ACO with 429 (or stop with --off), on top of
    /// `bcda serve --rate-limit`; test ACOs (BCDA's IsTestACO) are always exempt.
    RateLimit {
        /// CMS id.
        #[arg(long)]
        cms_id: String,
        /// Remove the flag.
        #[arg(long)]
        off: bool,
    },
    /// List ACOs.
    ListAcos {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub(crate) fn run(args: AdminArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: AdminArgs) -> anyhow::Result<()> {
    let database = bcda_server::Database::parse(args.database.as_deref())?;
    let admin = Admin::open(&args.data_dir, &database).await?;
    match args.command {
        AdminCommand::CreateAco {
            cms_id,
            beneficiaries,
            advanced,
            partially_adjudicated,
        } => {
            let aco = admin
                .create_aco(&cms_id, beneficiaries, advanced, partially_adjudicated)
                .await?;
            println!(
                "created ACO {} ({} beneficiaries)",
                aco.cms_id, aco.beneficiaries
            );
        }
        AdminCommand::CreateCredentials { cms_id, format } => {
            let c = admin.create_credentials(&cms_id).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string(&c)?),
                Format::Table => println!(
                    "aco={} client_id={} client_secret={}",
                    c.aco, c.client_id, c.client_secret
                ),
            }
        }
        AdminCommand::RotateSecret { client_id } => {
            let c = admin.rotate_secret(&client_id).await?;
            println!(
                "client_id={} client_secret={}",
                c.client_id, c.client_secret
            );
        }
        AdminCommand::RevokeToken { jti } => {
            admin.revoke_token(&jti).await?;
            println!("revoked {jti}");
        }
        AdminCommand::DenyAco { cms_id, allow } => {
            admin.deny_aco(&cms_id, !allow).await?;
            println!("{cms_id} {}", if allow { "allowed" } else { "denied" });
        }
        AdminCommand::RateLimit { cms_id, off } => {
            let exempt = if admin.rate_limit_aco(&cms_id, !off).await? {
                " (a test ACO: exempt from the duplicate-job check whatever the flag)"
            } else {
                ""
            };
            println!(
                "{cms_id} rate limit {}{exempt}",
                if off { "off" } else { "on" }
            );
        }
        AdminCommand::ListAcos { format } => {
            let acos = admin.list_acos().await?;
            match format {
                Format::Json => {
                    let rows: Vec<serde_json::Value> = acos
                        .iter()
                        .map(|a| {
                            serde_json::json!({
                                "cms_id": a.cms_id,
                                "beneficiaries": a.beneficiaries,
                                "flavour": a.flavour,
                                "partially_adjudicated": a.partially_adjudicated,
                                "denylisted": a.denylisted,
                                "rate_limited": a.rate_limited,
                            })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                }
                Format::Table => {
                    for a in acos {
                        println!(
                            "{:<10} {:>7} {:<9} pac={} denied={} rate_limited={}",
                            a.cms_id,
                            a.beneficiaries,
                            a.flavour,
                            a.partially_adjudicated,
                            a.denylisted,
                            a.rate_limited
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
