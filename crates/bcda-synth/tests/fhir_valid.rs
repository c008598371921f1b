//! Everything generated parses strictly with the typed models, passes core validation, and
//! round-trips; v2 passes CARIN Blue Button validation with zero errors.

use bcda_fhir::json::compare::first_difference;
use bcda_fhir::profiles;
use bcda_fhir::{r4, stu3};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator};

const REFERENCE: i64 = 1_764_000_000; // 2025-11-24T16:00:00Z: fixed so the test is deterministic.

fn lines(version: FhirVersion, cms_id: &str) -> Vec<(String, String)> {
    let aco = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == cms_id)
        .unwrap();
    let g = Generator::new(&aco.spec, REFERENCE);
    let benes = g.current_beneficiaries();
    let mut out = Vec::new();
    for kind in g.export_kinds(version) {
        let mut buf = Vec::new();
        g.write_ndjson(version, kind, &benes, None, REFERENCE, &mut buf)
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

#[test]
fn v2_is_valid_r4_and_carin_and_round_trips() {
    for cms in ["A9994", "A9998", "TEST001"] {
        for (kind, line) in lines(FhirVersion::R4, cms) {
            let r =
                r4::Resource::from_json(&line).unwrap_or_else(|e| panic!("{kind}: {e}\n{line}"));
            let issues = r.validate();
            assert!(issues.is_empty(), "{kind}: {issues:?}");
            assert_eq!(first_difference(&line, &r.to_json()).unwrap(), None);
            let ps = profiles::carin_profiles_for(&line);
            if matches!(
                kind.as_str(),
                "Patient" | "Coverage" | "ExplanationOfBenefit"
            ) {
                assert!(!ps.is_empty(), "{kind} claims no CARIN profile");
            }
            let errors: Vec<_> = ps
                .iter()
                .flat_map(|p| profiles::validate(p, &line))
                .collect();
            assert!(errors.is_empty(), "{kind} fails CARIN: {errors:?}");
        }
    }
}
