//! What the numeric core reads: labels and predictions already mapped to "is the positive
//! class" (or scores with a threshold), and sensitive columns as integer codes into a sorted table
//! of values, so that counting a row never compares, hashes or allocates a value.

use std::collections::HashMap;
use std::fmt;

use super::error::FairnessError;

/// A sensitive column, integer-coded: row `i` has the value `values[codes[i]]`.
///
/// Groups are reported in code order, and Fairlearn reports them in sorted order of their
/// values, so a reader should give codes in sorted value order ([`EncodedColumn::from_values`]
/// does). Missing values should be coded as a value of their own (Fairlearn would drop them from
/// the groups but not from the overall figures).
#[derive(Debug, Clone, Copy)]
pub struct SensitiveColumn<'a> {
    pub name: &'a str,
    pub codes: &'a [u32],
    pub values: &'a [String],
}

/// An owned, integer-coded sensitive column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedColumn {
    pub name: String,
    pub codes: Vec<u32>,
    pub values: Vec<String>,
}

impl EncodedColumn {
    /// Codes string values in sorted order (byte order of UTF-8, which is Unicode code point
    /// order, which is how `np.unique` sorts Python strings).
    pub fn from_values<S: AsRef<str>>(name: &str, rows: &[S]) -> EncodedColumn {
        let mut first_seen: HashMap<&str, u32> = HashMap::new();
        let mut codes = Vec::with_capacity(rows.len());
        for row in rows {
            let next = first_seen.len() as u32;
            codes.push(*first_seen.entry(row.as_ref()).or_insert(next));
        }
        let mut values: Vec<(&str, u32)> = first_seen.into_iter().collect();
        values.sort_unstable();
        let mut remap = vec![0u32; values.len()];
        for (sorted, &(_, seen)) in values.iter().enumerate() {
            remap[seen as usize] = sorted as u32;
        }
        for code in &mut codes {
            *code = remap[*code as usize];
        }
        EncodedColumn {
            name: name.to_string(),
            codes,
            values: values.into_iter().map(|(v, _)| v.to_string()).collect(),
        }
    }

    pub fn as_column(&self) -> SensitiveColumn<'_> {
        SensitiveColumn {
            name: &self.name,
            codes: &self.codes,
            values: &self.values,
        }
    }
}

/// A classifier's predictions: classes already mapped to "is the positive class", or scores
/// with a threshold (`score >= threshold` is a positive prediction).
#[derive(Debug, Clone, Copy)]
pub enum Predictions<'a> {
    Class(&'a [bool]),
    Score { scores: &'a [f64], threshold: f64 },
}

/// One dataset of a binary classifier: labels already mapped to "is the positive label"
/// ([`binarize_labels`]), predictions, and one or more sensitive columns, all of the same length.
#[derive(Debug, Clone, Copy)]
pub struct ClassificationInput<'a> {
    pub labels: &'a [bool],
    pub predictions: Predictions<'a>,
    pub sensitive: &'a [SensitiveColumn<'a>],
}

/// One dataset of a regressor: numeric labels and predictions, and sensitive columns.
#[derive(Debug, Clone, Copy)]
pub struct RegressionInput<'a> {
    pub labels: &'a [f64],
    pub predictions: &'a [f64],
    pub sensitive: &'a [SensitiveColumn<'a>],
}

/// Maps a label column to "is the positive label". The column must hold at most two distinct
/// values and the positive label must be one of them.
pub fn binarize_labels<T: PartialEq + fmt::Display>(
    column: &str,
    values: &[T],
    positive: &T,
) -> Result<Vec<bool>, FairnessError> {
    let distinct = two_distinct(column, values)?;
    if !distinct.contains(&positive) {
        return Err(unknown_positive(column, positive, &distinct));
    }
    Ok(values.iter().map(|v| v == positive).collect())
}

/// Maps a predicted-class column to "is the positive class". Unlike labels, predictions may lack
/// the positive class (a model that never selects anyone); but two distinct values neither of
/// which is the positive label mean the wrong label was named (Fairlearn's rule too).
pub fn binarize_predictions<T: PartialEq + fmt::Display>(
    column: &str,
    values: &[T],
    positive: &T,
) -> Result<Vec<bool>, FairnessError> {
    let distinct = two_distinct(column, values)?;
    if distinct.len() == 2 && !distinct.contains(&positive) {
        return Err(unknown_positive(column, positive, &distinct));
    }
    Ok(values.iter().map(|v| v == positive).collect())
}

fn two_distinct<'v, T: PartialEq + fmt::Display>(
    column: &str,
    values: &'v [T],
) -> Result<Vec<&'v T>, FairnessError> {
    let mut distinct: Vec<&T> = Vec::with_capacity(3);
    for v in values {
        if !distinct.contains(&v) {
            distinct.push(v);
            if distinct.len() > 2 {
                return Err(FairnessError::NotBinary {
                    column: column.to_string(),
                    values: distinct.iter().map(|v| v.to_string()).collect(),
                });
            }
        }
    }
    Ok(distinct)
}

fn unknown_positive<T: fmt::Display>(column: &str, positive: &T, seen: &[&T]) -> FairnessError {
    FairnessError::UnknownPositiveLabel {
        column: column.to_string(),
        positive: positive.to_string(),
        values: seen.iter().map(|v| v.to_string()).collect(),
    }
}

#[cfg(test)]
#[path = "input_tests.rs"]
mod tests;
