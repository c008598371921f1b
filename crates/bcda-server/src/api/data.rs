//! `GET /data/{job}/{file}`: ownership, expiry, traversal-proof lookup, gzip pass-through or
//! on-the-fly decompression, single byte ranges and ETags on both representations.

use std::io::{Read, Seek, SeekFrom};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE,
    ETAG, IF_NONE_MATCH, IF_RANGE, RANGE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bcda_protocol::{header_has_token, ApiVersion};
use bytes::Bytes;

use super::jobs::{gone, is_expired, owned_job};
use super::{authenticate, ApiError, OrInternal, Shared};
use crate::worker::stored_path;

const CHUNK: usize = 64 * 1024;

pub(crate) async fn serve(
    State(state): State<Shared>,
    Path((job, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    serve_file(state, job, file, headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// A served name is `<something>.ndjson` made of safe characters only: no separators, no
/// leading dot, no `..`. The store lookup is the real gate; this refuses traversal early.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && !name.contains("..")
        && name.ends_with(".ndjson")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A parsed single range, inclusive bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteRange {
    start: u64,
    end: u64,
}

enum RangeReq {
    Full,
    Partial(ByteRange),
    Unsatisfiable,
}

fn parse_range(value: &str, len: u64) -> RangeReq {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeReq::Full;
    };
    if spec.contains(',') {
        return RangeReq::Full; // multipart ranges: answer the whole file
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeReq::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        match b.parse::<u64>() {
            Ok(0) | Err(_) => return RangeReq::Unsatisfiable,
            Ok(n) => ByteRange {
                start: len.saturating_sub(n),
                end: len.saturating_sub(1),
            },
        }
    } else {
        let Ok(start) = a.parse::<u64>() else {
            return RangeReq::Full;
        };
        let end = if b.is_empty() {
            len.saturating_sub(1)
        } else {
            match b.parse::<u64>() {
                Ok(e) => e.min(len.saturating_sub(1)),
                Err(_) => return RangeReq::Full,
            }
        };
        ByteRange { start, end }
    };
    if len == 0 || range.start >= len || range.start > range.end {
        RangeReq::Unsatisfiable
    } else {
        RangeReq::Partial(range)
    }
}

async fn serve_file(
    state: Shared,
    raw_job: String,
    name: String,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let v = ApiVersion::V1; // BCDA's writer for paths outside /api/vN
    let caller = authenticate(&state, &headers, v).await?;
    let job = owned_job(&state, &caller, &raw_job, v).await?;
    if is_expired(&job) {
        return Err(gone(&job, v));
    }
    let not_found = || ApiError::outcome(v, StatusCode::NOT_FOUND, "Job not found");
    if !safe_name(&name) {
        return Err(not_found());
    }
    let file = state
        .store
        .job_file(job.id, &name)
        .await
        .or_500(v)?
        .ok_or_else(not_found)?;
    let path = stored_path(&state.config.data_dir, job.id, &file.file_name);
    // Refuse anything that is not a plain file (a planted symlink, a directory).
    let meta = std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.file_type().is_file())
        .ok_or_else(|| ApiError::plain(StatusCode::NOT_FOUND, "404 Not Found"))?;

    let gzip = headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .any(|h| header_has_token(h, "gzip"));
    let (len, etag) = if gzip {
        (meta.len(), format!("\"{}-gz\"", file.file_name))
    } else {
        (file.size_raw as u64, format!("\"{}\"", file.file_name))
    };

    let mut resp_headers = HeaderMap::new();
    resp_headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+ndjson"),
    );
    resp_headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    resp_headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(e) = HeaderValue::from_str(&etag) {
        resp_headers.insert(ETAG, e);
    }
    if gzip {
        resp_headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    let header = |n| headers.get(n).and_then(|h: &HeaderValue| h.to_str().ok());
    if header(IF_NONE_MATCH)
        .is_some_and(|inm| inm.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, resp_headers).into_response());
    }
    let range_allowed = header(IF_RANGE).is_none_or(|ir| ir.trim() == etag);
    let range = match header(RANGE) {
        Some(r) if range_allowed => parse_range(r, len),
        _ => RangeReq::Full,
    };
    let (status, range) = match range {
        RangeReq::Full => (
            StatusCode::OK,
            ByteRange {
                start: 0,
                end: len.saturating_sub(1),
            },
        ),
        RangeReq::Partial(r) => {
            if let Ok(h) = HeaderValue::from_str(&format!("bytes {}-{}/{len}", r.start, r.end)) {
                resp_headers.insert(CONTENT_RANGE, h);
            }
            (StatusCode::PARTIAL_CONTENT, r)
        }
        RangeReq::Unsatisfiable => {
            if let Ok(h) = HeaderValue::from_str(&format!("bytes */{len}")) {
                resp_headers.insert(CONTENT_RANGE, h);
            }
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, resp_headers).into_response());
        }
    };
    let count = if len == 0 {
        0
    } else {
        range.end - range.start + 1
    };
    resp_headers.insert(CONTENT_LENGTH, HeaderValue::from(count));

    // Stream from a blocking reader thread through a small channel.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let src = path.clone();
    tokio::task::spawn_blocking(move || {
        let result = (|| -> std::io::Result<()> {
            let mut f = std::fs::File::open(&src)?;
            let mut reader: Box<dyn Read> = if gzip {
                f.seek(SeekFrom::Start(range.start))?;
                Box::new(f)
            } else {
                let mut d = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(f));
                std::io::copy(&mut (&mut d).take(range.start), &mut std::io::sink())?;
                Box::new(d)
            };
            let mut left = count;
            while left > 0 {
                let mut buf = vec![0u8; CHUNK.min(left as usize)];
                let n = reader.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                left -= n as u64;
                if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                    return Ok(()); // client went away
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok((status, resp_headers, Body::from_stream(stream)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(safe_name("0b1c-ab.ndjson"));
        assert!(!safe_name("../x.ndjson"));
        assert!(!safe_name("..%2Fx.ndjson"));
        assert!(!safe_name("/etc/passwd"));
        assert!(!safe_name(".hidden.ndjson"));
        assert!(!safe_name("a.ndjson.gz"));
    }

    #[test]
    fn ranges() {
        let p = |s, len| match parse_range(s, len) {
            RangeReq::Full => "full".to_string(),
            RangeReq::Unsatisfiable => "416".to_string(),
            RangeReq::Partial(r) => format!("{}-{}", r.start, r.end),
        };
        assert_eq!(p("bytes=0-9", 100), "0-9");
        assert_eq!(p("bytes=90-", 100), "90-99");
        assert_eq!(p("bytes=-10", 100), "90-99");
        assert_eq!(p("bytes=50-500", 100), "50-99");
        assert_eq!(p("bytes=100-", 100), "416");
        assert_eq!(p("bytes=0-1,5-6", 100), "full");
        assert_eq!(p("items=0-1", 100), "full");
    }
}
