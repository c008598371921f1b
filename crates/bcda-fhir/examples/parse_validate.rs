//! Parses a FHIR R4 (or STU3 with `--stu3`) JSON file, prints its type, validation issues and
//! whether it round-trips.
//!
//! `cargo run -p bcda-fhir --example parse_validate -- path/to/resource.json [--stu3]`

use bcda_fhir::json::compare::first_difference;
use bcda_fhir::{r4, stu3};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: parse_validate FILE [--stu3]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).expect("read file");
    let (kind, issues, back) = if args.iter().any(|a| a == "--stu3") {
        let r = stu3::Resource::from_json(&text).unwrap_or_else(|e| panic!("{e}"));
        (r.resource_type().to_string(), r.validate(), r.to_json())
    } else {
        let r = r4::Resource::from_json(&text).unwrap_or_else(|e| panic!("{e}"));
        (r.resource_type().to_string(), r.validate(), r.to_json())
    };
    println!("{kind}: {} issue(s)", issues.len());
    for i in &issues {
        println!("  {i}");
    }
    match first_difference(&text, &back).expect("valid JSON") {
        None => println!("round trip: identical"),
        Some(p) => println!("round trip differs at {p}"),
    }
}
