//! Cookbook 1: total paid per billing provider NPI per month of service, with a closure fold
//! on all cores. Run: `cargo run --release -p bcda-ndjson --example paid_per_npi_month -- DIR`
use bcda_ndjson::project::{Amount, Projected, Resource};
use bcda_ndjson::{Config, Engine, Inputs};
use std::collections::BTreeMap;
use std::io::Write;
type Res = Result<(), Box<dyn std::error::Error>>;
type Totals = BTreeMap<(String, String), i128>; // (NPI, "YYYY-MM") -> paid, exact fixed point
/// Writes `NPI<TAB>YYYY-MM<TAB>paid` lines for the export at `path`.
pub fn run(path: &str, out: &mut dyn Write) -> Res {
    let inputs = Inputs::discover(&[path])?;
    let engine = Engine::new(Config::default())?;
    let add = |acc: &mut Totals, rec: Resource<'_>| {
        let Resource::Eob(eob) = rec else { return };
        let npi = eob.provider.and_then(|p| p.identifier?.value);
        let start = eob.billable_period.and_then(|p| p.start);
        let paid = eob.payment.and_then(|p| p.amount?.value);
        if let (Some(npi), Some(start), Some(paid)) = (npi, start, paid) {
            let month = start.get(..7).unwrap_or(&start).to_string();
            *acc.entry((npi.to_string(), month)).or_default() += paid.0;
        }
    };
    let merge = |a: &mut Totals, b: Totals| {
        b.into_iter()
            .for_each(|(k, v)| *a.entry(k).or_default() += v)
    };
    let run = engine.fold(&inputs, &Projected::default(), Totals::new, add, merge);
    for ((npi, month), paid) in run.acc {
        writeln!(out, "{npi}\t{month}\t{}", Amount(paid).to_decimal_string())?;
    }
    Ok(())
}
fn main() -> Res {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or("usage: paid_per_npi_month DIR")?;
    run(dir, &mut std::io::stdout())
}
