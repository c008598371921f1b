//! The intermediate model the emitter works from: structs, fields, choice and code enums,
//! derived from one release's definitions and a resource selection.

use crate::spec::{ElementDef, Release, TypeDef, ValueSets};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Generation options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Module name (`stu3`, `r4`).
    pub module: String,
    /// Resources to generate; `None` = every resource of the release.
    pub resources: Option<Vec<String>>,
}

/// The resources BCDA serves and what they contain or reference (the default selection).
pub const DEFAULT_RESOURCES: &[&str] = &[
    "Bundle",
    "CapabilityStatement",
    "Claim",
    "ClaimResponse",
    "Coverage",
    "ExplanationOfBenefit",
    "Group",
    "Location",
    "Medication",
    "Observation",
    "OperationOutcome",
    "Organization",
    "Parameters",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "RelatedPerson",
    "Task",
];

/// How many times a field occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Card {
    /// 0..1
    Opt,
    /// 1..1
    Req,
    /// 0..* / 1..*
    Many,
}

/// A primitive's Rust representation.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimTy {
    /// Rust type (`Str<'a>`, `Decimal<'a>`, `bool`, `i64`, or a code enum name).
    pub rust: String,
    /// `PrimKind` variant name.
    pub kind: &'static str,
    /// FHIR type code (`dateTime`).
    pub code: String,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTy {
    /// A plain string attribute (`Element.id`, `Extension.url`).
    Attr,
    /// A primitive element.
    Prim(PrimTy),
    /// A complex type or backbone element.
    Complex {
        /// Struct name.
        name: String,
        /// Boxed to break a recursion.
        boxed: bool,
        /// Reference targets when the type is `Reference`.
        targets: Option<Vec<String>>,
    },
    /// A resource (`contained`, `Bundle.entry.resource`).
    Resource,
    /// A choice element `name[x]`.
    Choice {
        /// Enum name.
        name: String,
    },
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON name (choice: without `[x]`).
    pub json: String,
    /// Rust field name.
    pub rust: String,
    /// Cardinality class.
    pub card: Card,
    /// Minimum cardinality.
    pub min: u32,
    /// Maximum as written.
    pub max: String,
    /// The value type.
    pub ty: FieldTy,
    /// FHIR path.
    pub path: String,
}

/// A generated struct.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Rust name.
    pub name: String,
    /// FHIR path of the element (type name for types and resources).
    pub path: String,
    /// True for resources.
    pub resource: bool,
    /// Fields in definition order.
    pub fields: Vec<Field>,
}

/// A variant of a choice enum.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Type suffix in JSON (`String`, `CodeableConcept`).
    pub suffix: String,
    /// The primitive or complex payload.
    pub ty: FieldTy,
}

/// A choice enum.
#[derive(Debug, Clone)]
pub struct ChoiceEnum {
    /// Rust name.
    pub name: String,
    /// FHIR path with `[x]`.
    pub path: String,
    /// Variants in definition order.
    pub variants: Vec<Variant>,
}

/// A code enum for a required binding.
#[derive(Debug, Clone)]
pub struct CodeEnum {
    /// Rust name.
    pub name: String,
    /// Value set URL.
    pub url: String,
    /// (variant, code) pairs.
    pub variants: Vec<(String, String)>,
    /// Name of the fallback variant for codes outside the set.
    pub fallback: String,
}

/// Everything one module needs.
#[derive(Debug, Clone)]
pub struct Model {
    /// Options used.
    pub options: Options,
    /// FHIR version (`4.0.1`).
    pub fhir_version: String,
    /// Structs, datatypes first then resources, each sorted.
    pub structs: Vec<Struct>,
    /// Choice enums.
    pub choices: Vec<ChoiceEnum>,
    /// Code enums, sorted by name.
    pub codes: Vec<CodeEnum>,
    /// Type aliases (`Age` = `Quantity`).
    pub aliases: Vec<(String, String)>,
    /// Generated resource names, sorted.
    pub resources: Vec<String>,
    /// Every resource name of the release.
    pub all_resources: Vec<String>,
}

const MAX_ENUM_CODES: usize = 300;

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if up {
                out.extend(c.to_uppercase());
                up = false;
            } else {
                out.push(c);
            }
        } else {
            up = true;
        }
    }
    out
}

/// `birthDate` -> `birth_date`, keywords get a trailing underscore.
pub fn snake(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    const KW: &[&str] = &[
        "abstract", "as", "async", "await", "box", "break", "const", "continue", "crate", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl", "in", "let",
        "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
        "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield",
    ];
    if KW.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

fn code_variant(code: &str) -> String {
    let named = match code {
        "<" => "Lt".to_string(),
        "<=" => "Le".to_string(),
        ">=" => "Ge".to_string(),
        ">" => "Gt".to_string(),
        "=" => "Eq".to_string(),
        "!=" => "Ne".to_string(),
        "*" => "Star".to_string(),
        _ => camel(code),
    };
    if named.is_empty() || named.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{named}")
    } else {
        named
    }
}

fn prim_kind(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "boolean" => ("bool", "Boolean"),
        "integer" => ("i64", "Integer"),
        "positiveInt" => ("i64", "PositiveInt"),
        "unsignedInt" => ("i64", "UnsignedInt"),
        "decimal" => ("Decimal<'a>", "Decimal"),
        "string" => ("Str<'a>", "String"),
        "markdown" => ("Str<'a>", "Markdown"),
        "code" => ("Str<'a>", "Code"),
        "id" => ("Str<'a>", "Id"),
        "uri" => ("Str<'a>", "Uri"),
        "url" => ("Str<'a>", "Url"),
        "canonical" => ("Str<'a>", "Canonical"),
        "oid" => ("Str<'a>", "Oid"),
        "uuid" => ("Str<'a>", "Uuid"),
        "base64Binary" => ("Str<'a>", "Base64Binary"),
        "xhtml" => ("Str<'a>", "Xhtml"),
        "date" => ("Date<'a>", "Date"),
        "dateTime" => ("DateTime<'a>", "DateTime"),
        "instant" => ("Instant<'a>", "Instant"),
        "time" => ("Time<'a>", "Time"),
        _ => return None,
    })
}

/// Builds the model.
pub fn build(release: &Release, valuesets: &ValueSets, options: Options) -> Result<Model, String> {
    let types: HashMap<&str, &TypeDef> =
        release.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let all_resources: Vec<String> = release
        .types
        .iter()
        .filter(|t| t.kind == "resource" && !t.r#abstract)
        .map(|t| t.name.clone())
        .collect();
    let selected: Vec<String> = match &options.resources {
        Some(list) => {
            for r in list {
                if !all_resources.contains(r) {
                    return Err(format!(
                        "unknown resource '{r}' for FHIR {}",
                        release.fhir_version
                    ));
                }
            }
            list.clone()
        }
        None => all_resources.clone(),
    };
    // Aliases: complex specializations of another concrete complex type (Age -> Quantity).
    let mut aliases = Vec::new();
    let mut alias_of: HashMap<String, String> = HashMap::new();
    for t in &release.types {
        if t.kind == "complex-type" {
            if let Some(b) = &t.base {
                if types
                    .get(b.as_str())
                    .is_some_and(|bt| bt.kind == "complex-type" && !bt.r#abstract)
                {
                    alias_of.insert(t.name.clone(), b.clone());
                }
            }
        }
    }
    // Type closure.
    let mut needed: BTreeSet<String> = selected.iter().cloned().collect();
    needed.insert("Extension".into());
    let mut stack: Vec<String> = needed.iter().cloned().collect();
    while let Some(n) = stack.pop() {
        let Some(t) = types.get(n.as_str()) else {
            continue;
        };
        for e in &t.elements {
            for tr in &e.types {
                let mut c = tr.code.clone();
                if let Some(a) = alias_of.get(&c) {
                    if needed.insert(c.clone()) {
                        // alias itself is emitted as a type alias
                    }
                    c = a.clone();
                }
                if types
                    .get(c.as_str())
                    .is_some_and(|x| x.kind == "complex-type" && !x.r#abstract)
                    && needed.insert(c.clone())
                {
                    stack.push(c);
                }
            }
        }
    }
    // Code enums.
    let mut codes: BTreeMap<String, CodeEnum> = BTreeMap::new();
    let mut code_names: BTreeSet<String> = BTreeSet::new();
    let mut code_enum_for = |url: &str, binding_name: Option<&str>| -> Option<String> {
        if let Some(e) = codes.get(url) {
            return Some(e.name.clone());
        }
        let vs = valuesets.sets.get(url)?;
        let list = vs.codes.as_ref()?;
        if list.is_empty() || list.len() > MAX_ENUM_CODES {
            return None;
        }
        let mut seen_codes = BTreeSet::new();
        let mut variants = Vec::new();
        let mut used = BTreeSet::new();
        for c in list {
            if !seen_codes.insert(c.code.clone()) {
                continue;
            }
            let mut v = code_variant(&c.code);
            while !used.insert(v.clone()) {
                v.push('_');
            }
            variants.push((v, c.code.clone()));
        }
        let mut fallback = "Invalid".to_string();
        while used.contains(&fallback) {
            fallback.push('_');
        }
        let mut name = camel(binding_name.unwrap_or(&vs.name));
        if name.is_empty() {
            name = camel(&vs.name);
        }
        while code_names.contains(&name) || types.contains_key(name.as_str()) {
            name.push_str("Code");
        }
        code_names.insert(name.clone());
        codes.insert(
            url.to_string(),
            CodeEnum {
                name: name.clone(),
                url: url.into(),
                variants,
                fallback,
            },
        );
        Some(name)
    };

    let mut structs = Vec::new();
    let mut choices = Vec::new();
    for n in &needed {
        if let Some(target) = alias_of.get(n) {
            aliases.push((n.clone(), target.clone()));
            continue;
        }
        let t = types[n.as_str()];
        build_struct(
            t,
            &types,
            &alias_of,
            &mut code_enum_for,
            &mut structs,
            &mut choices,
        )?;
    }
    // Boxing to break recursion among Opt/Req complex fields.
    let edges: HashMap<String, Vec<String>> = structs
        .iter()
        .map(|s| {
            let out = s
                .fields
                .iter()
                .filter(|f| f.card != Card::Many)
                .filter_map(|f| match &f.ty {
                    FieldTy::Complex { name, .. } => Some(name.clone()),
                    _ => None,
                })
                .collect();
            (s.name.clone(), out)
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut st = vec![from.to_string()];
        while let Some(x) = st.pop() {
            if x == to {
                return true;
            }
            if seen.insert(x.clone()) {
                if let Some(v) = edges.get(&x) {
                    st.extend(v.iter().cloned());
                }
            }
        }
        false
    };
    for s in &mut structs {
        for f in &mut s.fields {
            if f.card == Card::Many {
                continue;
            }
            if let FieldTy::Complex { name, boxed, .. } = &mut f.ty {
                if reaches(name, &s.name) {
                    *boxed = true;
                }
            }
        }
    }
    structs.sort_by(|a, b| (a.resource, &a.name).cmp(&(b.resource, &b.name)));
    choices.sort_by(|a, b| a.name.cmp(&b.name));
    let mut resources = selected;
    resources.sort();
    Ok(Model {
        options,
        fhir_version: release.fhir_version.clone(),
        structs,
        choices,
        codes: {
            let mut v: Vec<CodeEnum> = codes.into_values().collect();
            v.sort_by(|a, b| a.name.cmp(&b.name));
            v
        },
        aliases,
        resources,
        all_resources,
    })
}

fn children<'e>(elements: &'e [ElementDef], parent: &str) -> impl Iterator<Item = &'e ElementDef> {
    let prefix = format!("{parent}.");
    elements.iter().filter(move |e| {
        e.path
            .strip_prefix(&prefix)
            .is_some_and(|rest| !rest.contains('.'))
    })
}

fn build_struct(
    t: &TypeDef,
    types: &HashMap<&str, &TypeDef>,
    alias_of: &HashMap<String, String>,
    code_enum_for: &mut dyn FnMut(&str, Option<&str>) -> Option<String>,
    structs: &mut Vec<Struct>,
    choices: &mut Vec<ChoiceEnum>,
) -> Result<(), String> {
    let resource = t.kind == "resource";
    // Backbone paths -> struct names.
    let mut names: HashMap<String, String> = HashMap::new();
    names.insert(t.name.clone(), t.name.clone());
    for e in &t.elements {
        let is_backbone = e.types.len() == 1
            && matches!(e.types[0].code.as_str(), "BackboneElement" | "Element")
            && children(&t.elements, &e.path).next().is_some();
        if is_backbone {
            let parent = e.path.rsplit_once('.').map(|x| x.0).unwrap_or(&t.name);
            let pname = names.get(parent).cloned().unwrap_or_else(|| t.name.clone());
            let last = e.path.rsplit('.').next().unwrap_or_default();
            names.insert(e.path.clone(), format!("{pname}{}", camel(last)));
        }
    }
    let mut paths: Vec<&String> = names.keys().collect();
    paths.sort();
    for p in paths {
        let sname = names[p].clone();
        let mut fields = Vec::new();
        for e in children(&t.elements, p) {
            let raw = e.path.rsplit('.').next().unwrap_or_default();
            let is_choice = raw.ends_with("[x]");
            let json = raw.trim_end_matches("[x]").to_string();
            let card = if e.max == "*" || e.max.parse::<u32>().is_ok_and(|m| m > 1) {
                Card::Many
            } else if e.min >= 1 {
                Card::Req
            } else {
                Card::Opt
            };
            let depth = e.path.matches('.').count();
            let attr = (json == "id" && !(resource && depth == 1))
                || (t.name == "Extension" && json == "url");
            let ty = if attr {
                FieldTy::Attr
            } else if let Some(cr) = &e.content_reference {
                let target = names
                    .get(cr)
                    .ok_or_else(|| format!("{}: contentReference {cr} not found", e.path))?;
                FieldTy::Complex {
                    name: target.clone(),
                    boxed: false,
                    targets: None,
                }
            } else if is_choice || e.types.len() > 1 {
                let ename = format!("{sname}{}", camel(&json));
                let mut variants = Vec::new();
                for tr in &e.types {
                    let vt = map_type(&tr.code, None, types, alias_of, code_enum_for, &tr.targets)?;
                    let vt = match vt {
                        FieldTy::Complex { name, targets, .. } => FieldTy::Complex {
                            name,
                            boxed: true,
                            targets,
                        },
                        other => other,
                    };
                    let mut suffix = tr.code.clone();
                    suffix[..1].make_ascii_uppercase();
                    variants.push(Variant { suffix, ty: vt });
                }
                choices.push(ChoiceEnum {
                    name: ename.clone(),
                    path: e.path.clone(),
                    variants,
                });
                FieldTy::Choice { name: ename }
            } else if let Some(n) = names.get(&e.path) {
                FieldTy::Complex {
                    name: n.clone(),
                    boxed: false,
                    targets: None,
                }
            } else {
                let tr = e
                    .types
                    .first()
                    .ok_or_else(|| format!("{}: no type", e.path))?;
                let binding = e.binding.as_ref().filter(|b| b.strength == "required");
                let mut ty = map_type(
                    &tr.code,
                    binding.map(|b| (b.value_set.as_deref().unwrap_or(""), b.name.as_deref())),
                    types,
                    alias_of,
                    code_enum_for,
                    &tr.targets,
                )?;
                // A resource's logical id is an `id` (the snapshot says System.String).
                if let FieldTy::Prim(p) = &mut ty {
                    if json == "id" {
                        p.kind = "Id";
                    }
                }
                ty
            };
            fields.push(Field {
                rust: snake(&json),
                json,
                card: if matches!(ty, FieldTy::Choice { .. }) {
                    Card::Opt
                } else {
                    card
                },
                min: e.min,
                max: e.max.clone(),
                ty,
                path: e.path.clone(),
            });
        }
        structs.push(Struct {
            name: sname,
            path: p.clone(),
            resource: resource && p == &t.name,
            fields,
        });
    }
    Ok(())
}

fn map_type(
    code: &str,
    binding: Option<(&str, Option<&str>)>,
    types: &HashMap<&str, &TypeDef>,
    alias_of: &HashMap<String, String>,
    code_enum_for: &mut dyn FnMut(&str, Option<&str>) -> Option<String>,
    targets: &[String],
) -> Result<FieldTy, String> {
    if let Some((rust, kind)) = prim_kind(code) {
        if code == "code" {
            if let Some((url, name)) = binding {
                if let Some(en) = code_enum_for(url, name) {
                    return Ok(FieldTy::Prim(PrimTy {
                        rust: en,
                        kind: "Code",
                        code: code.into(),
                    }));
                }
            }
        }
        return Ok(FieldTy::Prim(PrimTy {
            rust: rust.into(),
            kind,
            code: code.into(),
        }));
    }
    if code == "Resource" {
        return Ok(FieldTy::Resource);
    }
    let name = alias_of
        .get(code)
        .cloned()
        .unwrap_or_else(|| code.to_string());
    if types
        .get(name.as_str())
        .is_some_and(|t| t.kind == "complex-type")
    {
        let targets = if code == "Reference" {
            Some(targets.to_vec())
        } else {
            None
        };
        return Ok(FieldTy::Complex {
            name,
            boxed: false,
            targets,
        });
    }
    Err(format!("unsupported type '{code}'"))
}
