//! serde interoperability without generic derives: values are transcoded through their JSON
//! text, so the (de)serialization code instantiated per serde backend is this small module, not
//! the models. Decimals keep their text when the other side is JSON-like and gives numbers as
//! text; otherwise they pass through `f64`/integers.

use crate::json::{Kind, Reader, Writer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// Serializes a JSON text through any serde serializer.
pub fn serialize_json<S: Serializer>(json: &str, s: S) -> Result<S::Ok, S::Error> {
    let mut r = Reader::new(json);
    Node(&mut r).serialize_into(s)
}

struct Node<'r, 'a>(&'r mut Reader<'a>);

impl Node<'_, '_> {
    fn serialize_into<S: Serializer>(self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let err = |e: crate::json::SyntaxError| S::Error::custom(e.message);
        match r.peek().map_err(err)? {
            Kind::Null => {
                r.null().map_err(err)?;
                s.serialize_unit()
            }
            Kind::Bool => s.serialize_bool(r.boolean().map_err(err)?),
            Kind::String => s.serialize_str(&r.string().map_err(err)?),
            Kind::Number => {
                let t = r.number().map_err(err)?;
                if let Ok(i) = t.parse::<i64>() {
                    s.serialize_i64(i)
                } else if let Ok(u) = t.parse::<u64>() {
                    s.serialize_u64(u)
                } else {
                    s.serialize_f64(t.parse::<f64>().map_err(S::Error::custom)?)
                }
            }
            Kind::Array => {
                let mut seq = s.serialize_seq(None)?;
                if r.begin_array().map_err(err)? {
                    loop {
                        seq.serialize_element(&Later(r.raw_value().map_err(err)?))?;
                        if !r.next_element().map_err(err)? {
                            break;
                        }
                    }
                }
                seq.end()
            }
            Kind::Object => {
                let mut map = s.serialize_map(None)?;
                if r.begin_object().map_err(err)? {
                    let mut k = Some(r.first_key().map_err(err)?);
                    while let Some(key) = k {
                        map.serialize_entry(key.as_ref(), &Later(r.raw_value().map_err(err)?))?;
                        k = r.next_key().map_err(err)?;
                    }
                }
                map.end()
            }
        }
    }
}

/// A JSON sub-value serialized on demand.
struct Later<'a>(&'a str);

impl serde::Serialize for Later<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut r = Reader::new(self.0);
        Node(&mut r).serialize_into(s)
    }
}

/// Deserializes any self-describing input into JSON text.
pub fn deserialize_json<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let mut w = Writer::new();
    Capture(&mut w).deserialize(d)?;
    Ok(w.into_string())
}

struct Capture<'w>(&'w mut Writer);

impl<'de> DeserializeSeed<'de> for Capture<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Capture<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.boolean(v);
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.integer(v);
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.raw(&v.to_string());
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if !v.is_finite() {
            return Err(E::custom("non-finite number"));
        }
        self.0.raw(&format!("{v:?}"));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.string(v);
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.null();
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.null();
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0.begin_array();
        while a.next_element_seed(Capture(self.0))?.is_some() {}
        self.0.end_array();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0.begin_object();
        while let Some(k) = a.next_key::<std::borrow::Cow<'de, str>>()? {
            self.0.key(&k);
            a.next_value_seed(Capture(self.0))?;
        }
        self.0.end_object();
        Ok(())
    }
}

/// Adds serde `Serialize` (any lifetime) and `Deserialize` (owned form) to a generated type.
#[macro_export]
#[doc(hidden)]
macro_rules! rt_serde {
    ($t:ident, $to_json:expr, $from_json:expr) => {
        impl serde::Serialize for $t<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let json: String = $to_json(self);
                rt::serde_support::serialize_json(&json, s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t<'static> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let json = rt::serde_support::deserialize_json(d)?;
                let v: Result<$t<'_>, ParseError> = $from_json(json.as_str());
                v.map(IntoOwned::into_owned)
                    .map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}
