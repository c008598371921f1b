//! `POST /auth/token` (Basic client credentials → RS512 JWT) and `GET /auth/welcome`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, PRAGMA, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bcda_protocol::{ApiVersion, TokenResponse};

use super::{authenticate, ApiError, OrInternal, Shared};

/// Fixed-window token counter per ACO.
pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Count one token for `key`; false when over the limit.
    fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    crate::auth::basic_credentials(value)
}

/// Issue an access token.
pub(crate) async fn token(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match issue(&state, &headers).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn issue(state: &Shared, headers: &HeaderMap) -> Result<Response, ApiError> {
    let v = ApiVersion::V1;
    let (client_id, secret) = basic_credentials(headers)
        .ok_or_else(|| ApiError::plain(StatusCode::BAD_REQUEST, "Bad Request"))?;
    let system = state
        .store
        .system_by_client_id(&client_id)
        .await
        .or_500(v)?
        .ok_or_else(|| ApiError::plain(StatusCode::UNAUTHORIZED, "Unauthorized"))?;
    // argon2 is deliberately slow: verify off the async threads.
    let st = state.clone();
    let (cid, phc) = (client_id.clone(), system.secret_hash.clone());
    let ok = tokio::task::spawn_blocking(move || st.secret_cache.verify(&cid, &secret, &phc))
        .await
        .map_err(|e| ApiError::internal(v, e))?;
    if !ok {
        return Err(ApiError::plain(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    if !state.token_limiter.allow(&system.cms_id) {
        return Err(ApiError::plain(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "{} exceeded the rate limit for /auth/token. Access tokens last 20 minutes; please cache and reuse them.",
                system.cms_id
            ),
        )
        .with_header(RETRY_AFTER, state.config.token_rate_window.as_secs()));
    }
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    let (jwt, _) = state
        .keys
        .mint(&system.client_id, system.id, &system.cms_id, iat)
        .map_err(|e| ApiError::internal(v, e))?;
    Ok((
        StatusCode::OK,
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
            (PRAGMA, "no-cache"),
        ],
        TokenResponse::bearer(jwt).to_bcda_json(),
    )
        .into_response())
}

/// `GET /auth/welcome`: checks a token.
pub(crate) async fn welcome(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers, ApiVersion::V1).await {
        Ok(_) => (
            [(CONTENT_TYPE, "application/json")],
            r#"{"success":"Welcome to the Beneficiary Claims Data API!"}"#,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
