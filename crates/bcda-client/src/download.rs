//! One file: resumable download of the raw (gzip) bytes into a hidden `.part` file, then
//! decompression, line checks and an atomic rename to the final name.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use bcda_protocol::ManifestEntry;
use reqwest::header::{CONTENT_ENCODING, CONTENT_RANGE, ETAG};
use reqwest::{Method, StatusCode};
use tokio::io::AsyncWriteExt;

use crate::client::{emit_exchange, error_chain, read_status_body, Auth};
use crate::{BulkClient, ClientError, Event, FileSummary, Progress};

/// The last path segment of a manifest URL, if it is a safe file name.
pub(crate) fn file_name(url: &str) -> Result<&str, ClientError> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(name)
    } else {
        Err(ClientError::BadFileName(url.to_string()))
    }
}

/// The local file name of every entry of `manifest` (outputs, then errors), as
/// [`crate::BulkClient::download_all`] checks them before downloading: each must be a plain file
/// name ([`ClientError::BadFileName`] otherwise) and no two entries may share one.
pub fn manifest_file_names(manifest: &bcda_protocol::Manifest) -> Result<Vec<&str>, ClientError> {
    let mut seen = std::collections::HashSet::new();
    let mut names = Vec::new();
    for e in manifest.output.iter().chain(&manifest.error) {
        let name = file_name(&e.url)?;
        if !seen.insert(name) {
            return Err(ClientError::BadFileName(e.url.clone()));
        }
        names.push(name);
    }
    Ok(names)
}

/// Writes `bytes` to `path` through a temporary sibling and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let res = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(ClientError::io(path, e));
    }
    Ok(())
}

/// What the `.part` file holds: which URL, whether gzip, and the validator for `If-Range`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PartMeta {
    url: String,
    gzip: bool,
    etag: String,
}

impl PartMeta {
    fn read(path: &Path) -> Option<PartMeta> {
        let text = fs::read_to_string(path).ok()?;
        let mut lines = text.lines();
        let url = lines.next()?.to_string();
        let gzip = lines.next()? == "gzip";
        let etag = lines.next()?.to_string();
        Some(PartMeta { url, gzip, etag })
    }

    fn write(&self, path: &Path) -> Result<(), ClientError> {
        let enc = if self.gzip { "gzip" } else { "identity" };
        write_atomic(
            path,
            format!("{}\n{enc}\n{}\n", self.url, self.etag).as_bytes(),
        )
    }
}

struct Paths {
    final_path: PathBuf,
    part: PathBuf,
    meta: PathBuf,
    tmp: PathBuf,
}

impl Paths {
    fn new(dir: &Path, name: &str) -> Paths {
        Paths {
            final_path: dir.join(name),
            part: dir.join(format!(".{name}.part")),
            meta: dir.join(format!(".{name}.part-meta")),
            tmp: dir.join(format!(".{name}.tmp")),
        }
    }

    fn discard_part(&self) {
        let _ = fs::remove_file(&self.part);
        let _ = fs::remove_file(&self.meta);
    }
}

/// Why finishing a file failed.
enum FinishError {
    /// The compressed stream is truncated or corrupt: download it again.
    Corrupt(String),
    /// Fatal.
    Fatal(ClientError),
}

pub(crate) async fn download_one(
    client: &BulkClient,
    entry: &ManifestEntry,
    auth: Auth,
    is_error_file: bool,
    out_dir: &Path,
    progress: &dyn Progress,
) -> Result<FileSummary, ClientError> {
    let name = file_name(&entry.url)?.to_string();
    let paths = Paths::new(out_dir, &name);
    let summary = |lines, bytes, transferred, resumed, already_present| FileSummary {
        path: paths.final_path.clone(),
        resource_type: entry.resource_type.clone(),
        lines,
        bytes,
        transferred,
        resumed,
        already_present,
        is_error_file,
    };

    if paths.final_path.is_file() {
        let path = paths.final_path.clone();
        let (lines, bytes) = tokio::task::spawn_blocking(move || count_lines(&path))
            .await
            .map_err(|e| ClientError::io(&paths.final_path, std::io::Error::other(e)))??;
        return Ok(summary(lines, bytes, 0, false, true));
    }

    let max = client.config.max_attempts;
    let mut attempt = 0u32;
    let mut transferred = 0u64;
    let mut resumed = false;
    let mut last_error = String::new();
    while attempt < max {
        let meta = PartMeta::read(&paths.meta).filter(|m| m.url == entry.url && !m.etag.is_empty());
        let offset = match (&meta, fs::metadata(&paths.part)) {
            (Some(_), Ok(m)) => m.len(),
            _ => {
                paths.discard_part();
                0
            }
        };
        let range = format!("bytes={offset}-");
        let mut headers: Vec<(&str, &str)> = vec![("Accept-Encoding", "gzip")];
        if offset > 0 {
            headers.push(("Range", &range));
            if let Some(m) = &meta {
                headers.push(("If-Range", &m.etag));
            }
        }
        progress.on_event(&Event::DownloadStarted {
            file: name.clone(),
            resume_from: offset,
        });
        let resp = client
            .send(
                &client.raw,
                Method::GET,
                &entry.url,
                auth,
                &headers,
                progress,
            )
            .await?;
        let status = resp.status();
        emit_exchange(
            progress,
            "GET",
            &entry.url,
            &headers,
            status,
            resp.headers(),
            None,
        );
        let gzip = resp
            .headers()
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let file = match status {
            StatusCode::PARTIAL_CONTENT if offset > 0 => {
                let content_range = resp
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let expected = format!("bytes {offset}-");
                if !content_range.starts_with(&expected)
                    || meta.as_ref().map(|m| m.gzip) != Some(gzip)
                {
                    // Not the continuation we asked for: start over.
                    paths.discard_part();
                    attempt += 1;
                    last_error = format!("unexpected Content-Range {content_range:?}");
                    continue;
                }
                resumed = true;
                tokio::fs::OpenOptions::new()
                    .append(true)
                    .open(&paths.part)
                    .await
                    .map_err(|e| ClientError::io(&paths.part, e))?
            }
            StatusCode::OK => {
                let etag = resp
                    .headers()
                    .get(ETAG)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                PartMeta {
                    url: entry.url.clone(),
                    gzip,
                    etag,
                }
                .write(&paths.meta)?;
                tokio::fs::File::create(&paths.part)
                    .await
                    .map_err(|e| ClientError::io(&paths.part, e))?
            }
            StatusCode::RANGE_NOT_SATISFIABLE if offset > 0 => {
                // The part may already be whole; the check below decides.
                match finish(
                    &paths,
                    &name,
                    &entry.resource_type,
                    meta.is_some_and(|m| m.gzip),
                )
                .await
                {
                    Ok((lines, bytes)) => {
                        paths.discard_part();
                        progress.on_event(&Event::DownloadFinished {
                            file: name.clone(),
                            lines,
                            bytes,
                        });
                        return Ok(summary(lines, bytes, transferred, true, false));
                    }
                    Err(FinishError::Fatal(e)) => {
                        paths.discard_part();
                        return Err(e);
                    }
                    Err(FinishError::Corrupt(m)) => {
                        paths.discard_part();
                        attempt += 1;
                        last_error = m;
                        continue;
                    }
                }
            }
            StatusCode::GONE => {
                return Err(ClientError::JobExpired {
                    url: entry.url.clone(),
                })
            }
            _ => {
                let body = read_status_body(resp).await;
                return Err(crate::client::status_error(
                    "GET", &entry.url, status, &body,
                ));
            }
        };

        // Stream the body into the part file (tokio's file runs the writes on the blocking
        // pool; the buffer keeps them few).
        let mut file = tokio::io::BufWriter::with_capacity(256 * 1024, file);
        let mut resp = resp;
        let mut stream_error = None;
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    file.write_all(&bytes)
                        .await
                        .map_err(|e| ClientError::io(&paths.part, e))?;
                    transferred += bytes.len() as u64;
                    progress.on_event(&Event::DownloadBytes {
                        file: name.clone(),
                        bytes: bytes.len() as u64,
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    stream_error = Some(error_chain(&e));
                    break;
                }
            }
        }
        file.flush()
            .await
            .map_err(|e| ClientError::io(&paths.part, e))?;
        drop(file);
        if let Some(err) = stream_error {
            attempt += 1;
            last_error = err.clone();
            if attempt < max {
                let wait = client.backoff(attempt);
                progress.on_event(&Event::Retrying {
                    what: format!("download of {name}"),
                    attempt,
                    reason: err,
                    wait,
                });
                tokio::time::sleep(wait).await;
            }
            continue;
        }

        match finish(&paths, &name, &entry.resource_type, gzip).await {
            Ok((lines, bytes)) => {
                paths.discard_part();
                progress.on_event(&Event::DownloadFinished {
                    file: name.clone(),
                    lines,
                    bytes,
                });
                return Ok(summary(lines, bytes, transferred, resumed, false));
            }
            Err(FinishError::Fatal(e)) => {
                paths.discard_part();
                return Err(e);
            }
            Err(FinishError::Corrupt(m)) => {
                paths.discard_part();
                attempt += 1;
                last_error = m.clone();
                if attempt < max {
                    let wait = client.backoff(attempt);
                    progress.on_event(&Event::Retrying {
                        what: format!("download of {name}"),
                        attempt,
                        reason: m,
                        wait,
                    });
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
    Err(ClientError::RetriesExhausted {
        what: format!("download of {name} ({})", entry.url),
        attempts: attempt,
        last: last_error,
    })
}

async fn finish(
    paths: &Paths,
    name: &str,
    resource_type: &str,
    gzip: bool,
) -> Result<(u64, u64), FinishError> {
    let part = paths.part.clone();
    let tmp = paths.tmp.clone();
    let final_path = paths.final_path.clone();
    let name = name.to_string();
    let rt = resource_type.to_string();
    tokio::task::spawn_blocking(move || {
        let res = check_and_place(&part, &tmp, &final_path, &name, &rt, gzip);
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res
    })
    .await
    .map_err(|e| FinishError::Fatal(ClientError::io(&paths.part, std::io::Error::other(e))))?
}

#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
}

/// Decompresses `part` into `tmp`, checking every line, then renames `tmp` to `final_path`.
fn check_and_place(
    part: &Path,
    tmp: &Path,
    final_path: &Path,
    name: &str,
    resource_type: &str,
    gzip: bool,
) -> Result<(u64, u64), FinishError> {
    let fatal_io = |p: &Path, e| FinishError::Fatal(ClientError::io(p, e));
    let f = File::open(part).map_err(|e| fatal_io(part, e))?;
    let inner: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(f)))
    } else {
        Box::new(f)
    };
    let mut reader = BufReader::with_capacity(256 * 1024, inner);
    let mut out =
        BufWriter::with_capacity(256 * 1024, File::create(tmp).map_err(|e| fatal_io(tmp, e))?);
    let mut line = Vec::new();
    let (mut line_no, mut lines, mut bytes) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        let n = match reader.read_until(b'\n', &mut line) {
            Ok(n) => n,
            Err(e) if gzip => {
                return Err(FinishError::Corrupt(format!(
                    "{name}: gzip stream is truncated or corrupt: {e}"
                )))
            }
            Err(e) => return Err(fatal_io(part, e)),
        };
        if n == 0 {
            break;
        }
        line_no += 1;
        bytes += n as u64;
        out.write_all(&line).map_err(|e| fatal_io(tmp, e))?;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let invalid = |message: String| {
            FinishError::Fatal(ClientError::InvalidLine {
                file: name.to_string(),
                line: line_no,
                message,
            })
        };
        let head: Head =
            serde_json::from_slice(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        match head.resource_type.as_deref() {
            Some(t) if t == resource_type => {}
            Some(t) => {
                return Err(invalid(format!(
                    "resourceType {t:?}, but the manifest lists this file as {resource_type:?}"
                )))
            }
            None => return Err(invalid("no resourceType".to_string())),
        }
        lines += 1;
    }
    out.flush().map_err(|e| fatal_io(tmp, e))?;
    out.get_ref().sync_all().map_err(|e| fatal_io(tmp, e))?;
    drop(out);
    fs::rename(tmp, final_path).map_err(|e| fatal_io(final_path, e))?;
    Ok((lines, bytes))
}

/// Resources (non-empty lines) and bytes of a finished file.
fn count_lines(path: &Path) -> Result<(u64, u64), ClientError> {
    let mut reader = BufReader::new(File::open(path).map_err(|e| ClientError::io(path, e))?);
    let mut line = Vec::new();
    let (mut lines, mut bytes) = (0u64, 0u64);
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| ClientError::io(path, e))?;
        if n == 0 {
            return Ok((lines, bytes));
        }
        bytes += n as u64;
        if !line.trim_ascii().is_empty() {
            lines += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            file_name("http://h/data/42/abc-def.ndjson").unwrap(),
            "abc-def.ndjson"
        );
        assert!(file_name("http://h/data/42/..").is_err());
        assert!(file_name("http://h/data/42/").is_err());
        assert!(file_name("http://h/data/42/.hidden").is_err());
        assert!(file_name("http://h/data/42/a%2Fb").is_err());
    }

    #[test]
    fn check_rejects_wrong_type_and_keeps_final_name_free() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path(), "x.ndjson");
        fs::write(
            &paths.part,
            "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n{\"resourceType\":\"Coverage\"}\n",
        )
        .unwrap();
        let err = check_and_place(
            &paths.part,
            &paths.tmp,
            &paths.final_path,
            "x.ndjson",
            "Patient",
            false,
        );
        match err {
            Err(FinishError::Fatal(ClientError::InvalidLine { line, message, .. })) => {
                assert_eq!(line, 2);
                assert!(message.contains("Coverage"), "{message}");
            }
            _ => panic!("expected an invalid line"),
        }
        assert!(!paths.final_path.exists());
    }

    #[test]
    fn check_places_valid_gzip_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path(), "x.ndjson");
        let body = "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n\n{\"resourceType\":\"Patient\",\"id\":\"2\"}\n";
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(body.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        fs::write(&paths.part, &gz[..gz.len() - 4]).unwrap();
        assert!(matches!(
            check_and_place(
                &paths.part,
                &paths.tmp,
                &paths.final_path,
                "x.ndjson",
                "Patient",
                true
            ),
            Err(FinishError::Corrupt(_))
        ));
        fs::write(&paths.part, &gz).unwrap();
        let (lines, bytes) = check_and_place(
            &paths.part,
            &paths.tmp,
            &paths.final_path,
            "x.ndjson",
            "Patient",
            true,
        )
        .ok()
        .unwrap();
        assert_eq!((lines, bytes), (2, body.len() as u64));
        assert_eq!(fs::read_to_string(&paths.final_path).unwrap(), body);
        assert!(!paths.tmp.exists());
    }
}
