//! Cookbook 6: build an R4 Patient in code, validate it and serialize it to FHIR JSON.
//! Run: `cargo run -p bcda-ndjson --example build_patient`
use bcda_fhir::r4::{AdministrativeGender, HumanName, Patient};
use bcda_fhir::runtime::{Date, Element};
use std::io::Write;

/// Writes the Patient as compact JSON, then the number of validation issues.
pub fn run(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let name = HumanName {
        family: Element::new("Doe".into()),
        given: vec![Element::new("Jane".into())],
        ..HumanName::default()
    };
    let patient = Patient {
        id: Element::new("example-1".into()),
        name: vec![name],
        gender: Element::new(AdministrativeGender::Female),
        birth_date: Element::new(Date("1938-04-05".into())),
        ..Patient::default()
    };
    writeln!(out, "{}", patient.to_json())?;
    writeln!(out, "{} issues", patient.validate().len())?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&mut std::io::stdout().lock())
}
