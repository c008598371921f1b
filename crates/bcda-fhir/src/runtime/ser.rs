//! Serialization helpers called by generated code.

use super::element::{AnyResource, Complex, Element};
use super::primitives::{Primitive, Str};
use crate::json::Writer;

/// A plain string attribute.
#[inline]
pub fn attr(w: &mut Writer, name: &str, v: &Option<Str<'_>>) {
    if let Some(s) = v {
        w.key(name);
        w.string(s);
    }
}

/// A required plain string attribute (skipped when empty).
#[inline]
pub fn attr_req(w: &mut Writer, name: &str, v: &Str<'_>) {
    if !v.is_empty() {
        w.key(name);
        w.string(v);
    }
}

/// A singular primitive and its `_name` companion.
#[inline]
pub fn prim<'a, T: Primitive<'a>, X: Complex<'a>>(
    w: &mut Writer,
    name: &str,
    ext_name: &str,
    e: &Element<T, X>,
) {
    if let Some(v) = &e.value {
        w.key(name);
        v.write(w);
    }
    if let Some(x) = &e.ext {
        w.key(ext_name);
        x.write(w);
    }
}

/// A repeated primitive and its aligned `_name` array.
pub fn prim_list<'a, T: Primitive<'a>, X: Complex<'a>>(
    w: &mut Writer,
    name: &str,
    ext_name: &str,
    v: &[Element<T, X>],
) {
    if v.iter().any(|e| e.value.is_some()) {
        w.key(name);
        w.begin_array();
        for e in v {
            match &e.value {
                Some(x) => x.write(w),
                None => w.null(),
            }
        }
        w.end_array();
    }
    if v.iter().any(|e| e.ext.is_some()) {
        w.key(ext_name);
        w.begin_array();
        for e in v {
            match &e.ext {
                Some(x) => x.write(w),
                None => w.null(),
            }
        }
        w.end_array();
    }
}

/// An optional complex value.
#[inline]
pub fn opt<'a, T: Complex<'a>>(w: &mut Writer, name: &str, v: &Option<T>) {
    if let Some(x) = v {
        w.key(name);
        x.write(w);
    }
}

/// A required complex value (skipped when empty, i.e. absent in the input).
#[inline]
pub fn req<'a, T: Complex<'a>>(w: &mut Writer, name: &str, v: &T) {
    if !v.is_empty() {
        w.key(name);
        v.write(w);
    }
}

/// A complex value that is present (a choice's arm), written even when empty (`{}`).
#[inline]
pub fn present<'a, T: Complex<'a>>(w: &mut Writer, name: &str, v: &T) {
    w.key(name);
    v.write(w);
}

/// A repeated complex value.
#[inline]
pub fn list<'a, T: Complex<'a>>(w: &mut Writer, name: &str, v: &[T]) {
    if !v.is_empty() {
        w.key(name);
        w.begin_array();
        for x in v {
            x.write(w);
        }
        w.end_array();
    }
}

/// An optional resource.
pub fn resource_opt<'a, R: AnyResource<'a>>(w: &mut Writer, name: &str, v: &Option<Box<R>>) {
    if let Some(x) = v {
        w.key(name);
        x.write(w);
    }
}

/// Repeated resources.
pub fn resource_list<'a, R: AnyResource<'a>>(w: &mut Writer, name: &str, v: &[R]) {
    if !v.is_empty() {
        w.key(name);
        w.begin_array();
        for x in v {
            x.write(w);
        }
        w.end_array();
    }
}
