//! `/api/vN/metadata`, `/api/vN/attribution_status`, `/_version`, `/_health`, `/_auth`.

use axum::extract::{Path, State};
use axum::http::header::{CONNECTION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bcda_protocol::{format_instant, format_seconds_z, ApiVersion};
use serde_json::json;
use time::OffsetDateTime;

use super::{authenticate, base_url, parse_version, ApiError, OrInternal, Shared};

const DESCRIPTION: &str = "The Beneficiary Claims Data API (BCDA) enables healthcare organizations participating in the Medicare Shared Savings Program or a CMS Innovation Model to retrieve Medicare Part A, Part B, and Part D claims data for their prospectively assigned or assignable beneficiaries.";
const BULK_CS: &str = "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data";
const PATIENT_EXPORT: &str = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export";
const GROUP_EXPORT: &str = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export";
const BB_SERVER: &str = "https://prod-sbx.bfdcloud.net";

/// The CapabilityStatement of a version (STU3 for v1, R4 for v2).
pub(crate) fn capability_statement(
    v: ApiVersion,
    base: &str,
    version_tag: &str,
) -> serde_json::Value {
    let now = format_seconds_z(OffsetDateTime::now_utc());
    let security = json!({
        "cors": true,
        "service": [{
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                "code": "OAuth",
                "display": "OAuth"
            }],
            "text": "OAuth"
        }],
        "extension": [{
            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
            "extension": [{"url": "token", "valueUri": format!("{base}/auth/token")}]
        }]
    });
    let mut rest = json!({
        "mode": "server",
        "security": security,
        "interaction": [{"code": "batch"}, {"code": "search-system"}]
    });
    let instantiates = match v {
        ApiVersion::V1 => {
            rest["operation"] = json!([
                {"name": "patient-export", "definition": {"reference": PATIENT_EXPORT}},
                {"name": "group-export", "definition": {"reference": GROUP_EXPORT}}
            ]);
            json!([format!("{BB_SERVER}/baseDstu3/metadata/"), BULK_CS])
        }
        ApiVersion::V2 => {
            rest["resource"] = json!([
                {"type": "Patient", "operation": [{"name": "patient-export", "definition": PATIENT_EXPORT}]},
                {"type": "Group", "operation": [{"name": "group-export", "definition": GROUP_EXPORT}]}
            ]);
            json!([format!("{BB_SERVER}/v2/fhir/metadata"), BULK_CS])
        }
    };
    let mut cs = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now,
        "publisher": "Centers for Medicare & Medicaid Services",
        "kind": "instance",
        "instantiates": instantiates,
        "software": {"name": "Beneficiary Claims Data API", "version": version_tag, "releaseDate": now},
        "implementation": {"url": base, "description": DESCRIPTION},
        "fhirVersion": v.fhir_version(),
        "format": ["application/json", "application/fhir+json"],
        "rest": [rest]
    });
    if v == ApiVersion::V1 {
        cs["acceptUnknown"] = json!("extensions");
    }
    cs
}

pub(crate) async fn metadata(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let cs = capability_statement(
        v,
        &base_url(&state.config, &headers),
        &state.config.version_tag,
    );
    // `Connection: close` here only: stock SMART bulk-data clients hang on a kept-alive
    // connection after a cached metadata request.
    (
        [(CONTENT_TYPE, "application/json"), (CONNECTION, "close")],
        cs.to_string(),
    )
        .into_response()
}

pub(crate) async fn attribution_status(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
) -> Response {
    attribution(&state, &version, &headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn attribution(
    state: &Shared,
    version: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let v = parse_version(version)?;
    let caller = authenticate(state, headers, v).await?;
    let files = state
        .store
        .attribution_files(caller.aco.id)
        .await
        .or_500(v)?;
    let mut dates = Vec::new();
    for (runout, kind) in [
        (false, "last_attribution_update"),
        (true, "last_runout_update"),
    ] {
        if let Some(f) = files.iter().rev().find(|f| f.runout == runout) {
            let t = OffsetDateTime::from_unix_timestamp(f.timestamp_unix)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            dates.push(json!({"timestamp": format_instant(t), "type": kind}));
        }
    }
    if dates.is_empty() {
        return Err(ApiError::outcome(v, StatusCode::NOT_FOUND, ""));
    }
    Ok((
        [(CONTENT_TYPE, "application/json")],
        format!("{}\n", json!({ "ingestion_dates": dates })),
    )
        .into_response())
}

pub(crate) async fn version(State(state): State<Shared>) -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        json!({"version": state.config.version_tag}).to_string(),
    )
        .into_response()
}

pub(crate) async fn health(State(state): State<Shared>) -> Response {
    let db_ok = state.store.ping().await;
    let body = json!({
        "database": if db_ok { "ok" } else { "database ping error" },
        "ssas": "ok",
        "ssas_introspect": "ok"
    });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_GATEWAY
    };
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(crate) async fn auth_info(State(state): State<Shared>) -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        json!({"auth_provider": "ssas", "version": state.config.version_tag}).to_string(),
    )
        .into_response()
}
