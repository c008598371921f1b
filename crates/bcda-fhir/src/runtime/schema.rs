//! JSON Schema for the generated types (feature `schema`), built with schemars.

use super::primitives::{Date, DateTime, Decimal, Instant, Time};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};
use std::borrow::Cow;

macro_rules! text_schema {
    ($t:ident, $name:literal, $pattern:literal) => {
        impl JsonSchema for $t<'_> {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                Schema::try_from(json!({"type": "string", "pattern": $pattern})).unwrap_or_default()
            }
        }
    };
}

text_schema!(
    Date,
    "date",
    r"^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
);
text_schema!(
    DateTime,
    "dateTime",
    r"^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$"
);
text_schema!(
    Instant,
    "instant",
    r"^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$"
);
text_schema!(
    Time,
    "time",
    r"^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?$"
);

impl JsonSchema for Decimal<'_> {
    fn schema_name() -> Cow<'static, str> {
        "decimal".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::try_from(json!({"type": "number"})).unwrap_or_default()
    }
}

/// Builds the schema of a generated object type.
pub struct Obj {
    props: Map<String, Value>,
    required: Vec<String>,
}

impl Obj {
    /// A new object schema; resources get a `resourceType` constant.
    pub fn new(resource_type: Option<&str>) -> Self {
        let mut o = Obj {
            props: Map::new(),
            required: Vec::new(),
        };
        if let Some(t) = resource_type {
            o.props.insert("resourceType".into(), json!({"const": t}));
            o.required.push("resourceType".into());
        }
        o
    }

    fn put(&mut self, name: &str, schema: Value, many: bool, min: u32) {
        let s = if many {
            json!({"type": "array", "items": schema})
        } else {
            schema
        };
        self.props.insert(name.into(), s);
        if min > 0 {
            self.required.push(name.into());
        }
    }

    /// A primitive `name` and its `_name` companion.
    pub fn prim<T: JsonSchema, X: JsonSchema>(
        &mut self,
        g: &mut SchemaGenerator,
        name: &str,
        many: bool,
    ) {
        let v = g.subschema_for::<T>().to_value();
        let v = if many {
            json!({"anyOf": [v, {"type": "null"}]})
        } else {
            v
        };
        self.put(name, v, many, 0);
        let x = g.subschema_for::<X>().to_value();
        let x = if many {
            json!({"anyOf": [x, {"type": "null"}]})
        } else {
            x
        };
        self.put(&format!("_{name}"), x, many, 0);
    }

    /// A complex or resource-typed property.
    pub fn complex<T: JsonSchema>(
        &mut self,
        g: &mut SchemaGenerator,
        name: &str,
        many: bool,
        min: u32,
    ) {
        let v = g.subschema_for::<T>().to_value();
        self.put(name, v, many, min);
    }

    /// A plain string attribute.
    pub fn attr(&mut self, name: &str, min: u32) {
        self.put(name, json!({"type": "string"}), false, min);
    }

    /// The finished schema (no additional properties: unknown properties are errors).
    pub fn finish(self) -> Schema {
        let mut s =
            json!({"type": "object", "properties": self.props, "additionalProperties": false});
        if !self.required.is_empty() {
            s["required"] = json!(self.required);
        }
        Schema::try_from(s).unwrap_or_default()
    }
}

/// The schema of a code enum.
pub fn codes(codes: &[&str]) -> Schema {
    Schema::try_from(json!({"type": "string", "enum": codes})).unwrap_or_default()
}

/// The schema of a resource enum: one of the modelled resources.
pub fn one_of(g: &mut SchemaGenerator, alternatives: Vec<Schema>) -> Schema {
    let _ = g;
    let list: Vec<Value> = alternatives.into_iter().map(Schema::to_value).collect();
    Schema::try_from(json!({"oneOf": list})).unwrap_or_default()
}

/// The JSON Schema document of a type.
pub fn root<T: JsonSchema>() -> Value {
    SchemaGenerator::default()
        .into_root_schema_for::<T>()
        .to_value()
}
