//! The parallel iterator over records ([`Engine::par_iter`]): the inputs are cut into units of
//! work (line-aligned ranges of mapped files, decoded blocks of streamed ones) that rayon
//! hands to its threads; each unit's records come out as one batch.

use std::ops::Range;
use std::sync::Arc;

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::blocks::{BlockReader, Msg};
use super::closures::IntoOwnedRecord;
use super::{walk_lines, BlockAt, Config, Engine, FileTotals, IssueSink, LineProcessor, Whole};
use crate::error::{Issue, IssueKind};
use crate::input::{Format, InputFile, Inputs};
use crate::split::line_aligned_chunks;

impl Engine {
    /// A rayon [`ParallelIterator`] over the owned records of `inputs` (see
    /// [`IntoOwnedRecord`]), so that `filter`, `map`, `reduce`, `collect` work as usual;
    /// problems in the data come as `Err` items. The order is unspecified. It runs on the
    /// pool it is consumed on: wrap the consumer in [`Engine::install`] to use the engine's
    /// threads. Use [`Self::par_iter_with`] to copy only what you need.
    pub fn par_iter<'i, P>(
        &self,
        inputs: &'i Inputs,
        processor: &'i P,
    ) -> impl ParallelIterator<Item = Result<P::Owned, Issue>> + 'i
    where
        P: IntoOwnedRecord,
    {
        self.par_iter_with(inputs, processor, P::into_owned_record)
    }

    /// Like [`Self::par_iter`], but `map` turns each borrowed record into the item.
    pub fn par_iter_with<'i, P, T, M>(
        &self,
        inputs: &'i Inputs,
        processor: &'i P,
        map: M,
    ) -> impl ParallelIterator<Item = Result<T, Issue>> + 'i
    where
        P: LineProcessor,
        T: Send + 'i,
        M: Fn(P::Record<'_>) -> T + Sync + Send + 'i,
    {
        let config = self.config.clone();
        Units::new(inputs, config.clone())
            .par_bridge()
            .map_init(
                move || processor.new_scratch(),
                move |scratch, unit| run_unit(&config, unit, processor, scratch, &map),
            )
            .flat_map_iter(|batch| batch)
    }
}

/// A piece of work of the parallel iterator.
struct Unit<'i> {
    at: BlockAt<'i>,
    work: Work,
}

enum Work {
    /// A line-aligned range of an input read in place.
    InPlace {
        whole: Arc<Whole>,
        range: Range<usize>,
    },
    /// A block of whole lines of a streamed input, after `base` lines.
    Block { data: Vec<u8>, base: u64 },
    /// A problem at line `base + 1` (a skipped over-long line, a read error).
    Issue {
        base: u64,
        kind: IssueKind,
        message: String,
    },
}

/// The input being cut into units.
enum Current<'i> {
    InPlace {
        whole: Arc<Whole>,
        ranges: std::vec::IntoIter<Range<usize>>,
        chunk: u32,
    },
    Streamed {
        reader: Box<BlockReader<'i>>,
        lines: u64,
    },
}

/// The sequential source of units, bridged to rayon.
struct Units<'i> {
    inputs: &'i Inputs,
    config: Config,
    file: usize,
    current: Option<Current<'i>>,
}

impl<'i> Units<'i> {
    fn new(inputs: &'i Inputs, config: Config) -> Self {
        Units {
            inputs,
            config,
            file: 0,
            current: None,
        }
    }

    /// Opens the input `self.file` (`None`: nothing to read in it).
    fn open(&self) -> Option<Current<'i>> {
        let (input, file) = (&self.inputs.files[self.file], self.file as u32);
        let whole = Whole::open(input, self.config.mmap);
        if !Whole::streamed(input, &whole) {
            let whole = Arc::new(whole?);
            let ranges = line_aligned_chunks(whole.bytes(), self.config.chunk_bytes);
            return Some(Current::InPlace {
                whole,
                ranges: ranges.into_iter(),
                chunk: 0,
            });
        }
        let (chunk_bytes, max_line) = (self.config.chunk_bytes, self.config.max_line_bytes);
        let reader = BlockReader::new(input, file, chunk_bytes, max_line);
        Some(Current::Streamed {
            reader: Box::new(reader),
            lines: 0,
        })
    }

    /// The next unit of the current input (`None`: it is done).
    fn next_of(&mut self) -> Option<Unit<'i>> {
        let input = &self.inputs.files[self.file];
        let mut at = BlockAt {
            input,
            file: self.file as u32,
            chunk: 0,
        };
        let work = match self.current.as_mut()? {
            Current::InPlace {
                whole,
                ranges,
                chunk,
            } => {
                at.chunk = *chunk;
                *chunk += 1;
                let range = ranges.next()?;
                Work::InPlace {
                    whole: Arc::clone(whole),
                    range,
                }
            }
            Current::Streamed { reader, lines } => streamed_work(input, reader.next()?, lines),
        };
        Some(Unit { at, work })
    }
}

/// A unit of work from a message of the block reader; `lines` counts the lines read so far.
fn streamed_work(input: &InputFile, msg: Msg, lines: &mut u64) -> Work {
    let base = *lines;
    match msg {
        Msg::Block { data, .. } => {
            *lines += count_lines(&data, input.format);
            Work::Block { data, base }
        }
        Msg::LongLine { len, .. } => {
            *lines += 1;
            Work::Issue {
                base,
                kind: IssueKind::LineTooLong,
                message: format!("line of {len} bytes skipped: it exceeds the line limit"),
            }
        }
        Msg::Issue { kind, message, .. } => Work::Issue {
            base,
            kind,
            message,
        },
    }
}

/// Lines in a block of whole lines (a JSON document is one).
fn count_lines(data: &[u8], format: Format) -> u64 {
    if format == Format::JsonDocument {
        return 1;
    }
    let newlines = memchr::memchr_iter(b'\n', data).count() as u64;
    newlines + u64::from(data.last().is_some_and(|&b| b != b'\n'))
}

impl<'i> Iterator for Units<'i> {
    type Item = Unit<'i>;

    fn next(&mut self) -> Option<Unit<'i>> {
        loop {
            if self.current.is_some() {
                if let Some(unit) = self.next_of() {
                    return Some(unit);
                }
                self.current = None;
                self.file += 1;
                continue;
            }
            if self.file >= self.inputs.files.len() {
                return None;
            }
            self.current = self.open();
            if self.current.is_none() {
                self.file += 1;
            }
        }
    }
}

/// Parses one unit: its records mapped by `map`, then its issues.
fn run_unit<P, T, M>(
    config: &Config,
    unit: Unit<'_>,
    processor: &P,
    scratch: &mut P::Scratch,
    map: &M,
) -> Vec<Result<T, Issue>>
where
    P: LineProcessor,
    M: Fn(P::Record<'_>) -> T,
{
    let (data, base): (&[u8], Option<u64>) = match &unit.work {
        Work::InPlace { whole, range } => (&whole.bytes()[range.clone()], None),
        Work::Block { data, base } => (data, Some(*base)),
        Work::Issue {
            base,
            kind,
            message,
        } => {
            let issue = issue_at(unit.at.input, *kind, base + 1, message.clone());
            return vec![Err(issue)];
        }
    };
    let mut out = Vec::new();
    let mut sink = IssueSink::new(usize::MAX);
    let mut t = FileTotals::default();
    let (at, t) = (unit.at, &mut t);
    walk_lines(
        config,
        at,
        data,
        processor,
        scratch,
        &mut sink,
        t,
        |rec, _| out.push(Ok(map(rec))),
    );
    if sink.issues.is_empty() {
        return out;
    }
    // Lines before this range: counted only when there is something to locate.
    let base = base.unwrap_or_else(|| match &unit.work {
        Work::InPlace { whole, range } => {
            memchr::memchr_iter(b'\n', &whole.bytes()[..range.start]).count() as u64
        }
        _ => 0,
    });
    for p in sink.issues {
        let mut issue = issue_at(unit.at.input, p.kind, base + p.at.line + 1, p.message);
        issue.column = p.column;
        issue.json_path = p.json_path;
        out.push(Err(issue));
    }
    out
}

fn issue_at(input: &InputFile, kind: IssueKind, line: u64, message: String) -> Issue {
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
