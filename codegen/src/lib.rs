//! bcda-codegen: turns the compact FHIR definitions in `fhir-specs/` into Rust source.
//!
//! Used by `bcda-fhir`'s build script (generation into `OUT_DIR`) and by the `bcda-codegen`
//! command (`import` refreshes `fhir-specs/` from the official packages; `generate` writes the
//! generated modules somewhere readable for review).

pub mod emit;
pub mod emit_profiles;
#[cfg(feature = "import")]
pub mod import;
pub mod model;
pub mod profiles;
pub mod spec;

use std::path::Path;

/// Errors of generation.
#[derive(Debug)]
pub enum GenError {
    /// A definition file could not be read.
    Io(std::path::PathBuf, std::io::Error),
    /// A definition file could not be parsed.
    Json(std::path::PathBuf, serde_json::Error),
    /// The definitions are inconsistent.
    Model(String),
}

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            GenError::Json(p, e) => write!(f, "{}: {e}", p.display()),
            GenError::Model(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for GenError {}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, GenError> {
    let text = std::fs::read_to_string(path).map_err(|e| GenError::Io(path.into(), e))?;
    serde_json::from_str(&text).map_err(|e| GenError::Json(path.into(), e))
}

/// Generates the module for one release (`stu3` or `r4`) from `specs/<module>/`.
/// `resources = None` generates every resource of the release.
pub fn generate_module(
    specs: &Path,
    module: &str,
    resources: Option<Vec<String>>,
) -> Result<String, GenError> {
    let dir = specs.join(module);
    let release: spec::Release = read_json(&dir.join("structures.json"))?;
    let valuesets: spec::ValueSets = read_json(&dir.join("valuesets.json"))?;
    let m = model::build(
        &release,
        &valuesets,
        model::Options {
            module: module.into(),
            resources,
        },
    )
    .map_err(GenError::Model)?;
    Ok(emit::emit(&m))
}

/// The default resource selection as owned strings.
pub fn default_resources() -> Vec<String> {
    model::DEFAULT_RESOURCES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Writes `stu3.rs` and `r4.rs` into `out` (for review and diffing).
pub fn generate_to_dir(specs: &Path, out: &Path, all_resources: bool) -> Result<(), GenError> {
    std::fs::create_dir_all(out).map_err(|e| GenError::Io(out.into(), e))?;
    for module in ["stu3", "r4"] {
        let res = if all_resources {
            None
        } else {
            Some(default_resources())
        };
        let code = generate_module(specs, module, res)?;
        let path = out.join(format!("{module}.rs"));
        std::fs::write(&path, code).map_err(|e| GenError::Io(path, e))?;
    }
    Ok(())
}

/// Generates the validation tables of an implementation guide from `specs/<dir>/profiles.json`.
pub fn generate_profiles(specs: &Path, dir: &str) -> Result<String, GenError> {
    let set: profiles::ProfileSet = read_json(&specs.join(dir).join("profiles.json"))?;
    Ok(emit_profiles::emit_profiles(&set))
}
