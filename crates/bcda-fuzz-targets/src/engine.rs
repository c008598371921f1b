//! The NDJSON engine on whole files: line splitting at every chunk size, streaming, gzip.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bcda_ndjson::project::Projected;
use bcda_ndjson::scan::{Index, Kernel};
use bcda_ndjson::typed::Typed;
use bcda_ndjson::{
    Config, Engine, FileTotals, Fold, Inputs, IssueKind, LineCtx, LineProcessor, LineRef,
};

/// The projected processor, counting the lines that reach it.
#[derive(Default)]
struct Counting {
    inner: Projected,
    calls: AtomicU64,
}

impl LineProcessor for Counting {
    type Scratch = <Projected as LineProcessor>::Scratch;
    type Record<'a> = <Projected as LineProcessor>::Record<'a>;

    fn new_scratch(&self) -> Self::Scratch {
        self.inner.new_scratch()
    }

    fn process<'a, E>(
        &self,
        line: &'a [u8],
        scratch: &'a mut Self::Scratch,
        ctx: &mut LineCtx<'_>,
        emit: E,
    ) where
        E: FnMut(Self::Record<'a>, LineRef),
    {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.inner.process(line, scratch, ctx, emit);
    }
}

/// Counts records.
struct Count;

impl<P: LineProcessor> Fold<P> for Count {
    type Acc = u64;
    fn init(&self) -> u64 {
        0
    }
    fn add(&self, acc: &mut u64, _record: P::Record<'_>, _at: LineRef) {
        *acc += 1;
    }
    fn merge(&self, acc: &mut u64, other: u64) {
        *acc += other;
    }
}

/// What a run saw, comparable across read paths.
#[derive(Debug, PartialEq)]
struct Seen {
    totals: FileTotals,
    folded: u64,
    processed: u64,
    issue_counts: BTreeMap<IssueKind, u64>,
    /// (line, column, kind, JSON path) of every issue, in order.
    issues: Vec<(u64, u64, IssueKind, Option<String>)>,
}

fn config(chunk_bytes: usize, mmap: bool) -> Config {
    Config {
        threads: 1,
        chunk_bytes,
        max_line_bytes: 300,
        max_issues_per_kind: usize::MAX,
        mmap,
        ..Config::default()
    }
}

/// Memory-mapped engines with several chunk sizes, and one streaming engine (built once: each
/// owns a thread pool).
fn engines() -> &'static (Vec<Engine>, Engine) {
    static E: OnceLock<(Vec<Engine>, Engine)> = OnceLock::new();
    E.get_or_init(|| {
        let mapped = [1, 2, 7, 64, 4 << 20]
            .into_iter()
            .map(|c| Engine::new(config(c, true)).expect("engine"))
            .collect();
        (mapped, Engine::new(config(64, false)).expect("engine"))
    })
}

/// A private directory for the input files (on tmpfs when there is one).
fn dir() -> &'static Path {
    static D: OnceLock<tempfile::TempDir> = OnceLock::new();
    D.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        tempfile::Builder::new()
            .prefix("bcda-fuzz-")
            .tempdir_in(base)
            .expect("temp dir")
    })
    .path()
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir().join(name);
    std::fs::write(&p, bytes).expect("write input");
    p
}

fn run(engine: &Engine, path: &Path) -> Seen {
    run_with(engine, path, Projected::default())
}

fn run_with(engine: &Engine, path: &Path, projected: Projected) -> Seen {
    let inputs = Inputs::discover(&[path]).expect("discover one file");
    let p = Counting {
        inner: projected,
        calls: AtomicU64::new(0),
    };
    let out = engine.run(&inputs, &p, &Count, None);
    let totals = out.totals();
    let issues = out
        .issues
        .iter()
        .map(|i| (i.line, i.column, i.kind, i.json_path.clone()))
        .collect();
    let processed = p.calls.load(Ordering::Relaxed);

    // Every line is blank, skipped before the processor (and then bad), or processed.
    assert!(
        processed + totals.blank_lines <= totals.lines,
        "{processed} processed + {} blank > {} lines",
        totals.blank_lines,
        totals.lines
    );
    assert!(
        totals.lines - processed - totals.blank_lines <= totals.bad_lines,
        "lines neither processed nor blank are not all counted bad: {totals:?}, {processed} processed"
    );
    assert!(
        totals.bad_lines + totals.blank_lines <= totals.lines,
        "{totals:?}"
    );
    assert_eq!(out.acc, totals.records, "fold and totals disagree");

    // The ordered sequential iterator sees the same records and issues.
    let mut records = 0;
    let mut ordered_counts: BTreeMap<IssueKind, u64> = BTreeMap::new();
    for item in engine.records(&inputs, &p.inner, |_, loc| loc.line) {
        match item {
            Ok(_) => records += 1,
            Err(i) => *ordered_counts.entry(i.kind).or_insert(0) += 1,
        }
    }
    assert_eq!(
        records, totals.records,
        "ordered iterator: other record count"
    );
    assert_eq!(
        ordered_counts, out.issue_counts,
        "ordered iterator: other issues"
    );

    Seen {
        totals,
        folded: out.acc,
        processed,
        issue_counts: out.issue_counts,
        issues,
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip to memory");
    e.finish().expect("gzip to memory")
}

/// Without the gzip-only issue kinds and with what differs by encoding (byte counts are the
/// same: decompressed).
fn comparable(mut s: Seen) -> Seen {
    s.issue_counts.remove(&IssueKind::CorruptGzip);
    s
}

/// An NDJSON file. The first byte picks the chunk size of the memory-mapped run compared with
/// the others; the rest is the file.
pub fn ndjson_engine(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (mapped, streaming) = engines();
    let expected_lines = memchr_count(body) + u64::from(body.last().is_some_and(|&b| b != b'\n'));

    kernels_agree(body);
    let plain = write("engine.ndjson", body);
    let whole = run(&mapped[mapped.len() - 1], &plain);
    assert_eq!(whole.totals.lines, expected_lines, "line count");
    assert_eq!(whole.totals.bytes, body.len() as u64, "byte count");

    let chunked = run(&mapped[pick as usize % mapped.len()], &plain);
    assert_eq!(
        chunked, whole,
        "chunked mmap run differs from the one-chunk run"
    );
    let serde_lane = run_with(&mapped[0], &plain, Projected::serde_only());
    assert_eq!(
        serde_lane, whole,
        "the fast projected lane differs from serde_json's"
    );
    let streamed = run(streaming, &plain);
    assert_eq!(streamed, whole, "streamed run differs from the mmap run");

    let gz = write("engine.ndjson.gz", &gzip(body));
    let from_gz = run(streaming, &gz);
    assert_eq!(
        from_gz.issue_counts.get(&IssueKind::CorruptGzip),
        None,
        "our own gzip is corrupt?"
    );
    assert_eq!(
        comparable(from_gz),
        whole,
        "gzip run differs from the plain run"
    );

    // The full typed path over the same file: same lines, blanks and CRLFs.
    let inputs = Inputs::discover(&[&plain]).expect("discover");
    let typed = mapped[0].run(&inputs, &Typed::default(), &Count, None);
    let t = typed.totals();
    assert_eq!(
        (t.lines, t.blank_lines, t.crlf_lines, t.records),
        (
            whole.totals.lines,
            whole.totals.blank_lines,
            whole.totals.crlf_lines,
            typed.acc
        ),
        "typed run counts"
    );
}

fn memchr_count(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

/// A `.ndjson.gz` file as given (corrupt members, truncation, garbage between members).
pub fn ndjson_gzip(data: &[u8]) {
    let (_, streaming) = engines();
    let gz = write("gzip.ndjson.gz", data);
    let seen = run(streaming, &gz);

    // The reference decoder: when it decodes everything, so must the engine.
    let mut decoded = Vec::new();
    let reference = flate2::read::MultiGzDecoder::new(data)
        .take(64 << 20)
        .read_to_end(&mut decoded);
    if reference.is_ok() && decoded.len() < 64 << 20 {
        assert_eq!(
            seen.issue_counts.get(&IssueKind::CorruptGzip),
            None,
            "flate2 decodes the stream, the engine reports corruption"
        );
        let plain = write("gzip.ndjson", &decoded);
        let from_plain = run(&engines().0[0], &plain);
        assert_eq!(
            comparable(seen),
            from_plain,
            "decoded gzip differs from the same bytes plain"
        );
    }
}

/// Stage 1 of every kernel this CPU runs gives the portable kernel's verdict and tokens, on the
/// whole input and line by line.
fn kernels_agree(body: &[u8]) {
    let Some(mut portable) = Index::with_kernel(Kernel::Portable) else {
        return;
    };
    for kernel in Kernel::available() {
        let mut index = Index::with_kernel(kernel).expect("an available kernel");
        let got = index.build(body).map(|()| index.tokens().to_vec());
        let want = portable.build(body).map(|()| portable.tokens().to_vec());
        assert_eq!(got, want, "{kernel:?} indexes the input differently");
        let mut at = 0;
        while at < body.len() {
            let (len, want_len) = (
                index.scan_line(&body[at..]),
                portable.scan_line(&body[at..]),
            );
            assert_eq!(len, want_len, "{kernel:?} splits lines differently");
            let line = &body[at..at + len];
            let got = index.line_str(line).map(|_| index.tokens().to_vec());
            let want = portable.line_str(line).map(|_| portable.tokens().to_vec());
            assert_eq!(got, want, "{kernel:?} indexes a line differently");
            at += len + 1;
        }
    }
}
