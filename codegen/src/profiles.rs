//! CARIN Blue Button profiles: the constraints each profile adds to its base resource.
//!
//! `import` derives them (feature `import`) into `fhir-specs/carin-bb-<version>/profiles.json`;
//! the generator turns them into validation tables.

use crate::spec::{Binding, TypeRef, ValueSets};
use serde::{Deserialize, Serialize};

/// All profiles of one implementation guide.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProfileSet {
    /// Package name and version (`hl7.fhir.us.carin-bb@1.1.0`).
    pub package: String,
    /// The profiles, sorted by name.
    pub profiles: Vec<Profile>,
    /// Codes of the value sets bound with `required` strength by the profiles.
    #[serde(rename = "valueSets")]
    pub value_sets: ValueSets,
}

/// One profile (StructureDefinition with derivation `constraint`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    /// Profile id (`C4BB-Patient`).
    pub name: String,
    /// Canonical URL (matched against `meta.profile`, version suffix ignored).
    pub url: String,
    /// Constrained resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Base profile or resource name.
    pub base: String,
    /// The elements that differ from the core definition, in snapshot order.
    pub constraints: Vec<Constraint>,
}

/// What a profile says about one element (or slice).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Constraint {
    /// Element id with slice names (`ExplanationOfBenefit.supportingInfo:admissionperiod.timing[x]`).
    pub id: String,
    /// Plain path (`ExplanationOfBenefit.supportingInfo.timing[x]`).
    pub path: String,
    /// Slice name when this element starts a slice.
    #[serde(rename = "sliceName", default, skip_serializing_if = "Option::is_none")]
    pub slice_name: Option<String>,
    /// Minimum cardinality (when changed or on a slice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// Maximum cardinality (when changed or on a slice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    /// Slicing definition when this element is sliced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slicing: Option<Slicing>,
    /// `fixed[x]` or `pattern[x]`.
    #[serde(rename = "value", default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FixedValue>,
    /// Binding when it differs from the core one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<Binding>,
    /// Types when narrowed from the core definition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TypeRef>,
}

/// A slicing definition.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Slicing {
    /// Discriminators: (type, path).
    pub discriminator: Vec<Discriminator>,
    /// `open`, `closed` or `openAtEnd`.
    pub rules: String,
    /// Whether slices must appear in order.
    #[serde(default)]
    pub ordered: bool,
}

/// One discriminator.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Discriminator {
    /// `value`, `pattern`, `type`, `profile` or `exists`.
    #[serde(rename = "type")]
    pub kind: String,
    /// FHIRPath relative to the sliced element (`category`, `url`, `$this`).
    pub path: String,
}

/// A fixed or pattern value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FixedValue {
    /// `fixed` (exact) or `pattern` (subset match).
    pub kind: String,
    /// FHIR type of the value (`CodeableConcept`, `uri`, `code`).
    #[serde(rename = "type")]
    pub value_type: String,
    /// The value as JSON.
    pub json: serde_json::Value,
}

#[cfg(feature = "import")]
mod derive {
    use super::*;
    use crate::import::{element_def, expand_all, ImportError, Package};
    use serde_json::Value;
    use std::collections::{BTreeSet, HashMap};

    /// Derives the profiles of an IG package against its core release.
    pub fn derive_profiles(pkg: &Package, core: &Package) -> Result<ProfileSet, ImportError> {
        let core_sds: HashMap<String, &Value> = core
            .resources_pub("StructureDefinition")
            .filter_map(|s| Some((s["id"].as_str()?.to_string(), s)))
            .collect();
        let mut profiles = Vec::new();
        let mut wanted = BTreeSet::new();
        for sd in pkg.resources_pub("StructureDefinition") {
            if sd["derivation"] != "constraint" || sd["kind"] != "resource" {
                continue;
            }
            let name = sd["id"].as_str().unwrap_or_default().to_string();
            let resource_type = sd["type"].as_str().unwrap_or_default().to_string();
            let core_sd = core_sds.get(&resource_type).ok_or_else(|| {
                ImportError::Definition(format!("{name}: no core {resource_type}"))
            })?;
            let core_elems: HashMap<String, crate::spec::ElementDef> = core_sd["snapshot"]
                ["element"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let d = element_def(e);
                    (d.path.clone(), d)
                })
                .collect();
            let mut constraints = Vec::new();
            for e in sd["snapshot"]["element"].as_array().into_iter().flatten() {
                let def = element_def(e);
                let id = e["id"].as_str().unwrap_or_default().to_string();
                let base = core_elems.get(&def.path);
                let mut c = Constraint {
                    id: id.clone(),
                    path: def.path.clone(),
                    slice_name: e["sliceName"].as_str().map(str::to_string),
                    ..Default::default()
                };
                let in_slice = id.contains(':');
                if c.slice_name.is_some() || in_slice || base.is_none_or(|b| b.min != def.min) {
                    c.min = Some(def.min);
                }
                if c.slice_name.is_some() || in_slice || base.is_none_or(|b| b.max != def.max) {
                    c.max = Some(def.max.clone());
                }
                if let Some(s) = e["slicing"].as_object() {
                    c.slicing = Some(Slicing {
                        discriminator: s
                            .get("discriminator")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .map(|d| Discriminator {
                                kind: d["type"].as_str().unwrap_or_default().into(),
                                path: d["path"].as_str().unwrap_or_default().into(),
                            })
                            .collect(),
                        rules: s
                            .get("rules")
                            .and_then(Value::as_str)
                            .unwrap_or("open")
                            .into(),
                        ordered: s.get("ordered").and_then(Value::as_bool).unwrap_or(false),
                    });
                }
                if let Some(obj) = e.as_object() {
                    for (k, v) in obj {
                        for kind in ["fixed", "pattern"] {
                            if let Some(t) = k.strip_prefix(kind) {
                                if t.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                                    c.value = Some(FixedValue {
                                        kind: kind.into(),
                                        value_type: lower_first_if_primitive(t),
                                        json: v.clone(),
                                    });
                                }
                            }
                        }
                    }
                }
                if let Some(b) = &def.binding {
                    if base.and_then(|x| x.binding.as_ref()) != Some(b) {
                        if b.strength == "required" {
                            if let Some(vs) = &b.value_set {
                                wanted.insert(vs.clone());
                            }
                        }
                        c.binding = Some(b.clone());
                    }
                }
                if base.is_some_and(|b| b.types != def.types) {
                    c.types = def.types.clone();
                }
                let interesting = c.min.is_some()
                    || c.max.is_some()
                    || c.slicing.is_some()
                    || c.value.is_some()
                    || c.binding.is_some()
                    || !c.types.is_empty();
                if interesting {
                    constraints.push(c);
                }
            }
            profiles.push(Profile {
                name,
                url: sd["url"].as_str().unwrap_or_default().to_string(),
                resource_type,
                base: sd["baseDefinition"]
                    .as_str()
                    .and_then(|u| u.rsplit('/').next())
                    .unwrap_or_default()
                    .to_string(),
                constraints,
            });
        }
        profiles.sort_by(|a, b| a.name.cmp(&b.name));
        let value_sets = expand_all(&[pkg, core], &wanted);
        Ok(ProfileSet {
            package: format!("{}@{}", pkg.spec.name, pkg.spec.version),
            profiles,
            value_sets,
        })
    }

    fn lower_first_if_primitive(t: &str) -> String {
        const PRIMS: &[&str] = &[
            "Boolean",
            "Integer",
            "String",
            "Decimal",
            "Uri",
            "Url",
            "Canonical",
            "Base64Binary",
            "Instant",
            "Date",
            "DateTime",
            "Time",
            "Code",
            "Oid",
            "Id",
            "Markdown",
            "UnsignedInt",
            "PositiveInt",
            "Uuid",
        ];
        if PRIMS.contains(&t) {
            let mut s = t.to_string();
            s[..1].make_ascii_lowercase();
            s
        } else {
            t.to_string()
        }
    }

    /// Writes `profiles.json`: one constraint per line.
    pub fn write_profiles(dir: &std::path::Path, set: &ProfileSet) -> Result<(), ImportError> {
        std::fs::create_dir_all(dir).map_err(|e| ImportError::Io(dir.into(), e))?;
        let j = |v: &dyn erased::Json| v.json();
        let mut s = String::from("{\n");
        s.push_str(&format!(
            "  \"package\": {},\n  \"profiles\": [\n",
            j(&set.package)
        ));
        for (i, p) in set.profiles.iter().enumerate() {
            s.push_str(&format!(
                "    {{\"name\": {}, \"url\": {}, \"type\": {}, \"base\": {}, \"constraints\": [\n",
                j(&p.name),
                j(&p.url),
                j(&p.resource_type),
                j(&p.base)
            ));
            for (k, c) in p.constraints.iter().enumerate() {
                let sep = if k + 1 < p.constraints.len() { "," } else { "" };
                s.push_str(&format!("      {}{sep}\n", j(c)));
            }
            let sep = if i + 1 < set.profiles.len() { "," } else { "" };
            s.push_str(&format!("    ]}}{sep}\n"));
        }
        s.push_str("  ],\n  \"valueSets\": {\"sets\": {\n");
        let n = set.value_sets.sets.len();
        for (i, (url, def)) in set.value_sets.sets.iter().enumerate() {
            let sep = if i + 1 < n { "," } else { "" };
            s.push_str(&format!("    {}: {}{sep}\n", j(url), j(def)));
        }
        s.push_str("  }}\n}\n");
        let path = dir.join("profiles.json");
        std::fs::write(&path, s).map_err(|e| ImportError::Io(path, e))
    }

    mod erased {
        pub(super) trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                serde_json::to_string(self).unwrap_or_default()
            }
        }
    }
}

#[cfg(feature = "import")]
pub use derive::{derive_profiles, write_profiles};
