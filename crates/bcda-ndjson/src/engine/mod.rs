//! The engine: runs a [`LineProcessor`] over every line of the inputs, in parallel, folding the
//! records into a user [`Fold`], and collecting [`Issue`]s.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Issue, IssueKind, Severity};
mod blocks;
mod closures;
mod par;

use crate::gz::ReadEvent;
use crate::input::{Format, InputFile, Inputs};
use crate::split::{line_aligned_chunks, line_len, Mapped};
use blocks::{BlockReader, Msg, StreamSource};
pub use closures::IntoOwnedRecord;

/// Engine configuration. All fields have sensible defaults ([`Config::default`]).
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads of the engine's own rayon pool; 0 means one per available core.
    pub threads: usize,
    /// Target size of a line-aligned chunk (and of a gzip block), in bytes.
    pub chunk_bytes: usize,
    /// Lines longer than this are skipped and reported as [`IssueKind::LineTooLong`].
    pub max_line_bytes: usize,
    /// Check that every line is valid UTF-8 (the projected parser skips unused strings
    /// without looking inside them, so this is where invalid UTF-8 is caught).
    pub validate_utf8: bool,
    /// Memory-map plain files (see the SIGBUS contract in [`crate::split`]); `false` streams them.
    pub mmap: bool,
    /// At most this many issues of one kind are kept per file; the rest are only counted.
    pub max_issues_per_kind: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threads: 0,
            chunk_bytes: 4 << 20,
            max_line_bytes: 512 << 20,
            validate_utf8: true,
            mmap: true,
            max_issues_per_kind: 100,
        }
    }
}

/// A compact reference to a line seen during a parallel run. Turn it into a file and line number
/// with [`RunOutput::locate`] once the run is over (line numbers are only known then, because
/// chunks are parsed out of order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineRef {
    /// Index into [`Inputs::files`].
    pub file: u32,
    chunk: u32,
    line: u64,
}

/// A resolved location: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number (for JSON documents: the line where the record starts).
    pub line: u64,
}

#[derive(Debug, Clone)]
struct PendingIssue {
    kind: IssueKind,
    at: LineRef,
    column: u64,
    json_path: Option<String>,
    message: String,
}

/// Per-line context handed to a [`LineProcessor`]: where the line is, and a sink for issues.
pub struct LineCtx<'a> {
    input: &'a InputFile,
    at: LineRef,
    line: &'a [u8],
    unterminated: bool,
    prepared: bool,
    errors: u32,
    /// UTF-8 checks are on ([`Config::validate_utf8`]) and nobody has checked this line yet
    /// (the engine leaves it to processors with [`LineProcessor::CHECKS_UTF8`]).
    utf8_unchecked: bool,
    sink: &'a mut IssueSink,
    /// (offset, newlines before it): records of a JSON document are visited in increasing
    /// offset order, so counting resumes from the last position instead of the start.
    newline_cache: std::cell::Cell<(usize, u64)>,
}

impl<'a> LineCtx<'a> {
    /// The file this line comes from.
    pub fn input(&self) -> &InputFile {
        self.input
    }

    /// The reference of the line's first byte.
    pub fn line_ref(&self) -> LineRef {
        self.at
    }

    /// The reference of the line holding byte `offset` of this line (differs from
    /// [`Self::line_ref`] only inside multi-line JSON documents).
    pub fn line_ref_at(&self, offset: usize) -> LineRef {
        let off = offset.min(self.line.len());
        let (from, mut extra) = match self.newline_cache.get() {
            (o, n) if o <= off => (o, n),
            _ => (0, 0),
        };
        extra += memchr::memchr_iter(b'\n', &self.line[from..off]).count() as u64;
        self.newline_cache.set((off, extra));
        LineRef {
            line: self.at.line + extra,
            ..self.at
        }
    }

    /// Checks that the line is valid UTF-8 if the engine left that to the processor (see
    /// [`LineProcessor::CHECKS_UTF8`]) and it has not been checked yet; reports an
    /// [`IssueKind::InvalidUtf8`] issue and returns `false` when it is not.
    pub fn check_utf8(&mut self) -> bool {
        if !std::mem::take(&mut self.utf8_unchecked) || self.line.is_ascii() {
            return true;
        }
        match std::str::from_utf8(self.line) {
            Ok(_) => true,
            Err(e) => {
                self.report_invalid_utf8(e);
                false
            }
        }
    }

    /// Reports the line's invalid UTF-8 (`e`, from `from_utf8` on the line) at its position.
    pub fn report_invalid_utf8(&mut self, e: std::str::Utf8Error) {
        self.report(
            IssueKind::InvalidUtf8,
            Some(e.valid_up_to()),
            None,
            format!("invalid UTF-8: {e}"),
        );
    }

    /// `true` when this line was found by [`LineProcessor::line_end`] on this worker's scratch
    /// just before this call (less a final `\r` the engine may have dropped): what `line_end`
    /// left in the scratch is about this line. `false` for JSON documents and the ordered
    /// iterator.
    pub fn line_prepared(&self) -> bool {
        self.prepared
    }

    /// Number of error-severity issues reported for this line so far.
    pub fn errors(&self) -> u32 {
        self.errors
    }

    /// Reports a problem at byte `offset` of the line (`None`: the line as a whole).
    /// An [`IssueKind::InvalidJson`] on an unterminated last line becomes
    /// [`IssueKind::TruncatedLastLine`].
    pub fn report(
        &mut self,
        kind: IssueKind,
        offset: Option<usize>,
        json_path: Option<String>,
        message: String,
    ) {
        let kind = if kind == IssueKind::InvalidJson && self.unterminated {
            IssueKind::TruncatedLastLine
        } else {
            kind
        };
        if kind.severity() == Severity::Error {
            self.errors += 1;
        }
        let (at, column) = match offset {
            None => (self.at, 0),
            Some(off) => {
                let off = off.min(self.line.len());
                let at = self.line_ref_at(off);
                let line_start = memchr::memrchr(b'\n', &self.line[..off]).map_or(0, |i| i + 1);
                (at, (off - line_start) as u64 + 1)
            }
        };
        self.sink.push(PendingIssue {
            kind,
            at,
            column,
            json_path,
            message,
        });
    }
}

#[derive(Default)]
pub(crate) struct IssueSink {
    issues: Vec<PendingIssue>,
    per_kind: BTreeMap<(u32, IssueKind), u64>,
    cap: usize,
}

impl IssueSink {
    pub(crate) fn new(cap: usize) -> Self {
        IssueSink {
            cap,
            ..Default::default()
        }
    }
    fn push(&mut self, issue: PendingIssue) {
        let n = self
            .per_kind
            .entry((issue.at.file, issue.kind))
            .or_insert(0);
        *n += 1;
        if *n as usize <= self.cap {
            self.issues.push(issue);
        }
    }
    fn merge(&mut self, other: IssueSink) {
        for (k, v) in other.per_kind {
            *self.per_kind.entry(k).or_insert(0) += v;
        }
        self.issues.extend(other.issues);
    }
}

/// Turns the bytes of one line into records. Implement it to plug a read path (the projected
/// path of this crate, or a full typed path) into the engine.
///
/// The processor must not panic on bad input: report problems through [`LineCtx::report`] and
/// emit nothing for a line it cannot use.
pub trait LineProcessor: Sync {
    /// Per-worker reusable state (for example a mutable buffer for simd-json).
    type Scratch: Send;
    /// What one line produces; may borrow from the line and the scratch.
    type Record<'a>;
    /// `true` when [`Self::process`] checks UTF-8 itself: the engine then skips its own check
    /// (a pass over every line) and the processor must call [`LineCtx::check_utf8`] before it
    /// relies on the line being UTF-8, unless it has verified that some other way (a scanner
    /// that saw only ASCII bytes, a successful `from_utf8`). `false` by default.
    const CHECKS_UTF8: bool = false;
    /// Creates a worker's scratch state.
    fn new_scratch(&self) -> Self::Scratch;
    /// Returns the length of the NDJSON line at the start of `rest`: the position of the
    /// first `\n`, or `rest.len()` when there is none. It must be exactly that. A processor
    /// may override it to find the line while doing useful work on it in the same pass,
    /// leaving the result in `scratch` for [`Self::process`] (see
    /// [`LineCtx::line_prepared`]). The default is `memchr`.
    fn line_end(&self, rest: &[u8], scratch: &mut Self::Scratch) -> usize {
        let _ = scratch;
        line_len(rest)
    }
    /// Processes one line (without its line terminator; already checked for UTF-8 when
    /// [`Config::validate_utf8`] is on), calling `emit` for every record it holds (a Bundle
    /// holds several).
    fn process<'a, E>(
        &self,
        line: &'a [u8],
        scratch: &'a mut Self::Scratch,
        ctx: &mut LineCtx<'_>,
        emit: E,
    ) where
        E: FnMut(Self::Record<'a>, LineRef);
}

/// A parallel aggregation. The engine folds records of each chunk into an accumulator and
/// merges accumulators. `merge` must be associative and commutative (a commutative monoid
/// with `init` as identity): then the result is identical on 1 or N threads and whatever the
/// chunk order.
pub trait Fold<P: LineProcessor + ?Sized>: Sync {
    /// The accumulator.
    type Acc: Send;
    /// An empty accumulator.
    fn init(&self) -> Self::Acc;
    /// Adds one record found at `at`.
    fn add(&self, acc: &mut Self::Acc, record: P::Record<'_>, at: LineRef);
    /// Merges `other` into `acc`.
    fn merge(&self, acc: &mut Self::Acc, other: Self::Acc);
}

/// Counters for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTotals {
    /// Bytes read (decompressed for gzip).
    pub bytes: u64,
    /// Lines (a JSON document counts as one).
    pub lines: u64,
    /// Records emitted by the processor.
    pub records: u64,
    /// Lines skipped or with at least one error.
    pub bad_lines: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// Lines ending with `\r\n`.
    pub crlf_lines: u64,
}

impl FileTotals {
    fn add(&mut self, o: &FileTotals) {
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.records += o.records;
        self.bad_lines += o.bad_lines;
        self.blank_lines += o.blank_lines;
        self.crlf_lines += o.crlf_lines;
    }
}

struct EngineAcc<A> {
    acc: A,
    files: Vec<FileTotals>,
    chunk_lines: Vec<(u32, u32, u64)>,
    sink: IssueSink,
}

impl<A> EngineAcc<A> {
    fn new(acc: A, nfiles: usize, cap: usize) -> Self {
        EngineAcc {
            acc,
            files: vec![FileTotals::default(); nfiles],
            chunk_lines: Vec::new(),
            sink: IssueSink::new(cap),
        }
    }
    fn merge_with(&mut self, other: EngineAcc<A>, merge: impl FnOnce(&mut A, A)) {
        merge(&mut self.acc, other.acc);
        for (a, b) in self.files.iter_mut().zip(&other.files) {
            a.add(b);
        }
        self.chunk_lines.extend(other.chunk_lines);
        self.sink.merge(other.sink);
    }
}

/// Resolves [`LineRef`]s to absolute line numbers after a run.
#[derive(Debug, Clone, Default)]
pub struct LineResolver {
    paths: Vec<PathBuf>,
    /// Per file: lines before chunk `i` (prefix sums).
    bases: Vec<Vec<u64>>,
}

impl LineResolver {
    fn new(paths: Vec<PathBuf>, chunk_lines: &[(u32, u32, u64)]) -> Self {
        let mut per: Vec<Vec<u64>> = vec![Vec::new(); paths.len()];
        for &(f, c, n) in chunk_lines {
            let v = &mut per[f as usize];
            if v.len() <= c as usize {
                v.resize(c as usize + 1, 0);
            }
            v[c as usize] = n;
        }
        let bases = per
            .into_iter()
            .map(|counts| {
                let mut acc = 0;
                let mut out = Vec::with_capacity(counts.len() + 1);
                for n in counts {
                    out.push(acc);
                    acc += n;
                }
                out.push(acc);
                out
            })
            .collect();
        LineResolver { paths, bases }
    }

    /// The file and 1-based line of `r`.
    pub fn locate(&self, r: LineRef) -> Location {
        let bases = &self.bases[r.file as usize];
        let base = bases
            .get(r.chunk as usize)
            .or(bases.last())
            .copied()
            .unwrap_or(0);
        Location {
            file: self.paths[r.file as usize].clone(),
            line: base + r.line + 1,
        }
    }

    /// The path of file `index`.
    pub fn path(&self, index: u32) -> &std::path::Path {
        &self.paths[index as usize]
    }
}

/// The result of [`Engine::run`].
pub struct RunOutput<A> {
    /// The merged accumulator.
    pub acc: A,
    /// Counters per input file (same order as [`Inputs::files`]).
    pub files: Vec<FileTotals>,
    /// Issues, sorted by file, line and column (at most `max_issues_per_kind` per kind and file).
    pub issues: Vec<Issue>,
    /// Number of issues per kind, including those not kept in `issues`.
    pub issue_counts: BTreeMap<IssueKind, u64>,
    /// Resolves the [`LineRef`]s the fold kept.
    pub resolver: LineResolver,
}

impl<A> RunOutput<A> {
    /// The file and line of a [`LineRef`].
    pub fn locate(&self, r: LineRef) -> Location {
        self.resolver.locate(r)
    }

    /// Totals over all files.
    pub fn totals(&self) -> FileTotals {
        let mut t = FileTotals::default();
        for f in &self.files {
            t.add(f);
        }
        t
    }

    /// Number of error-severity issues (counted, not only kept).
    pub fn error_count(&self) -> u64 {
        self.issue_counts
            .iter()
            .filter(|(k, _)| k.severity() == Severity::Error)
            .map(|(_, n)| n)
            .sum()
    }

    /// Adds an issue found after the run (cross-file checks).
    pub fn push_issue(&mut self, issue: Issue) {
        *self.issue_counts.entry(issue.kind).or_insert(0) += 1;
        self.issues.push(issue);
    }
}

/// Progress callback: called with the number of input bytes just finished (on any thread).
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// The engine: a configured thread pool plus the run loop.
pub struct Engine {
    config: Config,
    pool: rayon::ThreadPool,
}

struct Job {
    file: u32,
    chunk: u32,
    range: std::ops::Range<usize>,
}

impl Engine {
    /// Builds an engine with its own rayon pool of `config.threads` threads.
    pub fn new(config: Config) -> Result<Engine, Error> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.threads)
            .thread_name(|i| format!("bcda-ndjson-{i}"))
            .build()
            .map_err(|e| Error::ThreadPool(e.to_string()))?;
        Ok(Engine { config, pool })
    }

    /// Builds an engine on a pool the caller owns.
    pub fn with_pool(config: Config, pool: rayon::ThreadPool) -> Engine {
        Engine { config, pool }
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs `processor` over every line of `inputs` in parallel and folds the records with
    /// `fold`. Nothing is fatal: problems in the data become issues, and a file that cannot be
    /// opened is reported as an [`IssueKind::Io`] issue while the other files are processed.
    pub fn run<P, F>(
        &self,
        inputs: &Inputs,
        processor: &P,
        fold: &F,
        progress: Option<Progress<'_>>,
    ) -> RunOutput<F::Acc>
    where
        P: LineProcessor,
        F: Fold<P>,
    {
        let nfiles = inputs.files.len();
        let cap = self.config.max_issues_per_kind;
        let mut total = EngineAcc::new(fold.init(), nfiles, cap);

        // Open and map the plain files; everything else is streamed.
        let maps: Vec<Option<Whole>> = inputs
            .files
            .iter()
            .map(|f| Whole::open(f, self.config.mmap))
            .collect();
        let streamed: Vec<usize> = (0..nfiles)
            .filter(|&i| Whole::streamed(&inputs.files[i], &maps[i]))
            .collect();

        let mut jobs = Vec::new();
        for (i, m) in maps.iter().enumerate() {
            if let Some(m) = m {
                for (c, range) in line_aligned_chunks(m.bytes(), self.config.chunk_bytes)
                    .into_iter()
                    .enumerate()
                {
                    jobs.push(Job {
                        file: i as u32,
                        chunk: c as u32,
                        range,
                    });
                }
            }
        }

        if !jobs.is_empty() {
            // One accumulator per worker: the workers take the chunks in file order from a
            // shared counter (each thread stays busy until none is left), and only as many
            // accumulators as threads are merged at the end.
            let next = AtomicUsize::new(0);
            let parts = self.pool.broadcast(|_| {
                let mut scratch = processor.new_scratch();
                let mut acc = EngineAcc::new(fold.init(), nfiles, cap);
                loop {
                    let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break acc;
                    };
                    let Some(whole) = maps[job.file as usize].as_ref() else {
                        continue;
                    };
                    let bytes = &whole.bytes()[job.range.clone()];
                    self.chunk(
                        &inputs.files[job.file as usize],
                        job.file,
                        job.chunk,
                        bytes,
                        processor,
                        fold,
                        &mut scratch,
                        &mut acc,
                    );
                    if let Some(p) = progress {
                        p(bytes.len() as u64);
                    }
                }
            });
            // The merge runs on the pool (a fold may split its merge with `rayon::join`).
            self.pool.install(|| {
                for part in parts {
                    total.merge_with(part, |x, y| fold.merge(x, y));
                }
            });
        }
        drop(maps);

        for i in streamed {
            let part = self.stream_file(
                &inputs.files[i],
                i as u32,
                nfiles,
                processor,
                fold,
                progress,
            );
            total.merge_with(part, |x, y| fold.merge(x, y));
        }

        let resolver = LineResolver::new(
            inputs.files.iter().map(|f| f.path.clone()).collect(),
            &total.chunk_lines,
        );
        let mut issues: Vec<Issue> = total
            .sink
            .issues
            .into_iter()
            .map(|p| {
                let loc = resolver.locate(p.at);
                Issue {
                    kind: p.kind,
                    severity: p.kind.severity(),
                    file: loc.file,
                    line: loc.line,
                    column: p.column,
                    json_path: p.json_path,
                    message: p.message,
                }
            })
            .collect();
        // Keep the first `cap` per (file, kind) in file order, whatever order chunks finished in.
        issues.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind))
        });
        let mut kept: BTreeMap<(PathBuf, IssueKind), usize> = BTreeMap::new();
        issues.retain(|i| {
            let n = kept.entry((i.file.clone(), i.kind)).or_insert(0);
            *n += 1;
            *n <= cap
        });
        let mut issue_counts = BTreeMap::new();
        for ((_, k), n) in total.sink.per_kind {
            *issue_counts.entry(k).or_insert(0) += n;
        }
        RunOutput {
            acc: total.acc,
            files: total.files,
            issues,
            issue_counts,
            resolver,
        }
    }

    /// Processes one chunk of whole lines (the last line may lack its `\n` only at end of file).
    #[allow(clippy::too_many_arguments)]
    fn chunk<P: LineProcessor, F: Fold<P>>(
        &self,
        input: &InputFile,
        file: u32,
        chunk: u32,
        data: &[u8],
        processor: &P,
        fold: &F,
        scratch: &mut P::Scratch,
        acc: &mut EngineAcc<F::Acc>,
    ) {
        let mut t = FileTotals {
            bytes: data.len() as u64,
            ..FileTotals::default()
        };
        let at = BlockAt { input, file, chunk };
        let a = &mut acc.acc;
        let lines = walk_lines(
            &self.config,
            at,
            data,
            processor,
            scratch,
            &mut acc.sink,
            &mut t,
            |rec, r| fold.add(a, rec, r),
        );
        t.lines = lines;
        acc.files[file as usize].add(&t);
        acc.chunk_lines.push((file, chunk, lines));
    }

    /// Streams a gzip file (or a plain file when mapping is off or failed): one decoder thread
    /// produces line-aligned blocks, the pool parses them.
    fn stream_file<P: LineProcessor, F: Fold<P>>(
        &self,
        input: &InputFile,
        file: u32,
        nfiles: usize,
        processor: &P,
        fold: &F,
        progress: Option<Progress<'_>>,
    ) -> EngineAcc<F::Acc> {
        let nfiles_hint = nfiles;
        let cap = self.config.max_issues_per_kind;
        let mut acc = EngineAcc::new(fold.init(), nfiles_hint, cap);
        let bound = self.threads().max(1) * 2;
        let (tx, rx) = mpsc::sync_channel::<Msg>(bound);
        let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
        let chunk_bytes = self.config.chunk_bytes.max(4096);
        let max_line = self.config.max_line_bytes;
        let size_on_disk = input.size;

        let part = std::thread::scope(|s| {
            let producer =
                s.spawn(move || produce(input, file, chunk_bytes, max_line, tx, free_rx));
            let fresh = || {
                (
                    processor.new_scratch(),
                    EngineAcc::new(fold.init(), nfiles_hint, cap),
                )
            };
            let part = self.pool.install(|| {
                rx.into_iter()
                    .par_bridge()
                    .fold(fresh, |(mut scratch, mut acc), msg| {
                        match msg {
                            Msg::Block { file, chunk, data } => {
                                self.chunk(
                                    input,
                                    file,
                                    chunk,
                                    &data,
                                    processor,
                                    fold,
                                    &mut scratch,
                                    &mut acc,
                                );
                                let _ = free_tx.send(data);
                            }
                            Msg::LongLine { file, chunk, len } => {
                                let t = &mut acc.files[file as usize];
                                t.lines += 1;
                                t.bad_lines += 1;
                                t.bytes += len;
                                acc.chunk_lines.push((file, chunk, 1));
                                let msg = format!(
                                    "line of more than {max_line} bytes ({len} bytes) skipped"
                                );
                                acc.sink.push(PendingIssue {
                                    kind: IssueKind::LineTooLong,
                                    at: LineRef {
                                        file,
                                        chunk,
                                        line: 0,
                                    },
                                    column: 0,
                                    json_path: None,
                                    message: msg,
                                });
                            }
                            Msg::Issue {
                                file,
                                chunk,
                                kind,
                                message,
                            } => {
                                acc.sink.push(PendingIssue {
                                    kind,
                                    at: LineRef {
                                        file,
                                        chunk,
                                        line: 0,
                                    },
                                    column: 0,
                                    json_path: None,
                                    message,
                                });
                            }
                        }
                        (scratch, acc)
                    })
                    .map(|(_, a)| a)
                    .reduce(
                        || EngineAcc::new(fold.init(), nfiles_hint, cap),
                        |mut a, b| {
                            a.merge_with(b, |x, y| fold.merge(x, y));
                            a
                        },
                    )
            });
            let _ = producer.join();
            part
        });
        if let Some(p) = progress {
            p(size_on_disk);
        }
        acc.merge_with(part, |x, y| fold.merge(x, y));
        acc
    }

    /// An ordered, sequential iterator over the records of `inputs`, each mapped to an owned
    /// value by `map`, with absolute locations; issues come in line order as `Err` items.
    pub fn records<'p, P, T, M>(
        &self,
        inputs: &'p Inputs,
        processor: &'p P,
        map: M,
    ) -> Records<'p, P, T, M>
    where
        P: LineProcessor,
        M: FnMut(P::Record<'_>, &Location) -> T,
    {
        Records {
            config: self.config.clone(),
            inputs,
            processor,
            map,
            scratch: processor.new_scratch(),
            next_file: 0,
            current: None,
            queue: VecDeque::new(),
        }
    }
}

/// The producer side of [`Engine::stream_file`]: cuts the decoded stream into blocks of whole
/// lines. Runs on its own thread.
fn produce(
    input: &InputFile,
    file: u32,
    chunk_bytes: usize,
    max_line: usize,
    tx: mpsc::SyncSender<Msg>,
    free: mpsc::Receiver<Vec<u8>>,
) {
    for msg in BlockReader::new(input, file, chunk_bytes, max_line).recycle(free) {
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// The whole bytes of an input read in place: a memory map or bytes in memory.
pub(crate) enum Whole {
    /// A memory-mapped file.
    Mapped(Mapped),
    /// An input held in memory.
    Bytes(Arc<Vec<u8>>),
}

impl Whole {
    /// The bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Whole::Mapped(m) => m.bytes(),
            Whole::Bytes(b) => b,
        }
    }

    /// The input's bytes when it is read in place (`None`: it is streamed, or empty).
    pub(crate) fn open(f: &InputFile, mmap: bool) -> Option<Whole> {
        if f.format != Format::Ndjson {
            return None;
        }
        if let Some(b) = f.memory() {
            return Some(Whole::Bytes(Arc::clone(b)));
        }
        if !f.is_file() || !mmap {
            return None;
        }
        match File::open(&f.path).and_then(|file| Mapped::open(&file)) {
            Ok(m) => m.map(Whole::Mapped),
            Err(_) => None,
        }
    }

    /// `true` when the input needs streaming: not read in place, and not an empty plain file.
    pub(crate) fn streamed(f: &InputFile, whole: &Option<Whole>) -> bool {
        whole.is_none() && !(f.format == Format::Ndjson && f.is_file() && f.size == 0)
    }
}

/// The ordered iterator returned by [`Engine::records`].
pub struct Records<'p, P: LineProcessor, T, M> {
    config: Config,
    inputs: &'p Inputs,
    processor: &'p P,
    map: M,
    scratch: P::Scratch,
    next_file: usize,
    current: Option<LineStream>,
    queue: VecDeque<Result<(Location, T), Issue>>,
}

/// Sequential line reader over one streamed file (plain or gzip), holding one block at a time.
struct LineStream {
    file: u32,
    src: StreamSource,
    buf: Vec<u8>,
    start: usize,
    eof: bool,
    /// 0-based number of the next line.
    line_no: u64,
    /// A JSON document: the whole file is one record.
    doc: bool,
}

impl LineStream {
    /// The next line as a range of `buf`, and whether a `\n` ended it. Corrupt gzip members
    /// are reported into `issues` (the partial line they cut is dropped).
    fn next_line(
        &mut self,
        input: &InputFile,
        issues: &mut Vec<Issue>,
    ) -> Option<(std::ops::Range<usize>, bool)> {
        loop {
            if !self.doc {
                if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start..]) {
                    let r = self.start..self.start + i;
                    self.start += i + 1;
                    return Some((r, true));
                }
            }
            if self.eof {
                if self.start < self.buf.len() {
                    let r = self.start..self.buf.len();
                    self.start = self.buf.len();
                    return Some((r, false));
                }
                return None;
            }
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            let len = self.buf.len();
            self.buf.resize(len + 256 * 1024, 0);
            match self.src.read(&mut self.buf[len..]) {
                ReadEvent::Data(n) => self.buf.truncate(len + n),
                ReadEvent::Corrupt {
                    member_offset,
                    message,
                } => {
                    // Drop the incomplete line the bad member cut.
                    self.buf.clear();
                    let kind = if input.format == Format::NdjsonGz {
                        IssueKind::CorruptGzip
                    } else {
                        IssueKind::Io
                    };
                    let msg =
                        format!("corrupt input at compressed byte {member_offset}: {message}");
                    issues.push(file_issue(input, kind, self.line_no + 1, msg));
                    if input.format != Format::NdjsonGz {
                        self.eof = true;
                    }
                }
                ReadEvent::Eof => {
                    self.buf.truncate(len);
                    self.eof = true;
                }
            }
        }
    }
}

impl<'p, P, T, M> Records<'p, P, T, M>
where
    P: LineProcessor,
    M: FnMut(P::Record<'_>, &Location) -> T,
{
    /// Opens the next file. Lines are read one block at a time (memory stays flat); a JSON
    /// document is read whole.
    fn load_next(&mut self) {
        let i = self.next_file;
        self.next_file += 1;
        let input = &self.inputs.files[i];
        match StreamSource::open(input) {
            Ok(src) => {
                self.current = Some(LineStream {
                    file: i as u32,
                    src,
                    buf: Vec::new(),
                    start: 0,
                    eof: false,
                    line_no: 0,
                    doc: input.format == Format::JsonDocument,
                })
            }
            Err(e) => self.queue.push_back(Err(file_issue(
                input,
                IssueKind::Io,
                0,
                format!("cannot open: {e}"),
            ))),
        }
    }

    fn step(&mut self) {
        let Some(cur) = self.current.as_mut() else {
            self.load_next();
            return;
        };
        let input = &self.inputs.files[cur.file as usize];
        let mut read_issues = Vec::new();
        let next = cur.next_line(input, &mut read_issues);
        self.queue.extend(read_issues.into_iter().map(Err));
        let Some((range, terminated)) = next else {
            self.current = None;
            return;
        };
        let line = &cur.buf[range];
        let at = LineRef {
            file: cur.file,
            chunk: 0,
            line: cur.line_no,
        };
        cur.line_no += 1;

        let mut sink = IssueSink::new(usize::MAX);
        let mut t = FileTotals::default();
        let mut out: Vec<(LineRef, T)> = Vec::new();
        let path = &input.path;
        let map = &mut self.map;
        let end = LineEnd {
            terminated,
            prepared: false,
        };
        check_line(
            &self.config,
            input,
            at,
            line,
            end,
            self.processor,
            &mut self.scratch,
            &mut sink,
            &mut t,
            |rec, r| {
                let loc = Location {
                    file: path.clone(),
                    line: r.line + 1,
                };
                out.push((r, map(rec, &loc)));
            },
        );
        let mut items: Vec<Ordered<T>> = Vec::new();
        for p in sink.issues {
            let issue = Issue {
                kind: p.kind,
                severity: p.kind.severity(),
                file: path.clone(),
                line: p.at.line + 1,
                column: p.column,
                json_path: p.json_path,
                message: p.message,
            };
            items.push((issue.line, issue.column, Err(issue)));
        }
        for (r, v) in out {
            items.push((
                r.line + 1,
                0,
                Ok((
                    Location {
                        file: path.clone(),
                        line: r.line + 1,
                    },
                    v,
                )),
            ));
        }
        items.sort_by_key(|(l, c, _)| (*l, *c));
        self.queue.extend(items.into_iter().map(|(_, _, it)| it));
    }
}

/// An item of the ordered iterator with its sort key (line, column).
type Ordered<T> = (u64, u64, Result<(Location, T), Issue>);

fn file_issue(input: &InputFile, kind: IssueKind, line: u64, message: String) -> Issue {
    Issue {
        kind,
        severity: kind.severity(),
        file: input.path.clone(),
        line,
        column: 0,
        json_path: None,
        message,
    }
}

impl<'p, P, T, M> Iterator for Records<'p, P, T, M>
where
    P: LineProcessor,
    M: FnMut(P::Record<'_>, &Location) -> T,
{
    type Item = Result<(Location, T), Issue>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            if self.current.is_none() && self.next_file >= self.inputs.files.len() {
                return None;
            }
            self.step();
        }
    }
}

/// Where a block of whole lines comes from.
#[derive(Clone, Copy)]
pub(crate) struct BlockAt<'i> {
    /// The input.
    pub(crate) input: &'i InputFile,
    /// Its index.
    pub(crate) file: u32,
    /// The block's number in the input.
    pub(crate) chunk: u32,
}

/// Runs the per-line checks and the processor over every line of a block of whole lines (a
/// JSON document is one line); returns the number of lines.
#[allow(clippy::too_many_arguments)]
pub(crate) fn walk_lines<P, E>(
    config: &Config,
    at: BlockAt<'_>,
    data: &[u8],
    processor: &P,
    scratch: &mut P::Scratch,
    sink: &mut IssueSink,
    t: &mut FileTotals,
    mut emit: E,
) -> u64
where
    P: LineProcessor,
    E: FnMut(P::Record<'_>, LineRef),
{
    let line_ref = |line| LineRef {
        file: at.file,
        chunk: at.chunk,
        line,
    };
    if at.input.format == Format::JsonDocument {
        let end = LineEnd {
            terminated: true,
            prepared: false,
        };
        let (input, r) = (at.input, line_ref(0));
        check_line(
            config, input, r, data, end, processor, scratch, sink, t, &mut emit,
        );
        return 1;
    }
    let mut line_no = 0u64;
    let mut pos = 0;
    while pos < data.len() {
        let rest = &data[pos..];
        // The processor finds the line (and may index it in the same pass).
        let len = processor.line_end(rest, scratch).min(rest.len());
        debug_assert!(len == rest.len() || rest[len] == b'\n');
        let end = LineEnd {
            terminated: len < rest.len(),
            prepared: true,
        };
        pos += len + usize::from(end.terminated);
        let (input, r, line) = (at.input, line_ref(line_no), &rest[..len]);
        check_line(
            config, input, r, line, end, processor, scratch, sink, t, &mut emit,
        );
        line_no += 1;
    }
    line_no
}

/// How a line ended and was found.
#[derive(Debug, Clone, Copy)]
struct LineEnd {
    /// A `\n` ended it (only the last line of a file may lack one).
    terminated: bool,
    /// [`LineProcessor::line_end`] found it, just before the processor sees it.
    prepared: bool,
}

/// The per-line checks (CRLF, blank, length, UTF-8) followed by the processor. Shared by the
/// parallel run and the ordered iterator.
#[allow(clippy::too_many_arguments)]
fn check_line<'a, P, E>(
    config: &Config,
    input: &InputFile,
    at: LineRef,
    mut line: &'a [u8],
    end: LineEnd,
    processor: &P,
    scratch: &'a mut P::Scratch,
    sink: &mut IssueSink,
    t: &mut FileTotals,
    mut emit: E,
) where
    P: LineProcessor,
    E: FnMut(P::Record<'a>, LineRef),
{
    let mut ctx = LineCtx {
        input,
        at,
        line,
        unterminated: !end.terminated,
        prepared: end.prepared,
        errors: 0,
        utf8_unchecked: config.validate_utf8,
        sink,
        newline_cache: std::cell::Cell::new((0, 0)),
    };
    if let [rest @ .., b'\r'] = line {
        if input.format != Format::JsonDocument {
            t.crlf_lines += 1;
            ctx.report(
                IssueKind::CrLf,
                Some(rest.len()),
                None,
                "line ends with CRLF; the CR was ignored".into(),
            );
        }
        line = rest;
        ctx.line = line;
    }
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        if input.format != Format::JsonDocument {
            t.blank_lines += 1;
            ctx.report(
                IssueKind::BlankLine,
                None,
                None,
                "blank line skipped".into(),
            );
        }
        return;
    }
    if line.len() > config.max_line_bytes {
        t.bad_lines += 1;
        let msg = format!(
            "line of {} bytes exceeds the limit of {} bytes; skipped",
            line.len(),
            config.max_line_bytes
        );
        ctx.report(IssueKind::LineTooLong, None, None, msg);
        return;
    }
    // ASCII lines (nearly all of an export) skip the full UTF-8 decoder.
    if !P::CHECKS_UTF8 && !ctx.check_utf8() {
        t.bad_lines += 1;
        return;
    }
    let mut records = 0u64;
    processor.process(line, scratch, &mut ctx, |rec, r| {
        records += 1;
        emit(rec, r);
    });
    t.records += records;
    if ctx.errors > 0 {
        t.bad_lines += 1;
    }
}
