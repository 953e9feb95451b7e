//! JSON without silent last-one-wins: [`strict_value`] parses text into a
//! `serde_json::Value` like `serde_json::from_str` does, but an object that repeats a key is
//! an error (serde_json keeps the last value, so a repeat cannot be seen after parsing).
//! Its errors carry serde_json's line and column.
//!
//! ```
//! assert!(kit::json::strict_value(r#"{"a": 1, "b": {"a": 2}}"#).is_ok());
//! let e = kit::json::strict_value("{\"a\": 1,\n \"a\": 2}").unwrap_err();
//! assert_eq!(e.to_string(), "duplicate key `a` at line 2 column 4");
//! ```

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parse `text` as one JSON value, refusing an object that repeats a key (at any depth).
pub fn strict_value(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|s| s.0)
}

/// A `Value` deserialized with repeated keys refused.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut seen = HashSet::new();
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::strict_value;
    use proptest::prelude::*;

    #[test]
    fn repeats_are_refused_at_any_depth_with_their_place() {
        let e = strict_value("[{\"x\": 1}, {\"y\": {\"k\": 1, \"k\": 1}}]").unwrap_err();
        assert_eq!(e.to_string(), "duplicate key `k` at line 1 column 29");
        assert_eq!(e.line(), 1);
        // the same key in sibling objects is fine
        assert!(strict_value("[{\"k\": 1}, {\"k\": 2}]").is_ok());
    }

    proptest! {
        /// Without repeats, the strict parse is serde_json's parse; arbitrary text never panics.
        #[test]
        fn agrees_with_serde_json_without_repeats(text in ".{0,60}") {
            if let Ok(v) = strict_value(&text) {
                prop_assert_eq!(Some(v), serde_json::from_str(&text).ok());
            }
        }

        #[test]
        fn a_generated_object_round_trips(keys in proptest::collection::btree_set("[a-z]{1,4}", 0..6)) {
            let obj: serde_json::Map<String, serde_json::Value> =
                keys.iter().map(|k| (k.clone(), serde_json::Value::from(k.len()))).collect();
            let text = serde_json::Value::Object(obj.clone()).to_string();
            prop_assert_eq!(strict_value(&text).unwrap(), serde_json::Value::Object(obj));
            if let Some(k) = keys.iter().next() {
                let twice = format!("{{\"{k}\": 1, {}", &text[1..]);
                prop_assert!(strict_value(&twice).unwrap_err().to_string().contains("duplicate key"));
            }
        }
    }
}
