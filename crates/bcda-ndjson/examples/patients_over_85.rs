//! Cookbook 2: iterate the Patients of an export in order and print those aged over 85 on a
//! date. Run: `cargo run -p bcda-ndjson --example patients_over_85 -- DIR 2026-01-01`
use bcda_ndjson::project::{Projected, Resource};
use bcda_ndjson::{Config, Engine, Inputs};
use std::io::Write;
type Res = Result<(), Box<dyn std::error::Error>>;
/// Age in whole years on `on` of someone born on `birth` (both `YYYY-MM-DD`, or a prefix).
fn age(birth: &str, on: &str) -> Option<i32> {
    let (by, oy): (i32, i32) = (birth.get(..4)?.parse().ok()?, on.get(..4)?.parse().ok()?);
    Some(oy - by - i32::from(on.get(4..)? < birth.get(4..)?))
}
/// Writes `id<TAB>birthDate<TAB>age` for each Patient older than 85 on `on`.
pub fn run(path: &str, on: &str, out: &mut dyn Write) -> Res {
    let mut inputs = Inputs::discover(&[path])?;
    let files = &mut inputs.files;
    files.retain(|f| f.expected_type() == Some("Patient"));
    let (engine, projected) = (Engine::new(Config::default())?, Projected::default());
    // Copy only the two strings needed out of each borrowed record.
    let patients = engine.iter_with(&inputs, &projected, |rec| match rec {
        Resource::Patient(p) => Some((p.id?.to_string(), p.birth_date?.to_string())),
        _ => None,
    });
    for item in patients {
        let Some((id, birth)) = item? else { continue };
        match age(&birth, on) {
            Some(age) if age > 85 => writeln!(out, "{id}\t{birth}\t{age}")?,
            _ => {}
        }
    }
    Ok(())
}
fn main() -> Res {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or("usage: patients_over_85 DIR [DATE]")?;
    let on = args.get(2).map_or("2026-01-01", |s| s);
    run(dir, on, &mut std::io::stdout())
}
