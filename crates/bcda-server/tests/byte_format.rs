//! Export files in BCDA's byte format (issue 15, item 5), over HTTP.
//!
//! BCDA's worker decodes every resource into a Go `map[string]interface{}` and marshals it
//! again (`bcdaworker/worker/worker.go`, `fhirBundleToResourceNDJSON`). The reference below
//! does the same to a `serde_json` tree with Go's `encoding/json` rules; it is itself checked
//! against real BCDA output in `../shared/samples` (set `BCDA_SHARED`). Every downloaded line
//! of a default server must equal the reference's re-marshalling of the same resource, byte
//! for byte; a server with BFD's key order writes the same resources `resourceType` first.

#[macro_use]
mod common;

use std::path::PathBuf;

use bcda_protocol::Manifest;
use bcda_synth::{KeyOrder, Style, TextEscapes};
use common::*;
use serde_json::Value;

/// Go's `encoding/json` rules for a value decoded into `interface{}`.
mod go_json {
    use serde_json::Value;
    use std::fmt::Write;

    /// The bytes `json.Marshal` writes for `v` (objects are Go maps: keys sorted by bytes).
    pub(crate) fn marshal(v: &Value) -> String {
        let mut out = String::new();
        value(v, &mut out);
        out
    }

    fn value(v: &Value, out: &mut String) {
        match v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            // interface{} decoding turns every number into a float64.
            Value::Number(n) => float64(n.as_f64().expect("a JSON number fits f64"), out),
            Value::String(s) => string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    value(item, out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                out.push('{');
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(k, out);
                    out.push(':');
                    value(v, out);
                }
                out.push('}');
            }
        }
    }

    /// `floatEncoder(64)`: strconv 'f' with the shortest precision, or 'e' below 1e-6 and
    /// from 1e21, with a negative exponent's leading zero dropped (`1e-07` -> `1e-7`).
    pub(crate) fn float64(f: f64, out: &mut String) {
        let abs = f.abs();
        if abs == 0.0 || (1e-6..1e21).contains(&abs) {
            // Rust's Display is the shortest round-trip text in positional form, as 'f', -1.
            write!(out, "{f}").unwrap();
            return;
        }
        let sci = format!("{f:e}"); // e.g. "1.5e-7", "1e21"
        let (mantissa, exp) = sci.split_once('e').unwrap();
        let exp: i32 = exp.parse().unwrap();
        if exp < 0 {
            write!(out, "{mantissa}e-{}", -exp).unwrap();
        } else {
            write!(out, "{mantissa}e+{exp:02}").unwrap();
        }
    }

    /// `encodeState.string` with `escapeHTML` (what `json.Marshal` does), Go 1.22+.
    pub(crate) fn string(s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                    write!(out, "\\u{:04x}", c as u32).unwrap()
                }
                c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

/// Go's re-marshalling of one NDJSON line.
fn go_line(line: &str) -> String {
    let v: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", &line[..line.len().min(200)]));
    go_json::marshal(&v)
}

fn shared_samples() -> PathBuf {
    let dir = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("samples");
    assert!(
        dir.join("v2/bcda__test_no_encoding.ndjson").is_file(),
        "BCDA's sample files not found under {} (set BCDA_SHARED to the shared/ directory)",
        dir.display()
    );
    dir
}

#[test]
fn reference_reproduces_real_bcda_output() {
    let dir = shared_samples();
    let mut files = vec![dir.join("v2/bcda__test_no_encoding.ndjson")];
    for e in std::fs::read_dir(dir.join("v1")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("bcda-site__") && name.ends_with(".ndjson") {
            files.push(e.path());
        }
    }
    assert!(files.len() >= 2, "no v1 bcda-site__*.ndjson sample");
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
            let again = go_line(line);
            assert!(
                again == line,
                "{}:{}: the reference differs from BCDA's bytes\n bcda: {line}\n ours: {again}",
                f.display(),
                n + 1
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the samples hold no line");
}

#[test]
fn reference_numbers_and_escapes_are_gos() {
    let mut s = String::new();
    for f in [
        50.0, 120.5, -3.0, 0.05, 1e-6, 1.5e-7, 1.25e-10, 1e20, 1e21, 0.0,
    ] {
        go_json::float64(f, &mut s);
        s.push(' ');
    }
    assert_eq!(
        s,
        "50 120.5 -3 0.05 0.000001 1.5e-7 1.25e-10 100000000000000000000 1e+21 0 "
    );
    let mut t = String::new();
    go_json::string("<a href=\"x\">&\u{1}\t\u{2028}é", &mut t);
    assert_eq!(t, r#""\u003ca href=\"x\"\u003e\u0026\u0001\t\u2028é""#);
    assert_eq!(
        go_line(r#"{"z":{"b":1.50,"a":[2.0]},"resourceType":"X","Z":1e2}"#),
        r#"{"Z":100,"resourceType":"X","z":{"a":[2],"b":1.5}}"#
    );
}

/// One export's files: (resource type, the file's lines), in manifest order.
async fn export_lines(s: &TestServer, aco: &str, path: &str) -> Vec<(String, Vec<String>)> {
    let token = s.token(aco).await;
    let status = s.start_job(&token, path).await;
    let (code, body) = s.wait_job(&token, &status).await;
    assert_eq!(code, 200, "{path}: {body}");
    let manifest = Manifest::parse(&body).unwrap();
    assert!(manifest.error.is_empty(), "{body}");
    let mut files = Vec::new();
    for entry in &manifest.output {
        let resp = s.get(&token, &entry.url[s.base.len()..]).await;
        assert_eq!(resp.status(), 200, "{}", entry.url);
        let text = resp.text().await.unwrap();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        assert!(!lines.is_empty(), "{}: empty file", entry.url);
        files.push((entry.resource_type.clone(), lines));
    }
    files
}

/// The exports compared: every resource type of both versions, claims of both flavours.
const EXPORTS: [(&str, &str); 3] = [
    ("A9998", "/api/v1/Patient/$export"),
    ("A9998", "/api/v2/Patient/$export"),
    (
        "TEST001",
        "/api/v2/Patient/$export?_type=Patient,Claim,ClaimResponse",
    ),
];

both_stores!(downloaded_files_are_gos_remarshalling_and_bfd_order_is_an_option);
async fn downloaded_files_are_gos_remarshalling_and_bfd_order_is_an_option() {
    // Default configuration: BCDA's bytes.
    let s = start().await;
    let mut go_exports = Vec::new();
    for (aco, path) in EXPORTS {
        let files = export_lines(&s, aco, path).await;
        let mut types: Vec<&str> = files.iter().map(|(t, _)| t.as_str()).collect();
        types.dedup();
        assert!(types.len() >= 3, "{aco} {path}: types {types:?}");
        for (rtype, lines) in &files {
            for (n, line) in lines.iter().enumerate() {
                let want = go_line(line);
                assert!(
                    &want == line,
                    "{aco} {path} {rtype} line {}: not Go's re-marshalling\n want: {want}\n got:  {line}",
                    n + 1
                );
            }
        }
        go_exports.push(files);
    }
    let dir = s.stop_keep_dir().await;

    // Same data directory (same reference instant, same resources) with BFD's key order.
    let bfd = start_in(dir, |c| c.output_style = Style::BFD).await;
    for ((aco, path), go_files) in EXPORTS.into_iter().zip(&go_exports) {
        let bfd_files = export_lines(&bfd, aco, path).await;
        assert_eq!(bfd_files.len(), go_files.len(), "{aco} {path}: file count");
        for ((rtype, b_lines), (_, g_lines)) in bfd_files.iter().zip(go_files) {
            assert_eq!(b_lines.len(), g_lines.len(), "{aco} {path} {rtype}: lines");
            for (n, (b, g)) in b_lines.iter().zip(g_lines).enumerate() {
                let head = format!("{{\"resourceType\":\"{rtype}\",");
                assert!(
                    b.starts_with(&head),
                    "{aco} {rtype} line {}: {}",
                    n + 1,
                    &b[..b.len().min(80)]
                );
                assert!(
                    &go_line(b) == g,
                    "{aco} {path} {rtype} line {}: BFD-order line is not the same resource",
                    n + 1
                );
            }
        }
    }
    bfd.stop().await;
}

both_stores!(ascii_text_option_writes_ascii_with_the_same_content);
async fn ascii_text_option_writes_ascii_with_the_same_content() {
    let s = start_with(|c| {
        c.output_style = Style {
            keys: KeyOrder::Go,
            text: TextEscapes::AsciiEscaped,
        }
    })
    .await;
    let files = export_lines(&s, "A9998", "/api/v2/Patient/$export").await;
    let mut escaped = 0;
    for (_, lines) in &files {
        for line in lines {
            assert!(line.is_ascii(), "non-ASCII byte: {line}");
            assert!(!line.starts_with("{\"resourceType\""), "Go key order");
            escaped += line.contains("\\u00") as u32;
        }
    }
    assert!(escaped > 0, "no line had a character to escape");
    s.stop().await;
}
