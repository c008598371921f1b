//! Claims per provider per month: a ViewDefinition written to Parquet on the engine, then read
//! back and counted.
//!
//! ```text
//! cargo run -p bcda-view --example claims_per_provider -- EXPORT_DIR [OUT.parquet]
//! ```

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use bcda_ndjson::{Config, Engine, Inputs};
use bcda_view::{run_to_files, OutputFormat, RunOptions, View, ViewSet};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const VIEW: &str = r#"{"resourceType": "ViewDefinition", "name": "claims", "resource": "ExplanationOfBenefit",
  "select": [{"column": [
    {"name": "provider", "path": "provider.identifier.value.first()", "type": "string"},
    {"name": "start", "path": "billablePeriod.start", "type": "date"}]}]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let export = args
        .next()
        .ok_or("usage: claims_per_provider EXPORT_DIR [OUT.parquet]")?;
    let out = std::path::PathBuf::from(args.next().unwrap_or("claims.parquet".into()));

    // The view, run over every line of the export on all cores, into one Parquet file.
    let views = ViewSet::new(vec![View::from_json(VIEW)?]);
    let engine = Engine::new(Config::default())?;
    let inputs = Inputs::discover(&[export])?;
    let run = run_to_files(
        &engine,
        &inputs,
        &views,
        &[out.clone()],
        OutputFormat::Parquet,
        &RunOptions::default(),
        None,
    )?;
    println!(
        "{} claims -> {} ({} bad lines)",
        run.rows[0],
        out.display(),
        run.totals().bad_lines
    );

    // Read it back and count claims per (provider, YYYY-MM).
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for batch in ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out)?)?.build()? {
        let batch = batch?;
        let (provider, start) = (
            batch.column(0).as_string::<i32>(),
            batch.column(1).as_string::<i32>(),
        );
        for i in (0..batch.num_rows()).filter(|&i| provider.is_valid(i) && start.is_valid(i)) {
            let month = start.value(i).get(..7).unwrap_or("").to_string();
            *counts
                .entry((provider.value(i).to_string(), month))
                .or_default() += 1;
        }
    }
    let mut top: Vec<_> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((provider, month), n) in top.iter().take(10) {
        println!("{provider:>12} {month} {n}");
    }
    Ok(())
}
