//! The streaming side of the engine: reads a file that is not memory-mapped (gzip, a reader,
//! plain files when mapping is off) and cuts the decoded bytes into blocks of whole lines.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read};
use std::sync::{mpsc, Arc};

use crate::error::IssueKind;
use crate::gz::{MemberReader, ReadEvent, SharedBytes};
use crate::input::{Format, InputFile};
use crate::split::Mapped;

/// Reads decompressed (or plain) bytes of a streamed input.
pub(crate) enum StreamSource {
    /// Gzip decoded member by member (corrupt members skipped).
    Gz(Box<MemberReader>),
    /// Plain bytes: a file, bytes in memory, or a caller's (already decoded) reader.
    Plain(Box<dyn Read + Send>),
}

impl StreamSource {
    /// Opens the input's bytes for streaming.
    pub(crate) fn open(input: &InputFile) -> std::io::Result<StreamSource> {
        if let Some(reader) = input.take_reader() {
            return reader.map(StreamSource::Plain).ok_or_else(|| {
                std::io::Error::other("the reader of this input was already consumed by a run")
            });
        }
        if let Some(bytes) = input.memory() {
            return Ok(if input.format == Format::NdjsonGz {
                let shared = SharedBytes::Owned(Arc::clone(bytes));
                StreamSource::Gz(Box::new(MemberReader::new(shared)))
            } else {
                StreamSource::Plain(Box::new(Cursor::new(ArcBytes(Arc::clone(bytes)))))
            });
        }
        let file = File::open(&input.path)?;
        if input.format != Format::NdjsonGz {
            return Ok(StreamSource::Plain(Box::new(file)));
        }
        let bytes = match Mapped::open(&file) {
            Ok(Some(m)) => SharedBytes::Mapped(Arc::new(m)),
            Ok(None) => SharedBytes::Owned(Arc::new(Vec::new())),
            Err(_) => {
                let mut v = Vec::new();
                File::open(&input.path)?.read_to_end(&mut v)?;
                SharedBytes::Owned(Arc::new(v))
            }
        };
        Ok(StreamSource::Gz(Box::new(MemberReader::new(bytes))))
    }

    /// Reads the next bytes into `buf`.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> ReadEvent {
        match self {
            StreamSource::Gz(r) => r.read(buf),
            StreamSource::Plain(f) => match f.read(buf) {
                Ok(0) => ReadEvent::Eof,
                Ok(n) => ReadEvent::Data(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => ReadEvent::Data(0),
                Err(e) => ReadEvent::Corrupt {
                    member_offset: 0,
                    message: e.to_string(),
                },
            },
        }
    }
}

/// Shared in-memory bytes as a `Cursor` target.
struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// What the block reader produces.
pub(crate) enum Msg {
    /// Whole lines (the last one may lack its `\n` only at the end of the input).
    Block {
        /// Input index.
        file: u32,
        /// Block number in the input.
        chunk: u32,
        /// The bytes.
        data: Vec<u8>,
    },
    /// A line longer than the limit, skipped (it counts as one line of the block `chunk`).
    LongLine {
        /// Input index.
        file: u32,
        /// Block number in the input.
        chunk: u32,
        /// Its length in bytes.
        len: u64,
    },
    /// A problem reading the input, located at the start of block `chunk`.
    Issue {
        /// Input index.
        file: u32,
        /// Block number in the input.
        chunk: u32,
        /// What went wrong.
        kind: IssueKind,
        /// Detail.
        message: String,
    },
}

/// Cuts a streamed input into blocks of about `chunk_bytes` of whole lines (a JSON document
/// is one block); skips over-long lines; reports corrupt gzip members and read errors and
/// carries on after them where it can.
pub(crate) struct BlockReader<'i> {
    input: &'i InputFile,
    file: u32,
    chunk: u32,
    chunk_bytes: usize,
    max_line: usize,
    src: Option<StreamSource>,
    buf: Vec<u8>,
    /// Bytes of an over-long line being skipped.
    skipping: Option<u64>,
    /// Buffers handed back by the consumer, reused for the next blocks.
    free: Option<mpsc::Receiver<Vec<u8>>>,
    out: VecDeque<Msg>,
}

const READ_SIZE: usize = 256 * 1024;

impl<'i> BlockReader<'i> {
    /// A reader of input number `file`; opening problems come out as the first message.
    pub(crate) fn new(
        input: &'i InputFile,
        file: u32,
        chunk_bytes: usize,
        max_line: usize,
    ) -> Self {
        let mut out = VecDeque::new();
        let src = match StreamSource::open(input) {
            Ok(s) => Some(s),
            Err(e) => {
                out.push_back(Msg::Issue {
                    file,
                    chunk: 0,
                    kind: IssueKind::Io,
                    message: format!("cannot open: {e}"),
                });
                None
            }
        };
        BlockReader {
            input,
            file,
            chunk: 0,
            chunk_bytes: chunk_bytes.max(4096),
            max_line,
            src,
            buf: Vec::new(),
            skipping: None,
            free: None,
            out,
        }
    }

    /// Reuses the buffers sent back on `free` for new blocks.
    pub(crate) fn recycle(mut self, free: mpsc::Receiver<Vec<u8>>) -> Self {
        self.free = Some(free);
        self
    }

    fn fresh(&self) -> Vec<u8> {
        let reused = self.free.as_ref().and_then(|f| f.try_recv().ok());
        let mut v = reused.unwrap_or_else(|| Vec::with_capacity(self.chunk_bytes + 64 * 1024));
        v.clear();
        v
    }

    /// Sends `buf[..end]` as a block and keeps the rest for the next one.
    fn cut(&mut self, end: usize) {
        let mut next = self.fresh();
        next.extend_from_slice(&self.buf[end..]);
        self.buf.truncate(end);
        let data = std::mem::replace(&mut self.buf, next);
        self.out.push_back(Msg::Block {
            file: self.file,
            chunk: self.chunk,
            data,
        });
        self.chunk += 1;
    }

    /// Handles new data at the end of `buf`.
    fn data(&mut self) {
        if let Some(skipped) = self.skipping.as_mut() {
            match memchr::memchr(b'\n', &self.buf) {
                Some(i) => {
                    *skipped += i as u64 + 1;
                    let len = *skipped;
                    self.out.push_back(Msg::LongLine {
                        file: self.file,
                        chunk: self.chunk,
                        len,
                    });
                    self.chunk += 1;
                    self.skipping = None;
                    self.buf.drain(..=i);
                }
                None => {
                    *skipped += self.buf.len() as u64;
                    self.buf.clear();
                }
            }
            return;
        }
        // A JSON document is one record: never cut it.
        if self.buf.len() < self.chunk_bytes || self.input.format == Format::JsonDocument {
            return;
        }
        match memchr::memrchr(b'\n', &self.buf) {
            Some(i) => self.cut(i + 1),
            None if self.buf.len() > self.max_line => {
                self.skipping = Some(self.buf.len() as u64);
                self.buf.clear();
            }
            None => {}
        }
    }

    /// Handles a corrupt gzip member or a read error: keeps the lines completed before it.
    fn corrupt(&mut self, member_offset: u64, message: String) {
        let keep = memchr::memrchr(b'\n', &self.buf).map_or(0, |i| i + 1);
        let dropped = self.buf.len() - keep;
        if keep > 0 {
            self.cut(keep);
        }
        self.buf.clear();
        self.skipping = None;
        // Only the member-by-member decoder can resume after the damage.
        let gz = matches!(self.src, Some(StreamSource::Gz(_)));
        let (kind, what) = if gz {
            (IssueKind::CorruptGzip, "corrupt gzip member")
        } else {
            (IssueKind::Io, "read error")
        };
        let message = format!("{what} at compressed byte {member_offset}: {message}; {dropped} bytes of an incomplete line dropped; resuming at the next member");
        self.out.push_back(Msg::Issue {
            file: self.file,
            chunk: self.chunk,
            kind,
            message,
        });
        if !gz {
            self.src = None;
        }
    }

    /// End of input: the last block, or the end of a skipped line.
    fn eof(&mut self) {
        self.src = None;
        if let Some(len) = self.skipping.take() {
            self.out.push_back(Msg::LongLine {
                file: self.file,
                chunk: self.chunk,
                len,
            });
        } else if !self.buf.is_empty() {
            let data = std::mem::take(&mut self.buf);
            self.out.push_back(Msg::Block {
                file: self.file,
                chunk: self.chunk,
                data,
            });
        }
    }
}

impl Iterator for BlockReader<'_> {
    type Item = Msg;

    fn next(&mut self) -> Option<Msg> {
        loop {
            if let Some(m) = self.out.pop_front() {
                return Some(m);
            }
            let src = self.src.as_mut()?;
            let len = self.buf.len();
            self.buf.resize(len + READ_SIZE, 0);
            match src.read(&mut self.buf[len..]) {
                ReadEvent::Data(n) => {
                    self.buf.truncate(len + n);
                    self.data();
                }
                ReadEvent::Corrupt {
                    member_offset,
                    message,
                } => {
                    self.buf.truncate(len);
                    self.corrupt(member_offset, message);
                }
                ReadEvent::Eof => {
                    self.buf.truncate(len);
                    self.eof();
                }
            }
        }
    }
}

/// The producer side of `Engine::stream_file`: cuts the decoded stream into blocks of whole
/// lines. Runs on its own thread.
pub(crate) fn produce(
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
