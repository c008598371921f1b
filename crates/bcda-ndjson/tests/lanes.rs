//! The projected path's two decoders give the same `bcda stats` report: the fast lane
//! (structural index) and the serde_json reference, on a synthetic export of every resource
//! type in both FHIR versions, with some damaged lines mixed in, on 1 and 2 threads.

use bcda_ndjson::project::Projected;
use bcda_ndjson::stats::Stats;
use bcda_ndjson::{Config, Engine, Inputs};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};

/// 2026-01-01T00:00:00Z.
const REFERENCE: i64 = 1_767_225_600;

fn export(dir: &std::path::Path, version: FhirVersion) {
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
        if kind == ResourceKind::ExplanationOfBenefit {
            // Lines the fast lane leaves to serde_json: an escape and a `null` payment (both
            // valid), a truncated line (an error); and a CRLF line end.
            let mut lines: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let n = lines.len();
            lines[1] = String::from_utf8(lines[1].clone())
                .unwrap()
                .replacen("\"id\":\"", "\"id\":\"\\u0041", 1)
                .into_bytes();
            let half = lines[3].len() / 2;
            lines[3].truncate(half);
            lines[5] = String::from_utf8(lines[5].clone())
                .unwrap()
                .replacen("\"payment\":{", "\"payment\":null,\"x\":{", 1)
                .into_bytes();
            lines[n / 2].push(b'\r');
            out = lines.join(&b'\n');
        }
        let name = format!("{}.ndjson", kind.as_str());
        std::fs::write(dir.join(name), out).expect("write");
    }
}

#[test]
fn fast_and_serde_lanes_give_the_same_report() {
    for version in [FhirVersion::Stu3, FhirVersion::R4] {
        let dir = tempfile::tempdir().expect("tempdir");
        export(dir.path(), version);
        let inputs = Inputs::discover(&[dir.path()]).expect("inputs");
        let stats = Stats::default();
        let mut reports = Vec::new();
        for threads in [1, 2] {
            let engine = Engine::new(Config {
                threads,
                chunk_bytes: 64 << 10,
                ..Config::default()
            })
            .expect("engine");
            for lane in [Projected::default(), Projected::serde_only()] {
                reports.push(stats.run_with(&engine, &inputs, &lane, None));
            }
        }
        let first = &reports[0];
        assert!(
            first.totals.records > 300,
            "{} records",
            first.totals.records
        );
        assert_eq!(
            first.totals.errors, 1,
            "the truncated line, and only it, is an error"
        );
        for r in &reports[1..] {
            assert!(r == first, "reports differ for {version:?}");
        }
    }
}
