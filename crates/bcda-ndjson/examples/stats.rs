//! Runs the claims statistics over the paths given on the command line and prints the JSON
//! report: `cargo run -p bcda-ndjson --example stats -- ../shared/samples/v2`.

use bcda_ndjson::stats::Stats;
use bcda_ndjson::{render, Config, Engine, Inputs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        return Err("usage: stats PATH...".into());
    }
    let inputs = Inputs::discover(&paths)?;
    let engine = Engine::new(Config::default())?;
    let report = Stats::default().run(&engine, &inputs, None);
    println!("{}", render::to_json(&report));
    Ok(())
}
