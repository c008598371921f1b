//! Cookbook 3: the ids of the EOBs with a diagnosis code starting with a prefix (ICD-10
//! `I50`: heart failure), found in parallel with a rayon iterator. Run:
//! `cargo run --release -p bcda-ndjson --example eobs_with_diagnosis -- DIR I50`
use bcda_ndjson::project::{Diagnosis, Projected, Resource};
use bcda_ndjson::{Config, Engine, Inputs};
use rayon::prelude::*;
use std::io::Write;
type Res = Result<(), Box<dyn std::error::Error>>;
/// The id of `rec` when it is an EOB with a diagnosis code starting with `prefix`.
fn matching(rec: Resource<'_>, prefix: &str) -> Option<String> {
    let Resource::Eob(eob) = rec else { return None };
    let has = |d: &Diagnosis<'_>| {
        let code = d.concept.as_ref().and_then(|c| c.code.as_deref());
        code.is_some_and(|c| c.starts_with(prefix))
    };
    let found = eob.diagnosis.iter().any(has);
    found.then(|| eob.id.map(|id| id.to_string())).flatten()
}
/// Writes the sorted ids of the EOBs with a diagnosis code starting with `prefix`.
pub fn run(path: &str, prefix: &str, out: &mut dyn Write) -> Res {
    let inputs = Inputs::discover(&[path])?;
    let (engine, projected) = (Engine::new(Config::default())?, Projected::default());
    let mut ids: Vec<String> = engine.install(|| {
        let items = engine.par_iter_with(&inputs, &projected, |rec| matching(rec, prefix));
        items.filter_map(|item| item.ok().flatten()).collect()
    });
    ids.sort();
    ids.iter().try_for_each(|id| writeln!(out, "{id}"))?;
    Ok(())
}
fn main() -> Res {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .ok_or("usage: eobs_with_diagnosis DIR [PREFIX]")?;
    let prefix = args.get(2).map_or("I50", |s| s);
    run(dir, prefix, &mut std::io::stdout())
}
