//! Runs a ViewDefinition over an NDJSON file and prints its rows as NDJSON; bad lines are
//! reported with their line number and skipped.
//!
//! `cargo run -p bcda-view --example rows -- VIEW.json FILE.ndjson`
//!
//! For example, with the BCDA sample Patients:
//! `echo '{"resource":"Patient","select":[{"column":[{"name":"id","path":"id"},{"name":"birth","path":"birthDate"}]}]}' > /tmp/v.json`
//! then `cargo run -p bcda-view --example rows -- /tmp/v.json ../shared/samples/v1/bcda-site__Patient.ndjson`.

use bcda_view::{Cell, Value, View};
use serde_json::{json, Map, Value as Json};

fn to_json(v: &Value<'_>) -> Json {
    match v {
        Value::Bool(b) => json!(b),
        Value::Integer(i) => json!(i),
        // Exact: a decimal keeps its source text.
        Value::Decimal(d) => serde_json::from_str(d).unwrap_or_else(|_| json!(d.as_ref())),
        Value::String(s) => json!(s.as_ref()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [view, data] = args.as_slice() else {
        eprintln!("usage: rows VIEW.json FILE.ndjson");
        std::process::exit(2);
    };
    let read = |p: &str| {
        std::fs::read_to_string(p).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    };
    let view = View::from_json(&read(view)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let names: Vec<&str> = view.columns().iter().map(|c| c.name.as_str()).collect();
    let (mut rows, mut bad) = (0usize, 0usize);
    for (i, line) in read(data).lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let result = view.eval_line(line, &mut |cells: &[Cell<'_>]| {
            let row: Map<String, Json> = names
                .iter()
                .zip(cells)
                .map(|(n, c)| {
                    let v = match c {
                        Cell::Null => Json::Null,
                        Cell::One(v) => to_json(v),
                        Cell::Many(vs) => vs.iter().map(to_json).collect(),
                    };
                    (n.to_string(), v)
                })
                .collect();
            println!("{}", Json::Object(row));
        });
        match result {
            Ok(n) => rows += n,
            Err(e) => {
                bad += 1;
                eprintln!("{data}:{}: {e}", i + 1);
            }
        }
    }
    eprintln!("{rows} rows, {bad} bad lines");
    std::process::exit(i32::from(bad > 0));
}
