//! Byte style: the generator's Go-style lines equal, byte for byte, a reference re-marshalling
//! of its BFD-style lines written here with Go's `encoding/json` rules (as BCDA's worker does:
//! decode into `map[string]interface{}`, marshal again). The reference itself is checked
//! against real BCDA output from `../shared/samples` (set `BCDA_SHARED`): it must reproduce
//! those files byte for byte.

use bcda_synth::{
    AcoSpec, FhirVersion, Filter, Flavour, Generator, KeyOrder, ResourceKind, Style, TextEscapes,
};
use serde_json::Value;
use std::path::PathBuf;

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z

fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("samples/v2/bcda__test_no_encoding.ndjson")
            .is_file(),
        "reference samples not found at {} (set BCDA_SHARED to the shared/ directory)",
        dir.display()
    );
    dir
}

// ---- the reference: Go's encoding/json marshalling of a decoded interface{} ----

/// Go's `encoding/json` text of a `float64` (`floatEncoder.encode`, bits = 64).
fn go_float(f: f64, out: &mut String) {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // strconv 'e' with shortest precision: mantissa, 'e', sign, at least two digits;
        // encoding/json then turns e-07 into e-7.
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent");
        let exp: i32 = exp.parse().expect("exponent digits");
        out.push_str(mantissa);
        if exp < 0 {
            out.push_str(&format!("e-{}", -exp));
        } else {
            out.push_str(&format!("e+{exp:02}"));
        }
    } else {
        // Rust's Display is the shortest round-trip text without exponent, as 'f' with -1.
        out.push_str(&format!("{f}"));
    }
}

/// Go's `encoding/json` string encoding with HTML escaping (the default `Marshal`), Go 1.22+.
fn go_string(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", ch as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's marshalling of a value decoded into `interface{}`: maps with sorted keys, every
/// number a `float64`.
fn go_marshal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => go_float(n.as_f64().expect("number as f64"), out),
        Value::String(s) => go_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_marshal(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(k, out);
                out.push(':');
                go_marshal(&m[k], out);
            }
            out.push('}');
        }
    }
}

fn go_line(line: &[u8]) -> String {
    let v: Value = serde_json::from_slice(line).expect("line is JSON");
    let mut s = String::with_capacity(line.len());
    go_marshal(&v, &mut s);
    s
}

fn lines(buf: &[u8]) -> Vec<&[u8]> {
    buf.split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn reference_reproduces_real_bcda_files() {
    let dir = shared_dir().join("samples");
    let files = [
        "v2/bcda__test_no_encoding.ndjson",
        "v1/bcda-site__Patient.ndjson",
        "v1/bcda-site__Coverage.ndjson",
    ];
    for f in files {
        let text = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let ls = lines(&text);
        assert!(!ls.is_empty(), "{f} is empty");
        for (n, line) in ls.iter().enumerate() {
            let again = go_line(line);
            assert!(
                again.as_bytes() == *line,
                "{f} line {}: the reference re-marshalling differs\n real: {}\n ours: {again}",
                n + 1,
                String::from_utf8_lossy(line)
            );
        }
    }
}

#[test]
fn reference_formats_numbers_and_escapes_as_go() {
    let mut s = String::new();
    for f in [
        50.0,
        120.5,
        0.05,
        -3.0,
        1e21,
        1.5e-7,
        1e-6,
        123456789.0,
        0.0,
    ] {
        go_float(f, &mut s);
        s.push(' ');
    }
    assert_eq!(s, "50 120.5 0.05 -3 1e+21 1.5e-7 0.000001 123456789 0 ");
    let mut t = String::new();
    go_string("a<b>&\"\\\u{1}\u{2028}’", &mut t);
    assert_eq!(t, r#""a\u003cb\u003e\u0026\"\\\u0001\u2028’""#);
}

/// A small ACO with every claim type and partially adjudicated claims.
fn generator() -> Generator {
    let spec = AcoSpec {
        cms_id: "STYLE".into(),
        beneficiaries: 24,
        flavour: Flavour::Advanced,
        partially_adjudicated: true,
    };
    Generator::new(&spec, REFERENCE)
}

fn generate(g: &Generator, version: FhirVersion, kind: ResourceKind, style: Style) -> Vec<u8> {
    let benes: Vec<u32> = (0..g.spec().beneficiaries).collect();
    let mut buf = Vec::new();
    g.write_ndjson_styled(version, kind, &benes, &Filter::default(), style, &mut buf)
        .expect("generate");
    buf
}

fn kinds(version: FhirVersion) -> Vec<ResourceKind> {
    match version {
        FhirVersion::Stu3 => ResourceKind::ALL[..3].to_vec(),
        FhirVersion::R4 => ResourceKind::ALL.to_vec(),
    }
}

#[test]
fn go_style_equals_go_remarshalling_of_bfd_style() {
    let g = generator();
    let go = Style::default();
    for version in [FhirVersion::Stu3, FhirVersion::R4] {
        let mut eob_types = std::collections::BTreeSet::new();
        for kind in kinds(version) {
            let bfd = generate(&g, version, kind, Style::BFD);
            let ours = generate(&g, version, kind, go);
            let (bfd, ours) = (lines(&bfd), lines(&ours));
            assert!(!bfd.is_empty(), "{version:?} {kind}: nothing generated");
            assert_eq!(bfd.len(), ours.len(), "{version:?} {kind}: line counts");
            for (n, (b, o)) in bfd.iter().zip(&ours).enumerate() {
                assert!(
                    b.starts_with(b"{\"resourceType\":"),
                    "BFD style starts with resourceType"
                );
                let want = go_line(b);
                assert!(
                    want.as_bytes() == *o,
                    "{version:?} {kind} line {}: Go style differs from the re-marshalling\n want: {want}\n ours: {}",
                    n + 1,
                    String::from_utf8_lossy(o)
                );
                if kind == ResourceKind::ExplanationOfBenefit {
                    let v: Value = serde_json::from_slice(o).unwrap();
                    eob_types.insert(
                        v["id"]
                            .as_str()
                            .unwrap()
                            .split('-')
                            .next()
                            .unwrap()
                            .to_string(),
                    );
                }
            }
        }
        assert!(
            eob_types.len() >= 8,
            "{version:?}: claim types covered: {eob_types:?}"
        );
    }
}

#[test]
fn ascii_escaped_is_ascii_and_means_the_same() {
    let g = generator();
    let ascii = Style {
        keys: KeyOrder::Go,
        text: TextEscapes::AsciiEscaped,
    };
    let mut escaped = 0;
    for version in [FhirVersion::Stu3, FhirVersion::R4] {
        for kind in kinds(version) {
            let utf8 = generate(&g, version, kind, Style::default());
            let asc = generate(&g, version, kind, ascii);
            assert!(
                asc.is_ascii(),
                "{version:?} {kind}: non-ASCII byte in ASCII style"
            );
            for (u, a) in lines(&utf8).iter().zip(lines(&asc)) {
                let (vu, va): (Value, Value) = (
                    serde_json::from_slice(u).unwrap(),
                    serde_json::from_slice(a).unwrap(),
                );
                assert_eq!(vu, va, "{version:?} {kind}: styles disagree on content");
                escaped += (u.len() != a.len()) as u32;
            }
        }
    }
    assert!(escaped > 0, "no line had a non-ASCII character to escape");
}
