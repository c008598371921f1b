//! The engine: runs a [`LineProcessor`] over every line of the inputs, in parallel, folding the
//! records into a user [`Fold`], and collecting [`Issue`]s.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::error::{Error, Issue, IssueKind, Severity};
mod blocks;
mod closures;
mod config;
mod line;
mod locate;
mod par;
mod records;
mod traits;

use crate::gz::ReadEvent;
use crate::input::{Format, InputFile, Inputs};
use crate::split::{line_aligned_chunks, line_len};
use blocks::{produce, Msg, StreamSource, Whole};
pub use closures::IntoOwnedRecord;
pub use config::Config;
pub use line::LineCtx;
pub(crate) use line::{check_line, walk_lines, BlockAt, IssueSink, LineEnd, PendingIssue};
pub use locate::{LineRef, LineResolver, Location};
pub use records::Records;
pub use traits::{Fold, LineProcessor};

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
        crate::scan::Kernel::selected()?;
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
        // Open and map the plain files; everything else is streamed.
        let maps: Vec<Option<Whole>> = inputs
            .files
            .iter()
            .map(|f| Whole::open(f, self.config.mmap))
            .collect();
        let streamed: Vec<usize> = (0..nfiles)
            .filter(|&i| Whole::streamed(&inputs.files[i], &maps[i]))
            .collect();
        let mut total = self.run_in_place(inputs, &maps, processor, fold, progress);
        drop(maps);
        for i in streamed {
            let input = &inputs.files[i];
            let part = self.stream_file(input, i as u32, nfiles, processor, fold, progress);
            total.merge_with(part, |x, y| fold.merge(x, y));
        }
        finish(total, inputs, self.config.max_issues_per_kind)
    }

    /// Runs the inputs read in place (`maps`): their line-aligned chunks go to the workers.
    fn run_in_place<P, F>(
        &self,
        inputs: &Inputs,
        maps: &[Option<Whole>],
        processor: &P,
        fold: &F,
        progress: Option<Progress<'_>>,
    ) -> EngineAcc<F::Acc>
    where
        P: LineProcessor,
        F: Fold<P>,
    {
        let (nfiles, cap) = (inputs.files.len(), self.config.max_issues_per_kind);
        let mut total = EngineAcc::new(fold.init(), nfiles, cap);
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

        if jobs.is_empty() {
            return total;
        }
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
        total
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
                            other => note(&mut acc, other, max_line),
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

/// Locates the issues of a finished run, keeps the first `cap` per file and kind (in file
/// order, whatever order the chunks finished in) and counts them all.
fn finish<A>(total: EngineAcc<A>, inputs: &Inputs, cap: usize) -> RunOutput<A> {
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

/// Records a skipped over-long line or a read problem of a streamed input (a block is parsed
/// instead, by the caller).
fn note<A>(acc: &mut EngineAcc<A>, msg: Msg, max_line: usize) {
    let (file, chunk, kind, message) = match msg {
        Msg::Block { .. } => return,
        Msg::LongLine { file, chunk, len } => {
            let t = &mut acc.files[file as usize];
            t.lines += 1;
            t.bad_lines += 1;
            t.bytes += len;
            acc.chunk_lines.push((file, chunk, 1));
            let message = format!("line of more than {max_line} bytes ({len} bytes) skipped");
            (file, chunk, IssueKind::LineTooLong, message)
        }
        Msg::Issue {
            file,
            chunk,
            kind,
            message,
        } => (file, chunk, kind, message),
    };
    let at = LineRef {
        file,
        chunk,
        line: 0,
    };
    acc.sink.push(PendingIssue {
        kind,
        at,
        column: 0,
        json_path: None,
        message,
    });
}
