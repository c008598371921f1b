//! Profile validation: the constraints an implementation guide adds to core resources, as
//! tables generated at build time from `fhir-specs/` (CARIN Blue Button 1.1.0), checked by a
//! small interpreter over the resource's JSON.
//!
//! What is checked: cardinality of elements and slices (closed slicings too), fixed and pattern
//! values, required bindings whose codes are enumerable, and allowed types of choice elements.

use crate::json::compare::Tree;
use crate::runtime::{Issue, IssueCode};
use std::collections::BTreeMap;

/// One profile.
#[derive(Debug)]
pub struct ProfileDef {
    /// Profile id (`C4BB-Patient`).
    pub name: &'static str,
    /// Canonical URL.
    pub url: &'static str,
    /// Constrained resource type.
    pub resource_type: &'static str,
    /// Constraints in snapshot order.
    pub constraints: &'static [ConstraintDef],
}

/// What a profile says about one element or slice.
#[derive(Debug)]
pub struct ConstraintDef {
    /// Element id with slice names.
    pub id: &'static str,
    /// Slice name when this element starts a slice.
    pub slice_name: Option<&'static str>,
    /// Minimum cardinality.
    pub min: Option<u32>,
    /// Maximum cardinality.
    pub max: Option<&'static str>,
    /// Slicing of this element.
    pub slicing: Option<SlicingDef>,
    /// Fixed or pattern value.
    pub value: Option<ValueDef>,
    /// Required binding.
    pub binding: Option<BindingDef>,
    /// Allowed types when narrowed.
    pub types: &'static [&'static str],
}

/// A slicing.
#[derive(Debug)]
pub struct SlicingDef {
    /// (type, path) discriminators.
    pub discriminators: &'static [(&'static str, &'static str)],
    /// Whether elements outside every slice are forbidden.
    pub closed: bool,
}

/// A fixed (exact) or pattern (subset) value, as JSON.
#[derive(Debug)]
pub struct ValueDef {
    /// Pattern (true) or fixed (false).
    pub pattern: bool,
    /// FHIR type of the value (`canonical`, `CodeableConcept`, ...).
    pub value_type: &'static str,
    /// The value's JSON text.
    pub json: &'static str,
}

/// A required binding.
#[derive(Debug)]
pub struct BindingDef {
    /// Value set URL.
    pub value_set: &'static str,
    /// Its (system, code) pairs, when enumerable.
    pub codes: Option<&'static [(&'static str, &'static str)]>,
}

/// CARIN Blue Button 1.1.0.
pub mod carin_bb {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/carin_bb.rs"));

    /// The profile with this canonical URL (a `|version` suffix is ignored).
    pub fn by_url(url: &str) -> Option<&'static ProfileDef> {
        let url = url.split('|').next().unwrap_or(url);
        PROFILES.iter().find(|p| p.url == url)
    }

    /// The profile with this name (`C4BB-Patient`).
    pub fn by_name(name: &str) -> Option<&'static ProfileDef> {
        PROFILES.iter().find(|p| p.name == name)
    }
}

#[derive(Default)]
struct Node {
    constraint: Option<&'static ConstraintDef>,
    children: BTreeMap<&'static str, Node>,
    slices: Vec<(&'static str, Node)>,
}

impl Node {
    fn build(profile: &'static ProfileDef) -> Node {
        let mut root = Node::default();
        for c in profile.constraints {
            let mut segs = c.id.split('.');
            segs.next();
            let mut node = &mut root;
            for seg in segs {
                let (name, slice) = match seg.split_once(':') {
                    Some((n, s)) => (n, Some(s)),
                    None => (seg, None),
                };
                node = node.children.entry(name).or_default();
                if let Some(s) = slice {
                    let i = match node.slices.iter().position(|(n, _)| *n == s) {
                        Some(i) => i,
                        None => {
                            node.slices.push((s, Node::default()));
                            node.slices.len() - 1
                        }
                    };
                    node = &mut node.slices[i].1;
                }
            }
            node.constraint = Some(c);
        }
        root
    }

    fn descendant(&self, path: &str) -> Option<&Node> {
        let mut n = self;
        for seg in path.split('.') {
            n = n.children.get(seg)?;
        }
        Some(n)
    }
}

/// A value of an element in the instance: the JSON, its path, and the type suffix of a choice.
struct Item<'t> {
    value: &'t Tree<'t>,
    path: String,
    suffix: Option<String>,
}

fn items_of<'t>(obj: &'t Tree<'t>, name: &str, path: &str) -> Vec<Item<'t>> {
    let Tree::Object(members) = obj else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let base = name.strip_suffix("[x]");
    for (k, v) in members {
        let suffix = match base {
            Some(b) => match k.strip_prefix(b) {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    Some(rest.to_string())
                }
                _ => continue,
            },
            None if k == name => None,
            None => continue,
        };
        let p = format!("{path}.{k}");
        match v {
            Tree::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    out.push(Item {
                        value: x,
                        path: format!("{p}[{i}]"),
                        suffix: suffix.clone(),
                    });
                }
            }
            x => out.push(Item {
                value: x,
                path: p,
                suffix,
            }),
        }
    }
    out
}

/// `pattern` matches `value` when every member of the pattern is present with a matching value
/// (arrays: every pattern element matches some element).
fn pattern_matches(pattern: &Tree<'_>, value: &Tree<'_>) -> bool {
    match (pattern, value) {
        (Tree::Object(p), Tree::Object(v)) => p
            .iter()
            .all(|(k, pv)| v.iter().any(|(vk, vv)| vk == k && pattern_matches(pv, vv))),
        (Tree::Array(p), Tree::Array(v)) => p
            .iter()
            .all(|pe| v.iter().any(|ve| pattern_matches(pe, ve))),
        (a, b) => a == b,
    }
}

fn value_matches(def: &ValueDef, value: &Tree<'_>) -> bool {
    // A canonical without `|version` matches any version of the canonical.
    if def.value_type == "canonical" {
        if let (Ok(Tree::String(p)), Tree::String(v)) = (Tree::parse(def.json), value) {
            return match (p.split_once('|'), v.contains('|')) {
                (Some((url, _)), false) => url == v.as_ref(),
                _ => p == *v,
            };
        }
    }
    match Tree::parse(def.json) {
        Ok(t) if def.pattern => pattern_matches(&t, value),
        Ok(t) => t == *value,
        Err(_) => false,
    }
}

/// Codes of a code, Coding or CodeableConcept value: (system, code).
fn codes_of<'t>(value: &'t Tree<'t>) -> Vec<(Option<&'t str>, &'t str)> {
    let field = |o: &'t [(std::borrow::Cow<'t, str>, Tree<'t>)], k: &str| -> Option<&'t Tree<'t>> {
        o.iter().find(|(n, _)| n == k).map(|(_, v)| v)
    };
    let s = |t: Option<&'t Tree<'t>>| match t {
        Some(Tree::String(x)) => Some(x.as_ref()),
        _ => None,
    };
    match value {
        Tree::String(c) => vec![(None, c.as_ref())],
        Tree::Object(o) => {
            if let Some(Tree::Array(codings)) = field(o, "coding") {
                codings
                    .iter()
                    .filter_map(|c| match c {
                        Tree::Object(co) => {
                            s(field(co, "code")).map(|code| (s(field(co, "system")), code))
                        }
                        _ => None,
                    })
                    .collect()
            } else {
                s(field(o, "code"))
                    .map(|code| vec![(s(field(o, "system")), code)])
                    .unwrap_or_default()
            }
        }
        _ => Vec::new(),
    }
}

fn in_value_set(codes: &[(&str, &str)], value: &Tree<'_>) -> bool {
    let found = codes_of(value);
    found.is_empty()
        || found.iter().any(|(sys, code)| {
            codes
                .iter()
                .any(|(s, c)| c == code && sys.is_none_or(|x| x == *s))
        })
}

struct Checker {
    issues: Vec<Issue>,
    profile: &'static str,
}

impl Checker {
    fn issue(&mut self, code: IssueCode, path: &str, message: String) {
        self.issues.push(Issue::error(
            code,
            path.to_string(),
            format!("{} ({})", message, self.profile),
        ));
    }

    fn object(&mut self, node: &Node, obj: &Tree<'_>, path: &str) {
        for (name, child) in &node.children {
            let items = items_of(obj, name, path);
            self.element(child, &items, name, path);
        }
    }

    fn element(&mut self, node: &Node, items: &[Item<'_>], name: &str, parent: &str) {
        if let Some(c) = node.constraint {
            let n = items.len() as u32;
            if let Some(min) = c.min {
                if n < min {
                    let what = c
                        .slice_name
                        .map_or(format!("'{name}'"), |s| format!("slice '{name}:{s}'"));
                    self.issue(
                        if n == 0 {
                            IssueCode::Required
                        } else {
                            IssueCode::Cardinality
                        },
                        &format!("{parent}.{name}"),
                        format!("{what} has {n} entries, at least {min} required"),
                    );
                }
            }
            if let Some(max) = c.max.and_then(|m| m.parse::<u32>().ok()) {
                if n > max {
                    let what = c
                        .slice_name
                        .map_or(format!("'{name}'"), |s| format!("slice '{name}:{s}'"));
                    self.issue(
                        IssueCode::Cardinality,
                        &format!("{parent}.{name}"),
                        format!("{what} has {n} entries, at most {max} allowed"),
                    );
                }
            }
            for it in items {
                if !c.types.is_empty() {
                    if let Some(sfx) = &it.suffix {
                        if !c.types.iter().any(|t| t.eq_ignore_ascii_case(sfx)) {
                            self.issue(
                                IssueCode::Type,
                                &it.path,
                                format!("type {sfx} not allowed (allowed: {})", c.types.join(", ")),
                            );
                        }
                    }
                }
                if let Some(v) = &c.value {
                    if !value_matches(v, it.value) {
                        let kind = if v.pattern { "pattern" } else { "fixed value" };
                        self.issue(
                            IssueCode::Pattern,
                            &it.path,
                            format!("does not match the {kind} {}", v.json),
                        );
                    }
                }
                if let Some(BindingDef {
                    value_set,
                    codes: Some(codes),
                }) = &c.binding
                {
                    if !in_value_set(codes, it.value) {
                        self.issue(
                            IssueCode::CodeInvalid,
                            &it.path,
                            format!("code not in the required value set {value_set}"),
                        );
                    }
                }
            }
        }
        if !node.children.is_empty() {
            for it in items {
                self.object(node, it.value, &it.path);
            }
        }
        if !node.slices.is_empty() {
            let discs = node.constraint.and_then(|c| c.slicing.as_ref());
            let mut matched = vec![false; items.len()];
            for (_, snode) in &node.slices {
                let sel: Vec<usize> = (0..items.len())
                    .filter(|&i| slice_matches(snode, discs, &items[i]))
                    .collect();
                for &i in &sel {
                    matched[i] = true;
                }
                let chosen: Vec<Item<'_>> = sel
                    .iter()
                    .map(|&i| Item {
                        value: items[i].value,
                        path: items[i].path.clone(),
                        suffix: items[i].suffix.clone(),
                    })
                    .collect();
                self.element(snode, &chosen, name, parent);
            }
            if discs.is_some_and(|d| d.closed) {
                for (i, it) in items.iter().enumerate() {
                    if !matched[i] {
                        self.issue(
                            IssueCode::Slice,
                            &it.path,
                            "matches no slice of a closed slicing".into(),
                        );
                    }
                }
            }
        }
    }
}

fn slice_matches(snode: &Node, discs: Option<&SlicingDef>, item: &Item<'_>) -> bool {
    let Some(discs) = discs else { return false };
    discs.discriminators.iter().all(|(kind, path)| {
        let (target, values): (Option<&Node>, Vec<&Tree<'_>>) = if *path == "$this" {
            (Some(snode), vec![item.value])
        } else {
            let vals = descend(item.value, path);
            (snode.descendant(path), vals)
        };
        let Some(c) = target.and_then(|n| n.constraint) else {
            return false;
        };
        match *kind {
            "type" => item
                .suffix
                .as_ref()
                .is_some_and(|s| c.types.iter().any(|t| t.eq_ignore_ascii_case(s))),
            _ => {
                if let Some(v) = &c.value {
                    values.iter().any(|x| value_matches(v, x))
                } else if let Some(BindingDef {
                    codes: Some(codes), ..
                }) = &c.binding
                {
                    values
                        .iter()
                        .any(|x| !codes_of(x).is_empty() && in_value_set(codes, x))
                } else {
                    false
                }
            }
        }
    })
}

fn descend<'t>(value: &'t Tree<'t>, path: &str) -> Vec<&'t Tree<'t>> {
    let mut cur = vec![value];
    for seg in path.split('.') {
        let mut next = Vec::new();
        for v in cur {
            if let Tree::Object(o) = v {
                for (k, x) in o {
                    if k == seg {
                        match x {
                            Tree::Array(a) => next.extend(a.iter()),
                            x => next.push(x),
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

/// The constraint tree of a generated profile, built once per process.
fn cached_tree(profile: &'static ProfileDef) -> Option<&'static Node> {
    static TREES: std::sync::OnceLock<Vec<(&'static str, Node)>> = std::sync::OnceLock::new();
    let trees = TREES.get_or_init(|| {
        carin_bb::PROFILES
            .iter()
            .map(|p| (p.url, Node::build(p)))
            .collect()
    });
    trees
        .iter()
        .find(|(url, _)| *url == profile.url)
        .map(|(_, n)| n)
}

fn validate_tree(profile: &'static ProfileDef, tree: &Tree<'_>) -> Vec<Issue> {
    let built;
    let node = match cached_tree(profile) {
        Some(n) => n,
        None => {
            built = Node::build(profile);
            &built
        }
    };
    let mut c = Checker {
        issues: Vec::new(),
        profile: profile.name,
    };
    c.object(node, tree, profile.resource_type);
    c.issues
}

fn parse_error(at: &str, e: crate::json::SyntaxError) -> Vec<Issue> {
    vec![Issue::error(
        IssueCode::Format,
        at.into(),
        e.message.into_owned(),
    )]
}

/// Validates a resource's JSON text against a profile.
pub fn validate(profile: &'static ProfileDef, json: &str) -> Vec<Issue> {
    match Tree::parse(json) {
        Ok(t) => validate_tree(profile, &t),
        Err(e) => parse_error(profile.resource_type, e),
    }
}

/// Validates a resource's JSON text against the CARIN profiles it claims (or its type implies,
/// see [`carin_profiles_for`]), parsing the text once.
pub fn validate_carin(json: &str) -> Vec<Issue> {
    match Tree::parse(json) {
        Ok(t) => profiles_for_tree(&t)
            .into_iter()
            .flat_map(|p| validate_tree(p, &t))
            .collect(),
        Err(e) => parse_error("", e),
    }
}

/// The CARIN profiles a resource claims in `meta.profile`; when it claims none, the one its type
/// implies (EOB by `type`/`subType` codes).
pub fn carin_profiles_for(json: &str) -> Vec<&'static ProfileDef> {
    Tree::parse(json)
        .map(|t| profiles_for_tree(&t))
        .unwrap_or_default()
}

fn profiles_for_tree(tree: &Tree<'_>) -> Vec<&'static ProfileDef> {
    let claimed: Vec<&'static ProfileDef> = descend(tree, "meta.profile")
        .into_iter()
        .filter_map(|v| match v {
            Tree::String(s) => carin_bb::by_url(s),
            _ => None,
        })
        .collect();
    if !claimed.is_empty() {
        return claimed;
    }
    let rt = match descend(tree, "resourceType").first() {
        Some(Tree::String(s)) => s.to_string(),
        _ => return Vec::new(),
    };
    let name = match rt.as_str() {
        "Patient" => "C4BB-Patient",
        "Coverage" => "C4BB-Coverage",
        "Organization" => "C4BB-Organization",
        "Practitioner" => "C4BB-Practitioner",
        "ExplanationOfBenefit" => {
            let has = |path: &str, code: &str| {
                descend(tree, path)
                    .iter()
                    .any(|v| matches!(v, Tree::String(s) if s == code))
            };
            if has("type.coding.code", "pharmacy") {
                "C4BB-ExplanationOfBenefit-Pharmacy"
            } else if has("type.coding.code", "professional") {
                "C4BB-ExplanationOfBenefit-Professional-NonClinician"
            } else if has("subType.coding.code", "inpatient") {
                "C4BB-ExplanationOfBenefit-Inpatient-Institutional"
            } else if has("subType.coding.code", "outpatient") {
                "C4BB-ExplanationOfBenefit-Outpatient-Institutional"
            } else {
                "C4BB-ExplanationOfBenefit"
            }
        }
        _ => return Vec::new(),
    };
    carin_bb::by_name(name).into_iter().collect()
}
