//! Gzip decoding member by member, resuming after a corrupt member at the next gzip header.

use std::io::{Cursor, Read};
use std::sync::Arc;

use crate::split::Mapped;

/// Bytes shared between the decoder and its owner: a memory map or an owned buffer.
#[derive(Clone)]
pub(crate) enum SharedBytes {
    Mapped(Arc<Mapped>),
    Owned(Arc<Vec<u8>>),
}

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            SharedBytes::Mapped(m) => m.bytes(),
            SharedBytes::Owned(v) => v,
        }
    }
}

/// What one call to [`MemberReader::read`] produced.
pub(crate) enum ReadEvent {
    /// `n` decompressed bytes were written to the buffer.
    Data(usize),
    /// A member was corrupt or truncated; decoding resumes at the next member header, if any.
    Corrupt {
        /// Offset in the compressed file where the bad member started.
        member_offset: u64,
        /// The decoder's message.
        message: String,
    },
    /// All members are decoded.
    Eof,
}

/// Decodes concatenated gzip members one at a time (so that a corrupt member can be skipped).
pub(crate) struct MemberReader {
    bytes: SharedBytes,
    member_start: u64,
    decoder: Option<flate2::bufread::GzDecoder<Cursor<SharedBytes>>>,
}

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

impl MemberReader {
    pub(crate) fn new(bytes: SharedBytes) -> Self {
        MemberReader {
            bytes,
            member_start: 0,
            decoder: None,
        }
    }

    fn start_member(&mut self, at: u64) -> bool {
        let len = self.bytes.as_ref().len() as u64;
        if at >= len {
            self.decoder = None;
            return false;
        }
        let mut cur = Cursor::new(self.bytes.clone());
        cur.set_position(at);
        self.member_start = at;
        self.decoder = Some(flate2::bufread::GzDecoder::new(cur));
        true
    }

    /// Reads decompressed bytes into `buf`.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> ReadEvent {
        loop {
            if self.decoder.is_none() && !self.start_member(0) {
                return ReadEvent::Eof;
            }
            let Some(dec) = self.decoder.as_mut() else {
                return ReadEvent::Eof;
            };
            match dec.read(buf) {
                Ok(0) => {
                    // End of this member: the next one starts where the decoder stopped.
                    let next = dec.get_ref().position();
                    if next <= self.member_start {
                        self.decoder = None;
                        self.bytes = SharedBytes::Owned(Arc::new(Vec::new()));
                        return ReadEvent::Eof;
                    }
                    if !self.start_member(next) {
                        self.bytes = SharedBytes::Owned(Arc::new(Vec::new()));
                        return ReadEvent::Eof;
                    }
                }
                Ok(n) => return ReadEvent::Data(n),
                Err(e) => {
                    let bad = self.member_start;
                    let data = self.bytes.as_ref();
                    let from = (bad as usize + 1).min(data.len());
                    let next =
                        memchr::memmem::find(&data[from..], &GZIP_MAGIC).map(|i| (from + i) as u64);
                    match next {
                        Some(n) => {
                            self.start_member(n);
                        }
                        None => {
                            self.decoder = None;
                            self.bytes = SharedBytes::Owned(Arc::new(Vec::new()));
                        }
                    }
                    return ReadEvent::Corrupt {
                        member_offset: bad,
                        message: e.to_string(),
                    };
                }
            }
        }
    }
}
