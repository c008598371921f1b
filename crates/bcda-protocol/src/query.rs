//! Kick-off query parameters (BCDA's `ValidateRequestURL`), parsed and validated.

use time::OffsetDateTime;

use crate::time_fmt::{format_instant, parse_fhir_instant};
use crate::{ApiVersion, ProtocolError, ResourceType};

/// The accepted `_outputFormat` values.
pub const OUTPUT_FORMATS: [&str; 3] = ["ndjson", "application/fhir+ndjson", "application/ndjson"];

/// Validated kick-off parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportQuery {
    /// `_type`, in request order; `None` when absent.
    pub types: Option<Vec<ResourceType>>,
    /// `_since`.
    pub since: Option<OffsetDateTime>,
    /// `_outputFormat` as given.
    pub output_format: Option<String>,
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Form-decode one component: `+` is a space, `%XX` a byte; a malformed escape stays literal.
fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encode a query component (everything but RFC 3986 unreserved characters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Split a raw query string into decoded `(key, value)` pairs, in order.
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(pair), String::new()),
        })
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Parse and validate a kick-off query string (without the leading `?`), in BCDA's order:
/// `_outputFormat`, `_elements`, `?`-prefixed keys, `_since` (format, then not after `now`),
/// `_type` (duplicates, then the version's allow-list). Only the first value of a repeated key
/// counts; unknown keys are ignored.
pub fn parse_export_query(
    raw: &str,
    version: ApiVersion,
    now: OffsetDateTime,
) -> Result<ExportQuery, ProtocolError> {
    let pairs = decode_query(raw);
    let mut query = ExportQuery::default();

    if let Some(fmt) = first(&pairs, "_outputFormat") {
        if !OUTPUT_FORMATS.contains(&fmt) {
            return Err(ProtocolError::OutputFormat);
        }
        query.output_format = Some(fmt.to_string());
    }
    if first(&pairs, "_elements").is_some() {
        return Err(ProtocolError::ElementsUnsupported);
    }
    if pairs.iter().any(|(k, _)| k.starts_with('?')) {
        return Err(ProtocolError::QuestionMarkKey);
    }
    if let Some(since) = first(&pairs, "_since") {
        let t = parse_fhir_instant(since).ok_or(ProtocolError::SinceFormat)?;
        if t > now {
            return Err(ProtocolError::SinceInFuture);
        }
        query.since = Some(t);
    }
    if let Some(types) = first(&pairs, "_type") {
        let supported = version.supported_types();
        let mut seen: Vec<ResourceType> = Vec::new();
        for name in types.split(',') {
            let name = name.trim();
            let found = supported.iter().copied().find(|t| t.as_str() == name);
            match found {
                Some(t) if seen.contains(&t) => {
                    return Err(ProtocolError::RepeatedType(name.to_string()))
                }
                Some(t) => seen.push(t),
                None => {
                    return Err(ProtocolError::InvalidType {
                        name: name.to_string(),
                        supported: supported
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                    })
                }
            }
        }
        query.types = Some(seen);
    }
    Ok(query)
}

impl ExportQuery {
    /// The types to export for an ACO: `_type` if given (Claim/ClaimResponse only for
    /// partially adjudicated ACOs), else the version's default.
    pub fn resolve_types(
        &self,
        version: ApiVersion,
        partially_adjudicated: bool,
    ) -> Result<Vec<ResourceType>, ProtocolError> {
        match &self.types {
            None => Ok(version.default_types(partially_adjudicated)),
            Some(types) => {
                if let Some(t) = types
                    .iter()
                    .find(|t| t.is_partially_adjudicated() && !partially_adjudicated)
                {
                    return Err(ProtocolError::UnauthorizedType(t.as_str().to_string()));
                }
                Ok(types.clone())
            }
        }
    }

    /// The query string (without `?`) a client sends for these parameters.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(types) = &self.types {
            let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            parts.push(format!("_type={}", names.join(",")));
        }
        if let Some(since) = self.since {
            parts.push(format!(
                "_since={}",
                encode_component(&format_instant(since))
            ));
        }
        if let Some(fmt) = &self.output_format {
            parts.push(format!("_outputFormat={}", encode_component(fmt)));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-26 12:00:00 UTC);

    fn err(raw: &str, v: ApiVersion) -> String {
        parse_export_query(raw, v, NOW).unwrap_err().to_string()
    }

    #[test]
    fn exact_diagnostics() {
        use ApiVersion::*;
        assert_eq!(
            err("_outputFormat=csv", V2),
            "_outputFormat parameter must be one of [ndjson application/fhir+ndjson application/ndjson]"
        );
        assert_eq!(
            err("_elements=id", V1),
            "Invalid parameter: this server does not support the _elements parameter."
        );
        assert_eq!(
            err("_type=Patient&?_since=2020-01-01T00:00:00Z", V1),
            "Invalid parameter: query parameters cannot start with ?"
        );
        assert_eq!(
            err("_since=2020-01-01", V2),
            "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format."
        );
        // `+` unescaped becomes a space, as in Go's query parser.
        assert_eq!(
            err("_since=2020-02-13T08:00:00+05:00", V2),
            "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format."
        );
        assert_eq!(
            err("_since=2030-01-01T00:00:00Z", V2),
            "Invalid date format supplied in _since parameter. Date must be a date that has already passed"
        );
        assert_eq!(
            err(
                "_type=ExplanationOfBenefit,Patient,ExplanationOfBenefit",
                V2
            ),
            "Repeated resource type ExplanationOfBenefit"
        );
        assert_eq!(
            err("_type=Claim", V1),
            "invalid resource type Claim. Supported types [Patient Coverage ExplanationOfBenefit]"
        );
        assert_eq!(
            err("_type=Observation", V1),
            "invalid resource type Observation. Supported types [Patient Coverage ExplanationOfBenefit]"
        );
    }

    #[test]
    fn check_order_and_first_value() {
        // _outputFormat is checked before _elements.
        assert_eq!(
            parse_export_query("_elements=x&_outputFormat=csv", ApiVersion::V1, NOW),
            Err(ProtocolError::OutputFormat)
        );
        // only the first value of a repeated key counts
        let q = parse_export_query("_type=Patient&_type=Bogus", ApiVersion::V1, NOW).unwrap();
        assert_eq!(q.types, Some(vec![ResourceType::Patient]));
    }

    #[test]
    fn valid_query() {
        let q = parse_export_query(
            "_type=Patient,Coverage&_since=2020-02-13T08:00:00.000-05:00&_outputFormat=application%2Ffhir%2Bndjson&patient=1",
            ApiVersion::V2,
            NOW,
        )
        .unwrap();
        assert_eq!(
            q.types,
            Some(vec![ResourceType::Patient, ResourceType::Coverage])
        );
        assert_eq!(q.since, Some(datetime!(2020-02-13 13:00:00 UTC)));
        assert_eq!(q.output_format.as_deref(), Some("application/fhir+ndjson"));
    }

    #[test]
    fn resolve_types_by_aco() {
        let q = parse_export_query("_type=Claim", ApiVersion::V2, NOW).unwrap();
        assert_eq!(
            q.resolve_types(ApiVersion::V2, false)
                .unwrap_err()
                .to_string(),
            "unauthorized resource type Claim"
        );
        assert_eq!(
            q.resolve_types(ApiVersion::V2, true).unwrap(),
            vec![ResourceType::Claim]
        );
        let none = ExportQuery::default();
        assert_eq!(none.resolve_types(ApiVersion::V2, true).unwrap().len(), 5);
        assert_eq!(none.resolve_types(ApiVersion::V1, true).unwrap().len(), 3);
    }

    #[test]
    fn decode_handles_bad_escapes() {
        assert_eq!(
            decode_query("a=%zz&b=%4"),
            vec![
                ("a".to_string(), "%zz".to_string()),
                ("b".to_string(), "%4".to_string())
            ]
        );
        assert_eq!(decode_query("a=%41+b"), vec![("a".into(), "A b".into())]);
    }
}
