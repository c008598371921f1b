//! `bcda-codegen import`: reads the official FHIR packages and writes `fhir-specs/`.
//!
//! Packages are npm tarballs. Core releases come from the npm registry (`npm pack`), CARIN Blue
//! Button from a local folder. Every tarball's sha256 is checked against the pinned value below
//! before anything is read from it.

use crate::spec::{Binding, Code, ElementDef, Release, TypeDef, TypeRef, ValueSetDef, ValueSets};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A pinned package.
#[derive(Debug, Clone, Copy)]
pub struct PackageSpec {
    /// npm package name.
    pub name: &'static str,
    /// Version.
    pub version: &'static str,
    /// Expected sha256 of the tarball.
    pub sha256: &'static str,
    /// Folder under `fhir-specs/` that receives the derived files.
    pub target: &'static str,
    /// Where the tarball comes from.
    pub source: Source,
}

/// Where a package tarball comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `npm pack name@version` into the cache folder.
    Npm,
    /// A file `<name>-<version>.tgz` in the shared reference folder (`../shared/fhir-packages`).
    Shared,
}

/// The packages bcda-rs derives its definitions from (all CC0).
pub const PACKAGES: &[PackageSpec] = &[
    PackageSpec {
        name: "hl7.fhir.r3.examples",
        version: "3.0.2",
        sha256: "ebe6e5220a6aff2da952f3bc0fe1c83122d38dde2de0ae020a0337b45824ba78",
        target: "stu3",
        source: Source::Npm,
    },
    PackageSpec {
        name: "hl7.fhir.r4.examples",
        version: "4.0.1",
        sha256: "dce87f1b5b9341867033f7d1f544fa1b5232503f6d62813887ac6b8a8b6cb682",
        target: "r4",
        source: Source::Npm,
    },
    PackageSpec {
        name: "hl7.fhir.us.carin-bb",
        version: "1.1.0",
        sha256: "ef1a3a7e4d890ff15db5ec662ca261ebf12beaccf6e3245d787252aa47b258c1",
        target: "carin-bb-1.1.0",
        source: Source::Shared,
    },
    PackageSpec {
        name: "hl7.fhir.us.carin-bb",
        version: "2.0.0",
        sha256: "59d148ab444125c8eea53c6197de08c8f1781aaaa55a03858640db4a5f8a819b",
        target: "carin-bb-2.0.0",
        source: Source::Shared,
    },
];

/// Errors of the importer.
#[derive(Debug)]
pub enum ImportError {
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// `npm pack` failed.
    Npm(String),
    /// The tarball's checksum differs from the pinned one.
    Checksum {
        /// Package name.
        package: String,
        /// Pinned sha256.
        expected: String,
        /// Actual sha256.
        actual: String,
    },
    /// A definition could not be understood.
    Definition(String),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            ImportError::Npm(m) => write!(f, "npm pack failed: {m}"),
            ImportError::Checksum {
                package,
                expected,
                actual,
            } => write!(
                f,
                "{package}: sha256 {actual} does not match the pinned {expected}"
            ),
            ImportError::Definition(m) => write!(f, "bad definition: {m}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// The files of a package tarball (`package/...` JSON files only).
pub struct Package {
    /// Pinned spec.
    pub spec: PackageSpec,
    /// Checksum of the tarball (verified).
    pub sha256: String,
    files: BTreeMap<String, Value>,
}

impl Package {
    /// Locates (downloading with npm when needed), verifies and reads a package.
    pub fn load(spec: PackageSpec, cache: &Path, shared: &Path) -> Result<Self, ImportError> {
        let file_name = format!("{}-{}.tgz", spec.name, spec.version);
        let path = match spec.source {
            Source::Shared => shared.join("fhir-packages").join(&file_name),
            Source::Npm => {
                let p = cache.join(&file_name);
                if !p.exists() {
                    std::fs::create_dir_all(cache).map_err(|e| ImportError::Io(cache.into(), e))?;
                    let out = std::process::Command::new("npm")
                        .arg("pack")
                        .arg(format!("{}@{}", spec.name, spec.version))
                        .arg("--pack-destination")
                        .arg(cache)
                        .output()
                        .map_err(|e| ImportError::Npm(e.to_string()))?;
                    if !out.status.success() {
                        return Err(ImportError::Npm(
                            String::from_utf8_lossy(&out.stderr).into(),
                        ));
                    }
                }
                p
            }
        };
        let bytes = std::fs::read(&path).map_err(|e| ImportError::Io(path.clone(), e))?;
        let sha256 = hex(&Sha256::digest(&bytes));
        if sha256 != spec.sha256 {
            return Err(ImportError::Checksum {
                package: spec.name.into(),
                expected: spec.sha256.into(),
                actual: sha256,
            });
        }
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let mut files = BTreeMap::new();
        let entries = archive
            .entries()
            .map_err(|e| ImportError::Io(path.clone(), e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| ImportError::Io(path.clone(), e))?;
            let name = entry.path().map_err(|e| ImportError::Io(path.clone(), e))?;
            let name = name.to_string_lossy().into_owned();
            let base = name.rsplit('/').next().unwrap_or("").to_string();
            let wanted = ["StructureDefinition-", "ValueSet-", "CodeSystem-"]
                .iter()
                .any(|p| base.starts_with(p));
            if !wanted || !base.ends_with(".json") {
                continue;
            }
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| ImportError::Io(path.clone(), e))?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| ImportError::Definition(format!("{name}: {e}")))?;
            files.insert(base, value);
        }
        Ok(Package {
            spec,
            sha256,
            files,
        })
    }

    fn resources(&self, resource_type: &str) -> impl Iterator<Item = &Value> {
        let resource_type = resource_type.to_string();
        self.files
            .values()
            .filter(move |v| v["resourceType"] == resource_type.as_str())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn strip_version(url: &str) -> String {
    url.split('|').next().unwrap_or(url).to_string()
}

fn last_segment(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_string()
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    }
}

/// Derives the type code of an element type entry (R4 uses FHIRPath system types for a few).
fn type_code(t: &Value) -> String {
    let code = t["code"].as_str().unwrap_or_default();
    if let Some(system) = code.strip_prefix("http://hl7.org/fhirpath/System.") {
        for ext in as_list(&t["extension"]) {
            if ext["url"] == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
            {
                if let Some(v) = ext["valueUrl"].as_str().or(ext["valueUri"].as_str()) {
                    return v.to_string();
                }
            }
        }
        return match system {
            "Boolean" => "boolean",
            "Integer" => "integer",
            "Decimal" => "decimal",
            "Date" => "date",
            "DateTime" => "dateTime",
            "Time" => "time",
            _ => "string",
        }
        .to_string();
    }
    code.to_string()
}

/// Converts one snapshot element.
pub fn element_def(e: &Value) -> ElementDef {
    let mut types: Vec<TypeRef> = Vec::new();
    for t in as_list(&e["type"]) {
        let code = type_code(t);
        let targets: Vec<String> = as_list(&t["targetProfile"])
            .into_iter()
            .filter_map(|v| v.as_str())
            .map(last_segment)
            .collect();
        let profiles: Vec<String> = as_list(&t["profile"])
            .into_iter()
            .filter_map(|v| v.as_str())
            .map(last_segment)
            .collect();
        // STU3 repeats a type entry per target profile: merge them.
        if let Some(existing) = types.iter_mut().find(|x| x.code == code) {
            for t in targets {
                if !existing.targets.contains(&t) {
                    existing.targets.push(t);
                }
            }
            for p in profiles {
                if !existing.profiles.contains(&p) {
                    existing.profiles.push(p);
                }
            }
        } else {
            types.push(TypeRef {
                code,
                targets,
                profiles,
            });
        }
    }
    let binding = if e["binding"].is_object() {
        let b = &e["binding"];
        let vs = b["valueSet"]
            .as_str()
            .or(b["valueSetReference"]["reference"].as_str())
            .or(b["valueSetUri"].as_str())
            .map(strip_version);
        let name = as_list(&b["extension"])
            .into_iter()
            .find(|x| {
                x["url"] == "http://hl7.org/fhir/StructureDefinition/elementdefinition-bindingName"
            })
            .and_then(|x| x["valueString"].as_str())
            .map(str::to_string);
        Some(Binding {
            strength: b["strength"].as_str().unwrap_or("example").to_string(),
            value_set: vs,
            name,
        })
    } else {
        None
    };
    ElementDef {
        path: e["path"].as_str().unwrap_or_default().to_string(),
        min: e["min"].as_u64().unwrap_or(0) as u32,
        max: e["max"].as_str().unwrap_or("*").to_string(),
        types,
        content_reference: e["contentReference"]
            .as_str()
            .map(|s| s.trim_start_matches('#').to_string()),
        binding,
        is_modifier: e["isModifier"].as_bool().unwrap_or(false),
    }
}

/// Derives a core release from its package.
pub fn derive_release(pkg: &Package) -> Result<(Release, ValueSets), ImportError> {
    let mut primitives = BTreeSet::new();
    let mut types = Vec::new();
    for sd in pkg.resources("StructureDefinition") {
        let kind = sd["kind"].as_str().unwrap_or_default();
        let derivation = sd["derivation"].as_str();
        if derivation == Some("constraint")
            || !matches!(kind, "primitive-type" | "complex-type" | "resource")
        {
            continue;
        }
        let name = sd["type"]
            .as_str()
            .or(sd["id"].as_str())
            .unwrap_or_default()
            .to_string();
        if kind == "primitive-type" {
            primitives.insert(name);
            continue;
        }
        let elements = sd["snapshot"]["element"]
            .as_array()
            .ok_or_else(|| ImportError::Definition(format!("{name}: no snapshot")))?
            .iter()
            .skip(1)
            .map(element_def)
            .collect();
        types.push(TypeDef {
            name,
            kind: kind.to_string(),
            r#abstract: sd["abstract"].as_bool().unwrap_or(false),
            base: sd["baseDefinition"].as_str().map(last_segment),
            elements,
        });
    }
    types.sort_by(|a, b| a.name.cmp(&b.name));
    let fhir_version = pkg
        .resources("StructureDefinition")
        .find_map(|s| s["fhirVersion"].as_str())
        .unwrap_or_default()
        .to_string();
    let mut wanted = BTreeSet::new();
    for t in &types {
        for e in &t.elements {
            if let Some(Binding {
                strength,
                value_set: Some(vs),
                ..
            }) = &e.binding
            {
                if strength == "required" {
                    wanted.insert(vs.clone());
                }
            }
        }
    }
    let valuesets = expand_all(&[pkg], &wanted);
    Ok((
        Release {
            fhir_version,
            primitives: primitives.into_iter().collect(),
            types,
        },
        valuesets,
    ))
}

/// Expands the wanted value sets using the value sets and code systems of `pkgs`.
pub fn expand_all(pkgs: &[&Package], wanted: &BTreeSet<String>) -> ValueSets {
    let mut vs_by_url: HashMap<String, &Value> = HashMap::new();
    let mut cs_by_url: HashMap<String, &Value> = HashMap::new();
    for p in pkgs {
        for v in p.resources("ValueSet") {
            if let Some(u) = v["url"].as_str() {
                vs_by_url.insert(u.to_string(), v);
            }
        }
        for c in p.resources("CodeSystem") {
            if let Some(u) = c["url"].as_str() {
                cs_by_url.insert(u.to_string(), c);
            }
        }
    }
    let mut sets = BTreeMap::new();
    for url in wanted {
        let name = vs_by_url
            .get(url)
            .and_then(|v| v["name"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| last_segment(url));
        let codes = expand(url, &vs_by_url, &cs_by_url, 0).map(|mut c| {
            c.sort();
            c.dedup();
            c
        });
        sets.insert(url.clone(), ValueSetDef { name, codes });
    }
    ValueSets { sets }
}

fn expand(
    url: &str,
    vs: &HashMap<String, &Value>,
    cs: &HashMap<String, &Value>,
    depth: u32,
) -> Option<Vec<Code>> {
    if depth > 8 {
        return None;
    }
    let v = vs.get(url)?;
    let compose = &v["compose"];
    if compose["exclude"].is_array() {
        return None;
    }
    let mut out = Vec::new();
    // STU3 value sets may still define their code system inline.
    if let Some(inline) = v["codeSystem"].as_object() {
        let system = inline.get("system")?.as_str()?;
        collect_concepts(system, inline.get("concept")?, &mut out);
    }
    for inc in as_list(&compose["include"]) {
        if inc["filter"].is_array() {
            return None;
        }
        for nested in as_list(&inc["valueSet"]) {
            out.extend(expand(&strip_version(nested.as_str()?), vs, cs, depth + 1)?);
        }
        let Some(system) = inc["system"].as_str() else {
            continue;
        };
        if let Some(concepts) = inc["concept"].as_array() {
            for c in concepts {
                out.push(Code {
                    system: system.into(),
                    code: c["code"].as_str()?.into(),
                });
            }
        } else {
            let c = cs.get(system)?;
            if c["content"].as_str().unwrap_or("complete") != "complete" {
                return None;
            }
            collect_concepts(system, &c["concept"], &mut out);
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

fn collect_concepts(system: &str, concepts: &Value, out: &mut Vec<Code>) {
    for c in as_list(concepts) {
        if let Some(code) = c["code"].as_str() {
            out.push(Code {
                system: system.into(),
                code: code.into(),
            });
        }
        collect_concepts(system, &c["concept"], out);
    }
}

/// Writes `structures.json` with one element per line (readable diffs).
pub fn write_release(
    dir: &Path,
    release: &Release,
    valuesets: &ValueSets,
) -> Result<(), ImportError> {
    std::fs::create_dir_all(dir).map_err(|e| ImportError::Io(dir.into(), e))?;
    let mut s = String::new();
    s.push_str("{\n");
    s.push_str(&format!(
        "  \"fhirVersion\": {},\n",
        json(&release.fhir_version)
    ));
    s.push_str(&format!(
        "  \"primitives\": {},\n",
        json(&release.primitives)
    ));
    s.push_str("  \"types\": [\n");
    for (i, t) in release.types.iter().enumerate() {
        let mut head =
            serde_json::to_value(t).map_err(|e| ImportError::Definition(e.to_string()))?;
        head.as_object_mut().map(|o| o.remove("elements"));
        let head = json(&head);
        s.push_str(&format!("    {},\n", &head[..head.len() - 1]));
        s.push_str("     \"elements\": [\n");
        for (j, e) in t.elements.iter().enumerate() {
            let sep = if j + 1 < t.elements.len() { "," } else { "" };
            s.push_str(&format!("      {}{sep}\n", json(e)));
        }
        let sep = if i + 1 < release.types.len() { "," } else { "" };
        s.push_str(&format!("    ]}}{sep}\n"));
    }
    s.push_str("  ]\n}\n");
    write(&dir.join("structures.json"), &s)?;
    write_valuesets(dir, valuesets)
}

/// Writes `valuesets.json` with one value set per line.
pub fn write_valuesets(dir: &Path, valuesets: &ValueSets) -> Result<(), ImportError> {
    let mut s = String::from("{\n  \"sets\": {\n");
    let n = valuesets.sets.len();
    for (i, (url, def)) in valuesets.sets.iter().enumerate() {
        let sep = if i + 1 < n { "," } else { "" };
        s.push_str(&format!("    {}: {}{sep}\n", json(url), json(def)));
    }
    s.push_str("  }\n}\n");
    write(&dir.join("valuesets.json"), &s)
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn write(path: &Path, text: &str) -> Result<(), ImportError> {
    std::fs::write(path, text).map_err(|e| ImportError::Io(path.into(), e))
}

/// Writes `fhir-specs/manifest.json`.
pub fn write_manifest(out: &Path, pkgs: &[&Package]) -> Result<(), ImportError> {
    let list: Vec<Value> = pkgs
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.spec.name,
                "version": p.spec.version,
                "sha256": p.sha256,
                "license": "CC0-1.0",
                "derived": p.spec.target,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&serde_json::json!({ "packages": list }))
        .map_err(|e| ImportError::Definition(e.to_string()))?;
    write(&out.join("manifest.json"), &(text + "\n"))
}

impl Package {
    /// The package's resources of one type (for sibling modules).
    pub fn resources_pub<'a>(
        &'a self,
        resource_type: &str,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.resources(resource_type)
    }
}
