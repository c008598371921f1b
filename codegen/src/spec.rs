//! The compact derived definitions stored in `fhir-specs/`: what the generator reads.
//!
//! The importer writes these from the official FHIR packages; nothing here is narrative prose.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One FHIR release's structures (`fhir-specs/<release>/structures.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Release {
    /// `3.0.2` or `4.0.1`.
    #[serde(rename = "fhirVersion")]
    pub fhir_version: String,
    /// Primitive type names (`boolean`, `date`, ...).
    pub primitives: Vec<String>,
    /// Complex types and resources, sorted by name.
    pub types: Vec<TypeDef>,
}

/// A complex type or a resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TypeDef {
    /// Type name (`Period`, `ExplanationOfBenefit`).
    pub name: String,
    /// `complex-type` or `resource`.
    pub kind: String,
    /// True for abstract types (`Element`, `Resource`, `DomainResource`, ...).
    #[serde(default, skip_serializing_if = "is_false")]
    pub r#abstract: bool,
    /// Base type name (`Element`, `DomainResource`, `Quantity` for `Age`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The element tree from the snapshot, root excluded, in definition order.
    pub elements: Vec<ElementDef>,
}

/// One element of a type's snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ElementDef {
    /// Dotted path (`ExplanationOfBenefit.item.adjudication`), `[x]` kept for choices.
    pub path: String,
    /// Minimum cardinality.
    pub min: u32,
    /// Maximum cardinality (`1`, `*`, ...).
    pub max: String,
    /// Allowed types; empty when `content_reference` is set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TypeRef>,
    /// Path of the element whose definition this one reuses (without `#`).
    #[serde(
        rename = "contentReference",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub content_reference: Option<String>,
    /// Terminology binding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<Binding>,
    /// True when the element is a modifier.
    #[serde(rename = "isModifier", default, skip_serializing_if = "is_false")]
    pub is_modifier: bool,
}

/// A type allowed for an element.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TypeRef {
    /// Type code (`string`, `CodeableConcept`, `Reference`, `BackboneElement`).
    pub code: String,
    /// For `Reference`/`canonical`: allowed target type names (`Patient`, `Resource`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Profiles constraining the type (e.g. `SimpleQuantity`), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

/// A terminology binding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Binding {
    /// `required`, `extensible`, `preferred` or `example`.
    pub strength: String,
    /// Canonical URL of the value set, without version.
    #[serde(rename = "valueSet", default, skip_serializing_if = "Option::is_none")]
    pub value_set: Option<String>,
    /// The binding name from the definitions (used to name generated enums).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Expanded codes of the value sets that elements bind with `required` strength
/// (`fhir-specs/<release>/valuesets.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ValueSets {
    /// Value set URL to its content.
    pub sets: BTreeMap<String, ValueSetDef>,
}

/// One value set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ValueSetDef {
    /// Computable name of the value set.
    pub name: String,
    /// The codes, or `None` when the set cannot be enumerated from the package (filters, external
    /// code systems such as BCP-13 or ISO 4217 grammars).
    pub codes: Option<Vec<Code>>,
}

/// A code with its system.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Code {
    /// Code system URL.
    pub system: String,
    /// The code.
    pub code: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}
