//! The version-independent EOB accessors read the same facts from an STU3 and an R4 claim.

use bcda_fhir::claims::{EobAccess, ItemFacts};
use bcda_fhir::{r4, stu3};

const R4: &str = r#"{"resourceType":"ExplanationOfBenefit","id":"c1","status":"active",
"type":{"coding":[{"system":"https://bluebutton.cms.gov/resources/variables/nch_clm_type_cd","code":"71"},
 {"system":"https://bluebutton.cms.gov/resources/codesystem/eob-type","code":"CARRIER"}]},
"use":"claim","patient":{"reference":"Patient/-1001"},
"billablePeriod":{"start":"2025-06-13","end":"2025-06-14"},"created":"2025-07-01",
"insurer":{"identifier":{"value":"CMS"}},
"provider":{"identifier":{"system":"https://bluebutton.cms.gov/resources/variables/carr_clm_blg_npi_num","value":"1381477250"}},
"outcome":"complete",
"careTeam":[{"sequence":1,"provider":{"identifier":{"type":{"coding":[{"code":"npi"}]},"value":"2423251646"}}}],
"item":[{"sequence":1,"productOrService":{"coding":[{"system":"https://bluebutton.cms.gov/resources/codesystem/hcpcs","code":"93000"}]},
 "servicedDate":"2025-06-13"},
 {"sequence":2,"productOrService":{"coding":[{"code":"A0425"}]},
 "servicedPeriod":{"start":"2025-06-13","end":"2025-06-14"}}],
"payment":{"amount":{"value":129.68,"currency":"USD"}}}"#;

const STU3: &str = r#"{"resourceType":"ExplanationOfBenefit","id":"c1","status":"active",
"type":{"coding":[{"system":"https://bluebutton.cms.gov/resources/codesystem/eob-type","code":"CARRIER"},
 {"system":"http://hl7.org/fhir/ex-claimtype","code":"professional"}]},
"patient":{"reference":"Patient/-1001"},
"billablePeriod":{"start":"2025-06-13","end":"2025-06-14"},
"careTeam":[{"sequence":1,"provider":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1381477250"}}}],
"item":[{"sequence":1,"service":{"coding":[{"system":"https://bluebutton.cms.gov/resources/codesystem/hcpcs","code":"93000"}]},
 "servicedDate":"2025-06-13"},
 {"sequence":2,"service":{"coding":[{"code":"A0425"}]},
 "servicedPeriod":{"start":"2025-06-13","end":"2025-06-14"}}],
"payment":{"amount":{"value":129.68,"system":"urn:iso:std:iso:4217","code":"USD"}}}"#;

/// Everything the trait gives, in plain values.
fn facts(e: &dyn EobAccess) -> Vec<String> {
    let items: Vec<ItemFacts<'_>> = e.items();
    vec![
        format!("{:?}", e.patient_id()),
        format!("{:?}", e.claim_type()),
        format!("{:?}", e.billable_period()),
        format!("{:?}", e.provider_npi()),
        format!("{:?}", e.payment_amount().map(|d| d.as_str())),
        format!("{items:?}"),
    ]
}

#[test]
fn stu3_and_r4_claims_give_the_same_facts() {
    let r4 = r4::ExplanationOfBenefit::from_json(R4).expect("R4 EOB");
    let stu3 = stu3::ExplanationOfBenefit::from_json(STU3).expect("STU3 EOB");
    let want = [
        "Some(\"-1001\")",
        "Some(\"CARRIER\")",
        "(Some(\"2025-06-13\"), Some(\"2025-06-14\"))",
        "Some(\"1381477250\")",
        "Some(\"129.68\")",
        "[ItemFacts { start: Some(\"2025-06-13\"), end: Some(\"2025-06-13\"), codes: [(Some(\"https://bluebutton.cms.gov/resources/codesystem/hcpcs\"), \"93000\")] }, \
         ItemFacts { start: Some(\"2025-06-13\"), end: Some(\"2025-06-14\"), codes: [(None, \"A0425\")] }]",
    ];
    assert_eq!(facts(&r4), want);
    assert_eq!(facts(&stu3), want);
}

#[test]
fn provider_npi_falls_back_to_the_care_team_and_missing_parts_are_none() {
    let no_billing = R4.replace("\"provider\":{\"identifier\":{\"system\":\"https://bluebutton.cms.gov/resources/variables/carr_clm_blg_npi_num\",\"value\":\"1381477250\"}},", "\"provider\":{\"display\":\"x\"},");
    let r4 = r4::ExplanationOfBenefit::from_json(&no_billing).expect("R4 EOB");
    assert_eq!(r4.provider_npi(), Some("2423251646"));
    let bare = stu3::ExplanationOfBenefit::from_json(
        r#"{"resourceType":"ExplanationOfBenefit","status":"active"}"#,
    )
    .unwrap();
    assert_eq!(
        (bare.patient_id(), bare.claim_type(), bare.provider_npi()),
        (None, None, None)
    );
    assert_eq!(bare.billable_period(), (None, None));
    assert!(bare.payment_amount().is_none() && bare.items().is_empty());
}

#[test]
fn every_public_error_type_is_a_std_error_that_crosses_threads() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<bcda_fhir::runtime::ParseError>();
    is_error::<bcda_fhir::runtime::PrimError>();
    is_error::<bcda_fhir::json::SyntaxError>();
    let e = r4::Patient::from_json("{\"id\":").unwrap_err();
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    assert!(boxed.to_string().contains("byte"), "{boxed}");
}
