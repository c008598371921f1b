//! `bcda schema`: prints the JSON Schema of a modelled resource type.

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

/// Arguments of `bcda schema`.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Resource type (`ExplanationOfBenefit`, `Patient`, `Coverage`, ...).
    resource_type: String,
    /// FHIR version.
    #[arg(long, value_enum, default_value_t = Version::R4)]
    fhir_version: Version,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Version {
    Stu3,
    R4,
}

/// Runs the command.
pub(crate) fn run(args: SchemaArgs) -> Result<()> {
    let (schema, modelled) = match args.fhir_version {
        Version::R4 => (
            bcda_fhir::r4::json_schema(&args.resource_type),
            bcda_fhir::r4::MODELLED_RESOURCE_TYPES,
        ),
        Version::Stu3 => (
            bcda_fhir::stu3::json_schema(&args.resource_type),
            bcda_fhir::stu3::MODELLED_RESOURCE_TYPES,
        ),
    };
    match schema {
        Some(s) => {
            println!("{}", serde_json::to_string_pretty(&s)?);
            Ok(())
        }
        None => bail!(
            "'{}' is not a modelled resource type (modelled: {})",
            args.resource_type,
            modelled.join(", ")
        ),
    }
}
