//! Inputs of a run: paths as `Inputs::discover` finds them, and "a byte range of a file" for
//! Spark splits. A range owns the lines that *begin* inside it (the Hadoop split rule), so
//! the ranges of a file together hold every line exactly once. The engine reads a range as a
//! file of its own: the range's lines are copied into a temporary file named like the
//! original (so format and version are detected as usual), and issues found there are
//! mapped back to the original file and line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bcda_ndjson::{Format, Inputs, Issue};
use pyo3::prelude::*;
use tempfile::TempDir;

use crate::InputError;

/// One requested input: a path (file or directory), or a byte range `[start, end)` of a file.
pub(crate) type PathSpec = (String, Option<(u64, u64)>);

/// A byte range copied to a temporary file.
struct RangeCopy {
    /// The original file.
    original: PathBuf,
    /// Offset in the original of the first line copied.
    first_line_at: u64,
    /// The copy.
    copy: PathBuf,
}

/// The inputs of one run, with the temporary copies of byte ranges kept alive until the run
/// is over.
pub(crate) struct RunInputs {
    /// What the engine reads.
    pub(crate) inputs: Inputs,
    ranges: Vec<RangeCopy>,
    _dir: Option<TempDir>,
}

fn input_error(what: impl std::fmt::Display) -> PyErr {
    InputError::new_err(what.to_string())
}

impl RunInputs {
    /// Discovers `specs`; byte ranges are copied out first.
    pub(crate) fn open(specs: &[PathSpec]) -> PyResult<RunInputs> {
        if specs.is_empty() {
            return Err(input_error("no input path given"));
        }
        let mut paths = Vec::with_capacity(specs.len());
        let mut ranges = Vec::new();
        let mut dir = None;
        for (i, (path, range)) in specs.iter().enumerate() {
            let Some((start, end)) = *range else {
                paths.push(PathBuf::from(path));
                continue;
            };
            let dir = match &mut dir {
                Some(d) => d,
                None => dir.insert(TempDir::new().map_err(input_error)?),
            };
            let copy = copy_range(Path::new(path), start, end, &dir.path().join(i.to_string()))?;
            paths.push(copy.copy.clone());
            ranges.push(copy);
        }
        let inputs = Inputs::discover(&paths).map_err(input_error)?;
        Ok(RunInputs {
            inputs,
            ranges,
            _dir: dir,
        })
    }

    /// Points an issue found in a range copy at the original file and line.
    pub(crate) fn locate(&self, issue: &mut Issue) {
        let Some(r) = self.ranges.iter().find(|r| r.copy == issue.file) else {
            return;
        };
        if issue.line > 0 {
            issue.line += lines_before(&r.original, r.first_line_at).unwrap_or(0);
        }
        issue.file = r.original.clone();
    }
}

/// Copies the lines of `path` that begin in `[start, end)` to `dir/<file name>`.
fn copy_range(path: &Path, start: u64, end: u64, dir: &Path) -> PyResult<RangeCopy> {
    let err = |e: io::Error| input_error(format!("{}: {e}", path.display()));
    if start > end {
        return Err(input_error(format!(
            "{}: byte range {start}..{end} is empty or reversed",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .ok_or_else(|| input_error(format!("{}: not a file", path.display())))?;
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path).map_err(err)?);
    let first_line_at = line_start_at_or_after(&mut reader, start).map_err(err)?;
    std::fs::create_dir_all(dir).map_err(err)?;
    let copy = dir.join(name);
    let mut out = io::BufWriter::with_capacity(1 << 20, File::create(&copy).map_err(err)?);
    if first_line_at < end {
        let mut body = (&mut reader).take(end - first_line_at);
        let n = io::copy(&mut body, &mut out).map_err(err)?;
        if n == end - first_line_at {
            finish_line(&mut reader, &mut out, path, end).map_err(err)?;
        }
    }
    out.flush().map_err(err)?;
    Ok(RangeCopy {
        original: path.to_path_buf(),
        first_line_at,
        copy,
    })
}

/// Positions `reader` at the first line that begins at or after `start`; returns its offset.
fn line_start_at_or_after<R: BufRead + Seek>(reader: &mut R, start: u64) -> io::Result<u64> {
    if start == 0 {
        return Ok(0);
    }
    reader.seek(SeekFrom::Start(start - 1))?;
    let mut skipped = Vec::new();
    let n = reader.read_until(b'\n', &mut skipped)?;
    Ok(start - 1 + n as u64)
}

/// When the byte before `end` is not a newline, the line that straddles `end` began inside
/// the range: copy the rest of it.
fn finish_line<R: BufRead + Seek, W: Write>(
    reader: &mut R,
    out: &mut W,
    path: &Path,
    end: u64,
) -> io::Result<()> {
    let mut last = [0u8; 1];
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(end - 1))?;
    file.read_exact(&mut last)?;
    if last[0] != b'\n' {
        let mut rest = Vec::new();
        reader.read_until(b'\n', &mut rest)?;
        out.write_all(&rest)?;
    }
    Ok(())
}

/// Number of lines that end before byte `offset` of `path`.
fn lines_before(path: &Path, offset: u64) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?).take(offset);
    let mut lines = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(lines);
        }
        lines += memchr::memchr_iter(b'\n', buf).count() as u64;
        let n = buf.len();
        reader.consume(n);
    }
}

/// The work items of a distributed run: every discovered file, plain NDJSON files larger
/// than `split_bytes` cut into byte ranges of that size (`(path, start, end)`; other files
/// are one item `(path, 0, size)`, gzip cannot be split).
#[pyfunction]
pub(crate) fn split_ranges(
    paths: Vec<String>,
    split_bytes: u64,
) -> PyResult<Vec<(String, u64, u64)>> {
    if split_bytes == 0 {
        return Err(input_error("split_bytes must be positive"));
    }
    let inputs = Inputs::discover(&paths).map_err(input_error)?;
    let mut out = Vec::new();
    for f in &inputs.files {
        let path = f.path.display().to_string();
        if f.format != Format::Ndjson || f.size <= split_bytes {
            out.push((path, 0, f.size));
            continue;
        }
        let mut start = 0;
        while start < f.size {
            let end = (start + split_bytes).min(f.size);
            out.push((path.clone(), start, end));
            start = end;
        }
    }
    Ok(out)
}
