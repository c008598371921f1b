//! Memory mapping and line-aligned splitting.
//!
//! # The SIGBUS contract (memory-mapped files)
//!
//! Plain files are memory-mapped read-only, as ripgrep does. If another process **truncates**
//! a file while it is mapped, reading the vanished pages raises `SIGBUS` and the process dies;
//! if it **modifies** the file, the run may see a mix of old and new bytes. The engine cannot
//! prevent either: do not change export files while they are being read (BCDA exports are
//! written once and then only read). When that cannot be guaranteed, set
//! [`crate::Config::mmap`] to `false`: files are then streamed with `read(2)` into owned
//! buffers, which is slower but immune. Mapping also falls back to reading when `mmap` fails
//! (special files, some network file systems) and for empty files.

use std::fs::File;
use std::io;
use std::ops::Range;

use memchr::memchr;

/// A read-only memory map of a whole file.
pub struct Mapped {
    map: memmap2::Mmap,
}

impl Mapped {
    /// Maps `file` read-only and advises sequential access. Returns `Ok(None)` for an empty
    /// file (which cannot be mapped).
    ///
    /// See the module documentation for the SIGBUS contract the caller accepts.
    pub fn open(file: &File) -> io::Result<Option<Mapped>> {
        if file.metadata()?.len() == 0 {
            return Ok(None);
        }
        // SAFETY: the map is read-only and private to this process. Undefined behaviour is only
        // possible if the file is truncated or modified by another process while mapped; the
        // crate documents this contract (module docs above) and offers `Config::mmap = false`.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::MmapOptions::new().map(file)? };
        #[cfg(unix)]
        {
            // Advice is only a hint; failure to give it is harmless.
            let _ = map.advise(memmap2::Advice::Sequential);
        }
        Ok(Some(Mapped { map }))
    }

    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }
}

/// Length of the line at the start of `rest`: the position of its first `\n`, or `rest.len()`
/// when it has none.
pub fn line_len(rest: &[u8]) -> usize {
    memchr(b'\n', rest).unwrap_or(rest.len())
}

/// Cuts `data` into ranges of about `target` bytes, each ending just after a `\n` (or at the end
/// of `data`). Concatenated, the ranges cover `data` exactly; no line is split. A line longer
/// than `target` makes one chunk on its own (or shares it with its neighbours).
pub fn line_aligned_chunks(data: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut out = Vec::with_capacity(data.len() / target + 1);
    let mut start = 0;
    while start < data.len() {
        let want = start.saturating_add(target);
        if want >= data.len() {
            out.push(start..data.len());
            break;
        }
        let end = match memchr(b'\n', &data[want..]) {
            Some(i) => want + i + 1,
            None => data.len(),
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Iterates over the lines of a chunk: each item is the line without its `\n`, plus whether a
/// `\n` terminated it.
pub struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    /// Lines of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Lines { data, pos: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (&'a [u8], bool);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        let rest = &self.data[self.pos..];
        match memchr(b'\n', rest) {
            Some(i) => {
                self.pos += i + 1;
                Some((&rest[..i], true))
            }
            None => {
                self.pos = self.data.len();
                Some((rest, false))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_data_and_end_on_newlines() {
        let data = b"aaaa\nbb\ncccccccccc\nd\n\ne";
        for target in 1..30 {
            let chunks = line_aligned_chunks(data, target);
            let mut pos = 0;
            for c in &chunks {
                assert_eq!(c.start, pos);
                assert!(
                    c.end == data.len() || data[c.end - 1] == b'\n',
                    "target {target}: {c:?}"
                );
                pos = c.end;
            }
            assert_eq!(pos, data.len());
            let lines: usize = chunks
                .iter()
                .map(|c| Lines::new(&data[c.clone()]).count())
                .sum();
            assert_eq!(lines, 6);
        }
    }

    #[test]
    fn lines_report_termination() {
        let v: Vec<_> = Lines::new(b"a\n\nb").collect();
        assert_eq!(
            v,
            vec![(&b"a"[..], true), (&b""[..], true), (&b"b"[..], false)]
        );
    }
}
