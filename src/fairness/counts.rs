//! The one pass over the rows: each row's *intersection* (the combination of its sensitive
//! values) is an integer computed from the codes of its sensitive columns, and the row adds one
//! to one cell of a flat table: the four confusion counts of a classifier, or the count and three
//! sums of a regressor.
//!
//! No row allocates, no row hashes. Everything a fairness check reports is a function of that
//! small table: every grouping is a marginal of it (`grouping.rs`), and every metric and
//! disparity is arithmetic on the marginals (`classification.rs`, `regression.rs`).

use super::MAX_INTERSECTIONS;
use super::error::FairnessError;
use super::input::{ClassificationInput, Predictions, RegressionInput, SensitiveColumn};

/// Rows counted per block: the block's group indices live in a stack buffer (16 KiB, well
/// inside L1 with the count table), computed column by column so each column is read in one
/// sequential sweep.
const BLOCK: usize = 4096;

/// The four confusion counts of a binary classifier over some rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfusionCounts {
    pub true_positives: u64,
    pub false_positives: u64,
    pub true_negatives: u64,
    pub false_negatives: u64,
}

impl ConfusionCounts {
    pub fn rows(&self) -> u64 {
        self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
    }
    /// Rows whose label is positive.
    pub fn positive_labels(&self) -> u64 {
        self.true_positives + self.false_negatives
    }
    /// Rows whose label is negative.
    pub fn negative_labels(&self) -> u64 {
        self.false_positives + self.true_negatives
    }
    /// Rows predicted positive.
    pub fn positive_predictions(&self) -> u64 {
        self.true_positives + self.false_positives
    }
}

/// The count and sums of a regressor over some rows. The sums are compensated (Neumaier), so a
/// mean over ten million rows is as accurate as a pairwise sum (NumPy's).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RegressionSums {
    pub rows: u64,
    pub prediction: CompensatedSum,
    pub label: CompensatedSum,
    pub absolute_error: CompensatedSum,
}

/// A running sum with Neumaier's compensation term.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }
    pub fn merge(&mut self, other: &CompensatedSum) {
        self.add(other.sum);
        self.add(other.compensation);
    }
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// A cell of a [`GroupTable`]: what one intersection accumulates, and how two cells add up.
pub trait TableCell: Copy + Default {
    fn merge(&mut self, other: &Self);
    fn rows(&self) -> u64;
}

impl TableCell for ConfusionCounts {
    fn merge(&mut self, o: &Self) {
        self.true_positives += o.true_positives;
        self.false_positives += o.false_positives;
        self.true_negatives += o.true_negatives;
        self.false_negatives += o.false_negatives;
    }
    fn rows(&self) -> u64 {
        ConfusionCounts::rows(self)
    }
}

impl TableCell for RegressionSums {
    fn merge(&mut self, o: &Self) {
        self.rows += o.rows;
        self.prediction.merge(&o.prediction);
        self.label.merge(&o.label);
        self.absolute_error.merge(&o.absolute_error);
    }
    fn rows(&self) -> u64 {
        self.rows
    }
}

/// A sensitive column's name and value table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnValues {
    pub name: String,
    pub values: Vec<String>,
}

/// One cell per intersection (combination of the codes of all sensitive columns), in row-major
/// order with the first column varying slowest: the cell of codes `(c0, c1)` is
/// `c0 * values1 + c1`. Everything in a report is computed from this table.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTable<C> {
    pub columns: Vec<ColumnValues>,
    pub cells: Vec<C>,
}

pub type GroupCounts = GroupTable<ConfusionCounts>;
pub type GroupSums = GroupTable<RegressionSums>;

/// Counts each intersection's confusion cells in one pass over the rows.
pub fn count_classification(input: &ClassificationInput) -> Result<GroupCounts, FairnessError> {
    let n = input.labels.len();
    let predictions_len = match input.predictions {
        Predictions::Class(p) => p.len(),
        Predictions::Score { scores, .. } => scores.len(),
    };
    check_length("prediction", n, predictions_len)?;
    let columns = check_sensitive(input.sensitive, n)?;
    let intersections = intersections(input.sensitive);

    // Flat counts, four per intersection: index = group * 4 + label * 2 + prediction.
    let mut flat = vec![0u64; intersections * 4];
    in_blocks(input.sensitive, n, |start, end, groups| {
        let labels = &input.labels[start..end];
        match input.predictions {
            Predictions::Class(p) => {
                for ((&g, &l), &p) in groups.iter().zip(labels).zip(&p[start..end]) {
                    flat[g as usize * 4 + (l as usize) * 2 + p as usize] += 1;
                }
            }
            Predictions::Score { scores, threshold } => {
                let scores = &scores[start..end];
                if scores.iter().any(|s| s.is_nan()) {
                    let i = scores.iter().position(|s| s.is_nan()).unwrap_or(0);
                    return Err(FairnessError::NonFinite {
                        column: "score".to_string(),
                        row: start + i,
                        value: scores[i],
                    });
                }
                for ((&g, &l), &s) in groups.iter().zip(labels).zip(scores) {
                    flat[g as usize * 4 + (l as usize) * 2 + (s >= threshold) as usize] += 1;
                }
            }
        }
        Ok(())
    })?;
    let cells = flat
        .chunks_exact(4)
        .map(|c| ConfusionCounts {
            true_negatives: c[0],
            false_positives: c[1],
            false_negatives: c[2],
            true_positives: c[3],
        })
        .collect();
    Ok(GroupTable { columns, cells })
}

/// Sums each intersection's predictions, labels and absolute errors in one pass over the rows.
pub fn sum_regression(input: &RegressionInput) -> Result<GroupSums, FairnessError> {
    let n = input.labels.len();
    check_length("prediction", n, input.predictions.len())?;
    let columns = check_sensitive(input.sensitive, n)?;
    let mut cells = vec![RegressionSums::default(); intersections(input.sensitive)];
    in_blocks(input.sensitive, n, |start, end, groups| {
        for (name, values) in [
            ("label", &input.labels[start..end]),
            ("prediction", &input.predictions[start..end]),
        ] {
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(FairnessError::NonFinite {
                    column: name.to_string(),
                    row: start + i,
                    value: values[i],
                });
            }
        }
        let rows = groups
            .iter()
            .zip(&input.labels[start..end])
            .zip(&input.predictions[start..end]);
        for ((&g, &y), &p) in rows {
            let cell = &mut cells[g as usize];
            cell.rows += 1;
            cell.prediction.add(p);
            cell.label.add(y);
            cell.absolute_error.add((p - y).abs());
        }
        Ok(())
    })?;
    Ok(GroupTable { columns, cells })
}

/// Runs `f` over the `n` rows in blocks of [`BLOCK`], with each row's intersection index in
/// `groups` (decoded once per block, so the inner loops stay simple).
fn in_blocks<E>(
    sensitive: &[SensitiveColumn],
    n: usize,
    mut f: impl FnMut(usize, usize, &[u32]) -> Result<(), E>,
) -> Result<(), E> {
    let mut groups = [0u32; BLOCK];
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let groups = &mut groups[..end - start];
        block_groups(sensitive, start, end, groups);
        f(start, end, groups)?;
        start = end;
    }
    Ok(())
}

fn check_length(column: &str, expected: usize, found: usize) -> Result<(), FairnessError> {
    if expected != found {
        return Err(FairnessError::LengthMismatch {
            column: column.to_string(),
            expected,
            found,
        });
    }
    Ok(())
}

/// Checks lengths, codes and the number of intersections; returns the value tables.
fn check_sensitive(
    sensitive: &[SensitiveColumn],
    n: usize,
) -> Result<Vec<ColumnValues>, FairnessError> {
    if n == 0 {
        return Err(FairnessError::EmptyInput);
    }
    if sensitive.is_empty() {
        return Err(FairnessError::NoSensitiveColumn);
    }
    let mut product: u128 = 1;
    for column in sensitive {
        check_length(column.name, n, column.codes.len())?;
        // A separate sweep (vectorised max) keeps the bounds check out of the counting loop.
        let max = column.codes.iter().copied().max().unwrap_or(0);
        if max as usize >= column.values.len() {
            let row = column
                .codes
                .iter()
                .position(|&c| c as usize >= column.values.len())
                .unwrap_or(0);
            return Err(FairnessError::CodeOutOfRange {
                column: column.name.to_string(),
                row,
                code: column.codes[row],
                values: column.values.len(),
            });
        }
        product *= column.values.len() as u128;
    }
    if product > MAX_INTERSECTIONS as u128 {
        return Err(FairnessError::TooManyIntersections {
            columns: sensitive.iter().map(|c| c.name.to_string()).collect(),
            intersections: product,
        });
    }
    Ok(sensitive
        .iter()
        .map(|c| ColumnValues {
            name: c.name.to_string(),
            values: c.values.to_vec(),
        })
        .collect())
}

fn intersections(sensitive: &[SensitiveColumn]) -> usize {
    sensitive.iter().map(|c| c.values.len()).product()
}

/// The intersection index of rows `start..end`, one column at a time (Horner's scheme: the first
/// column varies slowest).
#[inline]
fn block_groups(sensitive: &[SensitiveColumn], start: usize, end: usize, groups: &mut [u32]) {
    let (first, rest) = sensitive
        .split_first()
        .expect("checked: at least one column");
    groups.copy_from_slice(&first.codes[start..end]);
    for column in rest {
        let k = column.values.len() as u32;
        for (g, &c) in groups.iter_mut().zip(&column.codes[start..end]) {
            *g = *g * k + c;
        }
    }
}

impl<C: TableCell> GroupTable<C> {
    /// All rows together.
    pub fn overall(&self) -> C {
        let mut all = C::default();
        for c in &self.cells {
            all.merge(c);
        }
        all
    }
}

#[cfg(test)]
#[path = "counts_tests.rs"]
mod tests;
