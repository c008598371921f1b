//! FHIRPath functions and operators beyond the conformance suite, each evaluated through a
//! one-column view (`collection: true`) on a small Patient.

use bcda_view::{Cell, Value, View};
use serde_json::json;

const PATIENT: &str = r#"{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-06-15","name":[{"use":"official","family":"Smith","given":["Ann","Bea"]},{"use":"maiden","family":"Jones","given":["Ann"]}],"telecom":[{"system":"phone","value":"555"}],"multipleBirthInteger":2}"#;

/// The column's values as text (`null` for no value at all), or the error's text.
fn eval(path: &str) -> Result<Vec<String>, String> {
    let view = View::from_value(&json!({"resource": "Patient", "select": [{"column": [
        {"name": "v", "path": path, "collection": true}]}]}))
    .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    view.eval_line(PATIENT, &mut |cells: &[Cell<'_>]| {
        let Cell::Many(vs) = &cells[0] else {
            panic!("a collection column")
        };
        out.extend(vs.iter().map(|v| match v {
            Value::Bool(b) => b.to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Decimal(d) | Value::String(d) => d.to_string(),
        }));
    })
    .map_err(|e| e.to_string())?;
    Ok(out)
}

fn ok(path: &str) -> Vec<String> {
    eval(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn string_functions() {
    assert_eq!(ok("name.family.where($this.startsWith('Sm'))"), ["Smith"]);
    assert_eq!(ok("name.family.where(endsWith('es'))"), ["Jones"]);
    assert_eq!(ok("name.family.where(contains('mit'))"), ["Smith"]);
    assert_eq!(ok("name.first().family.length()"), ["5"]);
    assert_eq!(ok("name.first().family.substring(1, 3)"), ["mit"]);
    assert_eq!(ok("name.first().family.substring(2)"), ["ith"]);
    assert_eq!(ok("name.first().family.substring(9)"), Vec::<String>::new());
    assert_eq!(ok("gender.upper()"), ["FEMALE"]);
    assert_eq!(ok("'AbC'.lower()"), ["abc"]);
    assert!(eval("name.family.upper()")
        .unwrap_err()
        .contains("expects a single item"));
}

#[test]
fn iif_and_membership() {
    assert_eq!(ok("iif(gender = 'female', 'F', 'M')"), ["F"]);
    assert_eq!(ok("iif(gender = 'male', 'M')"), Vec::<String>::new());
    assert_eq!(ok("'maiden' in name.use"), ["true"]);
    assert_eq!(ok("name.use contains 'nickname'"), ["false"]);
    assert_eq!(ok("{} in name.use"), Vec::<String>::new());
    assert!(eval("iif(gender, 1, 2)")
        .unwrap_err()
        .contains("is not a boolean"));
}

#[test]
fn subsetting() {
    assert_eq!(ok("name.given.distinct()"), ["Ann", "Bea"]);
    assert_eq!(ok("name.given.skip(1)"), ["Bea", "Ann"]);
    assert_eq!(ok("name.given.take(2)"), ["Ann", "Bea"]);
    assert_eq!(ok("name.given.tail()"), ["Bea", "Ann"]);
    assert_eq!(ok("telecom.single().value"), ["555"]);
    assert!(eval("name.single()")
        .unwrap_err()
        .contains("single() expects a single item, got 2"));
    assert_eq!(ok("name.given.count()"), ["3"]);
    assert_eq!(ok("name.last().family"), ["Jones"]);
    assert_eq!(ok("(name.given | name.family).count()"), ["4"]);
}

#[test]
fn type_tests_and_choices() {
    assert_eq!(ok("multipleBirth.is(integer)"), ["true"]);
    assert_eq!(ok("multipleBirth.is(boolean)"), ["false"]);
    assert_eq!(ok("multipleBirth.as(integer) + 1"), ["3"]);
    assert_eq!(ok("multipleBirth.as(boolean)"), Vec::<String>::new());
    assert_eq!(ok("birthDate.hasValue()"), ["true"]);
    assert_eq!(ok("name.hasValue()"), ["false"]);
}

#[test]
fn arithmetic_and_logic() {
    assert_eq!(ok("7 div 2"), ["3"]);
    assert_eq!(ok("7 mod 2"), ["1"]);
    assert_eq!(ok("7 / 2"), ["3.5"]);
    assert_eq!(ok("1.5 * 2"), ["3.0"]);
    // Decimals are exact: no binary floating point in + - *.
    assert_eq!(ok("0.1 + 0.2"), ["0.3"]);
    assert_eq!(ok("1.10 - 2.205"), ["-1.105"]);
    assert_eq!(ok("0.05 * 0.5"), ["0.025"]);
    assert_eq!(ok("(-1.0).lowBoundary()"), ["-1.05"]);
    assert_eq!(ok("12.345.highBoundary()"), ["12.3455"]);
    assert_eq!(ok("7.lowBoundary()"), ["6.5"]);
    assert_eq!(
        ok("12345678901234567890.5 + 0.25"),
        ["12345678901234567890.75"]
    );
    assert_eq!(ok("-(2 - 5)"), ["3"]);
    assert_eq!(ok("'a' & {} & 'b'"), ["ab"]);
    assert_eq!(ok("gender = 'female' xor true"), ["false"]);
    assert_eq!(ok("{} implies false"), Vec::<String>::new());
    assert_eq!(ok("false implies {}"), ["true"]);
    assert_eq!(ok("(gender = 'x') or {}"), Vec::<String>::new());
    assert_eq!(ok("birthDate > @1970-01-01"), ["true"]);
    assert_eq!(ok("name.family ~ ('Smith' | 'Jones')"), ["true"]);
    assert!(eval("gender + 1")
        .unwrap_err()
        .contains("arithmetic on a non-number"));
}
