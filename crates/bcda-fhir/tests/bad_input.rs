//! Bad input gives an error (or, lenient, an issue) with the JSON path, and never panics.

use bcda_fhir::r4::{self, Patient, Resource};
use bcda_fhir::runtime::{IssueCode, ParseErrorKind, ParseOptions};

const PATIENT: &str = r#"{"resourceType":"Patient","id":"-1","name":[{"family":"Doe","given":["Jane","Q"]}],"gender":"female","birthDate":"1950-02-03","address":[{"state":"MD","period":{"start":"2020-01-01"}}]}"#;

#[test]
fn truncated_json_fails_at_every_cut_without_panicking() {
    for cut in 0..PATIENT.len() {
        let err = Resource::from_json(&PATIENT[..cut]).expect_err("truncated input must fail");
        assert!(
            err.offset() <= cut,
            "offset {} beyond cut {cut}",
            err.offset()
        );
    }
}

#[test]
fn wrong_json_type_names_the_path() {
    let text = PATIENT.replace(r#""family":"Doe""#, r#""family":42"#);
    let err = Resource::from_json(&text).unwrap_err();
    assert_eq!(err.path(), "Patient.name[0].family");
    assert_eq!(
        err.kind(),
        &ParseErrorKind::WrongType {
            expected: "string",
            found: "number"
        }
    );

    let text = PATIENT
        .replace(r#""name":[{"#, r#""name":{"#)
        .replace(r#""Q"]}]"#, r#""Q"]}"#);
    let err = Resource::from_json(&text).unwrap_err();
    assert_eq!(err.path(), "Patient.name");
}

#[test]
fn unknown_property_strict_error_lenient_issue() {
    let text = PATIENT.replace(r#""state":"MD""#, r#""state":"MD","fooBar":{"x":[1]}"#);
    let err = Resource::from_json(&text).unwrap_err();
    assert_eq!(err.path(), "Patient.address[0].fooBar");
    assert_eq!(err.code(), "unknown-property");

    let (res, issues) = Resource::from_json_with(&text, ParseOptions::lenient()).unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, IssueCode::UnknownProperty);
    assert_eq!(issues[0].path, "Patient.address[0].fooBar");
    let Resource::Patient(p) = res else {
        panic!("not a patient")
    };
    assert_eq!(p.address[0].state.as_str(), Some("MD"));
}

#[test]
fn bad_dates_are_validation_errors_and_round_trip() {
    let text = PATIENT
        .replace("1950-02-03", "1950-02-30")
        .replace("2020-01-01", "2020-1-1");
    let p = Patient::from_json(&text).unwrap();
    let issues = p.validate();
    let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Patient.birthDate", "Patient.address[0].period.start"]
    );
    assert!(issues.iter().all(|i| i.code == IssueCode::Format));
    assert_eq!(
        p.to_json(),
        text,
        "invalid dates are written back exactly as read"
    );
}

#[test]
fn code_outside_required_binding_is_kept_and_reported() {
    let text = PATIENT.replace(r#""gender":"female""#, r#""gender":"femal""#);
    let p = Patient::from_json(&text).unwrap();
    assert_eq!(
        p.gender.value,
        Some(r4::AdministrativeGender::Invalid("femal".into()))
    );
    let issues = p.validate();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, IssueCode::CodeInvalid);
    assert_eq!(issues[0].path, "Patient.gender");
    assert_eq!(p.to_json(), text);
}

#[test]
fn deep_nesting_is_refused_without_stack_overflow() {
    let mut text = String::from(r#"{"resourceType":"Patient","extension":["#);
    for _ in 0..5000 {
        text.push_str(r#"{"url":"http://x","extension":["#);
    }
    let err = Resource::from_json(&text).unwrap_err();
    assert!(err.to_string().contains("too deep"), "{err}");
}

#[test]
fn duplicate_properties_and_choice_types_are_errors() {
    let text = PATIENT.replace(
        r#""gender":"female""#,
        r#""gender":"female","gender":"male""#,
    );
    assert_eq!(Resource::from_json(&text).unwrap_err().code(), "duplicate");
    let obs = r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"a","valueBoolean":true}"#;
    let err = Resource::from_json(obs).unwrap_err();
    assert_eq!(err.code(), "duplicate");
    assert_eq!(err.path(), "Observation.valueBoolean");
}

#[test]
fn resource_type_problems() {
    assert_eq!(
        Resource::from_json(r#"{"id":"x"}"#).unwrap_err().code(),
        "missing-resource-type"
    );
    assert_eq!(
        Resource::from_json(r#"{"resourceType":"Nope"}"#)
            .unwrap_err()
            .code(),
        "unknown-resource-type"
    );
    assert_eq!(
        Patient::from_json(r#"{"resourceType":"Coverage"}"#)
            .unwrap_err()
            .code(),
        "unexpected-resource-type"
    );
    // Found by the fhir_stu3 fuzz target: a repeated resourceType was accepted (and written
    // once).
    for twice in [
        r#"{"resourceType":"Patient","resourceType":"Patient"}"#,
        r#"{"resourceType":"Patient","id":"a","resourceType":"Patient"}"#,
    ] {
        let err = Resource::from_json(twice).unwrap_err();
        assert_eq!(err.code(), "duplicate", "{twice}");
        assert_eq!(err.path(), "Patient.resourceType", "{twice}");
        assert!(Resource::from_json_with(twice, ParseOptions::lenient()).is_err());
    }
    // resourceType need not come first.
    let late = r#"{"id":"a","gender":"male","resourceType":"Patient"}"#;
    assert!(matches!(
        Resource::from_json(late).unwrap(),
        Resource::Patient(_)
    ));
}

#[test]
fn invalid_utf8_is_reported() {
    let mut bytes = PATIENT.as_bytes().to_vec();
    bytes[40] = 0xff;
    let err = Resource::from_slice(&bytes, ParseOptions::strict()).unwrap_err();
    assert_eq!(err.code(), "invalid-utf8");
    assert_eq!(err.offset(), 40);
}

#[test]
fn decimals_keep_their_text() {
    let text = r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":42.0,"unit":"g"},"component":[{"code":{"text":"y"},"valueQuantity":{"value":1.50e2}}]}"#;
    let r = Resource::from_json(text).unwrap();
    assert_eq!(r.to_json(), text);
}

#[test]
fn primitive_extensions_and_null_alignment_round_trip() {
    let text = r#"{"resourceType":"Patient","name":[{"given":["A",null,"C"],"_given":[null,{"extension":[{"url":"http://x","valueString":"absent"}]},null]}],"_gender":{"id":"g1"},"birthDate":"1950"}"#;
    let p = Patient::from_json(text).unwrap();
    assert_eq!(p.name[0].given.len(), 3);
    assert!(p.name[0].given[1].value.is_none());
    assert!(p.name[0].given[1].ext.is_some());
    assert!(p.gender.value.is_none() && p.gender.ext.is_some());
    assert_eq!(p.to_json(), text);
    // Misaligned arrays are an error.
    let bad = text.replace(r#",null]}]"#, r#"]}]"#);
    assert_eq!(
        Patient::from_json(&bad).unwrap_err().path(),
        "Patient.name[0]._given"
    );
}

/// Found by the `fhir_r4` fuzz target: `[]` was accepted and silently dropped (FHIR JSON has no
/// empty arrays, and the model cannot write one back).
#[test]
fn empty_arrays_and_attributes_strict_error_lenient_issue() {
    for (text, path) in [
        (
            r#"{"resourceType":"Claim","supportingInfo":[]}"#,
            "Claim.supportingInfo",
        ),
        (
            r#"{"resourceType":"Patient","name":[{"given":[]}]}"#,
            "Patient.name[0].given",
        ),
        (
            r#"{"resourceType":"Patient","_birthDate":{"extension":[]}}"#,
            "Patient._birthDate.extension",
        ),
        // Found by the fhir_r4 fuzz target: an empty required attribute was read as absent and
        // not written back; empty attributes are now refused like empty primitives.
        (
            r#"{"resourceType":"Patient","extension":[{"url":"","valueString":"x"}]}"#,
            "Patient.extension[0].url",
        ),
        (
            r#"{"resourceType":"Patient","name":[{"id":"","family":"F"}]}"#,
            "Patient.name[0].id",
        ),
    ] {
        let err = Resource::from_json(text).unwrap_err();
        assert_eq!(err.path(), path, "{text}");
        let (res, issues) = Resource::from_json_with(text, ParseOptions::lenient()).unwrap();
        assert_eq!(issues.len(), 1, "{text}");
        assert_eq!(issues[0].code, IssueCode::Empty);
        assert_eq!(issues[0].path, path);
        let json = res.to_json();
        assert_eq!(Resource::from_json(&json).unwrap(), res, "{json}");
    }
}

/// Found by the `fhir_r4` fuzz target: an empty object in a complex choice (`locationReference:
/// {}`) was parsed but not written back; it now round-trips and validation reports it empty.
#[test]
fn empty_complex_choice_round_trips_and_is_reported() {
    let text = r#"{"resourceType":"ExplanationOfBenefit","accident":{"locationReference":{}}}"#;
    let r = Resource::from_json(text).unwrap();
    assert_eq!(r.to_json(), text);
    let issues = r.validate();
    let empty: Vec<&str> = issues
        .iter()
        .filter(|i| i.code == IssueCode::Empty)
        .map(|i| i.path.as_str())
        .collect();
    assert_eq!(empty, ["ExplanationOfBenefit.accident.locationReference"]);
}

/// Found by the fhir_stu3 and fhir_validate fuzz targets: a value that lenient parsing drops
/// (wrong JSON type) left an empty choice variant or a list of empty entries behind, which
/// serialization omits, so the lenient value changed in a round trip (and validated
/// differently).
#[test]
fn lenient_drops_leave_nothing_behind() {
    for (text, path) in [
        (
            r#"{"resourceType":"Patient","extension":[{"url":"u","valueDate":{"x":1}}]}"#,
            "Patient.extension[0].valueDate",
        ),
        (
            r#"{"resourceType":"Patient","deceasedBoolean":7}"#,
            "Patient.deceasedBoolean",
        ),
        (
            r#"{"resourceType":"Patient","meta":{"profile":[{"a":1}]}}"#,
            "Patient.meta.profile[0]",
        ),
    ] {
        assert!(Resource::from_json(text).is_err(), "{text}");
        let (res, issues) = Resource::from_json_with(text, ParseOptions::lenient()).unwrap();
        assert_eq!(issues.len(), 1, "{text}: {issues:?}");
        assert_eq!(issues[0].path, path);
        let json = res.to_json();
        let back = Resource::from_json(&json).unwrap();
        assert_eq!(back, res, "{text} -> {json}");
        assert_eq!(back.validate(), res.validate(), "{text}");
    }
    // A dropped entry among kept ones stays as a null entry, aligned with its neighbours.
    let text = r#"{"resourceType":"Patient","meta":{"profile":["http://a",{"a":1}]}}"#;
    let (res, _) = Resource::from_json_with(text, ParseOptions::lenient()).unwrap();
    let Resource::Patient(p) = &res else {
        panic!("not a Patient")
    };
    assert_eq!(p.meta.as_ref().unwrap().profile.len(), 2);
}
