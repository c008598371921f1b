//! The ordered, sequential iterator over records ([`Engine::records`]).

use super::*;

/// The ordered iterator returned by [`Engine::records`].
pub struct Records<'p, P: LineProcessor, T, M> {
    pub(crate) config: Config,
    pub(crate) inputs: &'p Inputs,
    pub(crate) processor: &'p P,
    pub(crate) map: M,
    pub(crate) scratch: P::Scratch,
    pub(crate) next_file: usize,
    pub(crate) current: Option<LineStream>,
    pub(crate) queue: VecDeque<Result<(Location, T), Issue>>,
}

/// Sequential line reader over one streamed file (plain or gzip), holding one block at a time.
pub(crate) struct LineStream {
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

pub(crate) fn file_issue(input: &InputFile, kind: IssueKind, line: u64, message: String) -> Issue {
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
