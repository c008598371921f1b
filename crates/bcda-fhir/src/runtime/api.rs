//! Entry points shared by every generated resource type, instantiated once per type in this
//! crate (callers never instantiate parsing code themselves).

use super::de::{Ctx, ParseOptions};
use super::element::{AnyResource, Complex};
use super::error::{ParseError, ParseErrorKind};
use super::issue::Issue;
use super::path::Path;
use super::validate::Validator;
use crate::json::{Reader, Writer};

/// Checks UTF-8 and returns the text.
pub fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes)
        .map_err(|e| ParseError::new(ParseErrorKind::InvalidUtf8, e.valid_up_to(), String::new()))
}

/// Parses a whole JSON text as one complex value rooted at `root`.
pub fn parse_root<'a, T: Complex<'a>>(
    text: &'a str,
    opts: ParseOptions,
    root: &str,
) -> Result<(T, Vec<Issue>), ParseError> {
    let mut r = Reader::new(text);
    let mut cx = Ctx::new(opts);
    let path = Path::root(root);
    let v = T::read(&mut r, &mut cx, &path)?;
    r.finish().map_err(|e| super::de::root_syntax(e, &path))?;
    Ok((v, cx.issues))
}

/// Parses a whole JSON text as any resource.
pub fn parse_any<'a, R: AnyResource<'a>>(
    text: &'a str,
    opts: ParseOptions,
) -> Result<(R, Vec<Issue>), ParseError> {
    let mut r = Reader::new(text);
    let mut cx = Ctx::new(opts);
    let v = R::read_root(&mut r, &mut cx)?;
    r.finish()
        .map_err(|e| super::de::root_syntax(e, &Path::root(v.type_name())))?;
    Ok((v, cx.issues))
}

/// Serializes a complex value.
pub fn to_json<'a, T: Complex<'a>>(v: &T) -> String {
    let mut w = Writer::new();
    v.write(&mut w);
    w.into_string()
}

/// Serializes a resource.
pub fn any_to_json<'a, R: AnyResource<'a>>(v: &R) -> String {
    let mut w = Writer::new();
    v.write(&mut w);
    w.into_string()
}

/// Validates a complex value rooted at `root`.
pub fn validate_root<'a, T: Complex<'a>>(v: &T, root: &str) -> Vec<Issue> {
    let mut val = Validator::new();
    v.validate(&mut val, &Path::root(root));
    val.issues
}

/// Validates a resource.
pub fn validate_any<'a, R: AnyResource<'a>>(v: &R, root: &str) -> Vec<Issue> {
    let mut val = Validator::new();
    v.validate(&mut val, &Path::root(root));
    val.issues
}

/// Adds `from_json`, `to_json` and `validate` to a generated resource struct.
#[macro_export]
#[doc(hidden)]
macro_rules! rt_resource_api {
    ($t:ident) => {
        impl<'a> $t<'a> {
            /// Parses this resource type strictly from a JSON text.
            pub fn from_json(text: &'a str) -> Result<Self, ParseError> {
                rt::api::parse_root::<Self>(text, ParseOptions::strict(), stringify!($t))
                    .map(|x| x.0)
            }
            /// Parses with options; returns the issues lenient parsing reported.
            pub fn from_json_with(
                text: &'a str,
                opts: ParseOptions,
            ) -> Result<(Self, Vec<Issue>), ParseError> {
                rt::api::parse_root::<Self>(text, opts, stringify!($t))
            }
            /// Serializes to compact JSON.
            pub fn to_json(&self) -> String {
                rt::api::to_json(self)
            }
            /// Core validation.
            pub fn validate(&self) -> Vec<Issue> {
                rt::api::validate_root(self, stringify!($t))
            }
        }
        #[cfg(feature = "serde")]
        $crate::rt_serde!($t, |x: &$t<'_>| x.to_json(), |s| $t::from_json(s));
    };
}

/// Adds parsing entry points to a generated `Resource` enum.
#[macro_export]
#[doc(hidden)]
macro_rules! rt_resource_enum_api {
    () => {
        impl<'a> Resource<'a> {
            /// Parses any resource strictly from a JSON text.
            pub fn from_json(text: &'a str) -> Result<Self, ParseError> {
                rt::api::parse_any::<Self>(text, ParseOptions::strict()).map(|x| x.0)
            }
            /// Parses any resource from bytes (UTF-8 checked).
            pub fn from_slice(
                bytes: &'a [u8],
                opts: ParseOptions,
            ) -> Result<(Self, Vec<Issue>), ParseError> {
                rt::api::parse_any::<Self>(rt::api::utf8(bytes)?, opts)
            }
            /// Parses with options; returns the issues lenient parsing reported.
            pub fn from_json_with(
                text: &'a str,
                opts: ParseOptions,
            ) -> Result<(Self, Vec<Issue>), ParseError> {
                rt::api::parse_any::<Self>(text, opts)
            }
            /// Serializes to compact JSON.
            pub fn to_json(&self) -> String {
                rt::api::any_to_json(self)
            }
            /// Appends compact JSON to a buffer.
            pub fn write_json(&self, out: &mut Vec<u8>) {
                let mut w = $crate::json::Writer::with_buffer(std::mem::take(out));
                AnyResource::write(self, &mut w);
                *out = w.into_bytes();
            }
            /// Core validation.
            pub fn validate(&self) -> Vec<Issue> {
                let t = self.resource_type().to_string();
                rt::api::validate_any(self, &t)
            }
        }
        #[cfg(feature = "serde")]
        $crate::rt_serde!(Resource, |x: &Resource<'_>| x.to_json(), |s| {
            Resource::from_json(s)
        });
    };
}
