//! Loading a ViewDefinition's JSON into a [`SelectPlan`], with every check that can be made
//! before data is read.

use serde_json::{Map, Value as Json};

use super::{resources, ColumnPlan, Compiled, Constant, Iter, SelectPlan};
use crate::fhirpath::{self, Expr, Func};
use crate::value::{Column, ColumnType};
use crate::ViewError;

/// What [`load`] produces.
pub(super) struct Loaded {
    pub(super) name: Option<String>,
    pub(super) resource: String,
    pub(super) columns: Vec<Column>,
    pub(super) constants: Vec<(String, Constant)>,
    pub(super) wheres: Vec<Compiled>,
    pub(super) root: SelectPlan,
}

/// Environment variables a view may use besides its constants.
const ENV_VARS: [&str; 7] = [
    "rowIndex",
    "resource",
    "rootResource",
    "context",
    "ucum",
    "sct",
    "loinc",
];

struct Loader {
    resource: String,
    constants: Vec<(String, Constant)>,
    columns: Vec<Column>,
    /// The JSON path of each column's name, for duplicate reports.
    column_paths: Vec<String>,
    /// The next row slot.
    next: usize,
    /// Set while a later `unionAll` branch is loaded.
    replay: Option<Replay>,
}

/// Loads and checks a ViewDefinition.
pub(super) fn load(v: &Json) -> Result<Loaded, ViewError> {
    let obj = v.as_object().ok_or(ViewError::WrongType {
        path: "$".into(),
        expected: "a ViewDefinition object",
    })?;
    let resource = required_str(obj, "resource", "$")?.to_string();
    let mut letters = resource.bytes();
    if !(letters.next().is_some_and(|c| c.is_ascii_uppercase())
        && letters.all(|c| c.is_ascii_alphabetic()))
    {
        return Err(ViewError::WrongType {
            path: "resource".into(),
            expected: "a FHIR resource type name (`Patient`, `ExplanationOfBenefit`, ...)",
        });
    }
    let name = optional_str(obj, "name", "$")?.map(str::to_string);
    let mut loader = Loader {
        resource,
        constants: constants(obj)?,
        columns: Vec::new(),
        column_paths: Vec::new(),
        next: 0,
        replay: None,
    };
    let selects = obj.get("select").ok_or(ViewError::Missing {
        path: "$".into(),
        field: "select",
    })?;
    let root = loader.root(selects)?;
    let wheres = loader.wheres(obj.get("where"))?;
    Ok(Loaded {
        name,
        resource: loader.resource,
        columns: loader.columns,
        constants: loader.constants,
        wheres,
        root,
    })
}

fn required_str<'v>(
    obj: &'v Map<String, Json>,
    key: &'static str,
    at: &str,
) -> Result<&'v str, ViewError> {
    optional_str(obj, key, at)?.ok_or(ViewError::Missing {
        path: at.to_string(),
        field: key,
    })
}

fn optional_str<'v>(
    obj: &'v Map<String, Json>,
    key: &str,
    at: &str,
) -> Result<Option<&'v str>, ViewError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(ViewError::WrongType {
            path: join(at, key),
            expected: "a string",
        }),
    }
}

fn array<'v>(v: &'v Json, path: &str) -> Result<&'v Vec<Json>, ViewError> {
    v.as_array().ok_or(ViewError::WrongType {
        path: path.to_string(),
        expected: "an array",
    })
}

fn object<'v>(v: &'v Json, path: &str) -> Result<&'v Map<String, Json>, ViewError> {
    v.as_object().ok_or(ViewError::WrongType {
        path: path.to_string(),
        expected: "an object",
    })
}

/// `a.b`, or `b` when `a` is the root `$`.
fn join(at: &str, key: &str) -> String {
    if at == "$" {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn is_valid_name(name: &str) -> bool {
    let mut b = name.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn constants(obj: &Map<String, Json>) -> Result<Vec<(String, Constant)>, ViewError> {
    let Some(list) = obj.get("constant") else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(String, Constant)> = Vec::new();
    for (i, c) in array(list, "constant")?.iter().enumerate() {
        let path = format!("constant[{i}]");
        let c = object(c, &path)?;
        let name = required_str(c, "name", &path)?;
        let bad = |message: String| ViewError::BadConstant {
            path: path.clone(),
            message,
        };
        if !is_valid_name(name) {
            return Err(bad(format!("invalid name `{name}`")));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(bad(format!("`{name}` is defined twice")));
        }
        let values: Vec<(&String, &Json)> =
            c.iter().filter(|(k, _)| k.starts_with("value")).collect();
        let [(key, value)] = values.as_slice() else {
            return Err(bad(format!(
                "`{name}` needs exactly one value[x], found {}",
                values.len()
            )));
        };
        let value = constant_value(&key["value".len()..], value).ok_or_else(|| {
            bad(format!(
                "`{key}` of `{name}` is not a supported constant type or has the wrong JSON type"
            ))
        })?;
        out.push((name.to_string(), value));
    }
    Ok(out)
}

fn constant_value(ty: &str, v: &Json) -> Option<Constant> {
    Some(match ty {
        "Boolean" => Constant::Bool(v.as_bool()?),
        "Integer" | "PositiveInt" | "UnsignedInt" | "Integer64" => Constant::Integer(match v {
            Json::String(s) if ty == "Integer64" => s.parse().ok()?,
            _ => v.as_i64()?,
        }),
        "Decimal" => {
            v.as_f64()?;
            Constant::Decimal(v.to_string())
        }
        "String" | "Code" | "Id" | "Uri" | "Url" | "Canonical" | "Oid" | "Uuid" | "Markdown"
        | "Base64Binary" | "Date" | "DateTime" | "Instant" | "Time" => {
            Constant::String(v.as_str()?.to_string())
        }
        _ => return None,
    })
}

/// The column type named by a column's `type`.
pub(super) fn column_type(ty: &str) -> Option<ColumnType> {
    Some(match ty {
        "string" | "code" | "id" | "uri" | "url" | "canonical" | "oid" | "uuid" | "markdown"
        | "base64Binary" | "xhtml" => ColumnType::String,
        "boolean" => ColumnType::Boolean,
        "integer" | "positiveInt" | "unsignedInt" => ColumnType::Integer,
        "integer64" => ColumnType::Integer64,
        "decimal" => ColumnType::Decimal,
        "date" => ColumnType::Date,
        "dateTime" => ColumnType::DateTime,
        "instant" => ColumnType::Instant,
        "time" => ColumnType::Time,
        // Complex types (`Reference`, `HumanName`, ...) are written as JSON text.
        t if t.starts_with(|c: char| c.is_ascii_uppercase()) => ColumnType::Unknown,
        _ => return None,
    })
}

/// The type of a column without `type`, from the shape of its expression.
fn infer_type(e: &Expr) -> ColumnType {
    use crate::fhirpath::BinOp::*;
    match e {
        Expr::Var(v) if v == "rowIndex" => ColumnType::Integer,
        Expr::Call(_, Func::Exists | Func::Empty | Func::Not, _) => ColumnType::Boolean,
        Expr::Call(_, Func::Count, _) => ColumnType::Integer,
        Expr::Call(_, Func::Join | Func::GetResourceKey | Func::GetReferenceKey(_), _) => {
            ColumnType::String
        }
        Expr::Binary(
            Eq | Ne | Equiv | NotEquiv | Lt | Le | Gt | Ge | And | Or | Xor | Implies,
            ..,
        ) => ColumnType::Boolean,
        _ => ColumnType::Unknown,
    }
}

impl Loader {
    fn root(&mut self, selects: &Json) -> Result<SelectPlan, ViewError> {
        let list = array(selects, "select")?;
        if list.is_empty() {
            return Err(ViewError::Missing {
                path: "select".into(),
                field: "select[0]",
            });
        }
        let start = self.next;
        let mut plans = Vec::new();
        for (i, s) in list.iter().enumerate() {
            plans.push(self.select(s, &format!("select[{i}]"), true)?);
        }
        Ok(SelectPlan {
            iter: Iter::Once,
            columns: Vec::new(),
            selects: plans,
            union: Vec::new(),
            slots: start..self.next,
        })
    }

    fn wheres(&self, list: Option<&Json>) -> Result<Vec<Compiled>, ViewError> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, w) in array(list, "where")?.iter().enumerate() {
            let at = format!("where[{i}]");
            let w = object(w, &at)?;
            let src = required_str(w, "path", &at)?;
            out.push(self.compile(src, join(&at, "path"), true)?);
        }
        Ok(out)
    }

    /// Parses and checks one expression. `at_root`: evaluated on the resource itself (its
    /// first element must be an element of the resource type).
    fn compile(&self, src: &str, path: String, at_root: bool) -> Result<Compiled, ViewError> {
        let expr = fhirpath::parse(src).map_err(|e| match e.unknown_function {
            Some(name) => ViewError::UnknownFunction {
                path: path.clone(),
                expr: src.to_string(),
                name,
            },
            None => ViewError::Syntax {
                path: path.clone(),
                expr: src.to_string(),
                message: e.message,
                offset: e.offset,
            },
        })?;
        let mut undefined = None;
        expr.walk(&mut |e| {
            if let Expr::Var(v) = e {
                if !ENV_VARS.contains(&v.as_str()) && !self.constants.iter().any(|(n, _)| n == v) {
                    undefined.get_or_insert_with(|| v.clone());
                }
            }
        });
        if let Some(name) = undefined {
            return Err(ViewError::UndefinedConstant {
                path,
                expr: src.to_string(),
                name,
            });
        }
        if at_root {
            if let Some(element) = resources::unknown_first_element(&self.resource, &expr) {
                return Err(ViewError::UnknownElement {
                    path,
                    expr: src.to_string(),
                    resource: self.resource.clone(),
                    element,
                });
            }
        }
        Ok(Compiled {
            expr,
            src: src.to_string(),
            path,
        })
    }

    fn path_string(
        &self,
        obj: &Map<String, Json>,
        key: &str,
        at: &str,
        at_root: bool,
    ) -> Result<Option<Compiled>, ViewError> {
        match obj.get(key) {
            None => Ok(None),
            Some(Json::String(s)) => self.compile(s, join(at, key), at_root).map(Some),
            Some(_) => Err(ViewError::WrongType {
                path: join(at, key),
                expected: "a FHIRPath string",
            }),
        }
    }

    fn iteration(
        &self,
        obj: &Map<String, Json>,
        at: &str,
        at_root: bool,
    ) -> Result<Iter, ViewError> {
        let for_each = self.path_string(obj, "forEach", at, at_root)?;
        let or_null = self.path_string(obj, "forEachOrNull", at, at_root)?;
        let repeat = match obj.get("repeat") {
            None => None,
            Some(r) => {
                let rpath = join(at, "repeat");
                let mut paths = Vec::new();
                for (i, p) in array(r, &rpath)?.iter().enumerate() {
                    let ppath = format!("{rpath}[{i}]");
                    let s = p.as_str().ok_or(ViewError::WrongType {
                        path: ppath.clone(),
                        expected: "a FHIRPath string",
                    })?;
                    paths.push(self.compile(s, ppath, at_root)?);
                }
                Some(paths)
            }
        };
        match (for_each, or_null, repeat) {
            (None, None, None) => Ok(Iter::Once),
            (Some(e), None, None) => Ok(Iter::ForEach(e)),
            (None, Some(e), None) => Ok(Iter::ForEachOrNull(e)),
            (None, None, Some(r)) => Ok(Iter::Repeat(r)),
            _ => Err(ViewError::WrongType {
                path: at.to_string(),
                expected: "at most one of forEach, forEachOrNull and repeat",
            }),
        }
    }

    fn select(&mut self, v: &Json, at: &str, at_root: bool) -> Result<SelectPlan, ViewError> {
        let obj = object(v, at)?;
        let iter = self.iteration(obj, at, at_root)?;
        let inner_root = at_root && matches!(iter, Iter::Once);
        let start = self.next;
        let columns = match obj.get("column") {
            None => Vec::new(),
            Some(list) => self.columns(array(list, &join(at, "column"))?, at, inner_root)?,
        };
        let mut selects = Vec::new();
        if let Some(list) = obj.get("select") {
            for (i, s) in array(list, &join(at, "select"))?.iter().enumerate() {
                selects.push(self.select(s, &format!("{at}.select[{i}]"), inner_root)?);
            }
        }
        let union = match obj.get("unionAll") {
            None => Vec::new(),
            Some(list) => self.union(array(list, &join(at, "unionAll"))?, at, inner_root)?,
        };
        if columns.is_empty() && selects.is_empty() && union.is_empty() {
            return Err(ViewError::Missing {
                path: at.to_string(),
                field: "column, select or unionAll",
            });
        }
        Ok(SelectPlan {
            iter,
            columns,
            selects,
            union,
            slots: start..self.next,
        })
    }

    fn columns(
        &mut self,
        list: &[Json],
        at: &str,
        at_root: bool,
    ) -> Result<Vec<ColumnPlan>, ViewError> {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let cpath = format!("{at}.column[{i}]");
            let c = object(c, &cpath)?;
            let name = required_str(c, "name", &cpath)?;
            if !is_valid_name(name) {
                return Err(ViewError::InvalidColumnName {
                    path: join(&cpath, "name"),
                    name: name.to_string(),
                });
            }
            let src = required_str(c, "path", &cpath)?;
            let expr = self.compile(src, join(&cpath, "path"), at_root)?;
            let ty = match optional_str(c, "type", &cpath)? {
                Some(t) => column_type(t).ok_or_else(|| ViewError::UnknownType {
                    path: join(&cpath, "type"),
                    ty: t.to_string(),
                })?,
                None => infer_type(&expr.expr),
            };
            let collection = match c.get("collection") {
                None => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(ViewError::WrongType {
                        path: join(&cpath, "collection"),
                        expected: "a boolean",
                    })
                }
            };
            let column = Column {
                name: name.to_string(),
                ty,
                collection,
            };
            let slot = self.slot(column, join(&cpath, "name"))?;
            out.push(ColumnPlan { slot, expr });
        }
        Ok(out)
    }

    /// The row slot of a new column: a fresh one, or, while a later `unionAll` branch is
    /// loaded, the next slot of the first branch (whose name it must repeat).
    fn slot(&mut self, column: Column, path: String) -> Result<usize, ViewError> {
        let slot = self.next;
        self.next += 1;
        if let Some(r) = &mut self.replay {
            if slot >= r.end || self.columns.get(slot).map(|c| &c.name) != Some(&column.name) {
                r.mismatch = true;
            }
            r.found.push(column.name);
            return Ok(slot);
        }
        if let Some(i) = self.columns.iter().position(|c| c.name == column.name) {
            return Err(ViewError::DuplicateColumn {
                path,
                name: column.name,
                first: self.column_paths[i].clone(),
            });
        }
        self.columns.push(column);
        self.column_paths.push(path);
        Ok(slot)
    }

    fn union(
        &mut self,
        list: &[Json],
        at: &str,
        at_root: bool,
    ) -> Result<Vec<SelectPlan>, ViewError> {
        let start = self.next;
        let mut out: Vec<SelectPlan> = Vec::new();
        let mut end = start;
        for (i, b) in list.iter().enumerate() {
            let bpath = format!("{at}.unionAll[{i}]");
            if i == 0 {
                out.push(self.select(b, &bpath, at_root)?);
                end = self.next;
                continue;
            }
            self.next = start;
            let outer = self.replay.replace(Replay {
                end,
                found: Vec::new(),
                mismatch: false,
            });
            let plan = self.select(b, &bpath, at_root);
            let replay = std::mem::replace(&mut self.replay, outer).unwrap_or_default();
            let plan = plan?;
            if replay.mismatch || self.next != end {
                let expected = self.columns[start..end.min(self.columns.len())]
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ViewError::UnionMismatch {
                    path: bpath,
                    expected,
                    found: replay.found.join(", "),
                });
            }
            out.push(plan);
        }
        self.next = end;
        Ok(out)
    }
}

/// A later `unionAll` branch being loaded against the first one's columns.
#[derive(Debug, Default)]
struct Replay {
    /// End of the first branch's slots.
    end: usize,
    /// The names this branch declares.
    found: Vec<String>,
    /// A name differs from the first branch's, or there are more.
    mismatch: bool,
}
