//! Property tests: the query parsers round-trip what a client builds, and never panic.

use bcda_protocol::{
    decode_query, encode_component, format_instant, parse_export_query, parse_fhir_instant,
    parse_status_filter, ApiVersion, ExportQuery, JobStatus, Manifest, ManifestEntry, ResourceType,
    TokenClaims, TokenResponse, OUTPUT_FORMATS,
};
use proptest::prelude::*;
use time::{OffsetDateTime, UtcOffset};

const NOW_UNIX: i64 = 1_790_000_000; // 2026-09-21

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW_UNIX).unwrap()
}

fn version() -> impl Strategy<Value = ApiVersion> {
    prop_oneof![Just(ApiVersion::V1), Just(ApiVersion::V2)]
}

fn query_for(v: ApiVersion) -> impl Strategy<Value = ExportQuery> {
    let supported = v.supported_types().to_vec();
    let types = proptest::option::of(
        proptest::sample::subsequence(supported.clone(), 1..=supported.len()).prop_shuffle(),
    );
    let since = proptest::option::of((0i64..NOW_UNIX, 0u32..1_000_000_000, -50_400i32..50_400));
    let fmt = proptest::option::of(proptest::sample::select(OUTPUT_FORMATS.to_vec()));
    (types, since, fmt).prop_map(|(types, since, fmt)| ExportQuery {
        types,
        since: since.map(|(secs, nanos, off)| {
            let off = UtcOffset::from_whole_seconds(off - off % 60).unwrap();
            (OffsetDateTime::from_unix_timestamp(secs).unwrap()
                + time::Duration::nanoseconds(i64::from(nanos)))
            .to_offset(off)
        }),
        output_format: fmt.map(str::to_string),
    })
}

proptest! {
    #[test]
    fn export_query_round_trips((v, q) in version().prop_flat_map(|v| (Just(v), query_for(v)))) {
        let raw = q.to_query_string();
        let back = parse_export_query(&raw, v, now()).unwrap();
        prop_assert_eq!(back, q);
    }

    #[test]
    fn component_encoding_round_trips(s in ".*") {
        let raw = format!("k={}", encode_component(&s));
        let pairs = decode_query(&raw);
        prop_assert_eq!(pairs, vec![("k".to_string(), s)]);
    }

    #[test]
    fn parser_never_panics(raw in ".{0,200}", v in version()) {
        let _ = parse_export_query(&raw, v, now());
        let _ = parse_status_filter(&raw);
    }

    #[test]
    fn status_filter_round_trips(statuses in proptest::sample::subsequence(JobStatus::ALL.to_vec(), 1..=9).prop_shuffle()) {
        let names: Vec<String> = statuses.iter().map(|s| encode_component(s.as_str())).collect();
        let raw = format!("_status={}", names.join(","));
        prop_assert_eq!(parse_status_filter(&raw).unwrap(), Some(statuses));
    }

    #[test]
    fn unsupported_types_are_rejected(name in "[A-Za-z]{1,20}", v in version()) {
        let known = v.supported_types().iter().any(|t| t.as_str() == name);
        let res = parse_export_query(&format!("_type={name}"), v, now());
        prop_assert_eq!(res.is_ok(), known);
    }

    #[test]
    fn token_expires_in_string_or_number(n in 0u64..100_000) {
        let as_string = format!(r#"{{"access_token":"a.b.c","expires_in":"{n}","token_type":"bearer"}}"#);
        let as_number = format!(r#"{{"access_token":"a.b.c","expires_in":{n},"token_type":"bearer"}}"#);
        prop_assert_eq!(TokenResponse::parse(&as_string).unwrap().expires_in, n);
        prop_assert_eq!(TokenResponse::parse(&as_number).unwrap().expires_in, n);
    }
}

#[test]
fn token_body_is_bcda_exact() {
    let t = TokenResponse::bearer("x.y.z".to_string());
    assert_eq!(
        t.to_bcda_json(),
        r#"{"access_token": "x.y.z", "expires_in": "1200", "token_type":"bearer"}"#
    );
    assert_eq!(TokenResponse::parse(&t.to_bcda_json()).unwrap(), t);
    assert!(TokenResponse::parse(
        r#"{"access_token":"a","expires_in":"soon","token_type":"bearer"}"#
    )
    .is_err());
}

#[test]
fn manifest_key_order_is_exact() {
    let m = Manifest {
        transaction_time: "2026-12-09T20:44:01.705398Z".into(),
        request: "http://h/api/v2/Group/all/$export".into(),
        requires_access_token: true,
        output: vec![ManifestEntry {
            resource_type: ResourceType::Patient.as_str().into(),
            url: "http://h/data/42/a.ndjson".into(),
        }],
        error: vec![],
        job_id: 42,
    };
    let json = m.to_json();
    assert_eq!(
        json,
        r#"{"transactionTime":"2026-12-09T20:44:01.705398Z","request":"http://h/api/v2/Group/all/$export","requiresAccessToken":true,"output":[{"type":"Patient","url":"http://h/data/42/a.ndjson"}],"error":[],"JobID":42}"#
    );
    assert_eq!(Manifest::parse(&json).unwrap(), m);
}

#[test]
fn outcome_shapes() {
    use bcda_protocol::{IssueCode, OperationOutcome};
    let v1 = OperationOutcome::error(ApiVersion::V1, IssueCode::Structure, "Invalid group ID");
    assert_eq!(
        v1.to_json(),
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"structure","diagnostics":"Invalid group ID"}]}"#
    );
    let v2 = OperationOutcome::error(ApiVersion::V2, IssueCode::Forbidden, "Invalid Token");
    assert_eq!(
        v2.to_json(),
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"Invalid Token","details":{"coding":[{"system":"http://hl7.org/fhir/ValueSet/operation-outcome","code":"Request Error","display":"Invalid Token"}],"text":"Invalid Token"}}]}"#
    );
    let empty = OperationOutcome::error(ApiVersion::V2, IssueCode::NotFound, "");
    assert_eq!(
        empty.to_json(),
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","details":{"coding":[{"system":"http://hl7.org/fhir/ValueSet/operation-outcome","code":"Request Error"}]}}]}"#
    );
    assert_eq!(
        OperationOutcome::parse(&v2.to_json())
            .unwrap()
            .diagnostics(),
        "Invalid Token"
    );
}

fn cms_id() -> impl Strategy<Value = String> {
    // Real ids (A9994, TEST001) and arbitrary text: `dat` is JSON inside a JSON string.
    prop_oneof!["[A-Z]{1,4}[0-9]{3,4}", ".{0,12}"]
}

fn claims() -> impl Strategy<Value = TokenClaims> {
    (
        (0i64..4_000_000_000, 0i64..100_000),
        "[0-9a-f-]{36}",
        ".{0,40}",
        0i64..i64::MAX,
        proptest::collection::vec(cms_id(), 0..4),
        prop_oneof![Just("ssas".to_string()), ".{0,8}"],
    )
        .prop_map(|((iat, ttl), jti, cid, sys, ids, iss)| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            TokenClaims {
                iss,
                iat,
                exp: iat + ttl,
                jti,
                token_use: "AccessToken".to_string(),
                cid,
                sys: sys.to_string(),
                dat: TokenClaims::dat_for(&ids),
            }
        })
}

proptest! {
    #[test]
    fn dat_claim_round_trips(ids in proptest::collection::vec(cms_id(), 0..5)) {
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let c = TokenClaims {
            iss: "ssas".into(), iat: 0, exp: 1200, jti: String::new(),
            token_use: "AccessToken".into(), cid: String::new(), sys: "1".into(),
            dat: TokenClaims::dat_for(&refs),
        };
        prop_assert_eq!(c.cms_ids().unwrap(), ids);
    }

    #[test]
    fn token_claims_json_round_trips(c in claims()) {
        let json = serde_json::to_string(&c).unwrap();
        // BCDA's claim names on the wire (`use`, not the Rust field name).
        prop_assert!(json.contains("\"use\":\"AccessToken\""));
        let back: TokenClaims = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, c);
    }

    #[test]
    fn since_instant_round_trips(secs in 0i64..NOW_UNIX, nanos in 0u32..1_000_000_000, off in -50_400i32..50_400) {
        let off = UtcOffset::from_whole_seconds(off - off % 60).unwrap();
        let t = (OffsetDateTime::from_unix_timestamp(secs).unwrap()
            + time::Duration::nanoseconds(i64::from(nanos)))
        .to_offset(off);
        let text = format_instant(t);
        prop_assert_eq!(parse_fhir_instant(&text), Some(t));
        // As a kick-off parameter, percent-encoded or not (a `Z` instant has no `+`).
        let q = parse_export_query(&format!("_since={text}"), ApiVersion::V2, now()).unwrap();
        prop_assert_eq!(q.since, Some(t));
    }

    #[test]
    fn type_list_tolerates_spaces_and_keeps_order(
        (v, types) in version().prop_flat_map(|v| {
            let all = v.supported_types().to_vec();
            let n = all.len();
            (Just(v), proptest::sample::subsequence(all, 1..=n).prop_shuffle())
        }),
        pad in proptest::collection::vec(0usize..3, 10),
    ) {
        let names: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}{}{}", "+".repeat(pad[i % 10]), t.as_str(), "%20".repeat(pad[(i + 1) % 10])))
            .collect();
        let q = parse_export_query(&format!("_type={}", names.join(",")), v, now()).unwrap();
        prop_assert_eq!(q.types, Some(types));
    }
}
