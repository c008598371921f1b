//! The crate's error type.

use std::path::PathBuf;

/// What stops a Tuva run (bad data never does: bad lines are reported and skipped).
#[derive(Debug, thiserror::Error)]
pub enum TuvaError {
    /// A view failed its checks (for the built-in ones: a bug in the crate's views).
    #[error("view {name}: {source}")]
    View {
        /// The view.
        name: String,
        /// Why it was rejected.
        source: bcda_view::ViewError,
    },
    /// The views could not run (an output could not be written).
    #[error(transparent)]
    Run(#[from] bcda_view::RunError),
    /// An output file could not be written (nothing partial is left).
    #[error(transparent)]
    Write(#[from] bcda_view::WriteError),
    /// A `manifest.json` beside the inputs could not be read or parsed.
    #[error("{}: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A v1 (FHIR STU3) input: the Tuva views are R4 only (see the crate README for what v1
    /// cannot fill).
    #[error("{}: a BCDA v1 (FHIR STU3) file: bcda tuva reads v2 (R4) exports only", path.display())]
    V1Input {
        /// The file.
        path: PathBuf,
    },
    /// The output directory could not be created.
    #[error("{}: {source}", path.display())]
    OutputDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
