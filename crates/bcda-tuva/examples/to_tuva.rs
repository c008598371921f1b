//! A BCDA v2 export to the Tuva input layer as Parquet, then the row counts read back.
//!
//! ```text
//! bcda generate --aco A9994 --out /tmp/export
//! cargo run -p bcda-tuva --example to_tuva -- /tmp/export /tmp/tuva
//! ```

use bcda_ndjson::{Config, Engine, Inputs};
use bcda_tuva::{build, write_tables, TuvaOptions};
use bcda_view::OutputFormat;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [export, out] = args.as_slice() else {
        return Err("usage: to_tuva EXPORT_DIR OUT_DIR".into());
    };
    let engine = Engine::new(Config::default())?;
    let tables = build(
        &engine,
        &Inputs::discover(&[export])?,
        &TuvaOptions::default(),
    )?;
    let s = &tables.summary;
    println!(
        "{} EOBs read, {} superseded or reversed versions dropped",
        s.eobs_read, s.versions_dropped
    );
    for path in write_tables(&tables, out.as_ref(), OutputFormat::Parquet)? {
        let reader = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&path)?)?;
        let rows = parquet::file::reader::FileReader::metadata(&reader)
            .file_metadata()
            .num_rows();
        println!("{}: {rows} rows", path.display());
    }
    Ok(())
}
