//! [`BulkClient`]: token, kick-off, polling, jobs, and the export driver.

use std::path::Path;
use std::time::{Duration, Instant};

use bcda_protocol::{encode_component, Manifest, OperationOutcome, TaskBundle, TokenResponse};
use futures::{StreamExt, TryStreamExt};
use reqwest::header::{HeaderMap, CONTENT_LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::download::{download_one, write_atomic};
use crate::token::TokenCache;
use crate::{
    ClientConfig, ClientError, Event, Exchange, ExportRequest, ExportSummary, FileSummary,
    Progress, Scope,
};

const FHIR_JSON: &str = "application/fhir+json";

/// A bulk-export client for one server and one set of credentials. Cheap to share by reference
/// across tasks.
#[derive(Debug)]
pub struct BulkClient {
    pub(crate) config: ClientConfig,
    http: reqwest::Client,
    pub(crate) raw: reqwest::Client,
    token: TokenCache,
}

/// What a request needs for authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// No credentials (a download from a server whose manifest says `requiresAccessToken: false`).
    None,
    /// The cached access token.
    Bearer,
}

impl BulkClient {
    /// A client for `config`. Fails on an unusable base URL or empty credentials.
    pub fn new(config: ClientConfig) -> Result<BulkClient, ClientError> {
        let url = reqwest::Url::parse(&config.base_url)
            .map_err(|e| ClientError::Config(format!("base URL {:?}: {e}", config.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ClientError::Config(format!(
                "base URL {:?} is not http(s)",
                config.base_url
            )));
        }
        if config.credentials.client_id.is_empty() || config.credentials.secret().is_empty() {
            return Err(ClientError::Config(
                "client id and secret must not be empty".to_string(),
            ));
        }
        if config.parallel_downloads == 0 || config.max_attempts == 0 {
            return Err(ClientError::Config(
                "parallel_downloads and max_attempts must be at least 1".to_string(),
            ));
        }
        let build = |gzip: bool| {
            reqwest::Client::builder()
                .gzip(gzip)
                .connect_timeout(config.connect_timeout)
                .read_timeout(config.read_timeout)
                .user_agent(concat!("bcda-rs-client/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| ClientError::Config(format!("HTTP client: {e}")))
        };
        Ok(BulkClient {
            http: build(true)?,
            raw: build(false)?,
            token: TokenCache::default(),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn api_url(&self, path: &str) -> String {
        format!(
            "{}/api/{}/{}",
            self.config.base_url,
            self.config.api.as_str(),
            path
        )
    }

    /// The kick-off URL of `request`.
    pub fn kickoff_url(&self, request: &ExportRequest) -> String {
        let path = match &request.scope {
            Scope::Patient => "Patient/$export".to_string(),
            Scope::Group(g) => format!("Group/{}/$export", encode_component(g)),
        };
        let mut query = Vec::new();
        if !request.types.is_empty() {
            let types: Vec<&str> = request.types.iter().map(|t| t.as_str()).collect();
            query.push(format!("_type={}", types.join(",")));
        }
        if let Some(since) = &request.since {
            query.push(format!("_since={}", encode_component(since)));
        }
        let mut url = self.api_url(&path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        url
    }

    /// A valid access token: the cached one, or a new one if it is about to expire.
    pub async fn access_token(&self, progress: &dyn Progress) -> Result<String, ClientError> {
        self.token
            .get(self.config.token_margin, || self.fetch_token(progress))
            .await
    }

    async fn fetch_token(&self, progress: &dyn Progress) -> Result<(String, u64), ClientError> {
        let url = format!("{}/auth/token", self.config.base_url);
        let resp = self.send_token_request(&url, progress).await?;
        let status = resp.status();
        let (headers, body) = read_body(resp, "POST", &url).await?;
        emit_exchange(
            progress,
            "POST",
            &url,
            &[("Accept", "application/json")],
            status,
            &headers,
            Some(&body),
        );
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(ClientError::BadCredentials {
                status: status.as_u16(),
                message: diagnostics(&body),
            });
        }
        if !status.is_success() {
            return Err(status_error("POST", &url, status, &body));
        }
        let token = TokenResponse::parse(&body).map_err(|e| ClientError::Malformed {
            what: "token response",
            url: url.clone(),
            message: e.to_string(),
        })?;
        progress.on_event(&Event::TokenObtained {
            expires_in: token.expires_in,
        });
        Ok((token.access_token, token.expires_in))
    }

    /// `POST /auth/token` with HTTP Basic credentials, retrying connection errors, 5xx and 429
    /// like [`BulkClient::send`] (kept separate so the token path never recurses into itself).
    async fn send_token_request(
        &self,
        url: &str,
        progress: &dyn Progress,
    ) -> Result<reqwest::Response, ClientError> {
        let mut attempt = 0u32;
        let mut throttled = 0u32;
        loop {
            let req = self
                .http
                .post(url)
                .header("Accept", "application/json")
                .basic_auth(
                    &self.config.credentials.client_id,
                    Some(self.config.credentials.secret()),
                );
            let (reason, wait) = match req.send().await {
                Err(e) => {
                    attempt += 1;
                    if attempt >= self.config.max_attempts {
                        return Err(ClientError::RetriesExhausted {
                            what: format!("POST {url}"),
                            attempts: attempt,
                            last: error_chain(&e),
                        });
                    }
                    (error_chain(&e), self.backoff(attempt))
                }
                Ok(resp) if resp.status() == StatusCode::TOO_MANY_REQUESTS && throttled < 1000 => {
                    throttled += 1;
                    let wait = retry_after(resp.headers())
                        .map(|w| w.min(self.config.max_wait))
                        .unwrap_or_else(|| self.backoff(throttled));
                    ("HTTP 429 Too Many Requests".to_string(), wait)
                }
                Ok(resp) if resp.status().is_server_error() => {
                    attempt += 1;
                    if attempt >= self.config.max_attempts {
                        return Ok(resp);
                    }
                    (format!("HTTP {}", resp.status()), self.backoff(attempt))
                }
                Ok(resp) => return Ok(resp),
            };
            progress.on_event(&Event::Retrying {
                what: format!("POST {url}"),
                attempt: attempt.max(throttled),
                reason,
                wait,
            });
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends a request, handling what every call shares: the bearer token (renewed once on a
    /// 401), 429 with `Retry-After`, and retries of connection errors and 5xx answers with
    /// capped, jittered backoff. Returns the first answer that is none of those, or the last
    /// 5xx answer when the attempts are used up.
    pub(crate) async fn send(
        &self,
        client: &reqwest::Client,
        method: Method,
        url: &str,
        auth: Auth,
        headers: &[(&str, &str)],
        progress: &dyn Progress,
    ) -> Result<reqwest::Response, ClientError> {
        let method_name = method_str(&method);
        let mut attempt = 0u32;
        let mut throttled = 0u32;
        let mut renewed = false;
        loop {
            let mut req = client.request(method.clone(), url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let mut used_token = None;
            if auth == Auth::Bearer {
                let token = self.access_token(progress).await?;
                req = req.bearer_auth(&token);
                used_token = Some(token);
            }
            match req.send().await {
                Err(e) => {
                    attempt += 1;
                    if attempt >= self.config.max_attempts {
                        return Err(ClientError::RetriesExhausted {
                            what: format!("{method_name} {url}"),
                            attempts: attempt,
                            last: error_chain(&e),
                        });
                    }
                    let wait = self.backoff(attempt);
                    progress.on_event(&Event::Retrying {
                        what: format!("{method_name} {url}"),
                        attempt,
                        reason: error_chain(&e),
                        wait,
                    });
                    tokio::time::sleep(wait).await;
                }
                Ok(resp) => {
                    let status = resp.status();
                    if status == StatusCode::UNAUTHORIZED && auth == Auth::Bearer && !renewed {
                        renewed = true;
                        if let Some(t) = used_token {
                            self.token.invalidate(&t).await;
                        }
                        continue;
                    }
                    if status == StatusCode::TOO_MANY_REQUESTS && throttled < 1000 {
                        throttled += 1;
                        let wait = retry_after(resp.headers())
                            .map(|w| w.min(self.config.max_wait))
                            .unwrap_or_else(|| self.backoff(throttled));
                        progress.on_event(&Event::Retrying {
                            what: format!("{method_name} {url}"),
                            attempt: throttled,
                            reason: "HTTP 429 Too Many Requests".to_string(),
                            wait,
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    if status.is_server_error() {
                        attempt += 1;
                        if attempt >= self.config.max_attempts {
                            return Ok(resp);
                        }
                        let wait = retry_after(resp.headers())
                            .map(|w| w.min(self.config.max_wait))
                            .unwrap_or_else(|| self.backoff(attempt));
                        progress.on_event(&Event::Retrying {
                            what: format!("{method_name} {url}"),
                            attempt,
                            reason: format!("HTTP {status}"),
                            wait,
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Ok(resp);
                }
            }
        }
    }

    /// Exponential backoff for the `attempt`-th retry (1-based), capped at `max_wait`, with
    /// "equal jitter": a random point in the upper half of the interval.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.config.max_wait);
        let half = capped / 2;
        half + half.mul_f64(jitter_fraction())
    }

    /// Starts an export; returns the job status URL (`Content-Location`).
    pub async fn kickoff(
        &self,
        request: &ExportRequest,
        progress: &dyn Progress,
    ) -> Result<String, ClientError> {
        let url = self.kickoff_url(request);
        let req_headers = [("Accept", FHIR_JSON), ("Prefer", "respond-async")];
        let resp = self
            .send(
                &self.http,
                Method::GET,
                &url,
                Auth::Bearer,
                &req_headers,
                progress,
            )
            .await?;
        let status = resp.status();
        let (headers, body) = read_body(resp, "GET", &url).await?;
        emit_exchange(
            progress,
            "GET",
            &url,
            &req_headers,
            status,
            &headers,
            Some(&body),
        );
        if status != StatusCode::ACCEPTED {
            return Err(status_error("GET", &url, status, &body));
        }
        let location = headers
            .get(CONTENT_LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ClientError::Malformed {
                what: "kick-off answer",
                url: url.clone(),
                message: "202 without a Content-Location header".to_string(),
            })?;
        let job_url = reqwest::Url::parse(&self.config.base_url)
            .and_then(|b| b.join(location))
            .map_err(|e| ClientError::Malformed {
                what: "Content-Location",
                url: url.clone(),
                message: format!("{location:?}: {e}"),
            })?
            .to_string();
        progress.on_event(&Event::KickedOff {
            job_url: job_url.clone(),
        });
        Ok(job_url)
    }

    /// Polls a job until it completes; returns the manifest and its raw JSON text.
    pub async fn wait_for_job(
        &self,
        job_url: &str,
        progress: &dyn Progress,
    ) -> Result<(Manifest, String), ClientError> {
        let started = Instant::now();
        let req_headers = [("Accept", FHIR_JSON)];
        let mut polls = 0u32;
        loop {
            let resp = self
                .send(
                    &self.http,
                    Method::GET,
                    job_url,
                    Auth::Bearer,
                    &req_headers,
                    progress,
                )
                .await?;
            let status = resp.status();
            let (headers, body) = read_body(resp, "GET", job_url).await?;
            emit_exchange(
                progress,
                "GET",
                job_url,
                &req_headers,
                status,
                &headers,
                Some(&body),
            );
            match status {
                StatusCode::OK => {
                    let manifest = Manifest::parse(&body).map_err(|e| ClientError::Malformed {
                        what: "manifest",
                        url: job_url.to_string(),
                        message: e.to_string(),
                    })?;
                    progress.on_event(&Event::Completed {
                        outputs: manifest.output.len(),
                        errors: manifest.error.len(),
                    });
                    return Ok((manifest, body));
                }
                StatusCode::ACCEPTED => {
                    polls += 1;
                    let wait = retry_after(&headers)
                        .map(|w| w.min(self.config.max_wait))
                        .unwrap_or_else(|| self.backoff(polls));
                    if started.elapsed() + wait > self.config.job_timeout {
                        return Err(ClientError::Timeout {
                            url: job_url.to_string(),
                            limit: self.config.job_timeout,
                        });
                    }
                    let progress_text = headers
                        .get("X-Progress")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    progress.on_event(&Event::InProgress {
                        progress: progress_text,
                        wait,
                    });
                    tokio::time::sleep(wait).await;
                }
                StatusCode::GONE => {
                    return Err(ClientError::JobExpired {
                        url: job_url.to_string(),
                    })
                }
                _ => return Err(status_error("GET", job_url, status, &body)),
            }
        }
    }

    /// Downloads every file of `manifest` (outputs, then errors) into `out_dir`, at most
    /// `parallel_downloads` at once. Stops at the first fatal error; partial files stay as
    /// hidden `.part` files and are resumed by the next call.
    pub async fn download_all(
        &self,
        manifest: &Manifest,
        out_dir: &Path,
        progress: &dyn Progress,
    ) -> Result<Vec<FileSummary>, ClientError> {
        std::fs::create_dir_all(out_dir).map_err(|e| ClientError::io(out_dir, e))?;
        let entries: Vec<_> = manifest
            .output
            .iter()
            .map(|e| (e, false))
            .chain(manifest.error.iter().map(|e| (e, true)))
            .collect();
        let auth = if manifest.requires_access_token {
            Auth::Bearer
        } else {
            Auth::None
        };
        crate::download::manifest_file_names(manifest)?;
        let mut files: Vec<(usize, FileSummary)> =
            futures::stream::iter(entries.into_iter().enumerate())
                .map(|(i, (entry, is_error))| async move {
                    download_one(self, entry, auth, is_error, out_dir, progress)
                        .await
                        .map(|f| (i, f))
                })
                .buffer_unordered(self.config.parallel_downloads)
                .try_collect()
                .await?;
        files.sort_by_key(|(i, _)| *i);
        Ok(files.into_iter().map(|(_, f)| f).collect())
    }

    /// Continues an existing job: waits for it, saves `manifest.json`, downloads its files.
    pub async fn resume(
        &self,
        job_url: &str,
        out_dir: &Path,
        progress: &dyn Progress,
    ) -> Result<ExportSummary, ClientError> {
        let started = Instant::now();
        let (manifest, raw) = self.wait_for_job(job_url, progress).await?;
        std::fs::create_dir_all(out_dir).map_err(|e| ClientError::io(out_dir, e))?;
        let manifest_path = out_dir.join("manifest.json");
        let mut text = raw.into_bytes();
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
        write_atomic(&manifest_path, &text)?;
        progress.on_event(&Event::ManifestSaved {
            path: manifest_path.clone(),
        });
        let files = self.download_all(&manifest, out_dir, progress).await?;
        Ok(ExportSummary {
            job_url: job_url.to_string(),
            manifest,
            manifest_path,
            files,
            elapsed: started.elapsed(),
        })
    }

    /// Kick-off, wait, download: the whole export.
    pub async fn export(
        &self,
        request: &ExportRequest,
        out_dir: &Path,
        progress: &dyn Progress,
    ) -> Result<ExportSummary, ClientError> {
        let started = Instant::now();
        let job_url = self.kickoff(request, progress).await?;
        let mut summary = self.resume(&job_url, out_dir, progress).await?;
        summary.elapsed = started.elapsed();
        Ok(summary)
    }

    /// The ACO's jobs (`GET /api/vN/jobs`, optionally `?_status=A,B`).
    pub async fn jobs(
        &self,
        status: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<TaskBundle, ClientError> {
        let mut url = self.api_url("jobs");
        if let Some(s) = status {
            url.push_str("?_status=");
            url.push_str(&encode_component(s));
        }
        let req_headers = [("Accept", FHIR_JSON), ("Prefer", "respond-async")];
        let resp = self
            .send(
                &self.http,
                Method::GET,
                &url,
                Auth::Bearer,
                &req_headers,
                progress,
            )
            .await?;
        let status = resp.status();
        let (headers, body) = read_body(resp, "GET", &url).await?;
        emit_exchange(
            progress,
            "GET",
            &url,
            &req_headers,
            status,
            &headers,
            Some(&body),
        );
        if status != StatusCode::OK {
            return Err(status_error("GET", &url, status, &body));
        }
        TaskBundle::parse(&body).map_err(|e| ClientError::Malformed {
            what: "Task bundle",
            url,
            message: e.to_string(),
        })
    }
}

pub(crate) fn method_str(m: &Method) -> &'static str {
    match *m {
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        _ => "GET",
    }
}

async fn read_body(
    resp: reqwest::Response,
    method: &'static str,
    url: &str,
) -> Result<(HeaderMap, String), ClientError> {
    let headers = resp.headers().clone();
    let body = resp.text().await.map_err(|source| ClientError::Http {
        method,
        url: url.to_string(),
        source,
    })?;
    Ok((headers, body))
}

/// The headers worth showing a user.
const SHOWN_HEADERS: [&str; 8] = [
    "content-type",
    "content-location",
    "retry-after",
    "x-progress",
    "expires",
    "content-encoding",
    "content-length",
    "content-range",
];

pub(crate) fn emit_exchange(
    progress: &dyn Progress,
    method: &'static str,
    url: &str,
    request_headers: &[(&str, &str)],
    status: StatusCode,
    headers: &HeaderMap,
    body: Option<&str>,
) {
    let response_headers = SHOWN_HEADERS
        .iter()
        .filter_map(|name| {
            let v = headers.get(*name)?.to_str().ok()?;
            Some((canonical(name), v.to_string()))
        })
        .collect();
    progress.on_event(&Event::Exchange(Exchange {
        method,
        url: url.to_string(),
        request_headers: request_headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        status: status.as_u16(),
        response_headers,
        body: body.map(str::to_string),
    }));
}

fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `Retry-After` as seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The OperationOutcome diagnostics of a body, else its start.
pub(crate) fn diagnostics(body: &str) -> String {
    if let Ok(o) = OperationOutcome::parse(body) {
        let d = o.diagnostics();
        if !d.is_empty() {
            return d.to_string();
        }
    }
    let trimmed = body.trim();
    let mut s: String = trimmed.chars().take(200).collect();
    if s.len() < trimmed.len() {
        s.push('…');
    }
    s
}

pub(crate) fn status_error(
    method: &'static str,
    url: &str,
    status: StatusCode,
    body: &str,
) -> ClientError {
    ClientError::Status {
        method,
        url: url.to_string(),
        status: status.as_u16(),
        message: diagnostics(body),
    }
}

pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// A uniform random fraction in [0, 1) from std's randomly keyed hasher (no RNG dependency).
fn jitter_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The body of an error answer, for its diagnostics (empty if unreadable).
pub(crate) async fn read_status_body(resp: reqwest::Response) -> String {
    resp.text().await.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    fn client() -> BulkClient {
        BulkClient::new(ClientConfig::new(
            "http://127.0.0.1:1/",
            Credentials::new("id", "s3cret-value"),
        ))
        .unwrap()
    }

    #[test]
    fn kickoff_urls() {
        let c = client();
        assert_eq!(
            c.kickoff_url(&ExportRequest::group_all()),
            "http://127.0.0.1:1/api/v2/Group/all/$export"
        );
        let req = ExportRequest {
            scope: Scope::Patient,
            types: vec![crate::ResourceType::Patient, crate::ResourceType::Coverage],
            since: Some("2020-02-13T08:00:00.000-05:00".into()),
        };
        assert_eq!(
            c.kickoff_url(&req),
            "http://127.0.0.1:1/api/v2/Patient/$export?_type=Patient,Coverage&_since=2020-02-13T08%3A00%3A00.000-05%3A00"
        );
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let c = client();
        for attempt in 1..40 {
            let w = c.backoff(attempt);
            assert!(w <= c.config.max_wait, "{attempt}: {w:?}");
            let full = c
                .config
                .backoff_base
                .saturating_mul(1 << (attempt - 1).min(20))
                .min(c.config.max_wait);
            assert!(w >= full / 2, "{attempt}: {w:?} < half of {full:?}");
        }
        let samples: std::collections::HashSet<_> = (0..20).map(|_| c.backoff(5)).collect();
        assert!(samples.len() > 1, "no jitter: {samples:?}");
    }

    #[test]
    fn secret_not_in_debug() {
        let c = client();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("s3cret-value"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(100);
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(90) && d <= Duration::from_secs(100),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }
}
