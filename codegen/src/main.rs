//! The `bcda-codegen` command.
//!
//! - `bcda-codegen import [--out fhir-specs] [--cache DIR] [--shared DIR]` refreshes the derived
//!   definitions from the pinned FHIR packages.
//! - `bcda-codegen generate [--specs fhir-specs] --out DIR [--all-resources]` writes the generated
//!   Rust modules for review.

use bcda_codegen::import::{self, Package, PACKAGES};
use std::path::PathBuf;
use std::process::ExitCode;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let result = match args.first().map(String::as_str) {
        Some("import") => {
            let out = arg(&args, "--out")
                .map(PathBuf::from)
                .unwrap_or(root.join("fhir-specs"));
            let cache = arg(&args, "--cache")
                .map(PathBuf::from)
                .unwrap_or(root.join(".cache/fhir-packages"));
            let shared = arg(&args, "--shared")
                .map(PathBuf::from)
                .unwrap_or(root.join("../shared"));
            run_import(&out, &cache, &shared)
        }
        Some("generate") => {
            let specs = arg(&args, "--specs")
                .map(PathBuf::from)
                .unwrap_or(root.join("fhir-specs"));
            let Some(out) = arg(&args, "--out").map(PathBuf::from) else {
                eprintln!("usage: bcda-codegen generate --out DIR [--specs DIR] [--all-resources]");
                return ExitCode::from(2);
            };
            let all = args.iter().any(|a| a == "--all-resources");
            bcda_codegen::generate_to_dir(&specs, &out, all).map_err(|e| e.to_string())
        }
        _ => {
            eprintln!("usage: bcda-codegen import|generate [options]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_import(
    out: &std::path::Path,
    cache: &std::path::Path,
    shared: &std::path::Path,
) -> Result<(), String> {
    let mut loaded = Vec::new();
    for spec in PACKAGES {
        eprintln!("reading {}@{}", spec.name, spec.version);
        loaded.push(Package::load(*spec, cache, shared).map_err(|e| e.to_string())?);
    }
    for pkg in &loaded {
        match pkg.spec.target {
            "stu3" | "r4" => {
                let (release, vs) = import::derive_release(pkg).map_err(|e| e.to_string())?;
                eprintln!(
                    "  {} types, {} value sets",
                    release.types.len(),
                    vs.sets.len()
                );
                import::write_release(&out.join(pkg.spec.target), &release, &vs)
                    .map_err(|e| e.to_string())?;
            }
            _ => {
                let core = loaded
                    .iter()
                    .find(|p| p.spec.target == "r4")
                    .ok_or("r4 core missing")?;
                let profiles = bcda_codegen::profiles::derive_profiles(pkg, core)
                    .map_err(|e| e.to_string())?;
                bcda_codegen::profiles::write_profiles(&out.join(pkg.spec.target), &profiles)
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    let refs: Vec<&Package> = loaded.iter().collect();
    import::write_manifest(out, &refs).map_err(|e| e.to_string())
}
