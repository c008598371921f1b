//! The building blocks generated types are made of.

use super::de::Ctx;
use super::error::ParseError;
use super::path::Path;
use super::primitives::{Date, DateTime, Decimal, Instant, Time};
use super::validate::Validator;
use crate::json::{Reader, Writer};
use std::borrow::Cow;

/// A primitive element: its value and, when the JSON has a `_name` companion, its id and
/// extensions. Either may be absent: FHIR lets an extension stand in for a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Element<T, X> {
    /// The value, when present.
    pub value: Option<T>,
    /// The element's `id` and `extension` from `_name`, when present.
    pub ext: Option<Box<X>>,
}

impl<T, X> Default for Element<T, X> {
    fn default() -> Self {
        Element {
            value: None,
            ext: None,
        }
    }
}

impl<T, X> Element<T, X> {
    /// An element holding a value.
    pub fn new(value: T) -> Self {
        Element {
            value: Some(value),
            ext: None,
        }
    }

    /// The value, if any.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// True when neither value nor extension is present.
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.ext.is_none()
    }
}

impl<'a, X> Element<Cow<'a, str>, X> {
    /// The string value, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

/// Result of parse steps.
pub type PResult<T> = Result<T, ParseError>;

/// A complex type or backbone element (generated).
pub trait Complex<'a>: Sized + Default {
    /// Reads a JSON object (the reader is before `{`) into `self`, which is empty: values are
    /// built in place, so large structs are not moved after parsing.
    fn read_into(&mut self, r: &mut Reader<'a>, cx: &mut Ctx, path: &Path<'_>) -> PResult<()>;
    /// Reads a JSON object into a new value.
    #[inline]
    fn read(r: &mut Reader<'a>, cx: &mut Ctx, path: &Path<'_>) -> PResult<Self> {
        let mut v = Self::default();
        v.read_into(r, cx, path)?;
        Ok(v)
    }
    /// Writes the JSON object.
    fn write(&self, w: &mut Writer);
    /// Core validation (cardinality, bindings, formats), recursively.
    fn validate(&self, v: &mut Validator, path: &Path<'_>);
    /// True when nothing is set.
    fn is_empty(&self) -> bool;
}

impl<'a, T: Complex<'a>> Complex<'a> for Box<T> {
    #[inline]
    fn read_into(&mut self, r: &mut Reader<'a>, cx: &mut Ctx, path: &Path<'_>) -> PResult<()> {
        (**self).read_into(r, cx, path)
    }
    #[inline]
    fn write(&self, w: &mut Writer) {
        (**self).write(w)
    }
    #[inline]
    fn validate(&self, v: &mut Validator, path: &Path<'_>) {
        (**self).validate(v, path)
    }
    #[inline]
    fn is_empty(&self) -> bool {
        (**self).is_empty()
    }
}

/// A resource enum (generated per FHIR release): contained resources and Bundle entries.
pub trait AnyResource<'a>: Sized {
    /// Reads a resource nested in another value, dispatching on `resourceType`.
    fn read(r: &mut Reader<'a>, cx: &mut Ctx, path: &Path<'_>) -> PResult<Self>;
    /// Reads the resource that is the whole input, dispatching on `resourceType`.
    fn read_root(r: &mut Reader<'a>, cx: &mut Ctx) -> PResult<Self>;
    /// Its `resourceType`.
    fn type_name(&self) -> &str;
    /// Reads the object at the reader as a resource of type `t`.
    fn read_as(r: &mut Reader<'a>, cx: &mut Ctx, path: &Path<'_>, t: &str) -> PResult<Self>;
    /// Writes the resource.
    fn write(&self, w: &mut Writer);
    /// Core validation.
    fn validate(&self, v: &mut Validator, path: &Path<'_>);
}

/// Converts a value borrowing the input into one that owns its strings.
pub trait IntoOwned {
    /// The owned form (`T<'static>`).
    type Owned: 'static;
    /// Copies every borrowed string.
    fn into_owned(self) -> Self::Owned;
}

impl IntoOwned for Cow<'_, str> {
    type Owned = Cow<'static, str>;
    fn into_owned(self) -> Cow<'static, str> {
        Cow::Owned(Cow::into_owned(self))
    }
}

macro_rules! copy_owned {
    ($($t:ty),*) => {$(
        impl IntoOwned for $t {
            type Owned = $t;
            fn into_owned(self) -> $t { self }
        }
    )*};
}
copy_owned!(bool, i64);

macro_rules! text_owned {
    ($($t:ident),*) => {$(
        impl IntoOwned for $t<'_> {
            type Owned = $t<'static>;
            fn into_owned(self) -> $t<'static> { $t(Cow::Owned(Cow::into_owned(self.0))) }
        }
    )*};
}
text_owned!(Decimal, Date, DateTime, Instant, Time);

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        self.map(T::into_owned)
    }
}

impl<T: IntoOwned> IntoOwned for Vec<T> {
    type Owned = Vec<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        self.into_iter().map(T::into_owned).collect()
    }
}

impl<T: IntoOwned> IntoOwned for Box<T> {
    type Owned = Box<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        Box::new((*self).into_owned())
    }
}

impl<T: IntoOwned, X: IntoOwned> IntoOwned for Element<T, X> {
    type Owned = Element<T::Owned, X::Owned>;
    fn into_owned(self) -> Self::Owned {
        Element {
            value: self.value.into_owned(),
            ext: self.ext.into_owned(),
        }
    }
}
