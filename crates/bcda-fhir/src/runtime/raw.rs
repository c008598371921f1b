//! Resources kept as raw JSON (types a build does not model).

use super::element::{IntoOwned, PResult};
use super::path::Path;
use super::primitives::Str;
use crate::json::{Reader, Writer};

/// A resource of a type this build does not model, kept verbatim.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResource<'a> {
    /// Its `resourceType`.
    pub resource_type: Str<'a>,
    /// The exact JSON text of the resource.
    pub json: Str<'a>,
}

impl<'a> RawResource<'a> {
    /// Captures the object at the reader.
    pub fn read(r: &mut Reader<'a>, path: &Path<'_>, resource_type: Str<'a>) -> PResult<Self> {
        let json = r.raw_value().map_err(|e| super::de::root_syntax(e, path))?;
        Ok(RawResource {
            resource_type,
            json: json.into(),
        })
    }

    /// Writes the JSON text back.
    pub fn write(&self, w: &mut Writer) {
        w.raw(&self.json);
    }
}

impl IntoOwned for RawResource<'_> {
    type Owned = RawResource<'static>;
    fn into_owned(self) -> RawResource<'static> {
        RawResource {
            resource_type: IntoOwned::into_owned(self.resource_type),
            json: IntoOwned::into_owned(self.json),
        }
    }
}
