//! What a comparison can be told (methods, thresholds, kinds, columns, memory), and how it says
//! where it is.

use std::collections::BTreeMap;

use crate::data::Kind;

use super::method::Method;

/// What the user can set; [`Default`] is Evidently's DataDriftPreset.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftOptions {
    /// Only these columns (each must be in both files); `None` = every common column.
    pub columns: Option<Vec<String>>,
    /// A method for every column it applies to (the others keep the automatic choice).
    pub method: Option<Method>,
    pub column_methods: BTreeMap<String, Method>,
    /// A threshold for every column (with the method's rule: p below, or distance at least).
    pub threshold: Option<f64>,
    pub column_thresholds: BTreeMap<String, f64>,
    /// Kind overrides.
    pub kinds: BTreeMap<String, Kind>,
    /// Dataset drift when the share of drifted columns is at least this.
    pub drift_share: f64,
    /// Bytes of column data held in memory at once (both files); `None` = a quarter of the
    /// machine's memory. A column larger than this on its own is tested from streaming
    /// summaries ([`super::sketch`]).
    pub memory_budget: Option<u64>,
    /// Test every column from streaming summaries, as if each were larger than memory.
    pub streaming: bool,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            columns: None,
            method: None,
            column_methods: BTreeMap::new(),
            threshold: None,
            column_thresholds: BTreeMap::new(),
            kinds: BTreeMap::new(),
            drift_share: 0.5,
            memory_budget: None,
            streaming: false,
        }
    }
}

/// Where a comparison is.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    /// `reading`, `testing` or `done`.
    pub phase: &'static str,
    pub done: usize,
    pub total: usize,
    pub message: String,
}

/// A comparison as the app's Compare view asks for it: the two files, and the few options it
/// offers; what is absent or blank takes the defaults.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CompareRequest {
    pub reference: String,
    pub current: String,
    pub columns: Option<Vec<String>>,
    /// A method name (see [`super::method::catalogue`]) for every column it applies to.
    pub method: Option<String>,
    pub threshold: Option<f64>,
    pub drift_share: Option<f64>,
}

impl CompareRequest {
    /// The options the request means; an unknown method is a bad-input error naming it.
    pub fn options(&self) -> Result<DriftOptions, super::DriftError> {
        let method = match self
            .method
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => Some(
                m.parse::<Method>()
                    .map_err(|e| super::DriftError::BadOption(e.to_string()))?,
            ),
            None => None,
        };
        Ok(DriftOptions {
            columns: self.columns.clone().filter(|c| !c.is_empty()),
            method,
            threshold: self.threshold,
            drift_share: self.drift_share.unwrap_or(0.5),
            ..DriftOptions::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_takes_the_defaults_for_what_is_blank_and_names_a_bad_method() {
        let request = CompareRequest {
            reference: "r.csv".into(),
            current: "c.csv".into(),
            columns: Some(vec![]),
            method: Some(" ".into()),
            ..Default::default()
        };
        assert_eq!(request.options().unwrap(), DriftOptions::default());
        let request = CompareRequest {
            method: Some("psi".into()),
            drift_share: Some(0.3),
            ..request
        };
        let options = request.options().unwrap();
        assert_eq!(options.method, Some("psi".parse().unwrap()));
        assert_eq!(options.drift_share, 0.3);
        let bad = CompareRequest {
            method: Some("nope".into()),
            ..Default::default()
        };
        assert!(bad.options().unwrap_err().to_string().contains("nope"));
    }
}
