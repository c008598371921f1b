//! NDJSON line -> typed STU3/R4 resource (strict and lenient), and the validators.

use bcda_fhir::json::compare::{first_difference, Tree};
use bcda_fhir::runtime::ParseOptions;
use bcda_fhir::{profiles, r4, stu3};

/// Drops object members whose value is `{}`.
fn without_empty_objects(t: Tree<'_>) -> Tree<'_> {
    match t {
        Tree::Object(members) => Tree::Object(
            members
                .into_iter()
                .filter(|(_, v)| !matches!(v, Tree::Object(m) if m.is_empty()))
                .map(|(k, v)| (k, without_empty_objects(v)))
                .collect(),
        ),
        Tree::Array(items) => Tree::Array(items.into_iter().map(without_empty_objects).collect()),
        other => other,
    }
}

fn same_but_empty_objects(a: &str, b: &str) -> bool {
    match (Tree::parse(a), Tree::parse(b)) {
        (Ok(a), Ok(b)) => without_empty_objects(a) == without_empty_objects(b),
        _ => false,
    }
}

/// The parse properties for one release module (the `Resource` enums of both releases have
/// the same API but are distinct types).
macro_rules! check_line {
    ($release:ident, $data:expr) => {{
        let data: &[u8] = $data;
        let Ok(text) = std::str::from_utf8(data) else {
            assert!($release::Resource::from_slice(data, ParseOptions::strict()).is_err());
            assert!($release::Resource::from_slice(data, ParseOptions::lenient()).is_err());
            return;
        };
        let strict = $release::Resource::from_json(text);
        let lenient = $release::Resource::from_json_with(text, ParseOptions::lenient());
        match &strict {
            Ok(r) => {
                let json = r.to_json();
                let back = $release::Resource::from_json(&json)
                    .unwrap_or_else(|e| panic!("serialized output does not parse: {e}\n{json}"));
                assert!(
                    &back == r,
                    "the round trip changed the resource:\n{text}\n{json}"
                );
                assert_eq!(back.to_json(), json, "serialization is not stable");
                // Lossless: the same JSON as the input (member order and whitespace aside).
                // A required complex element given as `{}` reads as absent (documented: the
                // model holds no "present but empty" for 1..1 values; validation reports it).
                match first_difference(text, &json) {
                    Ok(None) => {}
                    Ok(Some(_)) if same_but_empty_objects(text, &json) => {}
                    Ok(Some(d)) => panic!("round trip differs at {d}:\n{text}\n{json}"),
                    Err(e) => panic!("accepted text is not JSON to the comparer: {e:?}"),
                }
                let (l, issues) = lenient
                    .as_ref()
                    .unwrap_or_else(|e| panic!("lenient refused what strict accepted: {e}"));
                assert!(
                    issues.is_empty(),
                    "lenient issues on strict input: {issues:?}"
                );
                assert!(l == r, "lenient and strict values differ:\n{text}");
                assert_eq!(
                    r.validate(),
                    back.validate(),
                    "validation changed by a round trip"
                );
                let _ = r.resource_type();
            }
            Err(e) => {
                assert!(
                    e.offset() <= text.len(),
                    "error offset beyond the text: {e}"
                );
                let _ = e.to_string();
            }
        }
        if let Ok((r, issues)) = &lenient {
            for i in issues {
                assert!(!i.path.is_empty(), "lenient issue without a path: {i:?}");
            }
            if !issues.is_empty() {
                assert!(
                    strict.is_err(),
                    "strict accepted what lenient reported: {issues:?}"
                );
            }
            // What lenient parsing keeps is strictly valid and round-trips.
            let json = r.to_json();
            let back = $release::Resource::from_json(&json)
                .unwrap_or_else(|e| panic!("lenient output does not parse strictly: {e}\n{json}"));
            assert!(
                &back == r,
                "the lenient value changed in a round trip:\n{text}\n{json}"
            );
        }
    }};
}

/// One NDJSON line parsed as an STU3 resource (BCDA v1).
pub fn fhir_stu3(data: &[u8]) {
    check_line!(stu3, data)
}

/// One NDJSON line parsed as an R4 resource (BCDA v2).
pub fn fhir_r4(data: &[u8]) {
    check_line!(r4, data)
}

macro_rules! check_validate {
    ($release:ident, $text:expr) => {{
        let text: &str = $text;
        if let Ok((r, _)) = $release::Resource::from_json_with(text, ParseOptions::lenient()) {
            let issues = r.validate();
            for i in &issues {
                assert!(!i.path.is_empty(), "validation issue without a path: {i:?}");
                assert!(
                    !i.message.is_empty(),
                    "validation issue without a message: {i:?}"
                );
            }
            let json = r.to_json();
            if let Ok(back) = $release::Resource::from_json(&json) {
                assert_eq!(
                    back.validate(),
                    issues,
                    "validation changed by a round trip"
                );
            }
        }
    }};
}

/// One resource through core validation (both releases) and the CARIN Blue Button profiles.
pub fn fhir_validate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_validate!(stu3, text);
    check_validate!(r4, text);
    let carin = profiles::validate_carin(text);
    for i in &carin {
        assert!(
            !i.message.is_empty(),
            "CARIN issue without a message: {i:?}"
        );
    }
    let _ = profiles::carin_profiles_for(text);
    // Profile validation reads a JSON tree: the same resource re-serialized (other member
    // order, no whitespace) gets the same findings.
    if let Ok(r) = r4::Resource::from_json(text) {
        assert_eq!(
            profiles::validate_carin(&r.to_json()),
            carin,
            "CARIN findings changed by a round trip"
        );
    }
}
