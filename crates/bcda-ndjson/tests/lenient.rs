//! Typed path options: strict refuses a resource with an unknown property or a bad value;
//! lenient delivers it and reports what it skipped with the FHIR path.

use bcda_fhir::runtime::IssueCode;
use bcda_ndjson::typed::{Typed, TypedResource};
use bcda_ndjson::{Config, Engine, Inputs, IssueKind};

const LINE: &str =
    r#"{"resourceType":"Patient","id":"p1","sex":"f","birthDate":19500203,"gender":"female"}"#;

fn engine() -> Engine {
    Engine::new(Config {
        threads: 1,
        ..Config::default()
    })
    .unwrap()
}

#[test]
fn lenient_delivers_the_resource_and_reports_the_skipped_parts_with_their_path() {
    let inputs = Inputs::from_bytes("Patient.ndjson", format!("{LINE}\n"));
    let items: Vec<_> = engine().iter(&inputs, &Typed::lenient()).collect();
    assert_eq!(items.len(), 1, "{items:?}");
    let rec = items.into_iter().next().unwrap().expect("delivered");
    let TypedResource::R4(bcda_fhir::r4::Resource::Patient(p)) = &rec.resource else {
        panic!("not an R4 Patient: {:?}", rec.resource);
    };
    assert_eq!(p.id.value.as_deref(), Some("p1"));
    assert!(
        p.gender.value.is_some(),
        "the properties after the skipped ones are kept"
    );
    assert!(p.birth_date.value.is_none(), "the bad value is dropped");
    let found: Vec<(IssueCode, &str)> = rec
        .issues
        .iter()
        .map(|i| (i.code, i.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (IssueCode::UnknownProperty, "Patient.sex"),
            (IssueCode::Format, "Patient.birthDate")
        ]
    );
}

#[test]
fn strict_refuses_the_line_with_the_path_of_the_first_problem() {
    let inputs = Inputs::from_bytes("Patient.ndjson", format!("{LINE}\n"));
    let items: Vec<_> = engine().iter(&inputs, &Typed::strict()).collect();
    assert_eq!(items.len(), 1, "{items:?}");
    let issue = items.into_iter().next().unwrap().expect_err("refused");
    assert_eq!(issue.kind, IssueKind::InvalidResource);
    assert_eq!(issue.json_path.as_deref(), Some("Patient.sex"));
    // Located at the value of the unknown property (1-based byte column).
    assert_eq!((issue.line, issue.column), (1, 43), "{issue}");
}

#[test]
fn a_typed_eob_reads_through_the_release_independent_accessors() {
    let eob = r#"{"resourceType":"ExplanationOfBenefit","status":"active","type":{"coding":[{"system":"https://bluebutton.cms.gov/resources/codesystem/eob-type","code":"PDE"}]},"use":"claim","patient":{"reference":"Patient/7"},"created":"2025-01-02","insurer":{},"provider":{"identifier":{"value":"123"}},"outcome":"complete","payment":{"amount":{"value":1.5}}}"#;
    let inputs = Inputs::from_bytes("ExplanationOfBenefit.ndjson", format!("{eob}\n"));
    let rec = engine()
        .iter(&inputs, &Typed::lenient())
        .next()
        .unwrap()
        .unwrap();
    let e = rec.resource.eob().expect("an EOB");
    assert_eq!(
        (e.patient_id(), e.claim_type(), e.provider_npi()),
        (Some("7"), Some("PDE"), Some("123"))
    );
    assert_eq!(e.payment_amount().map(|d| d.as_str()), Some("1.5"));
}
