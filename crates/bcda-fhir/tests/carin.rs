//! CARIN Blue Button profile validation.

use bcda_fhir::profiles::{self, carin_bb};
use bcda_fhir::runtime::IssueCode;

const EOB: &str = r#"{"resourceType":"ExplanationOfBenefit","meta":{"lastUpdated":"2021-01-01T00:00:00Z","profile":["http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional"]},"identifier":[{"type":{"coding":[{"system":"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType","code":"uc"}]},"value":"1"}],"status":"active","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"institutional"}]},"subType":{"coding":[{"system":"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType","code":"inpatient"}]},"use":"claim","patient":{"reference":"Patient/1"},"billablePeriod":{"start":"2020-01-01"},"created":"2021-01-01T00:00:00Z","insurer":{"reference":"Organization/1"},"provider":{"reference":"Organization/2"},"outcome":"complete","careTeam":[{"sequence":1,"provider":{"reference":"Practitioner/1"},"role":{"coding":[{"system":"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole","code":"attending"}]}}],"supportingInfo":[{"sequence":1,"category":{"coding":[{"system":"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType","code":"admissionperiod"}]},"timingPeriod":{"start":"2020-01-01"}},{"sequence":2,"category":{"coding":[{"system":"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType","code":"clmrecvddate"}]},"timingDate":"2020-01-05"}],"diagnosis":[{"sequence":1,"diagnosisCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I10"}]},"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/ex-diagnosistype","code":"principal"}]}]}],"insurance":[{"focal":true,"coverage":{"reference":"Coverage/1"}}],"total":[{"category":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/adjudication","code":"submitted"}]},"amount":{"value":10.00,"currency":"USD"}},{"category":{"coding":[{"system":"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus","code":"innetwork"}]},"amount":{"value":0,"currency":"USD"}}]}"#;

fn codes(json: &str) -> Vec<(String, IssueCode)> {
    let ps = profiles::carin_profiles_for(json);
    assert_eq!(ps.len(), 1);
    profiles::validate(ps[0], json)
        .into_iter()
        .map(|i| (i.path, i.code))
        .collect()
}

#[test]
fn tables_cover_the_nine_profiles() {
    assert_eq!(carin_bb::PROFILES.len(), 9);
    assert!(carin_bb::by_url(
        "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|1.1.0"
    )
    .is_some());
}

#[test]
fn a_conforming_inpatient_eob_has_no_issues() {
    assert_eq!(codes(EOB), vec![]);
}

#[test]
fn missing_slice_bad_pattern_and_closed_slicing_are_reported() {
    let no_admission = EOB.replace("admissionperiod", "discharge-status");
    let got = codes(&no_admission);
    assert!(
        got.contains(&(
            "ExplanationOfBenefit.supportingInfo".into(),
            IssueCode::Required
        )),
        "{got:?}"
    );

    let bad_subtype = EOB.replace(r#""code":"inpatient""#, r#""code":"outpatient""#);
    let got = codes(&bad_subtype);
    assert!(
        got.contains(&("ExplanationOfBenefit.subType".into(), IssueCode::Pattern)),
        "{got:?}"
    );

    let one_total = EOB.replace(r#"{"category":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/adjudication","code":"submitted"}]},"amount":{"value":10.00,"currency":"USD"}},"#, "");
    let got = codes(&one_total);
    assert!(
        got.iter()
            .any(|(p, c)| p == "ExplanationOfBenefit.total" && *c == IssueCode::Cardinality),
        "{got:?}"
    );

    let wrong_timing = EOB.replace(
        r#""timingPeriod":{"start":"2020-01-01"}"#,
        r#""timingDate":"2020-01-01""#,
    );
    let got = codes(&wrong_timing);
    assert!(
        got.iter().any(
            |(p, c)| p == "ExplanationOfBenefit.supportingInfo[0].timingDate"
                && *c == IssueCode::Type
        ),
        "{got:?}"
    );
}

#[test]
fn unversioned_meta_profile_matches_the_versioned_pattern() {
    // BFD writes profile URLs without `|1.1.0`; a canonical without a version matches any version.
    assert!(EOB.contains("Inpatient-Institutional\"]"));
    let versioned = EOB.replace(
        "Inpatient-Institutional\"]",
        "Inpatient-Institutional|1.1.0\"]",
    );
    assert_eq!(codes(&versioned), vec![]);
    let other = EOB.replace(
        "Inpatient-Institutional\"]",
        "Inpatient-Institutional|1.0.0\"]",
    );
    assert!(codes(&other)
        .iter()
        .any(|(p, _)| p == "ExplanationOfBenefit.meta.profile"));
}
