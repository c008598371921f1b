//! Escapes and key order do not change `bcda stats`' report: a synthetic export rewritten with
//! sorted keys at every level (BCDA's byte style) and escapes of every kind gives, on the fast
//! lane and on the serde_json lane, the report of the original export.

use bcda_ndjson::project::Projected;
use bcda_ndjson::stats::{Stats, StatsReport};
use bcda_ndjson::{Config, Engine, Inputs};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};

/// 2026-01-01T00:00:00Z.
const REFERENCE: i64 = 1_767_225_600;

/// `line` with sorted keys (serde_json's map is ordered by key) and escapes that keep its
/// meaning: every `/` as `\/` (URLs, references), and in every other line the letters of
/// display texts as `\uXXXX`, with the other short escapes and a surrogate pair appended to
/// them (display texts are not read by the statistics).
fn rewrite(line: &[u8], n: usize) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(line).expect("valid line");
    if n.is_multiple_of(2) {
        escape_displays(&mut value);
    }
    let text = serde_json::to_string(&value).expect("serialise");
    let mut text = text.replace('/', "\\/");
    if n.is_multiple_of(2) {
        // `\u` + the hex of the letter: serde_json wrote `\\u` for the marker's backslash.
        text = text.replace("\\\\u", "\\u");
        text = text.replace("\\\\n", "\\\"\\\\\\/\\b\\f\\n\\r\\t\\uD83D\\uDE00");
    }
    text.into_bytes()
}

/// Replaces each `display` string by a marker that [`rewrite`] turns into escapes.
fn escape_displays(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "display" {
                    if let serde_json::Value::String(s) = child {
                        let mut out: String = s
                            .chars()
                            .map(|c| {
                                if c.is_ascii_alphabetic() {
                                    format!("\\u{:04x}", c as u32)
                                } else {
                                    c.to_string()
                                }
                            })
                            .collect();
                        out.push_str("’\\n");
                        *s = out;
                    }
                } else {
                    escape_displays(child);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(escape_displays),
        _ => {}
    }
}

fn export(dir: &std::path::Path, version: FhirVersion, styled: bool) {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9994")
        .expect("A9994")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let benes: Vec<u32> = g.current_beneficiaries().into_iter().take(30).collect();
    for kind in [
        ResourceKind::Patient,
        ResourceKind::Coverage,
        ResourceKind::ExplanationOfBenefit,
    ] {
        let mut out = Vec::new();
        g.write_ndjson(version, kind, &benes, None, REFERENCE, &mut out)
            .expect("generate");
        if styled {
            let lines: Vec<Vec<u8>> = out
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .enumerate()
                .map(|(n, l)| rewrite(l, n))
                .collect();
            out = lines.join(&b'\n');
            out.push(b'\n');
        }
        // Files named so that the type is not known from the name: the lanes must find it in
        // lines whose first key is not `resourceType`.
        let name = format!("part-{}.ndjson", kind.as_str().len());
        std::fs::write(dir.join(name), out).expect("write");
    }
}

fn report(dir: &std::path::Path, lane: &Projected, threads: usize) -> StatsReport {
    let inputs = Inputs::discover(&[dir]).expect("inputs");
    let engine = Engine::new(Config {
        threads,
        chunk_bytes: 64 << 10,
        ..Config::default()
    })
    .expect("engine");
    Stats::default().run_with(&engine, &inputs, lane, None)
}

/// The parts of a report that describe the data (not the files' bytes).
fn data(r: &StatsReport) -> String {
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        r.totals.records,
        r.totals.resources,
        r.totals.issues_by_kind,
        r.claim_types,
        r.months,
        r.beneficiaries,
        r.top,
        r.patients,
        r.coverage,
        r.checks
    )
}

#[test]
fn escaped_sorted_lines_give_the_same_report_on_both_lanes() {
    for version in [FhirVersion::Stu3, FhirVersion::R4] {
        let (plain, styled) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        export(plain.path(), version, false);
        export(styled.path(), version, true);
        let text = std::fs::read_to_string(styled.path().join("part-20.ndjson")).unwrap();
        for escape in [
            "\\u00", "\\/", "\\\"", "\\\\", "\\b", "\\f", "\\n", "\\r", "\\t",
        ] {
            assert!(text.contains(escape), "the corpus lacks {escape}");
        }
        assert!(text.contains("\\uD83D\\uDE00") && text.contains('’'));
        assert!(!text.starts_with("{\"resourceType\""), "keys are sorted");

        let want = report(plain.path(), &Projected::default(), 1);
        assert!(want.totals.records > 300, "{} records", want.totals.records);
        assert_eq!(want.totals.errors, 0);
        assert!(want.claim_types.iter().any(|t| t.claims > 0));
        for threads in [1, 2] {
            for lane in [Projected::default(), Projected::serde_only()] {
                let got = report(styled.path(), &lane, threads);
                assert_eq!(data(&got), data(&want), "{version:?} {lane:?} {threads}");
            }
        }
    }
}
