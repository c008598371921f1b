//! Input discovery: files, directories as a bulk download leaves them, `manifest.json`, and the
//! per-file detection of resource type and FHIR version.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::error::Error;
use crate::project::peek_resource_type;

/// How a file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Newline-delimited JSON (`*.ndjson`), memory-mapped.
    Ndjson,
    /// Gzip-compressed NDJSON (`*.ndjson.gz`, one or more members), streamed.
    NdjsonGz,
    /// One JSON document (`*.json`): a resource, or a Bundle whose entries are the records.
    JsonDocument,
}

impl Format {
    /// `ndjson`, `ndjson.gz` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::NdjsonGz => "ndjson.gz",
            Format::JsonDocument => "json",
        }
    }
}

/// The FHIR version of a file: BCDA v1 is STU3, v2 is R4 (CARIN Blue Button).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FhirVersion {
    /// FHIR STU3 (BCDA `/api/v1`).
    Stu3,
    /// FHIR R4 (BCDA `/api/v2`, CARIN Blue Button).
    R4,
}

impl FhirVersion {
    /// `STU3` or `R4`.
    pub fn as_str(self) -> &'static str {
        match self {
            FhirVersion::Stu3 => "STU3",
            FhirVersion::R4 => "R4",
        }
    }
}

/// One input file and what is known about it before reading it whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Path to the file.
    pub path: PathBuf,
    /// Encoding.
    pub format: Format,
    /// Size on disk in bytes (compressed size for gzip).
    pub size: u64,
    /// Resource type of the file (manifest `type`, else the first record), if known.
    /// `Bundle` files and JSON documents hold mixed types and have no expected type.
    pub resource_type: Option<String>,
    /// FHIR version (manifest `request` URL, else markers in the first record), if known.
    pub fhir_version: Option<FhirVersion>,
    /// The manifest's `count` for this file, if the manifest gave one.
    pub manifest_count: Option<u64>,
    /// Where the bytes come from: the file at `path` (default), bytes in memory, or a reader.
    pub(crate) source: Source,
}

/// Where an input's bytes come from.
#[derive(Clone, Default)]
pub(crate) enum Source {
    /// The file at [`InputFile::path`].
    #[default]
    Path,
    /// Bytes in memory (as they are on disk: gzip stays compressed).
    Bytes(Arc<Vec<u8>>),
    /// A reader, already decompressed; it can be read once (later runs report it consumed).
    Reader(Arc<Mutex<Option<Box<dyn Read + Send>>>>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path => f.write_str("Path"),
            Source::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Source::Reader(_) => f.write_str("Reader"),
        }
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Source::Path, Source::Path) => true,
            (Source::Bytes(a), Source::Bytes(b)) => Arc::ptr_eq(a, b) || a == b,
            (Source::Reader(a), Source::Reader(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Source {}

/// Gzip's first two bytes.
fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The format a name says, else NDJSON (gzip when `bytes` start with the gzip magic).
fn format_for(name: &Path, bytes: &[u8]) -> Format {
    match format_of(name) {
        Some(f) => f,
        None if is_gzip(bytes) => Format::NdjsonGz,
        None => Format::Ndjson,
    }
}

impl InputFile {
    /// An input held in memory. `name` names it in issues and decides its format
    /// (`*.ndjson.gz`, `*.ndjson`, `*.json`; any other name is NDJSON, gzip if the bytes start
    /// with the gzip magic). Resource type and FHIR version are detected from the first record.
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> InputFile {
        let path = name.into();
        let bytes: Vec<u8> = bytes.into();
        let format = format_for(&path, &bytes);
        let first = first_record_of(Cursor::new(&bytes[..]), format).unwrap_or_default();
        InputFile {
            path,
            format,
            size: bytes.len() as u64,
            resource_type: detect_type(&first),
            fhir_version: detect_version(&first),
            manifest_count: None,
            source: Source::Bytes(Arc::new(bytes)),
        }
    }

    /// An input read once from `reader` (stdin, an HTTP body), streamed with flat memory.
    /// `name` names it and decides its format as in [`Self::from_bytes`] (gzip is also
    /// recognised by its magic). The first record is read ahead to detect resource type and
    /// FHIR version; the input can be run once.
    pub fn from_reader(
        name: impl Into<PathBuf>,
        reader: impl Read + Send + 'static,
    ) -> Result<InputFile, Error> {
        let path = name.into();
        let mut reader = BufReader::new(reader);
        let head = reader.fill_buf().map_err(|e| io_err(&path, e))?;
        let format = format_for(&path, head);
        let decoded: Box<dyn Read + Send> = match format {
            Format::NdjsonGz => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            _ => Box::new(reader),
        };
        // Read the first record ahead, then hand it back in front of the rest.
        let mut decoded = BufReader::new(decoded);
        let first = first_line(&mut decoded, format).map_err(|e| io_err(&path, e))?;
        let rest: Box<dyn Read + Send> = Box::new(Cursor::new(first.clone()).chain(decoded));
        Ok(InputFile {
            resource_type: detect_type(&first),
            fhir_version: detect_version(&first),
            path,
            format,
            size: 0,
            manifest_count: None,
            source: Source::Reader(Arc::new(Mutex::new(Some(rest)))),
        })
    }

    /// `true` when the input is the file at [`Self::path`] (not bytes or a reader).
    pub fn is_file(&self) -> bool {
        matches!(self.source, Source::Path)
    }

    /// The input's bytes when they are held in memory ([`Self::from_bytes`]).
    pub(crate) fn memory(&self) -> Option<&Arc<Vec<u8>>> {
        match &self.source {
            Source::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Takes the reader of a [`Self::from_reader`] input (`None` once taken).
    pub(crate) fn take_reader(&self) -> Option<Option<Box<dyn Read + Send>>> {
        match &self.source {
            Source::Reader(r) => Some(r.lock().ok().and_then(|mut g| g.take())),
            _ => None,
        }
    }
}

impl InputFile {
    /// The resource type every line of this file must have, if the file has one.
    pub fn expected_type(&self) -> Option<&str> {
        match (self.format, self.resource_type.as_deref()) {
            (Format::JsonDocument, _) | (_, Some("Bundle")) => None,
            (_, t) => t,
        }
    }
}

/// The set of files of one run, in a stable order (sorted by path within each directory).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// The files.
    pub files: Vec<InputFile>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    request: Option<String>,
    #[serde(default)]
    output: Vec<ManifestEntry>,
    #[serde(default)]
    error: Vec<ManifestEntry>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    #[serde(rename = "type")]
    resource_type: String,
    url: String,
    #[serde(default)]
    count: Option<u64>,
}

struct ManifestInfo {
    version: Option<FhirVersion>,
    by_name: HashMap<String, (String, Option<u64>)>,
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".ndjson.gz") {
        Some(Format::NdjsonGz)
    } else if name.ends_with(".ndjson") {
        Some(Format::Ndjson)
    } else if name.ends_with(".json") && name != "manifest.json" {
        Some(Format::JsonDocument)
    } else {
        None
    }
}

fn read_manifest(path: &Path) -> Result<ManifestInfo, Error> {
    let text = fs::read(path).map_err(|e| io_err(path, e))?;
    let m: Manifest = serde_json::from_slice(&text).map_err(|e| Error::Manifest {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let version = m.request.as_deref().and_then(version_from_url);
    let mut by_name = HashMap::new();
    for e in m.output.into_iter().chain(m.error) {
        let name = e.url.rsplit('/').next().unwrap_or(&e.url).to_string();
        by_name.insert(name, (e.resource_type, e.count));
    }
    Ok(ManifestInfo { version, by_name })
}

fn version_from_url(url: &str) -> Option<FhirVersion> {
    if url.contains("/v1/") {
        Some(FhirVersion::Stu3)
    } else if url.contains("/v2/") || url.contains("/v3/") {
        Some(FhirVersion::R4)
    } else {
        None
    }
}

/// Guesses the FHIR version of one record from field names that exist in only one version.
pub fn detect_version(record: &[u8]) -> Option<FhirVersion> {
    use memchr::memmem::find;
    let any = |markers: &[&[u8]]| markers.iter().any(|m| find(record, m).is_some());
    // Element names that exist in only one version come first, then system URLs.
    if any(&[
        b"\"careTeamLinkId\"",
        b"\"information\"",
        b"\"grouping\"",
        b"\"totalCost\"",
    ]) {
        Some(FhirVersion::Stu3)
    } else if any(&[
        b"\"productOrService\"",
        b"\"supportingInfo\"",
        b"\"careTeamSequence\"",
        b"carin-bb",
        b"terminology.hl7.org",
        b"\"class\"",
    ]) {
        Some(FhirVersion::R4)
    } else if any(&[b"hl7.org/fhir/ex-"]) {
        Some(FhirVersion::Stu3)
    } else {
        None
    }
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "resourceType", borrow)]
    resource_type: Option<std::borrow::Cow<'a, str>>,
}

/// The resource type of one record, from its first key or, failing that, a full skim.
pub fn detect_type(record: &[u8]) -> Option<String> {
    if let Some(t) = peek_resource_type(record) {
        return Some(t.to_string());
    }
    serde_json::from_slice::<TypeOnly<'_>>(record)
        .ok()?
        .resource_type
        .map(|c| c.into_owned())
}

/// The first record of a file as discovery sees it: the first non-blank line of NDJSON (plain
/// or gzip; a corrupt gzip stream gives what decoded before the damage), or the first 64 KiB of
/// a JSON document.
pub fn first_record(path: &Path, format: Format) -> Result<Vec<u8>, Error> {
    let file = fs::File::open(path).map_err(|e| io_err(path, e))?;
    first_record_of(file, format).map_err(|e| io_err(path, e))
}

/// [`first_record`] of any reader holding the file's bytes.
fn first_record_of(r: impl Read, format: Format) -> std::io::Result<Vec<u8>> {
    match format {
        Format::Ndjson => first_line(&mut BufReader::new(r), format),
        Format::NdjsonGz => {
            let mut r = BufReader::new(flate2::read::MultiGzDecoder::new(r));
            // A corrupt stream is reported by the run itself, not by discovery.
            Ok(first_line(&mut r, Format::Ndjson).unwrap_or_default())
        }
        Format::JsonDocument => first_line(&mut BufReader::new(r), format),
    }
}

/// The first non-blank line of NDJSON (with its `\n`), or the first 64 KiB of a JSON
/// document (enough for the resource type and version markers).
fn first_line(r: &mut impl BufRead, format: Format) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if format == Format::JsonDocument {
        r.take(64 * 1024).read_to_end(&mut buf)?;
        return Ok(buf);
    }
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        if buf.iter().any(|b| !b.is_ascii_whitespace()) {
            break;
        }
    }
    Ok(buf)
}

impl Inputs {
    /// Discovers the input files under `paths` (files or directories, directories are walked
    /// recursively in sorted order). A directory's `manifest.json`, if present, gives the
    /// resource type, FHIR version and `count` of the files it lists.
    pub fn discover<P: AsRef<Path>>(paths: &[P]) -> Result<Inputs, Error> {
        let mut files = Vec::new();
        for p in paths {
            let p = p.as_ref();
            let meta = fs::metadata(p).map_err(|e| io_err(p, e))?;
            if meta.is_dir() {
                walk(p, &mut files)?;
            } else {
                let format = format_of(p).unwrap_or(Format::Ndjson);
                files.push(describe(p, format, None)?);
            }
        }
        if files.is_empty() {
            return Err(Error::NoInput(
                paths.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            ));
        }
        Ok(Inputs { files })
    }

    /// One input held in memory (see [`InputFile::from_bytes`]).
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> Inputs {
        Inputs {
            files: vec![InputFile::from_bytes(name, bytes)],
        }
    }

    /// One input read once from `reader` (see [`InputFile::from_reader`]).
    pub fn from_reader(
        name: impl Into<PathBuf>,
        reader: impl Read + Send + 'static,
    ) -> Result<Inputs, Error> {
        Ok(Inputs {
            files: vec![InputFile::from_reader(name, reader)?],
        })
    }

    /// Total size on disk of all files.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

fn walk(dir: &Path, out: &mut Vec<InputFile>) -> Result<(), Error> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io_err(dir, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| io_err(dir, e))?;
    entries.sort();
    let manifest_path = dir.join("manifest.json");
    let manifest = if manifest_path.is_file() {
        Some(read_manifest(&manifest_path)?)
    } else {
        None
    };
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if let Some(format) = format_of(&path) {
            out.push(describe(&path, format, manifest.as_ref())?);
        }
    }
    Ok(())
}

fn describe(
    path: &Path,
    format: Format,
    manifest: Option<&ManifestInfo>,
) -> Result<InputFile, Error> {
    let size = fs::metadata(path).map_err(|e| io_err(path, e))?.len();
    let listed = manifest.and_then(|m| {
        let name = path.file_name()?.to_str()?;
        m.by_name.get(name).map(|(t, c)| (t.clone(), *c, m.version))
    });
    let first = first_record(path, format)?;
    let (resource_type, manifest_count, manifest_version) = match listed {
        Some((t, c, v)) => (Some(t), c, v),
        None => (detect_type(&first), None, None),
    };
    let fhir_version = manifest_version.or_else(|| detect_version(&first));
    Ok(InputFile {
        path: path.to_path_buf(),
        format,
        size,
        resource_type,
        fhir_version,
        manifest_count,
        source: Source::Path,
    })
}
