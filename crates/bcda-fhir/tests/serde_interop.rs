//! serde interoperability (feature `serde`): resources go through serde_json's data model.
#![cfg(feature = "serde")] // on by default

use bcda_fhir::r4::{Patient, Resource};

#[test]
fn serialize_and_deserialize_through_serde_json() {
    let text = r#"{"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"O\"Neil","given":["A"]}],"multipleBirthInteger":2}"#;
    let p = Patient::from_json(text).unwrap();
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["name"][0]["family"], "O\"Neil");
    assert_eq!(v["multipleBirthInteger"], 2);
    let back: Patient<'static> = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, p);
    let any: Resource<'static> = serde_json::from_str(text).unwrap();
    assert_eq!(any.resource_type(), "Patient");
    // Unknown properties are refused through serde too.
    let bad = serde_json::json!({"resourceType": "Patient", "nope": 1});
    assert!(serde_json::from_value::<Patient<'static>>(bad)
        .unwrap_err()
        .to_string()
        .contains("nope"));
}
