//! Evaluation on NDJSON lines: rows, runtime errors with their locations, the projection, the
//! escape fallback and several views in one pass.

use bcda_view::{Cell, EvalError, Value, View, ViewSet};
use serde_json::json;

fn rows(view: &View, line: &str) -> Result<Vec<Vec<Cell<'static>>>, EvalError> {
    let mut out = Vec::new();
    view.eval_line(line, &mut |cells: &[Cell<'_>]| {
        out.push(cells.iter().map(owned).collect());
    })?;
    Ok(out)
}

fn owned(c: &Cell<'_>) -> Cell<'static> {
    let v = |v: &Value<'_>| match v {
        Value::Bool(b) => Value::Bool(*b),
        Value::Integer(i) => Value::Integer(*i),
        Value::Decimal(d) => Value::Decimal(d.to_string().into()),
        Value::String(s) => Value::String(s.to_string().into()),
    };
    match c {
        Cell::Null => Cell::Null,
        Cell::One(x) => Cell::One(v(x)),
        Cell::Many(xs) => Cell::Many(xs.iter().map(v).collect()),
    }
}

fn s(text: &str) -> Cell<'static> {
    Cell::One(Value::String(text.to_string().into()))
}

const EOB: &str = r#"{"resourceType":"ExplanationOfBenefit","id":"e1","status":"active","big":{"deep":[1,2,{"x":"y"}]},"item":[{"sequence":1,"productOrService":{"coding":[{"system":"https://bluebutton.cms.gov/resources/codesystem/hcpcs","code":"99213"}]},"adjudication":[{"amount":{"value":50.00}}]},{"sequence":2,"productOrService":{"coding":[{"system":"other","code":"x"},{"system":"https://bluebutton.cms.gov/resources/codesystem/hcpcs","code":"G0402"}]},"adjudication":[{"amount":{"value":12.5}}]}]}"#;

fn eob_line_view() -> View {
    View::from_value(&json!({"resource": "ExplanationOfBenefit", "name": "eob_line", "select": [
        {"column": [{"name": "id", "path": "getResourceKey()"}]},
        {"forEach": "item", "column": [
            {"name": "seq", "path": "sequence", "type": "integer"},
            {"name": "hcpcs", "path": "productOrService.coding.where(system = 'https://bluebutton.cms.gov/resources/codesystem/hcpcs').code", "type": "code"},
            {"name": "paid", "path": "adjudication.amount.value", "type": "decimal"}
        ]}
    ]}))
    .unwrap()
}

#[test]
fn foreach_rows_with_exact_decimals() {
    let r = rows(&eob_line_view(), EOB).unwrap();
    assert_eq!(
        r,
        vec![
            vec![
                s("e1"),
                Cell::One(Value::Integer(1)),
                s("99213"),
                Cell::One(Value::Decimal("50.00".into()))
            ],
            vec![
                s("e1"),
                Cell::One(Value::Integer(2)),
                s("G0402"),
                Cell::One(Value::Decimal("12.5".into()))
            ],
        ]
    );
}

#[test]
fn projection_keeps_only_touched_fields() {
    let v = eob_line_view();
    let f = v.fields();
    let names: Vec<&str> = f.children.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"item") && names.contains(&"id"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"big") && !names.contains(&"status"),
        "{names:?}"
    );
}

#[test]
fn other_resource_types_yield_no_rows() {
    let line = r#"{"resourceType":"Patient","id":"p1"}"#;
    assert_eq!(rows(&eob_line_view(), line).unwrap().len(), 0);
}

#[test]
fn escaped_strings_take_the_fallback_and_are_unescaped() {
    let v = View::from_value(&json!({"resource": "Patient", "select": [
        {"forEach": "name", "column": [{"name": "family", "path": "family"}]}]}))
    .unwrap();
    let line = r#"{"resourceType":"Patient","id":"p\"1","name":[{"family":"O\u2019Brien \"x\""}]}"#;
    assert_eq!(
        rows(&v, line).unwrap(),
        vec![vec![s("O\u{2019}Brien \"x\"")]]
    );
}

#[test]
fn where_on_a_non_boolean_names_the_path() {
    let v = View::from_value(&json!({"resource": "Patient", "name": "pts",
        "select": [{"column": [{"name": "id", "path": "id"}]}],
        "where": [{"path": "name.family"}]}))
    .unwrap();
    let e = rows(
        &v,
        r#"{"resourceType":"Patient","id":"p1","name":[{"family":"F"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "view pts: where[0].path (`name.family`) on Patient/p1 at $: a view `where` path is not a boolean"
    );
    // Empty is false, not an error.
    assert_eq!(
        rows(&v, r#"{"resourceType":"Patient","id":"p2"}"#)
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn more_than_one_value_without_collection_is_an_error_with_its_location() {
    let v = View::from_value(&json!({"resource": "Patient", "select": [
        {"forEach": "name", "column": [{"name": "given", "path": "given"}]}]}))
    .unwrap();
    let line =
        r#"{"resourceType":"Patient","id":"p1","name":[{"given":["a"]},{"given":["b","c"]}]}"#;
    let e = rows(&v, line).unwrap_err();
    match &e {
        EvalError::Path(f) => {
            assert_eq!(f.path, "select[0].column[0].path");
            assert_eq!(f.at, "name[1]");
            assert_eq!(f.resource, "Patient/p1");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("column `given` has 2 values"), "{e}");
}

#[test]
fn invalid_json_is_reported() {
    let e = rows(
        &eob_line_view(),
        r#"{"resourceType":"ExplanationOfBenefit","id":}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&e, EvalError::Json { message } if message.contains("column")),
        "{e:?}"
    );
    let e = rows(&eob_line_view(), "[1]").unwrap_err();
    assert!(matches!(e, EvalError::Json { .. }));
}

#[test]
fn view_set_parses_once_and_feeds_every_view() {
    let patient = View::from_value(&json!({"resource": "Patient", "select": [
        {"column": [{"name": "id", "path": "id"}]}]}))
    .unwrap();
    let set = ViewSet::new(vec![eob_line_view(), patient, eob_line_view()]);
    let mut seen = Vec::new();
    let n = set
        .eval_line(EOB, &mut |i, cells| seen.push((i, cells.len())))
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(seen, vec![(0, 4), (0, 4), (2, 4), (2, 4)]);
    let n = set
        .eval_line(r#"{"resourceType":"Patient","id":"p"}"#, &mut |i, _| {
            assert_eq!(i, 1)
        })
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn bytes_lines_with_crlf_and_invalid_utf8() {
    let v = eob_line_view();
    let mut n = 0;
    let line = format!("{EOB}\r\n");
    v.eval_bytes(line.as_bytes(), &mut |_: &[Cell<'_>]| n += 1)
        .unwrap();
    assert_eq!(n, 2);
    let mut bad = br#"{"resourceType":"ExplanationOfBenefit","id":"e"#.to_vec();
    bad.extend_from_slice(&[0xff, b'"', b'}']);
    let e = v.eval_bytes(&bad, &mut |_: &[Cell<'_>]| {}).unwrap_err();
    assert!(
        matches!(&e, EvalError::Json { message } if message.starts_with("invalid UTF-8")),
        "{e:?}"
    );
}

#[test]
fn a_line_scanned_by_the_engine_is_not_indexed_twice() {
    use bcda_ndjson::scan::Index;
    let v = eob_line_view();
    let other = r#"{"resourceType":"ExplanationOfBenefit","id":"e2","item":[{"sequence":7}]}"#;
    let chunk = format!("{EOB}\n{other}\n");
    let mut index = Index::new();
    let mut rest = chunk.as_bytes();
    let mut seen = Vec::new();
    while !rest.is_empty() {
        let end = index.scan_line(rest);
        v.eval_indexed(&mut index, &rest[..end], &mut |cells: &[Cell<'_>]| {
            seen.push(owned(&cells[1]));
        })
        .unwrap();
        rest = &rest[(end + 1).min(rest.len())..];
    }
    let seq = |i| Cell::One(Value::Integer(i));
    assert_eq!(seen, vec![seq(1), seq(2), seq(7)]);
    // An index that scanned another line is not trusted for this one.
    index.scan_line(other.as_bytes());
    let n = v
        .eval_indexed(&mut index, EOB.as_bytes(), &mut |_: &[Cell<'_>]| {})
        .unwrap();
    assert_eq!(n, 2);
    let set = ViewSet::new(vec![eob_line_view()]);
    let end = index.scan_line(chunk.as_bytes());
    let n = set
        .eval_indexed(&mut index, &chunk.as_bytes()[..end], &mut |_, _| {})
        .unwrap();
    assert_eq!(n, 2);
}
