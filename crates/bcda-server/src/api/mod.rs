//! HTTP layer: the router, the one error type mapped to responses in one place, and the
//! bearer-token check every authenticated endpoint runs first.

pub(crate) mod data;
pub(crate) mod export;
pub(crate) mod jobs;
pub(crate) mod meta;
pub(crate) mod token;

use std::sync::Arc;

use axum::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bcda_protocol::{ApiVersion, IssueCode, OperationOutcome, ProtocolError, TokenClaims};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::store::AcoRow;
use crate::{AppState, ServerError};

pub(crate) type Shared = Arc<AppState>;

/// Diagnostics of the 503 sent while the database cannot be reached (no BCDA counterpart:
/// BCDA's single database answers or the request fails with 500).
pub(crate) const DB_UNAVAILABLE: &str =
    "Service temporarily unavailable: the database cannot be reached. Retry later.";

/// Build the router with its middleware stack.
pub(crate) fn router(state: Shared) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/auth/token", post(token::token))
        .route("/auth/welcome", get(token::welcome))
        .route("/api/{version}/metadata", get(meta::metadata))
        .route(
            "/api/{version}/Patient/$export",
            get(export::patient_export),
        )
        .route(
            "/api/{version}/Group/{group}/$export",
            get(export::group_export),
        )
        .route("/api/{version}/jobs", get(jobs::list))
        .route(
            "/api/{version}/jobs/{job}",
            get(jobs::status).delete(jobs::cancel),
        )
        .route(
            "/api/{version}/attribution_status",
            get(meta::attribution_status),
        )
        .route("/data/{job}/{file}", get(data::serve))
        .route("/_version", get(meta::version))
        .route("/_health", get(meta::health))
        .route("/_auth", get(meta::auth_info))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") })
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// A worker node's router: liveness only (`/_health`, `/_version`).
pub(crate) fn worker_router(state: Shared) -> Router {
    Router::new()
        .route("/_version", get(meta::version))
        .route("/_health", get(meta::health))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") })
        .with_state(state)
}

/// What an error response carries.
#[derive(Debug)]
enum ErrorBody {
    Outcome(ApiVersion, IssueCode, String),
    Plain(String),
}

/// A request failure, rendered by `IntoResponse` (the one place statuses meet bodies).
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An OperationOutcome with the code BCDA's status map gives.
    pub(crate) fn outcome(v: ApiVersion, status: StatusCode, msg: impl Into<String>) -> ApiError {
        ApiError::outcome_code(v, status, IssueCode::for_status(status.as_u16()), msg)
    }

    /// An OperationOutcome with an explicit code.
    pub(crate) fn outcome_code(
        v: ApiVersion,
        status: StatusCode,
        code: IssueCode,
        msg: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::Outcome(v, code, msg.into()),
            headers: Vec::new(),
        }
    }

    /// A 400 for a protocol validation error.
    pub(crate) fn protocol(v: ApiVersion, e: &ProtocolError) -> ApiError {
        ApiError::outcome(v, StatusCode::BAD_REQUEST, e.to_string())
    }

    /// A plain-text error (token endpoint, routing).
    pub(crate) fn plain(status: StatusCode, text: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::Plain(text.into()),
            headers: Vec::new(),
        }
    }

    /// A 503 `exception` OperationOutcome with `Retry-After`: the database cannot be reached.
    pub(crate) fn unavailable(v: ApiVersion, cause: impl std::fmt::Display) -> ApiError {
        tracing::warn!(error = %cause, "database unavailable");
        ApiError::outcome_code(
            v,
            StatusCode::SERVICE_UNAVAILABLE,
            IssueCode::Exception,
            DB_UNAVAILABLE,
        )
        .with_header(axum::http::header::RETRY_AFTER, 5)
    }

    /// A 500 `exception` OperationOutcome; the cause is logged, not sent.
    pub(crate) fn internal(v: ApiVersion, cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::outcome_code(
            v,
            StatusCode::INTERNAL_SERVER_ERROR,
            IssueCode::Exception,
            "Internal Error",
        )
    }

    /// Add a header.
    pub(crate) fn with_header(mut self, name: HeaderName, value: impl ToString) -> ApiError {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            self.headers.push((name, v));
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = match self.body {
            ErrorBody::Outcome(v, code, msg) => (
                self.status,
                [(CONTENT_TYPE, "application/fhir+json")],
                OperationOutcome::error(v, code, &msg).to_json(),
            )
                .into_response(),
            ErrorBody::Plain(text) => (
                self.status,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                text,
            )
                .into_response(),
        };
        for (k, v) in self.headers {
            resp.headers_mut().insert(k, v);
        }
        resp
    }
}

/// `Result<T, ServerError>` → `Result<T, ApiError>` as a 500 in the caller's shape.
pub(crate) trait OrInternal<T> {
    fn or_500(self, v: ApiVersion) -> Result<T, ApiError>;
}

impl<T> OrInternal<T> for Result<T, ServerError> {
    fn or_500(self, v: ApiVersion) -> Result<T, ApiError> {
        self.map_err(|e| {
            if e.is_unavailable() {
                ApiError::unavailable(v, e)
            } else {
                ApiError::internal(v, e)
            }
        })
    }
}

/// Parse the `{version}` path segment; unknown versions are a plain 404 like an unknown route.
pub(crate) fn parse_version(v: &str) -> Result<ApiVersion, ApiError> {
    v.parse()
        .map_err(|_| ApiError::plain(StatusCode::NOT_FOUND, "404 page not found"))
}

/// The authenticated caller.
pub(crate) struct Caller {
    pub(crate) aco: AcoRow,
    #[allow(dead_code)]
    pub(crate) claims: TokenClaims,
}

/// BCDA's chain: `Bearer` header shape (401 `Invalid Token`), token shape (400
/// `Request Error`), signature/expiry/revocation (401 `Expired Token`), exactly one known
/// CMS id (403 `Unauthorized Error`), denylist (403).
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    v: ApiVersion,
) -> Result<Caller, ApiError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let token = bcda_protocol::bearer_token(header)
        .ok_or_else(|| ApiError::outcome(v, StatusCode::UNAUTHORIZED, "Invalid Token"))?;
    let claims = state.keys.verify(token).map_err(|e| match e {
        crate::auth::TokenError::Malformed => {
            ApiError::outcome(v, StatusCode::BAD_REQUEST, "Request Error")
        }
        crate::auth::TokenError::Inactive(_) => {
            ApiError::outcome(v, StatusCode::UNAUTHORIZED, "Expired Token")
        }
    })?;
    let forbidden = || ApiError::outcome(v, StatusCode::FORBIDDEN, "Unauthorized Error");
    let ids = claims.cms_ids().ok();
    // Revocation first (401), then exactly one known CMS id (403); one store round trip.
    let cms_id = match ids.as_deref() {
        Some([one]) => one.as_str(),
        _ => "",
    };
    let (revoked, aco) = state
        .store
        .auth_lookup(&claims.jti, cms_id)
        .await
        .or_500(v)?;
    if revoked {
        return Err(ApiError::outcome(
            v,
            StatusCode::UNAUTHORIZED,
            "Expired Token",
        ));
    }
    let aco = aco.filter(|_| !cms_id.is_empty()).ok_or_else(forbidden)?;
    if aco.denylisted {
        return Err(ApiError::outcome(
            v,
            StatusCode::FORBIDDEN,
            format!("ACO (CMS_ID: {}) is unauthorized", aco.cms_id),
        ));
    }
    Ok(Caller { aco, claims })
}

/// `{scheme}://{host}` of the request (the `Host` header, as BCDA does; `https` when this
/// server holds the TLS certificate).
pub(crate) fn base_url(config: &crate::ServerConfig, headers: &HeaderMap) -> String {
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// An HTTP-date.
pub(crate) fn http_date_us(us: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(us.max(0) as u64);
    httpdate::fmt_http_date(t)
}
