//! The runtime the generated models are built on: elements, primitives, parse/serialize/validate
//! helpers, paths and issues. Generated code calls into these; user code mostly needs
//! [`Element`], [`Decimal`] and the date types, [`Issue`] and [`ParseError`].

pub mod api;
pub mod de;
mod element;
mod error;
mod issue;
mod path;
mod primitives;
mod raw;
#[cfg(feature = "schema")]
pub mod schema;
pub mod ser;
#[cfg(feature = "serde")]
pub mod serde_support;
mod temporal;
mod validate;

pub use de::{Ctx, ParseOptions, UnknownPolicy};
pub use element::{AnyResource, Complex, Element, IntoOwned, PResult};
pub use error::{ParseError, ParseErrorKind};
pub use issue::{Issue, IssueCode, Severity};
pub use path::{Path, Seg};
pub use primitives::{Date, DateTime, Decimal, Instant, PrimError, PrimKind, Primitive, Str, Time};
pub use raw::RawResource;
pub use temporal::{Temporal, YearMonth};
pub use validate::Validator;
