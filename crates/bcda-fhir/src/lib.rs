//! Typed FHIR models for BCDA: STU3 (v1) and R4 with CARIN Blue Button (v2).
//!
//! The models are generated at build time by `bcda-codegen` from the compact definitions in
//! `fhir-specs/`. Modelling rules:
//!
//! - one struct per complex type, backbone element and resource, with a lifetime `'a`: strings
//!   borrow from the parsed text when they have no escapes ([`runtime::Str`] is a `Cow<str>`);
//!   [`runtime::IntoOwned`] turns any value into its `'static` form for storage;
//! - complex fields: `T` for `1..1`, `Option<T>` for `0..1`, `Vec<T>` for `0..*`; `Box` only where
//!   types recurse. A missing `1..1` complex value parses as empty and validation reports it;
//! - primitive fields are `Element<T>` (value and `_name` id/extensions, either may be absent,
//!   since FHIR lets an extension stand in for a value) or `Vec<Element<T>>`, aligned with
//!   `_name` arrays including `null`s;
//! - `value[x]` choices are one enum per element; JSON names carry the type suffix;
//! - `decimal` keeps its text, date/time types keep their text and validate on demand;
//! - `code` elements with an enumerable required binding are enums carrying the exact codes,
//!   with a fallback variant that keeps any other code (validation reports it);
//! - unknown properties fail the parse with their path (strict, the default) or are reported and
//!   skipped ([`runtime::ParseOptions::lenient`]).

#[cfg(any(feature = "stu3", feature = "r4"))]
pub mod claims;
pub mod json;
#[cfg(feature = "carin-bb")]
pub mod profiles;
pub mod runtime;

macro_rules! release_module {
    ($name:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        #[allow(
            missing_docs,
            clippy::all,
            clippy::pedantic,
            unused_imports,
            non_camel_case_types
        )]
        pub mod $name {
            use crate::json::{Reader, Writer};
            #[cfg(feature = "serde")]
            use crate::rt_serde;
            use crate::runtime as rt;
            use crate::runtime::de;
            use crate::runtime::ser;
            use crate::runtime::{
                AnyResource, Complex, Ctx, Date, DateTime, Decimal, Instant, IntoOwned, Issue,
                PResult, ParseError, ParseOptions, Path, PrimError, PrimKind, Primitive, Str, Time,
                Validator,
            };
            use crate::{rt_resource_api, rt_resource_enum_api};
            include!(concat!(env!("OUT_DIR"), $file));
        }
    };
}

#[cfg(feature = "stu3")]
release_module!(
    stu3,
    "/stu3.rs",
    "FHIR STU3 (3.0.2): the models of BCDA v1."
);
#[cfg(feature = "r4")]
release_module!(
    r4,
    "/r4.rs",
    "FHIR R4 (4.0.1): the models of BCDA v2 (CARIN Blue Button)."
);
