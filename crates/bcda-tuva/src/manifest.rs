//! `file_date`: the export's `transactionTime`, read from the `manifest.json` beside each
//! input file. Without a manifest (or without `transactionTime` in it) `file_date` is null:
//! the date is never guessed from file names or modification times.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::dates::days;
use crate::error::TuvaError;

/// The `transactionTime` date of each directory's manifest, read once per directory.
#[derive(Debug, Default)]
pub struct ManifestDates {
    by_dir: HashMap<PathBuf, Option<i32>>,
}

impl ManifestDates {
    /// The export date for the input file at `path` (days since 1970-01-01), if its
    /// directory has a `manifest.json` with a `transactionTime`.
    pub fn date_for(&mut self, path: &Path) -> Result<Option<i32>, TuvaError> {
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        if let Some(d) = self.by_dir.get(&dir) {
            return Ok(*d);
        }
        let d = read(&dir.join("manifest.json"))?;
        self.by_dir.insert(dir, d);
        Ok(d)
    }
}

fn read(path: &Path) -> Result<Option<i32>, TuvaError> {
    if !path.is_file() {
        return Ok(None);
    }
    let err = |message: String| TuvaError::Manifest {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let v: serde_json::Value = serde_json::from_slice(&text).map_err(|e| err(e.to_string()))?;
    match v.get("transactionTime") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(t)) => days(t)
            .map(Some)
            .ok_or_else(|| err(format!("transactionTime {t:?} is not a date-time"))),
        Some(_) => Err(err("transactionTime must be a string".to_string())),
    }
}
