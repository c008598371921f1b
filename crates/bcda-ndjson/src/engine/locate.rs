//! Locations: compact line references taken during a parallel run and their resolution to
//! file and line once the run is over.

use super::*;

/// A compact reference to a line seen during a parallel run. Turn it into a file and line number
/// with [`RunOutput::locate`] once the run is over (line numbers are only known then, because
/// chunks are parsed out of order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineRef {
    /// Index into [`Inputs::files`].
    pub file: u32,
    pub(crate) chunk: u32,
    pub(crate) line: u64,
}

/// A resolved location: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number (for JSON documents: the line where the record starts).
    pub line: u64,
}

/// Resolves [`LineRef`]s to absolute line numbers after a run.
#[derive(Debug, Clone, Default)]
pub struct LineResolver {
    pub(crate) paths: Vec<PathBuf>,
    /// Per file: lines before chunk `i` (prefix sums).
    pub(crate) bases: Vec<Vec<u64>>,
}

impl LineResolver {
    pub(crate) fn new(paths: Vec<PathBuf>, chunk_lines: &[(u32, u32, u64)]) -> Self {
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
