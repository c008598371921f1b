//! Core validation helpers called by generated code.

use super::element::{AnyResource, Complex, Element};
use super::issue::{Issue, IssueCode, Severity};
use super::path::Path;
use super::primitives::{PrimKind, Primitive, Str};

/// Collects issues while walking a resource.
#[derive(Debug, Default)]
pub struct Validator {
    /// What was found.
    pub issues: Vec<Issue>,
}

impl Validator {
    /// An empty validator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error.
    #[cold]
    pub fn error(&mut self, code: IssueCode, path: String, message: impl Into<String>) {
        self.issues.push(Issue {
            severity: Severity::Error,
            code,
            path,
            message: message.into(),
        });
    }

    #[cold]
    fn missing(&mut self, path: &Path<'_>, name: &str) {
        self.error(
            IssueCode::Required,
            path.render_field(name),
            format!("required element '{name}' is missing"),
        );
    }

    /// A plain attribute.
    #[inline]
    pub fn attr(
        &mut self,
        path: &Path<'_>,
        name: &str,
        v: Option<&Str<'_>>,
        min: u32,
        kind: PrimKind,
    ) {
        match v {
            None if min > 0 => self.missing(path, name),
            Some(s) => {
                if let Some(m) = s.check(kind) {
                    self.error(IssueCode::Format, path.render_field(name), m);
                }
            }
            None => {}
        }
    }

    /// A singular primitive.
    #[inline]
    pub fn prim<'a, T: Primitive<'a>, X: Complex<'a>>(
        &mut self,
        path: &Path<'_>,
        name: &str,
        e: &Element<T, X>,
        min: u32,
        kind: PrimKind,
    ) {
        if let Some(v) = &e.value {
            if let Some(m) = v.check(kind) {
                self.error(T::CHECK_CODE, path.render_field(name), m);
            }
        }
        match &e.ext {
            Some(x) => x.validate(self, &path.field(name)),
            None if min > 0 && e.value.is_none() => self.missing(path, name),
            None => {}
        }
    }

    /// A repeated primitive.
    pub fn prim_list<'a, T: Primitive<'a>, X: Complex<'a>>(
        &mut self,
        path: &Path<'_>,
        name: &str,
        v: &[Element<T, X>],
        min: u32,
        kind: PrimKind,
    ) {
        if (v.len() as u32) < min {
            self.cardinality(path, name, v.len(), min);
        }
        if v.is_empty() {
            return;
        }
        let field = path.field(name);
        for (i, e) in v.iter().enumerate() {
            let p = field.index(i);
            if let Some(x) = &e.value {
                if let Some(m) = x.check(kind) {
                    self.error(T::CHECK_CODE, p.render(), m);
                }
            }
            if let Some(x) = &e.ext {
                x.validate(self, &p);
            } else if e.value.is_none() {
                self.error(
                    IssueCode::Empty,
                    p.render(),
                    "null entry without an extension",
                );
            }
        }
    }

    #[cold]
    fn cardinality(&mut self, path: &Path<'_>, name: &str, n: usize, min: u32) {
        if n == 0 {
            self.missing(path, name);
        } else {
            self.error(
                IssueCode::Cardinality,
                path.render_field(name),
                format!("'{name}' has {n} entries, at least {min} required"),
            );
        }
    }

    #[cold]
    fn empty(&mut self, path: &Path<'_>) {
        self.error(
            IssueCode::Empty,
            path.render(),
            "element has neither value nor children",
        );
    }

    /// An optional complex value.
    #[inline]
    pub fn opt<'a, T: Complex<'a>>(&mut self, path: &Path<'_>, name: &str, v: Option<&T>) {
        if let Some(x) = v {
            let p = path.field(name);
            if x.is_empty() {
                self.empty(&p);
            }
            x.validate(self, &p);
        }
    }

    /// A required complex value.
    #[inline]
    pub fn req<'a, T: Complex<'a>>(&mut self, path: &Path<'_>, name: &str, v: &T) {
        if v.is_empty() {
            self.missing(path, name);
        } else {
            v.validate(self, &path.field(name));
        }
    }

    /// A repeated complex value.
    pub fn list<'a, T: Complex<'a>>(&mut self, path: &Path<'_>, name: &str, v: &[T], min: u32) {
        if (v.len() as u32) < min {
            self.cardinality(path, name, v.len(), min);
        }
        if v.is_empty() {
            return;
        }
        let field = path.field(name);
        for (i, x) in v.iter().enumerate() {
            let p = field.index(i);
            if x.is_empty() {
                self.empty(&p);
            }
            x.validate(self, &p);
        }
    }

    /// A required choice element that is absent.
    #[cold]
    pub fn missing_choice(&mut self, path: &Path<'_>, name: &str) {
        self.error(
            IssueCode::Required,
            path.render_field(&format!("{name}[x]")),
            format!("required element '{name}[x]' is missing"),
        );
    }

    /// An optional resource.
    pub fn resource_opt<'a, R: AnyResource<'a>>(
        &mut self,
        path: &Path<'_>,
        name: &str,
        v: Option<&R>,
        min: u32,
    ) {
        match v {
            Some(x) => x.validate(self, &path.field(name)),
            None if min > 0 => self.missing(path, name),
            None => {}
        }
    }

    /// Repeated resources.
    pub fn resource_list<'a, R: AnyResource<'a>>(&mut self, path: &Path<'_>, name: &str, v: &[R]) {
        let field = path.field(name);
        for (i, x) in v.iter().enumerate() {
            x.validate(self, &field.index(i));
        }
    }

    /// The shape and target type of a `Reference.reference` string.
    pub fn reference(&mut self, path: &Path<'_>, reference: Option<&str>, targets: &[&str]) {
        let Some(s) = reference else { return };
        if s.starts_with('#') || s.starts_with("urn:uuid:") || s.starts_with("urn:oid:") {
            return;
        }
        let rel = match s.find("://") {
            Some(_) => match s.rsplitn(3, '/').collect::<Vec<_>>()[..] {
                [id, ty, _] => (ty, id),
                _ => return,
            },
            None => match s.split('/').collect::<Vec<_>>()[..] {
                [ty, id] => (ty, id),
                [ty, id, "_history", _] => (ty, id),
                _ => {
                    self.error(
                        IssueCode::Reference,
                        path.render_field("reference"),
                        format!("'{s}' is not a literal reference (Type/id)"),
                    );
                    return;
                }
            },
        };
        let (ty, id) = rel;
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !id_ok && !s.contains("://") {
            self.error(
                IssueCode::Reference,
                path.render_field("reference"),
                format!("'{s}' has an invalid id"),
            );
        }
        if !targets.is_empty()
            && !targets.contains(&"Resource")
            && !targets.contains(&ty)
            && !s.contains("://")
        {
            self.error(
                IssueCode::Reference,
                path.render_field("reference"),
                format!(
                    "reference to {ty} where {} is expected",
                    targets.join(" or ")
                ),
            );
        }
    }

    /// A coding against a required value set given as (system, code) pairs.
    pub fn coding_in(
        &mut self,
        path: &Path<'_>,
        system: Option<&str>,
        code: Option<&str>,
        set: &[(&str, &str)],
        set_name: &str,
    ) {
        let Some(code) = code else { return };
        let ok = set
            .iter()
            .any(|(s, c)| *c == code && system.is_none_or(|sys| sys == *s));
        if !ok {
            self.error(
                IssueCode::CodeInvalid,
                path.render(),
                format!("code '{code}' is not in the required value set {set_name}"),
            );
        }
    }
}
