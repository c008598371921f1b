//! Every check a view goes through before data is read: the error variant, the JSON path it
//! names and its message.

use bcda_view::{View, ViewError};
use serde_json::json;

fn err(v: serde_json::Value) -> ViewError {
    View::from_value(&v).expect_err("the view must be rejected")
}

fn patient(select: serde_json::Value) -> serde_json::Value {
    json!({"resource": "Patient", "select": select})
}

#[test]
fn not_json() {
    let e = View::from_json("{\"resource\": ").unwrap_err();
    assert!(matches!(e, ViewError::Json { .. }), "{e:?}");
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn missing_resource_and_select() {
    let e = err(json!({}));
    assert_eq!(
        e,
        ViewError::Missing {
            path: "$".into(),
            field: "resource"
        }
    );
    assert_eq!(e.to_string(), "view: $: `resource` is required");
    let e = err(json!({"resource": "patient/1", "select": []}));
    assert_eq!(
        e.to_string(),
        "view: resource: expected a FHIR resource type name (`Patient`, `ExplanationOfBenefit`, ...)"
    );
    let e = err(json!({"resource": "Patient"}));
    assert_eq!(
        e,
        ViewError::Missing {
            path: "$".into(),
            field: "select"
        }
    );
}

#[test]
fn wrong_json_type() {
    let e = err(patient(
        json!([{"forEach": 1, "column": [{"name": "a", "path": "id"}]}]),
    ));
    assert_eq!(
        e,
        ViewError::WrongType {
            path: "select[0].forEach".into(),
            expected: "a FHIRPath string"
        }
    );
    assert_eq!(
        e.to_string(),
        "view: select[0].forEach: expected a FHIRPath string"
    );
    let e = err(patient(json!({"column": []})));
    assert_eq!(
        e,
        ViewError::WrongType {
            path: "select".into(),
            expected: "an array"
        }
    );
}

#[test]
fn syntax_error_names_path_and_offset() {
    let e = err(patient(
        json!([{"column": [{"name": "a", "path": "id"}, {"name": "b", "path": "name.where(use = )"}]}]),
    ));
    match &e {
        ViewError::Syntax {
            path, expr, offset, ..
        } => {
            assert_eq!(path, "select[0].column[1].path");
            assert_eq!(expr, "name.where(use = )");
            assert_eq!(*offset, 17);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("view: select[0].column[1].path: invalid FHIRPath"),
        "{e}"
    );
}

#[test]
fn unknown_function() {
    let e = err(patient(
        json!([{"column": [{"name": "a", "path": "name.family.upperCase()"}]}]),
    ));
    assert_eq!(
        e,
        ViewError::UnknownFunction {
            path: "select[0].column[0].path".into(),
            expr: "name.family.upperCase()".into(),
            name: "upperCase".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "view: select[0].column[0].path: unknown FHIRPath function `upperCase` in `name.family.upperCase()`"
    );
}

#[test]
fn element_not_on_the_resource_type() {
    let e = err(json!({"resource": "ExplanationOfBenefit", "select": [
        {"column": [{"name": "id", "path": "id"}]},
        {"forEach": "itme", "column": [{"name": "seq", "path": "sequence"}]}
    ]}));
    assert_eq!(
        e.to_string(),
        "view: select[1].forEach: `itme` is not an element of ExplanationOfBenefit (in `itme`)"
    );
    // Inside a forEach the focus is no longer the resource: not checked there.
    assert!(
        View::from_value(&json!({"resource": "ExplanationOfBenefit", "select": [
            {"forEach": "item", "column": [{"name": "seq", "path": "sequence"}]}
        ]}))
        .is_ok()
    );
    // A where clause is checked too, and choice stems are elements.
    let e = err(
        json!({"resource": "Patient", "select": [{"column": [{"name": "id", "path": "id"}]}],
        "where": [{"path": "deceased.exists() and gendr = 'male'"}]}),
    );
    assert!(
        matches!(&e, ViewError::UnknownElement { path, element, .. } if path == "where[0].path" && element == "gendr"),
        "{e:?}"
    );
}

#[test]
fn invalid_and_duplicate_column_names() {
    let e = err(patient(
        json!([{"column": [{"name": "1st", "path": "id"}]}]),
    ));
    assert_eq!(
        e,
        ViewError::InvalidColumnName {
            path: "select[0].column[0].name".into(),
            name: "1st".into()
        }
    );
    let e = err(patient(json!([
        {"column": [{"name": "id", "path": "id"}]},
        {"forEach": "name", "column": [{"name": "id", "path": "family"}]}
    ])));
    assert_eq!(
        e.to_string(),
        "view: select[1].column[0].name: duplicate column name `id` (first defined at select[0].column[0].name)"
    );
}

#[test]
fn union_branches_must_agree() {
    let e = err(patient(json!([{"unionAll": [
        {"column": [{"name": "a", "path": "id"}, {"name": "b", "path": "id"}]},
        {"column": [{"name": "b", "path": "id"}, {"name": "a", "path": "id"}]}
    ]}])));
    assert_eq!(
        e,
        ViewError::UnionMismatch {
            path: "select[0].unionAll[1]".into(),
            expected: "a, b".into(),
            found: "b, a".into()
        }
    );
    let e = err(patient(json!([{"unionAll": [
        {"column": [{"name": "a", "path": "id"}]},
        {"column": [{"name": "a", "path": "id"}, {"name": "c", "path": "id"}]}
    ]}])));
    assert!(
        matches!(e, ViewError::UnionMismatch { ref found, .. } if found == "a, c"),
        "{e:?}"
    );
}

#[test]
fn bad_and_undefined_constants() {
    let view = |constant| {
        json!({"resource": "Patient", "constant": constant,
        "select": [{"column": [{"name": "a", "path": "name.where(use = %u).family"}]}]})
    };
    let e = err(view(json!([{"name": "u"}])));
    assert_eq!(
        e.to_string(),
        "view: constant[0]: bad constant: `u` needs exactly one value[x], found 0"
    );
    let e = err(view(json!([{"name": "u", "valueInteger": "x"}])));
    assert!(
        matches!(&e, ViewError::BadConstant { path, .. } if path == "constant[0]"),
        "{e:?}"
    );
    let e = err(view(json!([{"name": "other", "valueString": "official"}])));
    assert_eq!(
        e,
        ViewError::UndefinedConstant {
            path: "select[0].column[0].path".into(),
            expr: "name.where(use = %u).family".into(),
            name: "u".into()
        }
    );
    assert!(View::from_value(&view(json!([{"name": "u", "valueCode": "official"}]))).is_ok());
}

#[test]
fn unknown_column_type() {
    let e = err(patient(
        json!([{"column": [{"name": "a", "path": "id", "type": "strng"}]}]),
    ));
    assert_eq!(
        e.to_string(),
        "view: select[0].column[0].type: unknown column type `strng`"
    );
}

#[test]
fn fhirpath_parse_errors() {
    use bcda_view::fhirpath::parse;
    for (src, offset, message) in [
        ("@@", 0, "`@` without a date or time"),
        ("name.", 5, "expected a name after `.`"),
        ("name[0", 6, "expected `]`, found end of expression"),
        ("'open", 0, "unterminated string or identifier"),
        ("a # b", 2, "unexpected character `#`"),
        ("first(1)", 0, "wrong number of arguments to first()"),
        ("a b", 2, "unexpected identifier `b`"),
    ] {
        let e = parse(src).expect_err(src);
        assert_eq!((e.offset, e.message.as_str()), (offset, message), "{src}");
    }
    let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    assert_eq!(
        parse(&deep).unwrap_err().message,
        "expression nested too deeply"
    );
    let long = vec!["a"; 100_000].join(".");
    assert_eq!(
        parse(&long).unwrap_err().message,
        "expression too long (200000 tokens, at most 2000)"
    );
    let e = parse("name.frist()").unwrap_err();
    assert_eq!(e.unknown_function.as_deref(), Some("frist"));
}
