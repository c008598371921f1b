//! Core validation: cardinality, references, formats, and real data that is not valid.

use bcda_fhir::r4::{Claim, ExplanationOfBenefit, Resource};
use bcda_fhir::runtime::IssueCode;

#[test]
fn missing_required_elements_are_reported_with_paths() {
    let eob = r#"{"resourceType":"ExplanationOfBenefit","status":"active","use":"claim","patient":{"reference":"Patient/-1"},"created":"2021-01-01","insurer":{"display":"CMS"},"provider":{"display":"x"},"outcome":"complete","insurance":[{"focal":true,"coverage":{"reference":"Coverage/part-a--1"}}],"item":[{"productOrService":{"text":"x"}}]}"#;
    let e = ExplanationOfBenefit::from_json(eob).unwrap();
    let issues = e.validate();
    let got: Vec<(&str, IssueCode)> = issues.iter().map(|i| (i.path.as_str(), i.code)).collect();
    assert_eq!(
        got,
        [
            ("ExplanationOfBenefit.type", IssueCode::Required),
            ("ExplanationOfBenefit.item[0].sequence", IssueCode::Required),
        ]
    );
}

#[test]
fn wrong_reference_target_is_reported() {
    let eob = r#"{"resourceType":"ExplanationOfBenefit","status":"active","type":{"text":"x"},"use":"claim","patient":{"reference":"Organization/1"},"created":"2021-01-01","insurer":{"display":"CMS"},"provider":{"display":"x"},"outcome":"complete","insurance":[{"focal":true,"coverage":{"reference":"Coverage/c"}}]}"#;
    let issues = ExplanationOfBenefit::from_json(eob).unwrap().validate();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, IssueCode::Reference);
    assert_eq!(issues[0].path, "ExplanationOfBenefit.patient.reference");
}

#[test]
fn claim_without_insurance_is_invalid_but_lossless() {
    // BFD's partially adjudicated MCS claims have no `insurance` (1..* in R4).
    let claim = r#"{"resourceType":"Claim","id":"m-1","status":"active","type":{"text":"x"},"use":"claim","patient":{"reference":"Patient/-1"},"created":"2021-01-01T00:00:00Z","provider":{"display":"x"},"priority":{"text":"normal"}}"#;
    let c = Claim::from_json(claim).unwrap();
    let issues = c.validate();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].path, "Claim.insurance");
    assert_eq!(issues[0].code, IssueCode::Required);
    assert_eq!(c.to_json(), claim);
}

#[test]
fn contained_and_bundle_entries_are_typed_and_validated() {
    let bundle = r#"{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"bad id"}},{"resource":{"resourceType":"Library","status":"draft","type":{"text":"x"}}}]}"#;
    let r = Resource::from_json(bundle).unwrap();
    let Resource::Bundle(b) = &r else { panic!() };
    assert!(matches!(
        b.entry[0].resource.as_deref(),
        Some(Resource::Patient(_))
    ));
    assert!(
        matches!(b.entry[1].resource.as_deref(), Some(Resource::Other(_))),
        "unmodelled types are kept raw"
    );
    let issues = r.validate();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].path, "Bundle.entry[0].resource.id");
    assert_eq!(r.to_json(), bundle);
}
