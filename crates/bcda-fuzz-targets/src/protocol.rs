//! Kick-off and `/jobs` query parsing, and the bodies the client parses.

use bcda_protocol::{
    decode_query, encode_component, parse_export_query, parse_status_filter,
    validate_export_headers, ApiVersion, Manifest, OperationOutcome, TaskBundle, TokenResponse,
};
use time::OffsetDateTime;

/// A raw query string (without `?`) through `parse_export_query` (both versions),
/// `parse_status_filter` and `decode_query`; also used as `Accept`/`Prefer` values.
pub fn export_query(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    // 2026-11-26T12:00:00Z
    let now = OffsetDateTime::from_unix_timestamp(1_795_694_400).expect("valid instant");
    for v in [ApiVersion::V1, ApiVersion::V2] {
        match parse_export_query(&raw, v, now) {
            Ok(q) => {
                if let Some(types) = &q.types {
                    for (i, t) in types.iter().enumerate() {
                        assert!(v.supported_types().contains(t), "{t:?} not in {v:?}");
                        assert!(!types[..i].contains(t), "repeated {t:?} accepted");
                    }
                }
                if let Some(since) = q.since {
                    assert!(since <= now, "_since in the future accepted");
                }
                let rendered = q.to_query_string();
                let back = parse_export_query(&rendered, v, now)
                    .unwrap_or_else(|e| panic!("{rendered:?} does not parse back: {e}"));
                assert_eq!(back, q, "query round trip through {rendered:?}");
                let _ = q.resolve_types(v, false);
                let _ = q.resolve_types(v, true);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }

    let pairs = decode_query(&raw);
    match parse_status_filter(&raw) {
        Ok(None) => assert!(!pairs.iter().any(|(k, _)| k == "_status")),
        Ok(Some(list)) => {
            for (i, s) in list.iter().enumerate() {
                assert!(!list[..i].contains(s), "repeated status {s} accepted");
            }
            let names: Vec<String> = list.iter().map(|s| encode_component(s.as_str())).collect();
            let rendered = format!("_status={}", names.join(","));
            assert_eq!(
                parse_status_filter(&rendered).ok(),
                Some(Some(list)),
                "status round trip through {rendered:?}"
            );
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    // Decoded pairs re-encode to a query that decodes to the same pairs.
    let encoded: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    let expected: Vec<(String, String)> =
        pairs.into_iter().filter(|(k, _)| !k.is_empty()).collect();
    assert_eq!(decode_query(&encoded.join("&")), expected);

    let (accept, prefer) = raw.split_once('\n').unwrap_or((&raw, ""));
    let _ = validate_export_headers(Some(accept), Some(prefer));
}

/// A job-status body as the client reads it: the completion manifest (and the local file
/// names it leads to), also tried as a token response, a Task bundle and an OperationOutcome.
pub fn client_manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = Manifest::parse(text) {
        let json = m.to_json();
        let back = Manifest::parse(&json)
            .unwrap_or_else(|e| panic!("manifest output does not parse: {e}\n{json}"));
        assert_eq!(back, m, "manifest round trip");
        if let Ok(names) = bcda_client::manifest_file_names(&m) {
            assert_eq!(names.len(), m.output.len() + m.error.len());
            for (i, n) in names.iter().enumerate() {
                assert!(
                    !n.is_empty() && !n.starts_with('.') && !n.contains(['/', '\\', '\0']),
                    "unsafe local file name {n:?}"
                );
                assert!(!names[..i].contains(n), "two entries write {n:?}");
            }
        }
    }
    if let Ok(t) = TokenResponse::parse(text) {
        let json = t.to_bcda_json();
        assert_eq!(
            TokenResponse::parse(&json).ok().as_ref(),
            Some(&t),
            "token response round trip through {json}"
        );
    }
    if let Ok(b) = TaskBundle::parse(text) {
        let _ = b.job_ids();
        let _ = b.to_json();
    }
    if let Ok(o) = OperationOutcome::parse(text) {
        let _ = o.diagnostics();
        let _ = o.to_json();
    }
}
