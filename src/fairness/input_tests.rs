//! Coding labels, predictions and sensitive values.

use super::*;

#[test]
fn unknown_positive_label_is_an_error() {
    let labels = ["yes", "no", "yes"];
    let err = binarize_labels("approved", &labels, &"Yes").unwrap_err();
    assert_eq!(
        err,
        FairnessError::UnknownPositiveLabel {
            column: "approved".into(),
            positive: "Yes".into(),
            values: vec!["yes".into(), "no".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "positive label Yes does not occur in column approved (its values: yes, no)"
    );
    assert_eq!(
        binarize_labels("approved", &labels, &"yes").unwrap(),
        [true, false, true]
    );
    // A label column with a single class is fine when it is the positive one, not otherwise.
    assert!(binarize_labels("y", &[1, 1], &1).is_ok());
    assert!(matches!(
        binarize_labels("y", &[0, 0], &1),
        Err(FairnessError::UnknownPositiveLabel { .. })
    ));
    // Predictions may lack the positive class, but not have two other classes.
    assert_eq!(
        binarize_predictions("p", &[0, 0], &1).unwrap(),
        [false, false]
    );
    assert!(matches!(
        binarize_predictions("p", &[0, 2], &1),
        Err(FairnessError::UnknownPositiveLabel { .. })
    ));
}

#[test]
fn a_third_class_is_an_error() {
    let err = binarize_labels("y", &[0, 1, 1, 2, 3], &1).unwrap_err();
    assert_eq!(
        err,
        FairnessError::NotBinary {
            column: "y".into(),
            values: vec!["0".into(), "1".into(), "2".into()]
        }
    );
    assert!(binarize_predictions("p", &["a", "b", "c"], &"a").is_err());
}

#[test]
fn encoding_sorts_values_like_numpy() {
    let col = EncodedColumn::from_values("age", &["60+", "18-29", "b", "B", "18-29", "é"]);
    assert_eq!(col.values, ["18-29", "60+", "B", "b", "é"]);
    assert_eq!(col.codes, [1, 0, 3, 2, 0, 4]);
}
