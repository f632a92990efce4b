//! What a fairness check is asked: [`FairnessRequest`] as the engine takes it, and
//! [`FairnessForm`], the same request as the desktop app's Fairness view sends it, so that the
//! shell passes the UI's JSON straight to the engine and the defaults are decided here, once.

use std::path::PathBuf;

use serde::Deserialize;

use super::bootstrap::BootstrapOptions;
use super::classification::FOUR_FIFTHS;
use super::metrics::DEFAULT_MIN_GROUP_SIZE;

/// Default largest acceptable between-groups difference.
pub const DEFAULT_MAX_DIFFERENCE: f64 = 0.1;

/// Fewest bootstrap replicates a form asks for: with fewer, the endpoints of a 95 % interval rest
/// on two or three replicates. The app raises a smaller number to this; the CLI refuses it.
pub const MIN_FORM_REPLICATES: usize = 100;

/// What to check.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessRequest {
    pub path: PathBuf,
    pub label: String,
    pub prediction: String,
    pub sensitive: Vec<String>,
    /// `None`: `1` or `true` when the label has it.
    pub positive_label: Option<String>,
    /// Forces a score prediction with this threshold; `None`: a float column with values other
    /// than 0 and 1 is a score with threshold 0.5.
    pub score_threshold: Option<f64>,
    pub min_group_size: u64,
    pub bootstrap: Option<BootstrapOptions>,
    pub max_difference: f64,
    pub min_ratio: f64,
    /// An earlier file with the same columns, for "what moved".
    pub compare_with: Option<PathBuf>,
}

impl FairnessRequest {
    /// The columns a check reads: label, prediction, then each sensitive column once.
    pub(super) fn column_exprs(&self) -> Vec<polars::prelude::Expr> {
        let mut names: Vec<&str> = vec![&self.label, &self.prediction];
        for s in &self.sensitive {
            if !names.contains(&s.as_str()) {
                names.push(s);
            }
        }
        names
            .iter()
            .map(|n| polars::prelude::Expr::Column((*n).into()))
            .collect()
    }

    pub fn new(path: PathBuf, label: String, prediction: String, sensitive: Vec<String>) -> Self {
        FairnessRequest {
            path,
            label,
            prediction,
            sensitive,
            positive_label: None,
            score_threshold: None,
            min_group_size: DEFAULT_MIN_GROUP_SIZE,
            bootstrap: None,
            max_difference: DEFAULT_MAX_DIFFERENCE,
            min_ratio: FOUR_FIFTHS,
            compare_with: None,
        }
    }
}

/// A [`FairnessRequest`] as a form holds it: an absent (or `null`) field takes the default
/// [`FairnessRequest::new`] sets, and an empty text field (`positive_label`, `compare_with`) is
/// absent. [`FairnessForm::into_request`] applies those rules.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FairnessForm {
    pub path: String,
    pub label: String,
    pub prediction: String,
    pub sensitive: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub positive_label: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub score_threshold: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub min_group_size: Option<u64>,
    /// The earlier file for "what moved".
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub compare_with: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub bootstrap: Option<BootstrapForm>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub max_difference: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub min_ratio: Option<f64>,
}

/// The bootstrap a form asks for (at the default confidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BootstrapForm {
    /// Raised to [`MIN_FORM_REPLICATES`].
    pub replicates: usize,
    pub seed: u64,
}

impl FairnessForm {
    /// The request this form describes.
    pub fn into_request(self) -> FairnessRequest {
        let present = |s: Option<String>| s.filter(|s| !s.is_empty());
        let mut request = FairnessRequest::new(
            PathBuf::from(self.path),
            self.label,
            self.prediction,
            self.sensitive,
        );
        request.positive_label = present(self.positive_label);
        request.score_threshold = self.score_threshold;
        if let Some(n) = self.min_group_size {
            request.min_group_size = n;
        }
        if let Some(d) = self.max_difference {
            request.max_difference = d;
        }
        if let Some(r) = self.min_ratio {
            request.min_ratio = r;
        }
        request.compare_with = present(self.compare_with).map(PathBuf::from);
        request.bootstrap = self.bootstrap.map(|b| BootstrapOptions {
            replicates: b.replicates.max(MIN_FORM_REPLICATES),
            seed: b.seed,
            ..BootstrapOptions::default()
        });
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> FairnessRequest {
        serde_json::from_str::<FairnessForm>(json)
            .unwrap_or_else(|e| panic!("{json}: {e}"))
            .into_request()
    }

    #[test]
    fn absent_and_null_fields_take_the_defaults() {
        let expected = FairnessRequest::new(
            PathBuf::from("/data/preds.parquet"),
            "label".into(),
            "prediction".into(),
            vec!["sex".into(), "age_group".into()],
        );
        let required = r#""path": "/data/preds.parquet", "label": "label",
            "prediction": "prediction", "sensitive": ["sex", "age_group"]"#;
        assert_eq!(request(&format!("{{{required}}}")), expected);
        let nulls = r#""positive_label": null, "score_threshold": null, "min_group_size": null,
            "compare_with": null, "bootstrap": null, "max_difference": null, "min_ratio": null"#;
        assert_eq!(request(&format!("{{{required}, {nulls}}}")), expected);
        assert_eq!(expected.min_group_size, DEFAULT_MIN_GROUP_SIZE);
        assert_eq!(expected.max_difference, DEFAULT_MAX_DIFFERENCE);
        assert_eq!(expected.min_ratio, FOUR_FIFTHS);
    }

    #[test]
    fn empty_text_is_absent() {
        let r = request(
            r#"{"path": "p.csv", "label": "y", "prediction": "p", "sensitive": ["g"],
                "positive_label": "", "compare_with": ""}"#,
        );
        assert_eq!((r.positive_label, r.compare_with), (None, None));
        let r = request(
            r#"{"path": "p.csv", "label": "y", "prediction": "p", "sensitive": ["g"],
                "positive_label": "yes", "compare_with": "before.csv"}"#,
        );
        assert_eq!(r.positive_label.as_deref(), Some("yes"));
        assert_eq!(r.compare_with, Some(PathBuf::from("before.csv")));
    }

    #[test]
    fn given_fields_are_taken_and_few_replicates_raised() {
        let r = request(
            r#"{"path": "p.csv", "label": "y", "prediction": "s", "sensitive": ["g"],
                "score_threshold": 0.7, "min_group_size": 5, "max_difference": 0.2,
                "min_ratio": 0.9, "bootstrap": {"replicates": 10, "seed": 3}}"#,
        );
        assert_eq!(r.score_threshold, Some(0.7));
        assert_eq!(r.min_group_size, 5);
        assert_eq!((r.max_difference, r.min_ratio), (0.2, 0.9));
        assert_eq!(
            r.bootstrap,
            Some(BootstrapOptions {
                replicates: MIN_FORM_REPLICATES,
                seed: 3,
                ..BootstrapOptions::default()
            })
        );
        let r = request(
            r#"{"path": "p.csv", "label": "y", "prediction": "s", "sensitive": ["g"],
                "bootstrap": {"replicates": 2500, "seed": 0}}"#,
        );
        assert_eq!(r.bootstrap.map(|b| b.replicates), Some(2500));
    }

    #[test]
    fn a_form_without_a_required_field_is_refused() {
        let err = serde_json::from_str::<FairnessForm>(
            r#"{"path": "p.csv", "label": "y", "sensitive": ["g"]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("prediction"), "{err}");
    }
}
