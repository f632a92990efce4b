//! Numbers JSON cannot hold. Every JSON Driftdeck writes (CLI `--json`, reports, the app's IPC)
//! spells NaN and the infinities as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, as
//! MLflow's REST API and Python's `json` module (with quotes) do; everything else is a number.

use serde::{Serialize, Serializer};

/// An `f64` that serialises as a number, or as `"NaN"` / `"Infinity"` / `"-Infinity"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JsonNumber(pub f64);

impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_nan() {
            s.serialize_str("NaN")
        } else if x.is_infinite() {
            s.serialize_str(if x > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            s.serialize_f64(x)
        }
    }
}

/// How a [`JsonNumber`] looks to TypeScript: `number | "NaN" | "Infinity" | "-Infinity"`.
#[cfg(feature = "specta")]
#[derive(Serialize, specta::Type)]
#[serde(rename = "JsonNumber", untagged)]
#[allow(dead_code)] // only its type is used
enum JsonNumberType {
    Number(f64),
    NonFinite(NonFinite),
}

#[cfg(feature = "specta")]
#[derive(Serialize, specta::Type)]
#[allow(dead_code)] // only its type is used
enum NonFinite {
    #[serde(rename = "NaN")]
    NaN,
    #[serde(rename = "Infinity")]
    Infinity,
    #[serde(rename = "-Infinity")]
    NegInfinity,
}

#[cfg(feature = "specta")]
impl specta::Type for JsonNumber {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <JsonNumberType as specta::Type>::definition(types)
    }
}

/// `Option<f64>` as a [`JsonNumber`] or `null`, for `#[serde(serialize_with = ...)]`.
pub fn optional_number<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => JsonNumber(*x).serialize(s),
        None => s.serialize_none(),
    }
}

/// A map of `f64` values as [`JsonNumber`]s, for `#[serde(serialize_with = ...)]`.
pub fn number_map<S: Serializer, K: Serialize + Ord>(
    map: &std::collections::BTreeMap<K, f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(map.iter().map(|(k, v)| (k, JsonNumber(*v))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_spelled_out() {
        let v = |x: f64| serde_json::to_value(JsonNumber(x)).unwrap();
        assert_eq!(v(f64::NAN), serde_json::json!("NaN"));
        assert_eq!(v(f64::INFINITY), serde_json::json!("Infinity"));
        assert_eq!(v(f64::NEG_INFINITY), serde_json::json!("-Infinity"));
        assert_eq!(v(0.25), serde_json::json!(0.25));
    }
}
