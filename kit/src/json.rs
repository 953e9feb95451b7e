//! JSON read without silent guesses: [`strict_value`] (text) and [`strict_slice`] (bytes)
//! parse into a `serde_json::Value` like serde_json does, but
//! - an object that repeats a key is an error (serde_json keeps the last value, so a repeat
//!   cannot be seen after parsing);
//! - so is a whole number beyond the 64-bit range (serde_json rounds it to the nearest
//!   `f64`, so `18446744073709551616` and `18446744073709551617` would compare equal).
//!
//! Errors carry serde_json's line and column.
//!
//! ```
//! assert!(kit::json::strict_value(r#"{"a": 1, "b": {"a": 2}}"#).is_ok());
//! let e = kit::json::strict_value("{\"a\": 1,\n \"a\": 2}").unwrap_err();
//! assert_eq!(e.to_string(), "the key \"a\" appears twice in one object at line 2 column 4");
//! ```

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parse `text` as one JSON value, refusing repeated keys (at any depth) and whole numbers
/// beyond the 64-bit range.
pub fn strict_value(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|s| s.0)
}

/// [`strict_value`] for bytes (an HTTP body, a file read whole).
pub fn strict_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(bytes).map(|s| s.0)
}

/// 2^64: every integer at or above it arrives as an `f64` (serde_json's fallback).
const U64_END: f64 = 18_446_744_073_709_551_616.0;
/// −2^63: every integer below it arrives as an `f64` (and may round to it).
const I64_START: f64 = -9_223_372_036_854_775_808.0;

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
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // integers that fit arrive as u64/i64; a whole number out here was rounded
        // (−2^63 − 1 rounds to −2^63 itself, so that end is out too)
        if v.fract() == 0.0 && !(v > I64_START && v < U64_END) {
            return Err(E::custom(format_args!(
                "the number {v:e} is beyond the 64-bit integer range and would be rounded \
                 (numbers this large cannot be compared exactly)"
            )));
        }
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
                return Err(de::Error::custom(format_args!(
                    "the key {} appears twice in one object",
                    Value::String(key)
                )));
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
        assert_eq!(
            e.to_string(),
            "the key \"k\" appears twice in one object at line 1 column 29"
        );
        assert_eq!(e.line(), 1);
        // the same key in sibling objects is fine
        assert!(strict_value("[{\"k\": 1}, {\"k\": 2}]").is_ok());
    }

    #[test]
    fn whole_numbers_beyond_64_bits_are_refused_not_rounded() {
        let e = strict_value("[1,\n18446744073709551616]").unwrap_err();
        assert!(
            e.to_string().contains("beyond the 64-bit integer range"),
            "{e}"
        );
        assert_eq!(e.line(), 2);
        assert!(strict_value("-9223372036854775809").is_err());
        // the edges that fit, and fractions, stay exact
        assert_eq!(
            strict_value("[18446744073709551615, -9223372036854775808, 0.5]").unwrap(),
            serde_json::json!([u64::MAX, i64::MIN, 0.5])
        );
        assert_ne!(
            strict_value("18446744073709551615").unwrap(),
            strict_value("18446744073709551614").unwrap()
        );
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
                prop_assert!(strict_value(&twice).unwrap_err().to_string().contains("appears twice"));
            }
        }
    }
}
