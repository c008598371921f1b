//! `View::eval_line` and `ViewSet::eval_line` on one thread over generated v2 (R4) EOBs,
//! against the generic-tree approach other SQL on FHIR engines take: parse each line into a
//! `serde_json::Value` and walk it (here by hand-written Rust for the same view, so the
//! baseline pays no FHIRPath interpretation at all). Both sides must produce the same rows
//! (row count and a checksum of key columns) or the bench panics.
//!
//! Corpus: sandbox ACO A9993's v2 EOBs from `bcda-synth` (reference instant 2026-01-01, whole
//! beneficiaries in attribution order) up to `BCDA_BENCH_MB` MiB (default 64), in memory.
//!
//! `view_eob_line_scan_line` reads as the engine does: `Index::scan_line` finds each line's end
//! (stage 1 as the line splitter) and `View::eval_indexed` reuses that scan.
//!
//! Run: `cargo bench -p bcda-view --bench eval_line`

use std::time::Duration;

use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use bcda_view::{Cell, Value, View, ViewSet};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value as Json;

const REFERENCE: i64 = 1_767_225_600;
const HCPCS: &str = "https://bluebutton.cms.gov/resources/codesystem/hcpcs";
const PAID: &str = "https://bluebutton.cms.gov/resources/variables/line_nch_pmt_amt";

fn corpus() -> String {
    let mb: usize = std::env::var("BCDA_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9993")
        .expect("A9993 in the sandbox catalogue")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let mut buf = Vec::new();
    for chunk in g.current_beneficiaries().chunks(16) {
        g.write_ndjson(
            FhirVersion::R4,
            ResourceKind::ExplanationOfBenefit,
            chunk,
            None,
            REFERENCE,
            &mut buf,
        )
        .expect("generate");
        if buf.len() >= mb << 20 {
            break;
        }
    }
    String::from_utf8(buf).expect("generated NDJSON is UTF-8")
}

fn eob_line() -> View {
    View::from_json(&format!(
        r#"{{"resource": "ExplanationOfBenefit", "name": "eob_line", "select": [
        {{"column": [{{"name": "eob_id", "path": "getResourceKey()"}},
                     {{"name": "patient", "path": "patient.getReferenceKey(Patient)"}}]}},
        {{"forEach": "item", "column": [
            {{"name": "seq", "path": "sequence", "type": "integer"}},
            {{"name": "hcpcs", "path": "productOrService.coding.where(system = '{HCPCS}').code.first()", "type": "code"}},
            {{"name": "quantity", "path": "quantity.value", "type": "decimal"}},
            {{"name": "paid", "path": "adjudication.where(category.coding.where(code = '{PAID}').exists()).amount.value.first()", "type": "decimal"}}
        ]}}]}}"#
    ))
    .expect("the bench view loads")
}

fn eob() -> View {
    View::from_json(
        r#"{"resource": "ExplanationOfBenefit", "name": "eob", "select": [{"column": [
        {"name": "eob_id", "path": "getResourceKey()"},
        {"name": "status", "path": "status"},
        {"name": "patient", "path": "patient.getReferenceKey(Patient)"},
        {"name": "start", "path": "billablePeriod.start", "type": "date"},
        {"name": "payment", "path": "payment.amount.value", "type": "decimal"},
        {"name": "last_updated", "path": "meta.lastUpdated", "type": "instant"}]}]}"#,
    )
    .expect("the bench view loads")
}

fn eob_diagnosis() -> View {
    View::from_json(
        r#"{"resource": "ExplanationOfBenefit", "name": "eob_diagnosis", "select": [
        {"column": [{"name": "eob_id", "path": "getResourceKey()"}]},
        {"forEach": "diagnosis", "column": [
            {"name": "seq", "path": "sequence", "type": "integer"},
            {"name": "code", "path": "diagnosis.ofType(CodeableConcept).coding.code.first()", "type": "code"}]}]}"#,
    )
    .expect("the bench view loads")
}

/// What both sides must agree on: rows, non-null HCPCS codes, their bytes, the sum of the
/// sequences and the non-null paid amounts.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Check {
    rows: u64,
    hcpcs: u64,
    hcpcs_bytes: u64,
    seq_sum: i64,
    paid: u64,
}

fn with_view(view: &View, text: &str) -> Check {
    let mut c = Check::default();
    for line in text.lines() {
        view.eval_line(line, &mut |cells: &[Cell<'_>]| c.add(cells))
            .expect("the view runs");
    }
    c
}

/// As the engine reads: stage 1 of the structural index finds each line's end
/// (`Index::scan_line`) and the view reuses that scan (`View::eval_indexed`).
fn with_view_scanned(view: &View, text: &str) -> Check {
    let mut c = Check::default();
    let mut index = bcda_ndjson::scan::Index::new();
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        let end = index.scan_line(rest);
        if end > 0 {
            view.eval_indexed(&mut index, &rest[..end], &mut |cells: &[Cell<'_>]| {
                c.add(cells)
            })
            .expect("the view runs");
        }
        rest = &rest[(end + 1).min(rest.len())..];
    }
    c
}

impl Check {
    /// Adds one row of the eob_line view.
    fn add(&mut self, cells: &[Cell<'_>]) {
        self.rows += 1;
        if let Cell::One(Value::Integer(s)) = &cells[2] {
            self.seq_sum += s;
        }
        if let Cell::One(Value::String(h)) = &cells[3] {
            self.hcpcs += 1;
            self.hcpcs_bytes += h.len() as u64;
        }
        self.paid += u64::from(!matches!(cells[5], Cell::Null));
    }
}

/// The generic-tree baseline: serde_json::Value per line, the same view by hand.
fn with_tree(text: &str) -> Check {
    let mut c = Check::default();
    for line in text.lines() {
        let v: Json = serde_json::from_str(line).expect("valid JSON");
        let Some(items) = v["item"].as_array() else {
            continue;
        };
        for item in items {
            c.rows += 1;
            c.seq_sum += item["sequence"].as_i64().unwrap_or(0);
            let hcpcs = item["productOrService"]["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|cd| cd["system"] == HCPCS)
                .and_then(|cd| cd["code"].as_str());
            if let Some(h) = hcpcs {
                c.hcpcs += 1;
                c.hcpcs_bytes += h.len() as u64;
            }
            let paid = item["adjudication"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| {
                    a["category"]["coding"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|cd| cd["code"] == PAID)
                });
            c.paid += u64::from(paid.is_some_and(|a| a["amount"]["value"].is_number()));
        }
    }
    c
}

fn bench(crit: &mut Criterion) {
    let text = corpus();
    let view = eob_line();
    let expected = with_tree(&text);
    let got = with_view(&view, &text);
    assert_eq!(
        got, expected,
        "the view and the serde_json baseline disagree"
    );
    eprintln!(
        "corpus: {:.1} MB, {} lines, {} eob_line rows",
        text.len() as f64 / 1e6,
        text.lines().count(),
        got.rows
    );
    let set = ViewSet::new(vec![eob(), eob_line(), eob_diagnosis()]);
    let mut g = crit.benchmark_group("eval_line");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| assert_eq!(with_tree(&text), expected))
    });
    g.bench_function("view_eob_line", |b| {
        b.iter(|| assert_eq!(with_view(&view, &text), expected))
    });
    g.bench_function("view_eob_line_scan_line", |b| {
        b.iter(|| assert_eq!(with_view_scanned(&view, &text), expected))
    });
    g.bench_function("viewset_eob_eob_line_eob_diagnosis", |b| {
        b.iter(|| {
            let mut rows = [0u64; 3];
            for line in text.lines() {
                set.eval_line(line, &mut |i, _| rows[i] += 1)
                    .expect("the views run");
            }
            assert_eq!(rows[1], expected.rows);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
