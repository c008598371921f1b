//! The line context: per-line checks (CRLF, blank, length, UTF-8), the issue sink and the
//! walk over the lines of a block that calls the processor.

use super::*;

#[derive(Debug, Clone)]
pub(crate) struct PendingIssue {
    pub(crate) kind: IssueKind,
    pub(crate) at: LineRef,
    pub(crate) column: u64,
    pub(crate) json_path: Option<String>,
    pub(crate) message: String,
}

/// Per-line context handed to a [`LineProcessor`]: where the line is, and a sink for issues.
pub struct LineCtx<'a> {
    pub(crate) input: &'a InputFile,
    pub(crate) at: LineRef,
    pub(crate) line: &'a [u8],
    pub(crate) unterminated: bool,
    pub(crate) prepared: bool,
    pub(crate) errors: u32,
    /// UTF-8 checks are on ([`Config::validate_utf8`]) and nobody has checked this line yet
    /// (the engine leaves it to processors with [`LineProcessor::CHECKS_UTF8`]).
    pub(crate) utf8_unchecked: bool,
    pub(crate) sink: &'a mut IssueSink,
    /// (offset, newlines before it): records of a JSON document are visited in increasing
    /// offset order, so counting resumes from the last position instead of the start.
    pub(crate) newline_cache: std::cell::Cell<(usize, u64)>,
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
    pub(crate) issues: Vec<PendingIssue>,
    pub(crate) per_kind: BTreeMap<(u32, IssueKind), u64>,
    pub(crate) cap: usize,
}

impl IssueSink {
    pub(crate) fn new(cap: usize) -> Self {
        IssueSink {
            cap,
            ..Default::default()
        }
    }
    pub(crate) fn push(&mut self, issue: PendingIssue) {
        let n = self
            .per_kind
            .entry((issue.at.file, issue.kind))
            .or_insert(0);
        *n += 1;
        if *n as usize <= self.cap {
            self.issues.push(issue);
        }
    }
    pub(crate) fn merge(&mut self, other: IssueSink) {
        for (k, v) in other.per_kind {
            *self.per_kind.entry(k).or_insert(0) += v;
        }
        self.issues.extend(other.issues);
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
pub(crate) struct LineEnd {
    /// A `\n` ended it (only the last line of a file may lack one).
    pub(crate) terminated: bool,
    /// [`LineProcessor::line_end`] found it, just before the processor sees it.
    pub(crate) prepared: bool,
}

/// The per-line checks (CRLF, blank, length, UTF-8) followed by the processor. Shared by the
/// parallel run and the ordered iterator.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_line<'a, P, E>(
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
