//! Cookbook 4: validate an export (core FHIR rules and the CARIN Blue Button profiles) and
//! list the first ten issues in file and line order, then the total.
//! Run: `cargo run -p bcda-ndjson --example validate_carin -- DIR`
use bcda_ndjson::typed::Typed;
use bcda_ndjson::{Config, Engine, Inputs};
use std::io::Write;
type Res = Result<(), Box<dyn std::error::Error>>;
/// Writes up to ten issues, `file:line: issue`, then `N issues`.
pub fn run(path: &str, out: &mut dyn Write) -> Res {
    let inputs = Inputs::discover(&[path])?;
    let engine = Engine::new(Config::default())?;
    let typed = Typed::strict().with_carin();
    let mut total = 0;
    // `records` hands each record with its location; unreadable lines come as `Err`.
    for item in engine.records(&inputs, &typed, |rec, _| rec.issues) {
        let found: Vec<String> = match item {
            Ok((at, issues)) => {
                let here = format!("{}:{}", at.file.display(), at.line);
                issues.iter().map(|i| format!("{here}: {i}")).collect()
            }
            Err(issue) => vec![issue.to_string()],
        };
        for line in found {
            total += 1;
            if total <= 10 {
                writeln!(out, "{line}")?;
            }
        }
    }
    writeln!(out, "{total} issues")?;
    Ok(())
}
fn main() -> Res {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or("usage: validate_carin DIR")?;
    run(dir, &mut std::io::stdout())
}
