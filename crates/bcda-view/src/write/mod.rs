//! Writers: Parquet, Arrow IPC, CSV and NDJSON files from a view's [`RecordBatch`]es.
//!
//! Writing has two halves so that the costly part runs on the engine's workers instead of
//! serialising onto one thread:
//!
//! - an [`Encoder`] (shared by all workers) turns a batch into an [`Encoded`] piece: a
//!   compressed Parquet row group, or CSV / NDJSON bytes;
//! - an [`OutputFile`] (owned by one writer thread) appends the pieces to the file.
//!
//! An output file is written under a temporary name in its directory
//! (`.NAME.partial-PID`) and renamed to its final name by [`OutputFile::finish`]; dropped
//! before that (an error, a panic), it removes the temporary file: nothing partial is left.

mod pq;
mod text;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Apache Parquet (zstd by default), one row group per batch.
    Parquet,
    /// Arrow IPC file format (Feather v2).
    Arrow,
    /// CSV with a header line, RFC 4180 quoting; list cells as JSON arrays.
    Csv,
    /// One JSON object per row; null cells are left out.
    Ndjson,
}

impl OutputFormat {
    /// The file extension (`parquet`, `arrow`, `csv`, `ndjson`).
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Parquet => "parquet",
            OutputFormat::Arrow => "arrow",
            OutputFormat::Csv => "csv",
            OutputFormat::Ndjson => "ndjson",
        }
    }

    /// Parses a format name (the extensions above, and `ipc` / `feather` for Arrow).
    pub fn parse(name: &str) -> Option<OutputFormat> {
        Some(match name {
            "parquet" => OutputFormat::Parquet,
            "arrow" | "ipc" | "feather" => OutputFormat::Arrow,
            "csv" => OutputFormat::Csv,
            "ndjson" | "jsonl" => OutputFormat::Ndjson,
            _ => return None,
        })
    }
}

/// Options of the writers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// zstd level of Parquet pages (1..=22).
    pub zstd_level: i32,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { zstd_level: 3 }
    }
}

/// An error while writing an output file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file (or its temporary) could not be created, written or renamed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The output file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Parquet encoding failed.
    #[error("{}: Parquet: {source}", path.display())]
    Parquet {
        /// The output file.
        path: PathBuf,
        /// The Parquet error.
        source: ::parquet::errors::ParquetError,
    },
    /// Arrow encoding failed (IPC or NDJSON).
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The output file.
        path: PathBuf,
        /// The Arrow error.
        source: ArrowError,
    },
    /// CSV encoding failed.
    #[error("{}: CSV: {source}", path.display())]
    Csv {
        /// The output file.
        path: PathBuf,
        /// The CSV error.
        source: csv::Error,
    },
}

/// A piece of output made on a worker, appended by the writer thread.
pub enum Encoded {
    /// A batch to write as it is (Arrow IPC, or a caller's callback).
    Batch(RecordBatch),
    /// Encoded rows (CSV or NDJSON text without header).
    Bytes(Vec<u8>),
    /// A Parquet row group, compressed.
    RowGroup(pq::RowGroup),
}

/// Encodes batches for one output file; shared by the engine's workers.
pub struct Encoder {
    path: PathBuf,
    inner: EncoderKind,
}

enum EncoderKind {
    Pass,
    Parquet(Arc<pq::Factory>),
    Csv,
    Ndjson,
}

impl Encoder {
    /// An encoder that hands batches through unchanged (for callbacks).
    pub fn passthrough() -> Encoder {
        Encoder {
            path: PathBuf::new(),
            inner: EncoderKind::Pass,
        }
    }

    /// Encodes one batch.
    pub fn encode(&self, batch: RecordBatch) -> Result<Encoded, WriteError> {
        let path = || self.path.clone();
        match &self.inner {
            EncoderKind::Pass => Ok(Encoded::Batch(batch)),
            EncoderKind::Parquet(f) => {
                pq::encode(f, &batch)
                    .map(Encoded::RowGroup)
                    .map_err(|source| WriteError::Parquet {
                        path: path(),
                        source,
                    })
            }
            EncoderKind::Csv => text::csv_rows(&batch, &self.path).map(Encoded::Bytes),
            EncoderKind::Ndjson => {
                text::ndjson_rows(&batch)
                    .map(Encoded::Bytes)
                    .map_err(|source| WriteError::Arrow {
                        path: path(),
                        source,
                    })
            }
        }
    }
}

/// The open file behind an [`OutputFile`].
enum Sink {
    Parquet(pq::FileSink),
    Ipc(arrow_ipc::writer::FileWriter<BufWriter<File>>),
    Text(BufWriter<File>),
}

/// One output file being written (under its temporary name until [`Self::finish`]).
pub struct OutputFile {
    path: PathBuf,
    tmp: PathBuf,
    sink: Option<Sink>,
    rows: u64,
}

/// The temporary name of `path`: `.NAME.partial-PID` in the same directory.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

impl OutputFile {
    /// Creates `path`'s temporary file for batches of `schema` and the encoder the workers
    /// use for it.
    pub fn create(
        path: &Path,
        format: OutputFormat,
        schema: &SchemaRef,
        options: &WriteOptions,
    ) -> Result<(OutputFile, Encoder), WriteError> {
        let tmp = temp_path(path);
        let io = |source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::create(&tmp).map_err(io)?;
        // From here on, dropping `out` removes the temporary file.
        let mut out = OutputFile {
            path: path.to_path_buf(),
            tmp,
            sink: None,
            rows: 0,
        };
        let buf = BufWriter::with_capacity(1 << 20, file);
        let (sink, inner) = match format {
            OutputFormat::Parquet => {
                let (sink, factory) =
                    pq::create(buf, schema, options).map_err(|source| WriteError::Parquet {
                        path: path.to_path_buf(),
                        source,
                    })?;
                (Sink::Parquet(sink), EncoderKind::Parquet(Arc::new(factory)))
            }
            OutputFormat::Arrow => {
                let w = arrow_ipc::writer::FileWriter::try_new(buf, schema).map_err(|source| {
                    WriteError::Arrow {
                        path: path.to_path_buf(),
                        source,
                    }
                })?;
                (Sink::Ipc(w), EncoderKind::Pass)
            }
            OutputFormat::Csv => {
                let mut buf = buf;
                buf.write_all(&text::csv_header(schema, path)?)
                    .map_err(io)?;
                (Sink::Text(buf), EncoderKind::Csv)
            }
            OutputFormat::Ndjson => (Sink::Text(buf), EncoderKind::Ndjson),
        };
        out.sink = Some(sink);
        let encoder = Encoder {
            path: path.to_path_buf(),
            inner,
        };
        Ok((out, encoder))
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a piece made by this file's [`Encoder`].
    pub fn write(&mut self, piece: Encoded) -> Result<(), WriteError> {
        let path = &self.path;
        match (self.sink.as_mut(), piece) {
            (Some(Sink::Parquet(w)), Encoded::RowGroup(rg)) => {
                self.rows += rg.rows() as u64;
                pq::append(w, rg).map_err(|source| WriteError::Parquet {
                    path: path.clone(),
                    source,
                })
            }
            (Some(Sink::Ipc(w)), Encoded::Batch(b)) => {
                self.rows += b.num_rows() as u64;
                w.write(&b).map_err(|source| WriteError::Arrow {
                    path: path.clone(),
                    source,
                })
            }
            (Some(Sink::Text(w)), Encoded::Bytes(bytes)) => {
                w.write_all(&bytes).map_err(|source| WriteError::Io {
                    path: path.clone(),
                    source,
                })
            }
            _ => Err(WriteError::Io {
                path: path.clone(),
                source: std::io::Error::other("piece encoded for another format"),
            }),
        }
    }

    /// Closes the file and renames it to its final name.
    pub fn finish(mut self) -> Result<PathBuf, WriteError> {
        let path = self.path.clone();
        let io = |source| WriteError::Io {
            path: path.clone(),
            source,
        };
        let file = match self.sink.take() {
            Some(Sink::Parquet(w)) => pq::close(w).map_err(|source| WriteError::Parquet {
                path: path.clone(),
                source,
            })?,
            Some(Sink::Ipc(mut w)) => {
                w.finish().map_err(|source| WriteError::Arrow {
                    path: path.clone(),
                    source,
                })?;
                w.into_inner().map_err(|source| WriteError::Arrow {
                    path: path.clone(),
                    source,
                })?
            }
            Some(Sink::Text(w)) => w,
            None => return Err(io(std::io::Error::other("already finished"))),
        };
        let file = file.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path).map_err(io)?;
        self.tmp = PathBuf::new();
        Ok(path)
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.sink = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests;
