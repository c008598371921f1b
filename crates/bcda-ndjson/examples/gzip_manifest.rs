//! Cookbook 5: read a gzip export through its `manifest.json` (as a bulk download leaves it):
//! the manifest gives each file's resource type, FHIR version and count; compare the count
//! with the records actually read. Run: `cargo run -p bcda-ndjson --example gzip_manifest -- DIR`
use bcda_ndjson::project::Projected;
use bcda_ndjson::{Config, Engine, Inputs};
use std::io::Write;
type Res = Result<(), Box<dyn std::error::Error>>;
/// Writes `type<TAB>version<TAB>manifest count<TAB>records read` per file, then the issues.
pub fn run(path: &str, out: &mut dyn Write) -> Res {
    // A directory with a manifest.json: its `output` entries describe the *.ndjson.gz files.
    let inputs = Inputs::discover(&[path])?;
    let engine = Engine::new(Config::default())?;
    // Count the records of each file (the run also counts per file: `run.files`).
    let run = engine.fold(&inputs, &Projected::default(), || (), |_, _| {}, |_, _| {});
    for (file, totals) in inputs.files.iter().zip(&run.files) {
        let kind = file.resource_type.as_deref().unwrap_or("?");
        let version = file.fhir_version.map_or("?", |v| v.as_str());
        let listed = file
            .manifest_count
            .map_or("-".to_string(), |n| n.to_string());
        writeln!(out, "{kind}\t{version}\t{listed}\t{}", totals.records)?;
    }
    for issue in &run.issues {
        writeln!(out, "{issue}")?;
    }
    Ok(())
}
fn main() -> Res {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or("usage: gzip_manifest DIR")?;
    run(dir, &mut std::io::stdout())
}
