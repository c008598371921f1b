//! Every bad-input case: the issue's location is asserted, and the good lines around it are
//! still counted. Expected positions are computed by hand from the literal lines below.

use std::io::Write;
use std::path::{Path, PathBuf};

use bcda_ndjson::project::Projected;
use bcda_ndjson::stats::{Stats, StatsReport};
use bcda_ndjson::{Config, Engine, Inputs, IssueKind};

fn eob(id: &str, patient: &str, paid: &str) -> String {
    format!(
        r#"{{"resourceType":"ExplanationOfBenefit","id":"{id}","type":{{"coding":[{{"system":"https://bluebutton.cms.gov/resources/codesystem/eob-type","code":"CARRIER"}}]}},"patient":{{"reference":"Patient/{patient}"}},"billablePeriod":{{"start":"2020-01-05","end":"2020-01-06"}},"payment":{{"amount":{{"value":{paid}}}}},"item":[{{"adjudication":[{{"category":{{"coding":[{{"code":"paid"}}]}},"amount":{{"value":{paid}}}}}]}}]}}"#
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn stats(paths: &[PathBuf], config: Config) -> StatsReport {
    let inputs = Inputs::discover(paths).unwrap();
    let engine = Engine::new(config).unwrap();
    Stats::default().run(&engine, &inputs, None)
}

fn carrier_paid(r: &StatsReport) -> (u64, String) {
    let c = r
        .claim_types
        .iter()
        .find(|c| c.claim_type == "carrier")
        .unwrap();
    (c.claims, c.paid.clone())
}

fn issue(r: &StatsReport, kind: IssueKind) -> &bcda_ndjson::stats::IssueOut {
    r.issues
        .iter()
        .find(|i| i.kind == kind.as_str())
        .unwrap_or_else(|| panic!("no {kind:?} in {:#?}", r.issues))
}

/// The mixed file: line numbers and what they hold.
fn mixed() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(eob("e1", "p1", "10.25").as_bytes()); // 1 good
    f.push(b'\n');
    f.extend_from_slice(
        br#"{"resourceType":"ExplanationOfBenefit","id":"e2","payment":{"amount":{"value":}}}"#,
    ); // 2 bad JSON
    f.push(b'\n');
    f.extend_from_slice(eob("e3", "p1", "1.00").as_bytes()); // 3 good, CRLF
    f.extend_from_slice(b"\r\n");
    f.extend_from_slice(b"   \n"); // 4 blank
    f.extend_from_slice(br#"{"id":"x5"}"#); // 5 no resourceType
    f.push(b'\n');
    f.extend_from_slice(br#"{"resourceType":"Patient","id":"p9"}"#); // 6 wrong type
    f.push(b'\n');
    f.extend_from_slice(
        b"{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"e7\",\"text\":\"caf\xff\"}",
    ); // 7 bad UTF-8
    f.push(b'\n');
    f.extend_from_slice(
        br#"{"resourceType":"ExplanationOfBenefit","id":"e8","payment":{"amount":{"value":"12"}}}"#,
    ); // 8 bad money
    f.push(b'\n');
    f.extend_from_slice(eob("e9", "p2", "100.00").as_bytes()); // 9 good
    f.push(b'\n');
    f.extend_from_slice(br#"{"resourceType":"ExplanationOfBenefit","id":"e10","payment":{"amo"#); // 10 truncated
    f
}

fn check_mixed(r: &StatsReport, file: &Path) {
    // Good lines 1, 3 and 9: 10.25 + 1.00 + 100.00.
    assert_eq!(carrier_paid(r), (3, "111.25".to_string()));
    assert_eq!(r.totals.lines, 10);
    assert_eq!(r.totals.records, 3);
    // Bad: 2, 5, 6, 7, 8, 10 (CRLF and blank are warnings).
    assert_eq!(r.totals.bad_lines, 6);
    assert_eq!(r.totals.blank_lines, 1);
    assert_eq!(r.totals.crlf_lines, 1);

    let i = issue(r, IssueKind::InvalidJson);
    assert_eq!((i.line, i.file.as_path()), (2, file));
    // `"value":}`: the `}` is byte 78 of line 2 (1-based).
    let line2 =
        r#"{"resourceType":"ExplanationOfBenefit","id":"e2","payment":{"amount":{"value":}}}"#;
    assert_eq!(i.column as usize, line2.find(":}").unwrap() + 2);
    assert_eq!(i.json_path.as_deref(), Some("payment.amount.value"));

    let i = issue(r, IssueKind::CrLf);
    assert_eq!(i.line, 3);
    assert_eq!(i.severity, "warning");
    let i = issue(r, IssueKind::BlankLine);
    assert_eq!(i.line, 4);
    let i = issue(r, IssueKind::MissingResourceType);
    assert_eq!((i.line, i.column), (5, 1));
    let i = issue(r, IssueKind::WrongResourceType);
    assert_eq!((i.line, i.json_path.as_deref()), (6, Some("resourceType")));
    let i = issue(r, IssueKind::InvalidUtf8);
    // "caf\xff": the 0xff byte is at 0-based offset 54 of line 7 -> column 55.
    let line7_prefix = "{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"e7\",\"text\":\"caf";
    assert_eq!((i.line, i.column as usize), (7, line7_prefix.len() + 1));
    let i = issue(r, IssueKind::InvalidValue);
    assert_eq!(
        (i.line, i.json_path.as_deref()),
        (8, Some("payment.amount.value"))
    );
    let i = issue(r, IssueKind::TruncatedLastLine);
    assert_eq!(i.line, 10);
    assert!(r.has_errors());
}

#[test]
fn every_bad_line_kind_in_a_plain_file_is_located_and_the_rest_counted() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "eob.ndjson", &mixed());
    for threads in [1, 2] {
        for chunk_bytes in [1, 64, 4 << 20] {
            let r = stats(
                std::slice::from_ref(&p),
                Config {
                    threads,
                    chunk_bytes,
                    ..Config::default()
                },
            );
            check_mixed(&r, &p);
        }
    }
    // Streaming instead of mmap gives the same report.
    let r = stats(
        std::slice::from_ref(&p),
        Config {
            mmap: false,
            chunk_bytes: 64,
            ..Config::default()
        },
    );
    check_mixed(&r, &p);
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_same_as_plain() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "eob.ndjson.gz", &gz(&mixed()));
    for threads in [1, 2] {
        let r = stats(
            std::slice::from_ref(&p),
            Config {
                threads,
                chunk_bytes: 64,
                ..Config::default()
            },
        );
        check_mixed(&r, &p);
    }
}

#[test]
fn corrupt_gzip_member_is_reported_and_later_members_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let m1 = gz(format!("{}\n{}\n", eob("a1", "p1", "1.00"), eob("a2", "p1", "2.00")).as_bytes());
    let mut m2 = gz(format!("{}\n", eob("b1", "p1", "1000.00")).as_bytes());
    // Byte 10 starts the deflate stream: 0xff makes block type 3 (reserved), an immediate error.
    m2[10] = 0xff;
    let m3 = gz(format!("{}\n", eob("c1", "p1", "4.00")).as_bytes());
    let p = write(dir.path(), "eob.ndjson.gz", &[m1, m2, m3].concat());
    for threads in [1, 2] {
        let r = stats(
            std::slice::from_ref(&p),
            Config {
                threads,
                chunk_bytes: 4096,
                ..Config::default()
            },
        );
        // a1 + a2 + c1; b1 was in the corrupt member.
        assert_eq!(carrier_paid(&r), (3, "7.00".to_string()));
        let i = issue(&r, IssueKind::CorruptGzip);
        // Two complete lines were decoded before the bad member: it is reported at line 3.
        assert_eq!(i.line, 3);
        assert!(r.has_errors());
    }
}

#[test]
fn truncated_gzip_stream_keeps_complete_lines() {
    let dir = tempfile::tempdir().unwrap();
    let full = gz(format!("{}\n{}\n", eob("a1", "p1", "1.00"), eob("a2", "p1", "2.00")).as_bytes());
    let cut = &full[..full.len() - 12];
    let p = write(dir.path(), "eob.ndjson.gz", cut);
    let r = stats(std::slice::from_ref(&p), Config::default());
    assert_eq!(issue(&r, IssueKind::CorruptGzip).kind, "corrupt_gzip");
    // The deflate data is complete, only the trailer is missing; whatever lines were fully
    // decoded are counted, never more than two.
    assert!(carrier_paid(&r).0 <= 2);
}

#[test]
fn a_100_mb_line_is_processed_with_its_neighbours() {
    let dir = tempfile::tempdir().unwrap();
    let big_text = "x".repeat(100 << 20);
    let big = eob("big", "p1", "5.00").replacen(
        r#""id":"big","#,
        &format!(r#""id":"big","text":{{"div":"{big_text}"}},"#),
        1,
    );
    let data = format!(
        "{}\n{}\n{}\n",
        eob("a", "p1", "1.00"),
        big,
        eob("b", "p1", "2.00")
    );
    let p = write(dir.path(), "eob.ndjson", data.as_bytes());
    let r = stats(
        std::slice::from_ref(&p),
        Config {
            threads: 2,
            chunk_bytes: 1 << 20,
            ..Config::default()
        },
    );
    assert_eq!(carrier_paid(&r), (3, "8.00".to_string()));
    assert_eq!(r.totals.errors, 0);
    // With a lower limit the long line is skipped and reported, the others still count.
    for mmap in [true, false] {
        let r = stats(
            std::slice::from_ref(&p),
            Config {
                max_line_bytes: 1 << 20,
                mmap,
                chunk_bytes: 1 << 20,
                ..Config::default()
            },
        );
        assert_eq!(carrier_paid(&r), (2, "3.00".to_string()), "mmap={mmap}");
        let i = issue(&r, IssueKind::LineTooLong);
        assert_eq!(i.line, 2, "mmap={mmap}");
    }
}

#[test]
fn cross_file_checks_and_manifest_counts() {
    let dir = tempfile::tempdir().unwrap();
    let eobs = format!(
        "{}\n{}\n{}\n",
        eob("e1", "p1", "1.00"),
        eob("e2", "p2", "2.00"),
        eob("e1", "p1", "3.00")
    );
    write(dir.path(), "eob.ndjson", eobs.as_bytes());
    write(dir.path(), "pat.ndjson", b"{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1950-06-01\"}\n");
    let manifest = r#"{"transactionTime":"2025-01-01T00:00:00Z","request":"https://h/api/v2/Group/all/$export","requiresAccessToken":true,
        "output":[{"type":"ExplanationOfBenefit","url":"https://h/data/1/eob.ndjson","count":4},{"type":"Patient","url":"https://h/data/1/pat.ndjson","count":1}],"error":[]}"#;
    write(dir.path(), "manifest.json", manifest.as_bytes());
    let r = stats(&[dir.path().to_path_buf()], Config::default());
    assert_eq!(r.checks.dangling_patient_refs, 1); // p2
    let d = issue(&r, IssueKind::DanglingPatientRef);
    assert_eq!(d.line, 2);
    assert!(d.message.contains("Patient/p2"));
    assert_eq!(r.checks.duplicate_ids, 1); // e1 on lines 1 and 3
    assert_eq!(issue(&r, IssueKind::DuplicateId).line, 3);
    assert_eq!(r.checks.count_mismatches, 1); // manifest says 4 EOBs, file has 3
    assert!(r
        .files
        .iter()
        .all(|f| f.fhir_version.as_deref() == Some("R4")));
    assert_eq!(carrier_paid(&r), (3, "6.00".to_string()));
    // Member-months need Coverage periods: none here.
    assert_eq!(r.beneficiaries.member_months, 0);
}

#[test]
fn ordered_iterator_yields_records_and_issues_in_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "eob.ndjson", &mixed());
    let inputs = Inputs::discover(std::slice::from_ref(&p)).unwrap();
    let engine = Engine::new(Config::default()).unwrap();
    let items: Vec<_> = engine
        .records(&inputs, &Projected::default(), |rec, _loc| {
            rec.resource_type().to_string()
        })
        .collect();
    let ok_lines: Vec<u64> = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|(l, _)| l.line)
        .collect();
    assert_eq!(ok_lines, [1, 3, 9]);
    let err_lines: Vec<u64> = items
        .iter()
        .filter_map(|i| i.as_ref().err())
        .map(|e| e.line)
        .collect();
    assert_eq!(err_lines, [2, 3, 4, 5, 6, 7, 8, 10]);
    let mut all: Vec<u64> = items
        .iter()
        .map(|i| match i {
            Ok((l, _)) => l.line,
            Err(e) => e.line,
        })
        .collect();
    let sorted = {
        let mut s = all.clone();
        s.sort();
        s
    };
    assert_eq!(all, sorted);
    all.dedup();
    assert_eq!(all.len(), 10);
}

fn eob_on(id: &str, patient: &str, paid: &str, date: &str) -> String {
    eob(id, patient, paid)
        .replace("2020-01-05", date)
        .replace("2020-01-06", date)
}

#[test]
fn member_months_from_coverage_periods_and_coverage_parts() {
    let dir = tempfile::tempdir().unwrap();
    // Claims window: 2020-01 .. 2020-06 (6 months).
    let eobs = format!(
        "{}\n{}\n",
        eob_on("e1", "p1", "100.00", "2020-01-10"),
        eob_on("e2", "p2", "50.00", "2020-06-02")
    );
    write(dir.path(), "eob.ndjson", eobs.as_bytes());
    let cov = |id: &str, p: &str, period: &str, part: &str, dual: &str| {
        format!(
            r#"{{"resourceType":"Coverage","id":"{id}","beneficiary":{{"reference":"Patient/{p}"}},"period":{period},"class":[{{"type":{{"coding":[{{"code":"group"}}]}},"value":"Medicare"}},{{"type":{{"coding":[{{"code":"plan"}}]}},"value":"{part}"}}],"extension":[{{"url":"https://bluebutton.cms.gov/resources/variables/dual_01","valueCoding":{{"code":"{dual}"}}}},{{"url":"https://bluebutton.cms.gov/resources/variables/dual_02","valueCoding":{{"code":"{dual}"}}}}]}}"#
        )
    };
    let covs = [
        // p1: Nov 2019 - Mar 2020 -> Jan..Mar inside the window.
        cov(
            "c1",
            "p1",
            r#"{"start":"2019-11-15","end":"2020-03-10"}"#,
            "Part A",
            "02",
        ),
        // p1: Feb - Apr 2020, overlapping: the union for p1 is Jan..Apr = 4 months.
        cov(
            "c2",
            "p1",
            r#"{"start":"2020-02-01","end":"2020-04-30"}"#,
            "Part B",
            "02",
        ),
        // p2: from May 2020, open end -> May..Jun = 2 months.
        cov("c3", "p2", r#"{"start":"2020-05-20"}"#, "Part D", "NA"),
    ]
    .join("\n");
    write(dir.path(), "cov.ndjson", covs.as_bytes());
    let r = stats(&[dir.path().to_path_buf()], Config::default());
    assert_eq!(r.totals.errors, 0, "{:?}", r.issues);
    assert_eq!(r.beneficiaries.member_months, 6);
    // (100.00 + 50.00) / 6
    assert_eq!(
        r.beneficiaries.paid_per_member_month.as_deref(),
        Some("25.00")
    );
    assert_eq!(r.coverage.coverages, 3);
    assert_eq!(r.coverage.parts.get("A"), Some(&1));
    assert_eq!(r.coverage.parts.get("B"), Some(&1));
    assert_eq!(r.coverage.parts.get("D"), Some(&1));
    // dual_01 + dual_02 per Coverage: "02" x4, "NA" x2.
    assert_eq!(r.coverage.dual_status.get("02"), Some(&4));
    assert_eq!(r.coverage.dual_status.get("NA"), Some(&2));
    let months: Vec<(&str, u64, &str)> = r
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.claims, m.paid.as_str()))
        .collect();
    assert_eq!(months, [("2020-01", 1, "100.00"), ("2020-06", 1, "50.00")]);
    // Exact money survives the JSON rendering.
    let json = bcda_ndjson::render::to_json(&r);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], "bcda-stats/1");
    assert_eq!(v["claim_types"][0]["claim_type"], "carrier");
    assert_eq!(v["claim_types"][0]["paid"], "150.00");
    for key in [
        "totals",
        "files",
        "claim_types",
        "months",
        "beneficiaries",
        "top",
        "patients",
        "coverage",
        "checks",
        "issues",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let csv = bcda_ndjson::render::to_csv(&r);
    assert!(
        csv.lines().any(|l| l == "claim_type,carrier,paid,150.00"),
        "{csv}"
    );
}

#[test]
fn ordered_iterator_streams_gzip_and_reports_a_corrupt_member_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let m1 = gz(format!("{}\n{}\n", eob("a1", "p1", "1.00"), eob("a2", "p1", "2.00")).as_bytes());
    let mut m2 = gz(format!("{}\n", eob("b1", "p1", "1000.00")).as_bytes());
    m2[10] = 0xff;
    let m3 = gz(format!("{}\n", eob("c1", "p1", "4.00")).as_bytes());
    let p = write(dir.path(), "eob.ndjson.gz", &[m1, m2, m3].concat());
    let inputs = Inputs::discover(std::slice::from_ref(&p)).unwrap();
    let engine = Engine::new(Config::default()).unwrap();
    let items: Vec<_> = engine
        .records(&inputs, &Projected::default(), |rec, _| match rec {
            bcda_ndjson::project::Resource::Eob(e) => e.id.as_deref().unwrap_or("").to_string(),
            _ => String::new(),
        })
        .collect();
    let shape: Vec<String> = items
        .iter()
        .map(|i| match i {
            Ok((l, id)) => format!("{}:{id}", l.line),
            Err(e) => format!("{}:{}", e.line, e.kind.as_str()),
        })
        .collect();
    assert_eq!(shape, ["1:a1", "2:a2", "3:corrupt_gzip", "3:c1"]);
}

#[test]
fn an_unreadable_file_is_an_issue_and_the_other_files_are_processed() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "a.ndjson",
        format!("{}\n", eob("e1", "p1", "3.00")).as_bytes(),
    );
    let gone = write(
        dir.path(),
        "b.ndjson",
        format!("{}\n", eob("e2", "p1", "4.00")).as_bytes(),
    );
    let inputs = Inputs::discover(&[good, gone.clone()]).unwrap();
    std::fs::remove_file(&gone).unwrap(); // vanishes between discovery and the run
    let engine = Engine::new(Config::default()).unwrap();
    let r = Stats::default().run(&engine, &inputs, None);
    assert_eq!(carrier_paid(&r), (1, "3.00".to_string()));
    let i = issue(&r, IssueKind::Io);
    assert_eq!(i.file, gone);
    assert!(r.has_errors());
}

#[test]
fn member_months_fall_back_to_bfd_monthly_entitlement() {
    let dir = tempfile::tempdir().unwrap();
    // Claims window 2020-01 .. 2020-06.
    let eobs = format!(
        "{}\n{}\n",
        eob_on("e1", "p1", "30.00", "2020-01-10"),
        eob_on("e2", "p1", "0.00", "2020-06-02")
    );
    write(dir.path(), "eob.ndjson", eobs.as_bytes());
    let ext = |n: &str, code: &str| {
        format!(
            r#"{{"url":"https://bluebutton.cms.gov/resources/variables/buyin{n}","valueCoding":{{"code":"{code}"}}}}"#
        )
    };
    // No period; reference year 2020; entitled in Jan (C) and Mar (3), not in Feb (0); July is
    // outside the claims window. -> 2 member-months.
    let cov = format!(
        r#"{{"resourceType":"Coverage","id":"c1","beneficiary":{{"reference":"Patient/p1"}},"grouping":{{"subPlan":"Part A"}},"extension":[{{"url":"https://bluebutton.cms.gov/resources/variables/rfrnc_yr","valueDate":"2020"}},{},{},{},{}]}}"#,
        ext("01", "C"),
        ext("02", "0"),
        ext("03", "3"),
        ext("07", "C")
    );
    write(dir.path(), "cov.ndjson", format!("{cov}\n").as_bytes());
    let r = stats(&[dir.path().to_path_buf()], Config::default());
    assert_eq!(r.totals.errors, 0, "{:?}", r.issues);
    assert_eq!(r.beneficiaries.member_months, 2);
    assert_eq!(
        r.beneficiaries.paid_per_member_month.as_deref(),
        Some("15.00")
    ); // 30.00 / 2
}

#[test]
fn random_garbage_never_panics_and_every_line_is_accounted_for() {
    // Deterministic xorshift; lines mix JSON fragments of an EOB with random bytes.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let template = eob("g", "p1", "1.25");
    let pieces: [&[u8]; 8] = [b"{", b"}", b"[", b"]", b"\"", b":", b",", b"\\"];
    let mut data = Vec::new();
    let lines = 400;
    for _ in 0..lines {
        let mut line = template.as_bytes().to_vec();
        for _ in 0..(next() % 4) {
            let at = (next() as usize) % line.len();
            match next() % 3 {
                0 => line.insert(at, pieces[(next() % 8) as usize][0]),
                1 => line[at] = (next() % 256) as u8,
                _ => line.truncate(at.max(1)),
            }
        }
        line.retain(|b| *b != b'\n');
        data.extend_from_slice(&line);
        data.push(b'\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "garbage.ndjson", &data);
    let a = stats(
        std::slice::from_ref(&p),
        Config {
            threads: 1,
            chunk_bytes: 256,
            ..Config::default()
        },
    );
    let b = stats(
        std::slice::from_ref(&p),
        Config {
            threads: 2,
            chunk_bytes: 4096,
            ..Config::default()
        },
    );
    assert_eq!(a, b);
    assert_eq!(a.totals.lines, lines);
    // Every line is either a record or a bad/blank line.
    assert_eq!(
        a.totals.records + a.totals.bad_lines + a.totals.blank_lines,
        lines
    );
    assert!(
        a.totals.records > 0 && a.totals.bad_lines > 0,
        "{:?}",
        a.totals
    );
}
