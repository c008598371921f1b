//! Running views on the `bcda-ndjson` engine: every line of the inputs is evaluated once for
//! all the views of a run, on all the engine's threads, and the rows stream out as Arrow
//! batches to files or to a callback.
//!
//! How the data flows (memory stays flat whatever the input size):
//!
//! 1. the engine's workers hand each line to [`ViewLines`], which evaluates it and converts
//!    its rows into a per-worker [`Staged`] buffer. A line whose evaluation or conversion
//!    fails is reported like `bcda stats` reports bad lines (file:line:column, JSON path),
//!    counted, and contributes no row at all;
//! 2. the fold appends staged rows to the worker's [`BatchBuilder`]s; a full batch is encoded
//!    on the worker ([`Encoder`]: Parquet pages compressed there) and sent over a bounded
//!    channel;
//! 3. one writer thread appends the pieces to the output files (or calls the callback).
//!
//! Rows come out in no particular order (chunks run in parallel).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bcda_ndjson::engine::Progress;
use bcda_ndjson::{
    Engine, FhirVersion, FileTotals, Fold, Inputs, Issue, IssueKind, LineCtx, LineProcessor,
    LineRef, Severity,
};

use crate::batch::{schema, ArrowOptions, BatchBuilder, Staged};
use crate::value::{Cell, Column};
use crate::write::{Encoded, Encoder, OutputFile, OutputFormat, WriteError, WriteOptions};
use crate::{EvalError, ViewSet};

/// A problem with one line, located within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The kind of issue it becomes.
    pub kind: IssueKind,
    /// Byte offset in the line, when known.
    pub offset: Option<usize>,
    /// JSON path in the resource, when known.
    pub json_path: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// A set of views evaluated together over NDJSON lines: what [`run_to_files`] and
/// [`run_to_batches`] run. Implemented by [`crate::ViewSet`] and [`VersionedViews`].
pub trait LineViews: Sync {
    /// Number of views.
    fn len(&self) -> usize;
    /// `true` when there is no view.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The columns of view `view`.
    fn columns(&self, view: usize) -> &[Column];
    /// The name of view `view` (for messages).
    fn name(&self, view: usize) -> String;
    /// The resource type of view `view`.
    fn resource_type(&self, view: usize) -> &str;
    /// Evaluates every view over one line of a file of FHIR version `version` (when known),
    /// calling `sink(view, cells)` for each row.
    fn eval_line(
        &self,
        line: &str,
        version: Option<FhirVersion>,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, LineError>;
}

impl From<EvalError> for LineError {
    fn from(e: EvalError) -> LineError {
        match e {
            EvalError::Json { message } => LineError {
                kind: IssueKind::InvalidJson,
                offset: serde_column(&message),
                json_path: None,
                message,
            },
            EvalError::Path(f) => LineError {
                kind: IssueKind::InvalidValue,
                offset: None,
                json_path: Some(f.at.clone()),
                message: f.to_string(),
            },
        }
    }
}

/// The 0-based offset of serde_json's "... at line 1 column N" (the message of an invalid
/// single-line resource), if it has one.
fn serde_column(message: &str) -> Option<usize> {
    let rest = &message[message.rfind("at line 1 column ")? + "at line 1 column ".len()..];
    let digits: &str = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    digits.parse::<usize>().ok().map(|c| c.saturating_sub(1))
}

impl LineViews for ViewSet {
    fn len(&self) -> usize {
        self.views().len()
    }
    fn columns(&self, view: usize) -> &[Column] {
        self.views()[view].columns()
    }
    fn name(&self, view: usize) -> String {
        let v = &self.views()[view];
        v.name().unwrap_or(v.resource_type()).to_string()
    }
    fn resource_type(&self, view: usize) -> &str {
        self.views()[view].resource_type()
    }
    fn eval_line(
        &self,
        line: &str,
        _version: Option<FhirVersion>,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, LineError> {
        ViewSet::eval_line(self, line, sink).map_err(LineError::from)
    }
}

/// The same views written for each FHIR version (the built-in views): a file's rows come
/// from the set of its version (R4 when the version is not known).
pub struct VersionedViews {
    r4: ViewSet,
    stu3: ViewSet,
}

/// Two versions of a view set whose columns differ.
#[derive(Debug, thiserror::Error)]
#[error("view {view}: the R4 and STU3 versions have different columns")]
pub struct ColumnMismatch {
    /// The view's name.
    pub view: String,
}

impl VersionedViews {
    /// Pairs view sets for R4 and STU3; view `i` of both must have the same columns and
    /// resource type.
    pub fn new(r4: ViewSet, stu3: ViewSet) -> Result<VersionedViews, ColumnMismatch> {
        let same = |i: usize| {
            let (a, b) = (&r4.views()[i], &stu3.views()[i]);
            a.columns() == b.columns() && a.resource_type() == b.resource_type()
        };
        if let Some(i) = (0..r4.views().len()).find(|&i| i >= stu3.views().len() || !same(i)) {
            return Err(ColumnMismatch {
                view: LineViews::name(&r4, i),
            });
        }
        Ok(VersionedViews { r4, stu3 })
    }
}

impl LineViews for VersionedViews {
    fn len(&self) -> usize {
        self.r4.views().len()
    }
    fn columns(&self, view: usize) -> &[Column] {
        LineViews::columns(&self.r4, view)
    }
    fn name(&self, view: usize) -> String {
        LineViews::name(&self.r4, view)
    }
    fn resource_type(&self, view: usize) -> &str {
        LineViews::resource_type(&self.r4, view)
    }
    fn eval_line(
        &self,
        line: &str,
        version: Option<FhirVersion>,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, LineError> {
        let set = match version {
            Some(FhirVersion::Stu3) => &self.stu3,
            _ => &self.r4,
        };
        ViewSet::eval_line(set, line, sink).map_err(LineError::from)
    }
}

/// How a run types and writes its rows.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Arrow typing and batch size.
    pub arrow: ArrowOptions,
    /// Writer options.
    pub write: WriteOptions,
}

/// An error that stops a run (bad data never does: it becomes an [`Issue`]).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An output could not be created or written (nothing partial is left).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The number of output paths differs from the number of views.
    #[error("{paths} output paths for {views} views")]
    Outputs {
        /// Paths given.
        paths: usize,
        /// Views to write.
        views: usize,
    },
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Rows written per view.
    pub rows: Vec<u64>,
    /// The files written, per view (empty for [`run_to_batches`]).
    pub outputs: Vec<PathBuf>,
    /// Counters per input file that was read.
    pub files: Vec<FileTotals>,
    /// Issues (at most the engine's `max_issues_per_kind` per kind and file).
    pub issues: Vec<Issue>,
    /// Number of issues per kind, including those not kept.
    pub issue_counts: BTreeMap<IssueKind, u64>,
}

impl RunSummary {
    /// Totals over all files.
    pub fn totals(&self) -> FileTotals {
        let mut t = FileTotals::default();
        for f in &self.files {
            t.bytes += f.bytes;
            t.lines += f.lines;
            t.records += f.records;
            t.bad_lines += f.bad_lines;
            t.blank_lines += f.blank_lines;
            t.crlf_lines += f.crlf_lines;
        }
        t
    }

    /// Number of error-severity issues.
    pub fn error_count(&self) -> u64 {
        self.issue_counts
            .iter()
            .filter(|(k, _)| k.severity() == Severity::Error)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The files a run reads: those whose resource type (known from the manifest or the first
/// line) is one of the views', and those of unknown or mixed type.
pub fn relevant_inputs<V: LineViews + ?Sized>(inputs: &Inputs, views: &V) -> Inputs {
    let types: Vec<&str> = (0..views.len()).map(|v| views.resource_type(v)).collect();
    Inputs {
        files: inputs
            .files
            .iter()
            .filter(|f| f.expected_type().is_none_or(|t| types.contains(&t)))
            .cloned()
            .collect(),
    }
}

/// Runs `views` over `inputs` and writes view `i` to `paths[i]` in `format`. Files are
/// written under temporary names and renamed at the end; on error none is left behind.
pub fn run_to_files<V: LineViews + ?Sized>(
    engine: &Engine,
    inputs: &Inputs,
    views: &V,
    paths: &[PathBuf],
    format: OutputFormat,
    options: &RunOptions,
    progress: Option<Progress<'_>>,
) -> Result<RunSummary, RunError> {
    if paths.len() != views.len() {
        return Err(RunError::Outputs {
            paths: paths.len(),
            views: views.len(),
        });
    }
    let schemas = schemas(views, &options.arrow);
    let mut files = Vec::with_capacity(paths.len());
    let mut encoders = Vec::with_capacity(paths.len());
    for (path, schema) in paths.iter().zip(&schemas) {
        let (file, encoder) = OutputFile::create(path, format, schema, &options.write)?;
        files.push(file);
        encoders.push(encoder);
    }
    let mut summary = run_pieces(
        engine,
        inputs,
        views,
        &schemas,
        &encoders,
        options,
        progress,
        |v, piece| files[v].write(piece),
    )?;
    for f in files {
        summary.outputs.push(f.finish()?);
    }
    Ok(summary)
}

/// Runs `views` over `inputs`, handing each batch to `on_batch(view, batch)` (called on one
/// thread, in no particular order).
pub fn run_to_batches<V, F>(
    engine: &Engine,
    inputs: &Inputs,
    views: &V,
    options: &RunOptions,
    progress: Option<Progress<'_>>,
    mut on_batch: F,
) -> Result<RunSummary, RunError>
where
    V: LineViews + ?Sized,
    F: FnMut(usize, RecordBatch) + Send,
{
    let schemas = schemas(views, &options.arrow);
    let encoders: Vec<Encoder> = schemas.iter().map(|_| Encoder::passthrough()).collect();
    run_pieces(
        engine,
        inputs,
        views,
        &schemas,
        &encoders,
        options,
        progress,
        |v, piece| {
            if let Encoded::Batch(b) = piece {
                on_batch(v, b);
            }
            Ok(())
        },
    )
}

/// The Arrow schema of every view.
pub fn schemas<V: LineViews + ?Sized>(views: &V, options: &ArrowOptions) -> Vec<SchemaRef> {
    (0..views.len())
        .map(|v| schema(views.columns(v), options))
        .collect()
}

/// The run proper: the engine with the view fold, and a writer thread calling `write`.
#[allow(clippy::too_many_arguments)]
fn run_pieces<V, W>(
    engine: &Engine,
    inputs: &Inputs,
    views: &V,
    schemas: &[SchemaRef],
    encoders: &[Encoder],
    options: &RunOptions,
    progress: Option<Progress<'_>>,
    mut write: W,
) -> Result<RunSummary, RunError>
where
    V: LineViews + ?Sized,
    W: FnMut(usize, Encoded) -> Result<(), WriteError> + Send,
{
    let inputs = relevant_inputs(inputs, views);
    let failed = AtomicBool::new(false);
    let (tx, rx) = sync_channel::<Piece>(2 * engine.threads().max(1));
    let lines = ViewLines {
        views,
        scale: options.arrow.decimal_scale,
    };
    std::thread::scope(|s| {
        let failed = &failed;
        let writer = s.spawn(move || {
            let mut first: Option<WriteError> = None;
            for piece in rx {
                if first.is_some() {
                    continue; // keep draining so no worker blocks
                }
                if let Err(e) = piece.and_then(|(v, p)| write(v, p)) {
                    failed.store(true, Ordering::Relaxed);
                    first = Some(e);
                }
            }
            first
        });
        let fold = ViewFold {
            schemas,
            encoders,
            tx,
            batch_rows: options.arrow.batch_rows.max(1),
            failed,
        };
        let out = engine.run(&inputs, &lines, &fold, progress);
        let mut acc = out.acc;
        for v in 0..schemas.len() {
            fold.flush(&mut acc, v);
        }
        drop(fold);
        if let Some(e) = writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
        {
            return Err(RunError::Write(e));
        }
        Ok(RunSummary {
            rows: acc.rows,
            outputs: Vec::new(),
            files: out.files,
            issues: out.issues,
            issue_counts: out.issue_counts,
        })
    })
}

/// What a worker sends to the writer thread.
type Piece = Result<(usize, Encoded), WriteError>;

/// The line processor: evaluates the views and stages the rows of a line.
struct ViewLines<'v, V: ?Sized> {
    views: &'v V,
    scale: i8,
}

impl<V: LineViews + ?Sized> LineProcessor for ViewLines<'_, V> {
    type Scratch = Staged;
    type Record<'a> = &'a Staged;

    fn new_scratch(&self) -> Staged {
        Staged::new(self.views.len())
    }

    fn process<'a, E>(
        &self,
        line: &'a [u8],
        scratch: &'a mut Staged,
        ctx: &mut LineCtx<'_>,
        mut emit: E,
    ) where
        E: FnMut(&'a Staged, LineRef),
    {
        let text = match std::str::from_utf8(line) {
            Ok(t) => t,
            Err(e) => return ctx.report_invalid_utf8(e),
        };
        scratch.clear();
        let mut bad = None;
        let result = self
            .views
            .eval_line(text, ctx.input().fhir_version, &mut |v, cells| {
                if bad.is_none() {
                    if let Err(e) = scratch.push_row(v, self.views.columns(v), cells, self.scale) {
                        bad = Some((v, e));
                    }
                }
            });
        match (result, bad) {
            (Err(e), _) => ctx.report(e.kind, e.offset, e.json_path, e.message),
            (Ok(_), Some((v, e))) => ctx.report(
                IssueKind::InvalidValue,
                None,
                None,
                format!("view {}: {e}", self.views.name(v)),
            ),
            (Ok(_), None) => {
                let staged: &'a Staged = scratch;
                if !staged.is_empty() {
                    emit(staged, ctx.line_ref());
                }
            }
        }
    }
}

/// The fold: per-worker batch builders, flushed through the encoders to the writer thread.
struct ViewFold<'a> {
    schemas: &'a [SchemaRef],
    encoders: &'a [Encoder],
    tx: SyncSender<Piece>,
    batch_rows: usize,
    failed: &'a AtomicBool,
}

/// A worker's builders and the rows it has flushed.
struct ViewAcc {
    builders: Vec<BatchBuilder>,
    rows: Vec<u64>,
}

impl ViewFold<'_> {
    /// Finishes view `v`'s pending batch, encodes it and sends it to the writer.
    fn flush(&self, acc: &mut ViewAcc, v: usize) {
        if acc.builders[v].is_empty() {
            return;
        }
        let batch = acc.builders[v].finish();
        acc.rows[v] += batch.num_rows() as u64;
        if self.failed.load(Ordering::Relaxed) {
            return; // the run has failed: skip the encoding work
        }
        let piece = self.encoders[v].encode(batch).map(|p| (v, p));
        let _ = self.tx.send(piece);
    }
}

impl<V: LineViews + ?Sized> Fold<ViewLines<'_, V>> for ViewFold<'_> {
    type Acc = ViewAcc;

    fn init(&self) -> ViewAcc {
        ViewAcc {
            builders: self
                .schemas
                .iter()
                .cloned()
                .map(BatchBuilder::new)
                .collect(),
            rows: vec![0; self.schemas.len()],
        }
    }

    fn add(&self, acc: &mut ViewAcc, staged: &Staged, _at: LineRef) {
        for v in 0..acc.builders.len() {
            acc.builders[v].append_staged(staged, v);
            if acc.builders[v].len() >= self.batch_rows {
                self.flush(acc, v);
            }
        }
    }

    fn merge(&self, acc: &mut ViewAcc, mut other: ViewAcc) {
        for v in 0..acc.builders.len() {
            self.flush(&mut other, v);
            acc.rows[v] += other.rows[v];
        }
    }
}

/// The default output path of view `name` in directory `dir`.
pub fn output_path(dir: &Path, name: &str, format: OutputFormat) -> PathBuf {
    dir.join(format!("{name}.{}", format.extension()))
}

#[cfg(test)]
mod tests;
