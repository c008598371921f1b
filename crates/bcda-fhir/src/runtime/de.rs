//! Parse helpers called by generated code: one generic function per field shape, instantiated
//! once per value type inside this crate.

use super::element::{AnyResource, Complex, Element, PResult};
use super::error::{ParseError, ParseErrorKind};
use super::issue::{Issue, IssueCode, Severity};
use super::path::Path;
use super::primitives::{PrimError, Primitive, Str};
use crate::json::{Kind, Reader, SyntaxError};
use std::borrow::Cow;

/// What to do with properties the model does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownPolicy {
    /// Fail the resource with the property's path (default).
    #[default]
    Error,
    /// Report an issue, skip the value, keep going.
    Report,
}

/// Parse options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Unknown properties; [`UnknownPolicy::Report`] also reports (instead of failing on) values
    /// of the wrong JSON kind and primitives that cannot be held.
    pub unknown: UnknownPolicy,
}

impl ParseOptions {
    /// Strict parsing (the default).
    pub fn strict() -> Self {
        Self::default()
    }

    /// Lenient parsing: report and keep going.
    pub fn lenient() -> Self {
        ParseOptions {
            unknown: UnknownPolicy::Report,
        }
    }
}

/// Parse context: options and the issues lenient parsing reports.
#[derive(Debug, Default)]
pub struct Ctx {
    lenient: bool,
    /// Issues found while parsing (lenient mode).
    pub issues: Vec<Issue>,
    /// Set by a resource's reader when it returns: whether its object held `resourceType`
    /// (checks a guessed type, see [`read_resource`]).
    pub seen_type: bool,
}

impl Ctx {
    /// A context for the given options.
    pub fn new(opts: ParseOptions) -> Self {
        Ctx {
            lenient: opts.unknown == UnknownPolicy::Report,
            issues: Vec::new(),
            seen_type: false,
        }
    }
}

#[cold]
fn syntax(e: SyntaxError, path: &Path<'_>, name: &str) -> ParseError {
    syntax_at(e, path.render_field(name))
}

/// A reader syntax error at an already rendered path.
#[cold]
fn syntax_at(e: SyntaxError, path: String) -> ParseError {
    ParseError::new(
        ParseErrorKind::Syntax(e.message.into_owned()),
        e.offset,
        path,
    )
}

#[cold]
fn at(r: &Reader<'_>, kind: ParseErrorKind, path: String) -> ParseError {
    ParseError::new(kind, r.offset(), path)
}

#[cold]
fn dup(r: &Reader<'_>, path: &Path<'_>, name: &str) -> ParseError {
    at(
        r,
        ParseErrorKind::Duplicate(name.to_string()),
        path.render_field(name),
    )
}

/// An empty string for an attribute (`id`, `url`): FHIR strings have content, and a required
/// attribute could not be written back (empty means absent in the model).
#[cold]
fn empty_string(r: &Reader<'_>, cx: &mut Ctx, path: &Path<'_>, name: &str) -> PResult<()> {
    empty_value(
        r,
        cx,
        path,
        name,
        "empty string (FHIR strings must have content)",
    )
}

/// An empty JSON array: FHIR JSON has none (a property with no entries is absent), and the
/// model could not write it back.
#[cold]
fn empty_array(r: &Reader<'_>, cx: &mut Ctx, path: &Path<'_>, name: &str) -> PResult<()> {
    empty_value(
        r,
        cx,
        path,
        name,
        "empty array (FHIR JSON omits the property)",
    )
}

/// An empty value at `path.name`: an error, or (lenient) an `empty` issue and the value dropped.
fn empty_value(
    r: &Reader<'_>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    what: &str,
) -> PResult<()> {
    let kind = ParseErrorKind::InvalidValue(what.into());
    if !cx.lenient {
        return Err(at(r, kind, path.render_field(name)));
    }
    cx.issues.push(Issue {
        severity: Severity::Error,
        code: IssueCode::Empty,
        path: path.render_field(name),
        message: format!("{kind}; dropped"),
    });
    Ok(())
}

/// Handles a value that could not be read: an error, or (lenient) an issue and a skip. The
/// value is `path.name`, or with no name the list entry `path` itself.
#[cold]
fn bad_value(
    r: &mut Reader<'_>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: Option<&str>,
    start: usize,
    e: PrimError,
) -> PResult<()> {
    let render = || name.map_or_else(|| path.render(), |n| path.render_field(n));
    let kind = match e {
        PrimError::Syntax(e) => return Err(syntax_at(e, render())),
        PrimError::WrongKind(expected, found) => ParseErrorKind::WrongType {
            expected,
            found: found.name(),
        },
        PrimError::Invalid(m) => ParseErrorKind::InvalidValue(m),
    };
    r.rewind(start);
    if !cx.lenient {
        return Err(at(r, kind, render()));
    }
    r.skip_value().map_err(|e| syntax_at(e, render()))?;
    cx.issues.push(Issue {
        severity: Severity::Error,
        code: IssueCode::Format,
        path: render(),
        message: format!("{kind}; value dropped"),
    });
    Ok(())
}

#[inline]
fn expect(
    r: &mut Reader<'_>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    want: Kind,
) -> PResult<bool> {
    let k = r.peek().map_err(|e| syntax(e, path, name))?;
    if k == want {
        return Ok(true);
    }
    let start = r.offset();
    bad_value(
        r,
        cx,
        path,
        Some(name),
        start,
        PrimError::WrongKind(want.name(), k),
    )?;
    Ok(false)
}

/// Opens an object and returns its first key.
#[inline]
pub fn begin<'a>(r: &mut Reader<'a>, path: &Path<'_>) -> PResult<Option<Cow<'a, str>>> {
    // The common case stays in registers; the rest (wrong type, escaped key, bad syntax)
    // goes to `begin_slow`.
    match r.begin_plain_object() {
        Some(k) => Ok(k.map(Cow::Borrowed)),
        None => begin_slow(r, path),
    }
}

#[inline(never)]
fn begin_slow<'a>(r: &mut Reader<'a>, path: &Path<'_>) -> PResult<Option<Cow<'a, str>>> {
    let k = r.peek().map_err(|e| syntax(e, path, ""))?;
    if k != Kind::Object {
        return Err(at(
            r,
            ParseErrorKind::WrongType {
                expected: "object",
                found: k.name(),
            },
            path.render(),
        ));
    }
    if r.begin_object().map_err(|e| syntax(e, path, ""))? {
        Ok(Some(r.first_key().map_err(|e| syntax(e, path, ""))?))
    } else {
        Ok(None)
    }
}

/// The next key of the object, or `None` at its end.
#[inline]
pub fn next<'a>(r: &mut Reader<'a>, path: &Path<'_>) -> PResult<Option<Cow<'a, str>>> {
    match r.next_plain_key() {
        Some(k) => Ok(k.map(Cow::Borrowed)),
        None => next_slow(r, path),
    }
}

#[inline(never)]
fn next_slow<'a>(r: &mut Reader<'a>, path: &Path<'_>) -> PResult<Option<Cow<'a, str>>> {
    r.next_key().map_err(|e| syntax(e, path, ""))
}

/// A property the type does not define.
#[cold]
pub fn unknown(r: &mut Reader<'_>, cx: &mut Ctx, path: &Path<'_>, key: &str) -> PResult<()> {
    if !cx.lenient {
        return Err(at(
            r,
            ParseErrorKind::UnknownProperty(key.to_string()),
            path.render_field(key),
        ));
    }
    r.skip_value().map_err(|e| syntax(e, path, key))?;
    cx.issues.push(Issue {
        severity: Severity::Error,
        code: IssueCode::UnknownProperty,
        path: path.render_field(key),
        message: format!("unknown property '{key}' skipped"),
    });
    Ok(())
}

/// `resourceType` inside a resource object: must name the expected type, once (`seen` tracks
/// it within the object).
pub fn resource_type(
    r: &mut Reader<'_>,
    path: &Path<'_>,
    expected: &str,
    seen: &mut bool,
) -> PResult<()> {
    if std::mem::replace(seen, true) {
        return Err(dup(r, path, "resourceType"));
    }
    let start = r.offset();
    let k = r.peek().map_err(|e| syntax(e, path, "resourceType"))?;
    if k != Kind::String {
        return Err(at(
            r,
            ParseErrorKind::WrongType {
                expected: "string",
                found: k.name(),
            },
            path.render_field("resourceType"),
        ));
    }
    let t = r.string().map_err(|e| syntax(e, path, "resourceType"))?;
    if t != expected {
        r.rewind(start);
        return Err(at(
            r,
            ParseErrorKind::UnexpectedResourceType {
                expected: expected.into(),
                found: t.into_owned(),
            },
            path.render_field("resourceType"),
        ));
    }
    Ok(())
}

/// A plain string attribute (an element's `id`, an extension's `url`).
#[inline]
pub fn attr<'a>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Option<Str<'a>>,
) -> PResult<()> {
    if slot.is_some() {
        return Err(dup(r, path, name));
    }
    if expect(r, cx, path, name, Kind::String)? {
        let s = r.string().map_err(|e| syntax(e, path, name))?;
        if s.is_empty() {
            return empty_string(r, cx, path, name);
        }
        *slot = Some(s);
    }
    Ok(())
}

/// A required plain string attribute.
#[inline]
pub fn attr_req<'a>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Str<'a>,
) -> PResult<()> {
    if !slot.is_empty() {
        return Err(dup(r, path, name));
    }
    if expect(r, cx, path, name, Kind::String)? {
        let s = r.string().map_err(|e| syntax(e, path, name))?;
        if s.is_empty() {
            return empty_string(r, cx, path, name);
        }
        *slot = s;
    }
    Ok(())
}

#[inline]
fn read_prim<'a, T: Primitive<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
) -> PResult<Option<T>> {
    let start = r.offset();
    match T::read(r) {
        Ok(v) => Ok(Some(v)),
        Err(e) => bad_value(r, cx, path, Some(name), start, e).map(|_| None),
    }
}

/// A singular primitive value (`"name": value`).
#[inline]
pub fn prim<'a, T: Primitive<'a>, X>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Element<T, X>,
) -> PResult<()> {
    if slot.value.is_some() {
        return Err(dup(r, path, name));
    }
    slot.value = read_prim(r, cx, path, name)?;
    Ok(())
}

/// A singular primitive's companion (`"_name": {id, extension}`).
#[inline]
pub fn prim_ext<'a, T, X: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Element<T, X>,
) -> PResult<()> {
    if slot.ext.is_some() {
        return Err(dup(r, path, name));
    }
    let x = slot.ext.insert(Box::default());
    complex_into(r, cx, path, name, &mut **x)
}

/// Walks a JSON array whose entries align with `slot` (a primitive's value array and its
/// `_name` companion): `null` entries give `None`, others come from `read`; `set` stores each
/// entry at its index, growing `slot` as needed. The two arrays must have the same length.
fn aligned<'a, T, X, V>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Vec<Element<T, X>>,
    mut read: impl FnMut(&mut Reader<'a>, &mut Ctx, &Path<'_>, usize) -> PResult<Option<V>>,
    set: fn(&mut Element<T, X>, Option<V>),
) -> PResult<()> {
    if !expect(r, cx, path, name, Kind::Array)? {
        return Ok(());
    }
    let had = slot.len();
    let mut i = 0;
    if !r.begin_array().map_err(|e| syntax(e, path, name))? {
        return empty_array(r, cx, path, name);
    }
    let field = path.field(name);
    loop {
        let v = if r.peek().map_err(|e| syntax(e, path, name))? == Kind::Null {
            r.null().map_err(|e| syntax(e, path, name))?;
            None
        } else {
            read(r, cx, &field, i)?
        };
        if i == slot.len() {
            slot.push(Element::default());
        }
        set(&mut slot[i], v);
        i += 1;
        if !r.next_element().map_err(|e| syntax(e, path, name))? {
            break;
        }
    }
    if had != 0 && had != i {
        return Err(at(
            r,
            ParseErrorKind::InvalidValue(format!(
                "'{name}' has {i} entries but its aligned array has {had}"
            )),
            path.render_field(name),
        ));
    }
    Ok(())
}

/// A repeated primitive (`"name": [v, null, ...]`), aligned with a `_name` array read earlier.
pub fn prim_list<'a, T: Primitive<'a>, X>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Vec<Element<T, X>>,
) -> PResult<()> {
    if slot.iter().any(|e| e.value.is_some()) {
        return Err(dup(r, path, name));
    }
    let read = |r: &mut Reader<'a>, cx: &mut Ctx, field: &Path<'_>, i: usize| {
        let start = r.offset();
        match T::read(r) {
            Ok(v) => Ok(Some(v)),
            Err(e) => bad_value(r, cx, &field.index(i), None, start, e).map(|_| None),
        }
    };
    aligned(r, cx, path, name, slot, read, |e, v| e.value = v)?;
    // Lenient parsing that dropped every entry leaves no list of empty entries behind (it would
    // not be written back).
    if cx.lenient && slot.iter().all(|e| e.value.is_none() && e.ext.is_none()) {
        slot.clear();
    }
    Ok(())
}

/// A repeated primitive's companion array (`"_name": [{...}, null, ...]`).
pub fn prim_list_ext<'a, T, X: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Vec<Element<T, X>>,
) -> PResult<()> {
    if slot.iter().any(|e| e.ext.is_some()) {
        return Err(dup(r, path, name));
    }
    let read = |r: &mut Reader<'a>, cx: &mut Ctx, field: &Path<'_>, i: usize| {
        let p = field.index(i);
        r.enter().map_err(|e| syntax(e, path, name))?;
        let mut x = Box::<X>::default();
        x.read_into(r, cx, &p)?;
        r.leave();
        Ok(Some(x))
    };
    aligned(r, cx, path, name, slot, read, |e, x| e.ext = x)
}

#[inline]
fn complex_into<'a, T: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut T,
) -> PResult<()> {
    r.enter().map_err(|e| syntax(e, path, name))?;
    let p = path.field(name);
    slot.read_into(r, cx, &p)?;
    r.leave();
    Ok(())
}

/// An optional complex value.
#[inline]
pub fn opt<'a, T: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Option<T>,
) -> PResult<()> {
    if slot.is_some() {
        return Err(dup(r, path, name));
    }
    if expect(r, cx, path, name, Kind::Object)? {
        let x = slot.insert(T::default());
        complex_into(r, cx, path, name, x)?;
    }
    Ok(())
}

/// A required complex value.
#[inline]
pub fn req<'a, T: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut T,
) -> PResult<()> {
    if !slot.is_empty() {
        return Err(dup(r, path, name));
    }
    if expect(r, cx, path, name, Kind::Object)? {
        complex_into(r, cx, path, name, slot)?;
    }
    Ok(())
}

/// Reads a JSON array into `slot` (which must be empty), one entry per `push` call, each with
/// its indexed path.
fn array<'a, V>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Vec<V>,
    mut push: impl FnMut(&mut Reader<'a>, &mut Ctx, &Path<'_>, &mut Vec<V>) -> PResult<()>,
) -> PResult<()> {
    if !slot.is_empty() {
        return Err(dup(r, path, name));
    }
    if !expect(r, cx, path, name, Kind::Array)? {
        return Ok(());
    }
    if !r.begin_array().map_err(|e| syntax(e, path, name))? {
        return empty_array(r, cx, path, name);
    }
    let field = path.field(name);
    r.enter().map_err(|e| syntax(e, path, name))?;
    loop {
        let p = field.index(slot.len());
        push(r, cx, &p, slot)?;
        if !r.next_element().map_err(|e| syntax(e, path, name))? {
            break;
        }
    }
    r.leave();
    Ok(())
}

/// A repeated complex value (each entry parsed in place).
pub fn list<'a, T: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Vec<T>,
) -> PResult<()> {
    array(r, cx, path, name, slot, |r, cx, p, v| {
        v.push(T::default());
        let last = v.len() - 1;
        v[last].read_into(r, cx, p)
    })
}

/// The element of a choice slot's primitive variant: created when the slot is empty, the
/// existing one when the slot holds the same variant (`valueString` and `_valueString`), an
/// error when it holds another type.
#[inline]
fn choice_element<'s, C, T, X>(
    r: &Reader<'_>,
    path: &Path<'_>,
    name: &str,
    slot: &'s mut Option<C>,
    make: fn(Element<T, X>) -> C,
    get: fn(&mut C) -> Option<&mut Element<T, X>>,
) -> PResult<&'s mut Element<T, X>> {
    let c = slot.get_or_insert_with(|| make(Element::default()));
    get(c).ok_or_else(|| dup(r, path, name))
}

/// A choice element's primitive variant (`valueString`).
#[inline]
pub fn choice_prim<'a, C, T: Primitive<'a>, X>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Option<C>,
    make: fn(Element<T, X>) -> C,
    get: fn(&mut C) -> Option<&mut Element<T, X>>,
) -> PResult<()> {
    let fresh = slot.is_none();
    let e = choice_element(r, path, name, slot, make, get)?;
    prim(r, cx, path, name, e)?;
    // A value dropped by lenient parsing leaves no empty variant behind (it would not be
    // written back).
    if fresh && e.value.is_none() {
        *slot = None;
    }
    Ok(())
}

/// A choice element's primitive companion (`_valueString`).
#[inline]
pub fn choice_prim_ext<'a, C, T, X: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Option<C>,
    make: fn(Element<T, X>) -> C,
    get: fn(&mut C) -> Option<&mut Element<T, X>>,
) -> PResult<()> {
    let e = choice_element(r, path, name, slot, make, get)?;
    prim_ext(r, cx, path, name, e)
}

/// A choice element's complex variant (`valueCodeableConcept`).
#[inline]
pub fn choice_complex<'a, C, T: Complex<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Option<C>,
    make: fn(Box<T>) -> C,
) -> PResult<()> {
    if slot.is_some() {
        return Err(dup(r, path, name));
    }
    if expect(r, cx, path, name, Kind::Object)? {
        let mut b = Box::<T>::default();
        complex_into(r, cx, path, name, &mut *b)?;
        *slot = Some(make(b));
    }
    Ok(())
}

/// An optional resource (`Bundle.entry.resource`).
pub fn resource_opt<'a, R: AnyResource<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Option<Box<R>>,
) -> PResult<()> {
    if slot.is_some() {
        return Err(dup(r, path, name));
    }
    if expect(r, cx, path, name, Kind::Object)? {
        r.enter().map_err(|e| syntax(e, path, name))?;
        *slot = Some(Box::new(R::read(r, cx, &path.field(name))?));
        r.leave();
    }
    Ok(())
}

/// Repeated resources (`contained`).
pub fn resource_list<'a, R: AnyResource<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    name: &str,
    slot: &mut Vec<R>,
) -> PResult<()> {
    array(r, cx, path, name, slot, |r, cx, p, v| {
        v.push(R::read(r, cx, p)?);
        Ok(())
    })
}

/// Reads a resource nested in another value (a contained resource, a Bundle entry).
///
/// BCDA writes every object's keys sorted, so `resourceType` comes after `contained`, `id`,
/// `identifier`... Finding it exactly means skipping those members first and reading them
/// again. Instead the type is guessed from the first `"resourceType"` key after the object's
/// start (its own, unless a resource nested in it comes first), and the object is read as
/// that type: the reader checks the object's own `resourceType` against the guess and that it
/// has one. Only a failed guess pays for the exact lookup ([`peek_resource_type`]).
pub fn read_resource<'a, R: AnyResource<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
) -> PResult<R> {
    if let Some(t) = first_key_value(r.rest(), b"\"resourceType\"") {
        if let Some(v) = read_guessed(r, cx, path, t) {
            return Ok(v);
        }
    }
    let t = peek_resource_type(r, path)?;
    R::read_as(r, cx, path, &t)
}

/// Reads the resource that is the whole input (its path is rooted at its type): as
/// [`read_resource`], except that the guess is the *last* `"resourceType"` of the text (with
/// sorted keys the root's own comes after its contained resources), and none is made when the
/// object starts with `resourceType`.
pub fn read_root_resource<'a, R: AnyResource<'a>>(r: &mut Reader<'a>, cx: &mut Ctx) -> PResult<R> {
    let rest = r.rest();
    if !starts_with_resource_type(rest) {
        if let Some(t) = last_key_value(rest, b"\"resourceType\"") {
            if let Some(v) = read_guessed(r, cx, &Path::root(t), t) {
                return Ok(v);
            }
        }
    }
    let t = peek_resource_type(r, &Path::root(""))?;
    R::read_as(r, cx, &Path::root(&t), &t)
}

/// Reads the object at the reader as a resource of type `t`; `None` (with the reader and the
/// issues as they were) unless that succeeds and the object named type `t` itself.
fn read_guessed<'a, R: AnyResource<'a>>(
    r: &mut Reader<'a>,
    cx: &mut Ctx,
    path: &Path<'_>,
    t: &str,
) -> Option<R> {
    let (saved, issues) = (r.save(), cx.issues.len());
    cx.seen_type = false;
    match R::read_as(r, cx, path, t) {
        Ok(v) if cx.seen_type => Some(v),
        _ => {
            r.restore(saved);
            cx.issues.truncate(issues);
            None
        }
    }
}

/// True when the object at the start of `text` has `resourceType` as its first key.
fn starts_with_resource_type(text: &[u8]) -> bool {
    let mut rest = trim_ws(text);
    if rest.first() != Some(&b'{') {
        return false;
    }
    rest = trim_ws(&rest[1..]);
    rest.starts_with(b"\"resourceType\"")
}

/// The string value of the first `key` (with its quotes) in `text`, if it is a plain name.
fn first_key_value<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let at = memchr::memmem::find(text, key)?;
    name_after_key(&text[at + key.len()..])
}

/// The string value of the last `key` (with its quotes) in `text`, if it is a plain name.
fn last_key_value<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let at = memchr::memmem::rfind(text, key)?;
    name_after_key(&text[at + key.len()..])
}

/// After a key: `: "Name"` with optional whitespace, `Name` made of ASCII letters.
fn name_after_key(text: &[u8]) -> Option<&str> {
    let rest = trim_ws(text).strip_prefix(b":")?;
    let rest = trim_ws(rest).strip_prefix(b"\"")?;
    let len = rest.iter().position(|&b| b == b'"')?;
    let name = &rest[..len];
    if name.is_empty() || !name.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    std::str::from_utf8(name).ok()
}

/// `text` without leading JSON whitespace.
fn trim_ws(text: &[u8]) -> &[u8] {
    let n = text
        .iter()
        .position(|&b| !crate::json::is_ws(b))
        .unwrap_or(text.len());
    &text[n..]
}

/// Finds the `resourceType` of the object at the reader without consuming it.
pub fn peek_resource_type<'a>(r: &mut Reader<'a>, path: &Path<'_>) -> PResult<Cow<'a, str>> {
    let mark = r.mark();
    let k = r.peek().map_err(|e| syntax(e, path, ""))?;
    if k != Kind::Object {
        return Err(at(
            r,
            ParseErrorKind::WrongType {
                expected: "object",
                found: k.name(),
            },
            path.render(),
        ));
    }
    let mut found = None;
    if r.begin_object().map_err(|e| syntax(e, path, ""))? {
        let mut key = Some(r.first_key().map_err(|e| syntax(e, path, ""))?);
        while let Some(k) = key {
            if k == "resourceType" {
                if r.peek().map_err(|e| syntax(e, path, "resourceType"))? != Kind::String {
                    return Err(at(
                        r,
                        ParseErrorKind::WrongType {
                            expected: "string",
                            found: "other",
                        },
                        path.render_field("resourceType"),
                    ));
                }
                found = Some(r.string().map_err(|e| syntax(e, path, "resourceType"))?);
                break;
            }
            r.skip_value().map_err(|e| syntax(e, path, &k))?;
            key = r.next_key().map_err(|e| syntax(e, path, ""))?;
        }
    }
    r.rewind(mark);
    found.ok_or_else(|| at(r, ParseErrorKind::MissingResourceType, path.render()))
}

/// An unknown `resourceType`.
#[cold]
pub fn unknown_resource_type(r: &Reader<'_>, path: &Path<'_>, t: &str) -> ParseError {
    at(
        r,
        ParseErrorKind::UnknownResourceType(t.to_string()),
        path.render(),
    )
}

/// Maps a reader syntax error at the root.
#[cold]
pub fn root_syntax(e: SyntaxError, path: &Path<'_>) -> ParseError {
    ParseError::new(
        ParseErrorKind::Syntax(e.message.into_owned()),
        e.offset,
        path.render(),
    )
}
