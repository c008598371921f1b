//! Everything generated parses strictly with the typed models, passes core validation, and
//! round-trips; v2 passes CARIN Blue Button validation with zero errors.

use bcda_fhir::json::compare::first_difference;
use bcda_fhir::profiles;
use bcda_fhir::{r4, stu3};
use bcda_synth::{sandbox_catalogue, FhirVersion, Filter, Generator, Scale, Style};

const REFERENCE: i64 = 1_764_000_000; // 2025-11-24T16:00:00Z: fixed so the test is deterministic.

fn lines(version: FhirVersion, cms_id: &str) -> Vec<(String, String)> {
    scaled_lines(version, cms_id, Scale::Light, usize::MAX)
}

fn scaled_lines(
    version: FhirVersion,
    cms_id: &str,
    scale: Scale,
    max_benes: usize,
) -> Vec<(String, String)> {
    let aco = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == cms_id)
        .unwrap();
    let g = Generator::new(&aco.spec, REFERENCE).with_scale(scale);
    let mut benes = g.current_beneficiaries();
    benes.truncate(max_benes);
    let mut out = Vec::new();
    for kind in g.export_kinds(version) {
        let mut buf = Vec::new();
        // BCDA's bytes (Go key order and escapes): what users download.
        let filter = Filter {
            until_unix: REFERENCE,
            ..Filter::default()
        };
        g.write_ndjson_styled(version, kind, &benes, &filter, Style::default(), &mut buf)
            .unwrap();
        let text = String::from_utf8(buf).unwrap();
        out.extend(
            text.lines()
                .map(|l| (kind.as_str().to_string(), l.to_string())),
        );
    }
    assert!(out.len() > 100, "too little data for {cms_id}");
    out
}

#[test]
fn v1_is_valid_stu3_and_round_trips() {
    for (kind, line) in lines(FhirVersion::Stu3, "A9994") {
        let r = stu3::Resource::from_json(&line).unwrap_or_else(|e| panic!("{kind}: {e}\n{line}"));
        assert_eq!(r.resource_type(), kind);
        let issues = r.validate();
        assert!(issues.is_empty(), "{kind}: {issues:?}");
        assert_eq!(first_difference(&line, &r.to_json()).unwrap(), None);
    }
}

/// The realistic scale's claims (episodes, long stays, superseded `cancelled` versions) are
/// as valid as the light scale's: a few beneficiaries of A9990 in both versions.
#[test]
fn realistic_scale_is_valid_stu3_and_r4_and_carin() {
    let mut cancelled = 0;
    for (kind, line) in scaled_lines(FhirVersion::Stu3, "A9990", Scale::Realistic, 8) {
        let r = stu3::Resource::from_json(&line).unwrap_or_else(|e| panic!("{kind}: {e}\n{line}"));
        let issues = r.validate();
        assert!(issues.is_empty(), "{kind}: {issues:?}");
        cancelled += line.contains("\"status\":\"cancelled\"") as u32;
    }
    for (kind, line) in scaled_lines(FhirVersion::R4, "A9990", Scale::Realistic, 8) {
        check_r4(&kind, &line);
    }
    assert!(
        cancelled > 0,
        "no superseded claim version in 8 realistic beneficiaries"
    );
}

fn check_r4(kind: &str, line: &str) {
    let r = r4::Resource::from_json(line).unwrap_or_else(|e| panic!("{kind}: {e}\n{line}"));
    let issues = r.validate();
    assert!(issues.is_empty(), "{kind}: {issues:?}");
    assert_eq!(first_difference(line, &r.to_json()).unwrap(), None);
    let ps = profiles::carin_profiles_for(line);
    if matches!(kind, "Patient" | "Coverage" | "ExplanationOfBenefit") {
        assert!(!ps.is_empty(), "{kind} claims no CARIN profile");
    }
    let errors: Vec<_> = ps
        .iter()
        .flat_map(|p| profiles::validate(p, line))
        .collect();
    assert!(errors.is_empty(), "{kind} fails CARIN: {errors:?}");
}

#[test]
fn v2_is_valid_r4_and_carin_and_round_trips() {
    for cms in ["A9994", "A9998", "TEST001"] {
        for (kind, line) in lines(FhirVersion::R4, cms) {
            check_r4(&kind, &line);
        }
    }
}
