//! Group metrics and Fairlearn's disparity metrics, computed from per-group counts.
//!
//! Everything a fairness check reports is a function of a small table: for each combination of
//! sensitive values (each *intersection*), the four confusion counts of a binary classifier, or
//! the count and three sums of a regressor. So the data is read exactly once
//! ([`count_classification`], [`sum_regression`]): each row's group is an integer computed from
//! the integer codes of its sensitive columns, and the row adds one to one cell of a flat array.
//! No row allocates, no row hashes. Every grouping the report shows — each sensitive column on its
//! own, and the intersection of all of them — is a marginal of that table, and every metric and
//! disparity is arithmetic on the marginals ([`report_from_counts`]).
//!
//! # Matching Fairlearn
//!
//! The names and definitions are Fairlearn 0.15's (`fairlearn.metrics`), and on the shared drift
//! data the classification values are Fairlearn's to the last bit (regression means to ~1e-13:
//! sums in another order; see `metrics_tests.rs`). Fairlearn's choices that this module mirrors:
//!
//! - Groups are listed in sorted order of their values (pandas `groupby`); an intersection lists
//!   the full product of the values *observed* in each column (`MultiIndex.from_product` of
//!   `np.unique` per column), so a combination that never occurs is a group with no rows, whose
//!   metrics are NaN in Fairlearn and are left out of every min, max and ratio (pandas skips NaN).
//!   A value that occurs in no row (a code in the value table that no row uses) is not a group.
//! - `difference(method="between_groups")` is `max_g |m(g) - min_g m(g)|`, `ratio` is
//!   `min_g m(g) / max_g m(g)`; `to_overall` is `max_g |m(g) - m(all)|` and
//!   `min_g r(m(g) / m(all))` with `r(x) = 1/x if x > 1 else x`. Each is computed with the same
//!   floating-point operations in the same order as Fairlearn, so the results are bit-identical.
//! - Equalized odds with `agg="worst_case"` (Fairlearn's default) is Python's built-in `max` (for
//!   the difference) or `min` (for the ratio) over the pair (true positive rate, false positive
//!   rate) in that order. Built-in `max`/`min` are not NaN-aware: a NaN first element wins, a NaN
//!   second element is ignored.
//! - A rate whose denominator is zero (the true positive rate of a group with no positive labels,
//!   the precision of a group never predicted positive) is NaN in sklearn's arithmetic, and sklearn
//!   turns it into **0.0** (`confusion_matrix(normalize="true")` applies `nan_to_num`;
//!   `precision_score` returns `zero_division=0`). Fairlearn therefore counts such a group as a
//!   rate of 0 in its min and max: one group without positives drives the equal opportunity ratio
//!   to 0 and its difference to the largest rate of the other groups.
//!
//! Here a metric that is undefined for a group is never a number: [`GroupMetrics`] holds `None`
//! and the reason ([`UndefinedReason`]). How undefined values enter the disparities is a choice,
//! [`UndefinedPolicy`]: by default ([`UndefinedPolicy::Exclude`]) they are left out of the min and
//! max, and the groups left out are listed in the [`MetricSummary`]; [`UndefinedPolicy::AsFairlearn`]
//! counts them as 0, exactly as Fairlearn does. On data where every group has positive and
//! negative labels and positive predictions — the shared reference data — the two agree.
//!
//! # Confidence intervals
//!
//! [`BootstrapOptions`] adds a percentile bootstrap interval to each disparity. A bootstrap
//! replicate resamples the rows with replacement; every disparity depends on the rows only
//! through the intersection × confusion-cell counts, and the counts of a resample of `n` rows are
//! multinomial(`n`, observed cell frequencies). So each replicate draws those counts directly —
//! a chain of binomial draws, one per non-empty cell ([`Rng::binomial`]) — and recomputes every
//! disparity of every grouping from them: the same distribution as resampling rows, at a cost
//! independent of the number of rows and proportional to the number of non-empty intersections
//! (10M rows, 8 intersections, 2000 replicates: a few milliseconds; 4000 intersections: ~3 s).
//! The interval is the percentile interval of the replicates (NumPy's linear quantiles);
//! replicates where a disparity is undefined (e.g. a small group drew no positives) are counted
//! and left out of it. The random numbers come from xoshiro256** seeded through splitmix64, so
//! an interval is a pure function of the counts and the seed (on a given platform: the samplers
//! use `ln` and `sqrt` from the system's libm).

use std::collections::HashMap;
use std::fmt;

/// Groups with fewer rows than this are flagged: a rate over 30 rows has a standard error of up
/// to 0.09, the size of the disparities people act on.
pub const DEFAULT_MIN_GROUP_SIZE: u64 = 30;

/// Bootstrap replicates by default. The replicates cost microseconds each (they resample counts,
/// not rows), so the default can afford to make the Monte Carlo error of a 95 % percentile
/// interval's endpoints small: 2000 puts 50 replicates beyond each endpoint, against 25 for the
/// often-quoted 1000.
pub const DEFAULT_REPLICATES: usize = 2000;

/// Confidence level of bootstrap intervals by default.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// The four-fifths rule (US EEOC Uniform Guidelines): a selection rate below 80 % of the highest
/// group's rate is evidence of adverse impact.
pub const FOUR_FIFTHS: f64 = 0.8;

/// Most intersections (product of the sensitive columns' numbers of values) one report takes.
/// Beyond this most intersections are empty or tiny and the per-intersection table is unreadable;
/// the count table alone would take 32 MiB (classification) or 64 MiB (regression).
pub const MAX_INTERSECTIONS: usize = 1 << 20;

/// Rows counted per block: the block's group indices live in a stack buffer (16 KiB, well
/// inside L1 with the count table), computed column by column so each column is read in one
/// sequential sweep.
const BLOCK: usize = 4096;

// ---------------------------------------------------------------------------------------------
// Input

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

// ---------------------------------------------------------------------------------------------
// Errors

/// Why a fairness check could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum FairnessError {
    /// The dataset has no rows.
    EmptyInput,
    /// No sensitive column was given.
    NoSensitiveColumn,
    /// A column's length differs from the label column's.
    LengthMismatch {
        column: String,
        expected: usize,
        found: usize,
    },
    /// A count table built by hand whose number of cells is not the product of its columns'
    /// numbers of values.
    MalformedCounts { cells: usize, combinations: usize },
    /// A sensitive column's code does not index its value table.
    CodeOutOfRange {
        column: String,
        row: usize,
        code: u32,
        values: usize,
    },
    /// The sensitive columns have more combinations of values than [`MAX_INTERSECTIONS`].
    TooManyIntersections {
        columns: Vec<String>,
        intersections: u128,
    },
    /// A column that must be binary holds a third value (the first three distinct values).
    NotBinary { column: String, values: Vec<String> },
    /// The positive label is not among the column's values.
    UnknownPositiveLabel {
        column: String,
        positive: String,
        values: Vec<String>,
    },
    /// A score, label or prediction is NaN or infinite where a number is needed.
    NonFinite {
        column: String,
        row: usize,
        value: f64,
    },
    /// An option is out of its range.
    InvalidOption {
        option: &'static str,
        reason: String,
    },
}

impl fmt::Display for FairnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FairnessError::EmptyInput => write!(f, "the dataset has no rows"),
            FairnessError::NoSensitiveColumn => write!(f, "no sensitive column was given"),
            FairnessError::LengthMismatch {
                column,
                expected,
                found,
            } => write!(
                f,
                "column {column} has {found} rows where the labels have {expected}"
            ),
            FairnessError::MalformedCounts {
                cells,
                combinations,
            } => write!(
                f,
                "the count table has {cells} cells but its columns' values make {combinations} combinations"
            ),
            FairnessError::CodeOutOfRange {
                column,
                row,
                code,
                values,
            } => write!(
                f,
                "sensitive column {column}: row {row} has code {code}, but the column has only {values} values"
            ),
            FairnessError::TooManyIntersections {
                columns,
                intersections,
            } => write!(
                f,
                "sensitive columns {} have {intersections} combinations of values; at most {MAX_INTERSECTIONS} are supported",
                columns.join(", ")
            ),
            FairnessError::NotBinary { column, values } => write!(
                f,
                "column {column} must hold two classes but holds at least three: {}",
                values.join(", ")
            ),
            FairnessError::UnknownPositiveLabel {
                column,
                positive,
                values,
            } => write!(
                f,
                "positive label {positive} does not occur in column {column} (its values: {})",
                values.join(", ")
            ),
            FairnessError::NonFinite { column, row, value } => {
                write!(
                    f,
                    "column {column}: row {row} holds {value}, not a finite number"
                )
            }
            FairnessError::InvalidOption { option, reason } => {
                write!(f, "option {option}: {reason}")
            }
        }
    }
}

impl std::error::Error for FairnessError {}

// ---------------------------------------------------------------------------------------------
// Counting: the one pass over the rows

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
    let mut groups = [0u32; BLOCK];
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let groups = &mut groups[..end - start];
        block_groups(input.sensitive, start, end, groups);
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
        start = end;
    }
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
    let mut groups = [0u32; BLOCK];
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let groups = &mut groups[..end - start];
        block_groups(input.sensitive, start, end, groups);
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
        start = end;
    }
    Ok(GroupTable { columns, cells })
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

// ---------------------------------------------------------------------------------------------
// Groupings: marginals of the table

/// Which groups a grouping (a set of sensitive columns) has, and where each intersection goes.
#[derive(Debug, Clone)]
struct GroupingMap {
    columns: Vec<usize>,
    /// Per group, its code in each of `columns`.
    keys: Vec<Vec<u32>>,
    /// Per intersection (cell of the table), its group, or `NONE` for a combination that uses a
    /// value no row has (such cells are empty).
    group_of_cell: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl GroupingMap {
    /// Fairlearn's groups: for one column, its observed values; for several, the product of each
    /// column's observed values (combinations that never occur included, with no rows).
    fn new<C: TableCell>(table: &GroupTable<C>, columns: &[usize]) -> GroupingMap {
        let cards: Vec<usize> = table.columns.iter().map(|c| c.values.len()).collect();
        let mut observed: Vec<Vec<bool>> = cards.iter().map(|&k| vec![false; k]).collect();
        let mut codes = vec![0u32; cards.len()];
        for (cell, c) in table.cells.iter().enumerate() {
            if c.rows() > 0 {
                decode(cell, &cards, &mut codes);
                for (col, &code) in codes.iter().enumerate() {
                    observed[col][code as usize] = true;
                }
            }
        }
        // New group index for each observed code of each chosen column.
        let mut index: Vec<Vec<u32>> = Vec::new();
        let mut sizes: Vec<usize> = Vec::new();
        let mut codes_of: Vec<Vec<u32>> = Vec::new();
        for &col in columns {
            let mut next = 0u32;
            let mut map = vec![NONE; cards[col]];
            let mut codes = Vec::new();
            for (code, seen) in observed[col].iter().enumerate() {
                if *seen {
                    map[code] = next;
                    codes.push(code as u32);
                    next += 1;
                }
            }
            index.push(map);
            sizes.push(next as usize);
            codes_of.push(codes);
        }
        let groups: usize = sizes.iter().product();
        let mut keys = Vec::with_capacity(groups);
        let mut digits = vec![0u32; sizes.len()];
        for g in 0..groups {
            decode(g, &sizes, &mut digits);
            keys.push(
                digits
                    .iter()
                    .zip(&codes_of)
                    .map(|(&d, codes)| codes[d as usize])
                    .collect(),
            );
        }
        let group_of_cell = (0..table.cells.len())
            .map(|cell| {
                decode(cell, &cards, &mut codes);
                let mut g = 0u32;
                for (i, &col) in columns.iter().enumerate() {
                    let d = index[i][codes[col] as usize];
                    if d == NONE {
                        return NONE;
                    }
                    g = g * sizes[i] as u32 + d;
                }
                g
            })
            .collect();
        GroupingMap {
            columns: columns.to_vec(),
            keys,
            group_of_cell,
        }
    }

    /// The groups' cells from the table's.
    fn aggregate<C: TableCell>(&self, cells: &[C], out: &mut Vec<C>) {
        aggregate_cells(cells, &self.group_of_cell, self.keys.len(), out);
    }

    fn values(&self, columns: &[ColumnValues], group: usize) -> Vec<String> {
        self.columns
            .iter()
            .zip(&self.keys[group])
            .map(|(&col, &code)| columns[col].values[code as usize].clone())
            .collect()
    }
}

/// Adds each cell into its group (`group_of[i]` for `cells[i]`; `NONE`: no group).
fn aggregate_cells<C: TableCell>(cells: &[C], group_of: &[u32], groups: usize, out: &mut Vec<C>) {
    out.clear();
    out.resize(groups, C::default());
    for (cell, &g) in cells.iter().zip(group_of) {
        if g != NONE {
            out[g as usize].merge(cell);
        }
    }
}

/// Mixed-radix digits of `index` (the first digit varies slowest).
fn decode(mut index: usize, radices: &[usize], digits: &mut [u32]) {
    for (d, &k) in digits.iter_mut().zip(radices).rev() {
        *d = (index % k) as u32;
        index /= k;
    }
}

/// The groupings a report shows: each sensitive column alone, then (with two or more columns)
/// the intersection of all of them.
pub fn default_groupings(columns: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = (0..columns).map(|c| vec![c]).collect();
    if columns > 1 {
        out.push((0..columns).collect());
    }
    out
}

impl<C: TableCell> GroupTable<C> {
    /// The groups of a grouping (indices into `columns`), in Fairlearn's order: each group's
    /// values (one per chosen column) and its cell.
    pub fn grouping(&self, columns: &[usize]) -> Vec<(Vec<String>, C)> {
        let map = GroupingMap::new(self, columns);
        let mut cells = Vec::new();
        map.aggregate(&self.cells, &mut cells);
        cells
            .into_iter()
            .enumerate()
            .map(|(g, c)| (map.values(&self.columns, g), c))
            .collect()
    }

    /// All rows together.
    pub fn overall(&self) -> C {
        let mut all = C::default();
        for c in &self.cells {
            all.merge(c);
        }
        all
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics per group

/// A classification metric reported per group (Fairlearn's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Count,
    SelectionRate,
    TruePositiveRate,
    FalsePositiveRate,
    TrueNegativeRate,
    FalseNegativeRate,
    Accuracy,
    Precision,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::Count,
        Metric::SelectionRate,
        Metric::TruePositiveRate,
        Metric::FalsePositiveRate,
        Metric::TrueNegativeRate,
        Metric::FalseNegativeRate,
        Metric::Accuracy,
        Metric::Precision,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Count => "count",
            Metric::SelectionRate => "selection_rate",
            Metric::TruePositiveRate => "true_positive_rate",
            Metric::FalsePositiveRate => "false_positive_rate",
            Metric::TrueNegativeRate => "true_negative_rate",
            Metric::FalseNegativeRate => "false_negative_rate",
            Metric::Accuracy => "accuracy",
            Metric::Precision => "precision",
        }
    }

    /// The metric's value on some rows, or why it has none. Every rate is a quotient of two
    /// exact integer counts, correctly rounded, as in sklearn.
    pub fn of(self, c: &ConfusionCounts) -> Result<f64, UndefinedReason> {
        let ratio = |num: u64, den: u64, reason: UndefinedReason| {
            if den == 0 {
                Err(reason)
            } else {
                Ok(num as f64 / den as f64)
            }
        };
        let n = c.rows();
        if n == 0 {
            return if self == Metric::Count {
                Ok(0.0)
            } else {
                Err(UndefinedReason::EmptyGroup)
            };
        }
        use UndefinedReason::*;
        match self {
            Metric::Count => Ok(n as f64),
            Metric::SelectionRate => ratio(c.positive_predictions(), n, EmptyGroup),
            Metric::TruePositiveRate => {
                ratio(c.true_positives, c.positive_labels(), NoPositiveLabels)
            }
            Metric::FalseNegativeRate => {
                ratio(c.false_negatives, c.positive_labels(), NoPositiveLabels)
            }
            Metric::FalsePositiveRate => {
                ratio(c.false_positives, c.negative_labels(), NoNegativeLabels)
            }
            Metric::TrueNegativeRate => {
                ratio(c.true_negatives, c.negative_labels(), NoNegativeLabels)
            }
            Metric::Accuracy => ratio(c.true_positives + c.true_negatives, n, EmptyGroup),
            Metric::Precision => ratio(
                c.true_positives,
                c.positive_predictions(),
                NoPositivePredictions,
            ),
        }
    }

    /// The value that enters a min, max or ratio under `policy`; NaN means "left out".
    fn disparity_input(self, c: &ConfusionCounts, policy: UndefinedPolicy) -> f64 {
        match (self.of(c), policy) {
            (Ok(v), _) => v,
            // Fairlearn: an empty intersection is a row of NaN, skipped by pandas.
            (Err(UndefinedReason::EmptyGroup), _) => f64::NAN,
            (Err(_), UndefinedPolicy::Exclude) => f64::NAN,
            // sklearn's nan_to_num / zero_division=0.
            (Err(_), UndefinedPolicy::AsFairlearn) => 0.0,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a metric has no value for a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UndefinedReason {
    /// The group has no rows (a combination of values that never occurs).
    EmptyGroup,
    /// No row of the group has the positive label (true and false negative rates).
    NoPositiveLabels,
    /// No row of the group has the negative label (false positive and true negative rates).
    NoNegativeLabels,
    /// No row of the group is predicted positive (precision).
    NoPositivePredictions,
}

impl fmt::Display for UndefinedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UndefinedReason::EmptyGroup => "the group has no rows",
            UndefinedReason::NoPositiveLabels => "the group has no positive labels",
            UndefinedReason::NoNegativeLabels => "the group has no negative labels",
            UndefinedReason::NoPositivePredictions => "the group has no positive predictions",
        })
    }
}

/// A metric a group has no value for, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndefinedMetric {
    pub metric: Metric,
    pub reason: UndefinedReason,
}

/// The classification metrics of one group (or of all rows: `values` empty).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupMetrics {
    /// The group's value in each column of its grouping.
    pub values: Vec<String>,
    pub counts: ConfusionCounts,
    pub count: u64,
    pub selection_rate: Option<f64>,
    pub true_positive_rate: Option<f64>,
    pub false_positive_rate: Option<f64>,
    pub true_negative_rate: Option<f64>,
    pub false_negative_rate: Option<f64>,
    pub accuracy: Option<f64>,
    pub precision: Option<f64>,
    /// Each metric above that is `None`, with the reason.
    pub undefined: Vec<UndefinedMetric>,
    /// Fewer rows than the minimum group size: its rates are too noisy to act on.
    pub below_min_size: bool,
}

impl GroupMetrics {
    pub fn new(values: Vec<String>, counts: ConfusionCounts, min_group_size: u64) -> GroupMetrics {
        let mut undefined = Vec::new();
        let mut get = |m: Metric| match m.of(&counts) {
            Ok(v) => Some(v),
            Err(reason) => {
                undefined.push(UndefinedMetric { metric: m, reason });
                None
            }
        };
        GroupMetrics {
            values,
            counts,
            count: counts.rows(),
            selection_rate: get(Metric::SelectionRate),
            true_positive_rate: get(Metric::TruePositiveRate),
            false_positive_rate: get(Metric::FalsePositiveRate),
            true_negative_rate: get(Metric::TrueNegativeRate),
            false_negative_rate: get(Metric::FalseNegativeRate),
            accuracy: get(Metric::Accuracy),
            precision: get(Metric::Precision),
            undefined,
            below_min_size: counts.rows() < min_group_size,
        }
    }

    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Count => Some(self.count as f64),
            Metric::SelectionRate => self.selection_rate,
            Metric::TruePositiveRate => self.true_positive_rate,
            Metric::FalsePositiveRate => self.false_positive_rate,
            Metric::TrueNegativeRate => self.true_negative_rate,
            Metric::FalseNegativeRate => self.false_negative_rate,
            Metric::Accuracy => self.accuracy,
            Metric::Precision => self.precision,
        }
    }

    /// Why `metric` is `None` for this group, if it is.
    pub fn undefined_reason(&self, metric: Metric) -> Option<UndefinedReason> {
        self.undefined
            .iter()
            .find(|u| u.metric == metric)
            .map(|u| u.reason)
    }

    /// The group's label as Fairlearn's intersections print it: values joined with " | ".
    pub fn label(&self) -> String {
        self.values.join(" | ")
    }
}

// ---------------------------------------------------------------------------------------------
// Disparities

/// How a metric that is undefined for a group enters min, max and ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UndefinedPolicy {
    /// Leave the group out of that metric's min, max and ratios (and list it in
    /// [`MetricSummary::excluded_groups`]).
    #[default]
    Exclude,
    /// Count it as 0, as Fairlearn does (sklearn's `nan_to_num` and `zero_division=0`):
    /// bit-identical to Fairlearn, at the price of disparities driven by a rate that does not
    /// exist. Empty intersections are left out either way (Fairlearn skips their NaN).
    AsFairlearn,
}

/// Fairlearn's `method`: compare groups with each other or with all rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    BetweenGroups,
    ToOverall,
}

impl Method {
    pub const ALL: [Method; 2] = [Method::BetweenGroups, Method::ToOverall];

    pub fn name(self) -> &'static str {
        match self {
            Method::BetweenGroups => "between_groups",
            Method::ToOverall => "to_overall",
        }
    }
}

/// One metric across the groups of a grouping, as Fairlearn's `MetricFrame` aggregates it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSummary<M> {
    pub metric: M,
    pub overall: Option<f64>,
    pub group_min: Option<f64>,
    pub group_max: Option<f64>,
    pub difference_between_groups: Option<f64>,
    pub ratio_between_groups: Option<f64>,
    pub difference_to_overall: Option<f64>,
    pub ratio_to_overall: Option<f64>,
    /// Groups (indices) left out because the metric is undefined for them.
    pub excluded_groups: Vec<usize>,
}

impl<M> MetricSummary<M> {
    pub fn difference(&self, method: Method) -> Option<f64> {
        match method {
            Method::BetweenGroups => self.difference_between_groups,
            Method::ToOverall => self.difference_to_overall,
        }
    }
    pub fn ratio(&self, method: Method) -> Option<f64> {
        match method {
            Method::BetweenGroups => self.ratio_between_groups,
            Method::ToOverall => self.ratio_to_overall,
        }
    }
}

/// Fairlearn's aggregates of one metric; NaN in `values` (and in the results) means "none".
#[derive(Debug, Clone, Copy)]
struct Aggregates {
    min: f64,
    max: f64,
    difference_between: f64,
    ratio_between: f64,
    difference_to_overall: f64,
    ratio_to_overall: f64,
}

impl Aggregates {
    fn difference(&self, method: Method) -> f64 {
        match method {
            Method::BetweenGroups => self.difference_between,
            Method::ToOverall => self.difference_to_overall,
        }
    }
    fn ratio(&self, method: Method) -> f64 {
        match method {
            Method::BetweenGroups => self.ratio_between,
            Method::ToOverall => self.ratio_to_overall,
        }
    }
}

/// pandas' `Series.min()`/`max()`: NaN skipped, NaN if nothing is left.
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b < a { b } else { a }
}
fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b > a { b } else { a }
}

/// `DisaggregatedResult.difference()` / `.ratio()` / `apply_grouping()` of Fairlearn 0.15, with
/// the same operations in the same order.
fn aggregate(values: &[f64], overall: f64) -> Aggregates {
    let min = values.iter().fold(f64::NAN, |m, &v| nan_min(m, v));
    let max = values.iter().fold(f64::NAN, |m, &v| nan_max(m, v));
    // (mf - subtrahend).abs().max()
    let difference_between = values
        .iter()
        .fold(f64::NAN, |m, &v| nan_max(m, (v - min).abs()));
    let difference_to_overall = values
        .iter()
        .fold(f64::NAN, |m, &v| nan_max(m, (v - overall).abs()));
    // ratios = by_group / overall; ratio_sub_one; min
    let ratio_to_overall = values.iter().fold(f64::NAN, |m, &v| {
        let x = v / overall;
        nan_min(m, if x > 1.0 { 1.0 / x } else { x })
    });
    Aggregates {
        min,
        max,
        difference_between,
        ratio_between: min / max,
        difference_to_overall,
        ratio_to_overall,
    }
}

fn finite(x: f64) -> Option<f64> {
    if x.is_nan() { None } else { Some(x) }
}

/// Python's built-in `max` over `[first, second]`: NaN-unaware, so a NaN `first` wins and a NaN
/// `second` is ignored. Under [`UndefinedPolicy::Exclude`] a NaN component makes the result
/// undefined instead: a worst case over a component that does not exist is not a worst case.
fn worst_case(first: f64, second: f64, policy: UndefinedPolicy, larger_is_worse: bool) -> f64 {
    if policy == UndefinedPolicy::Exclude && (first.is_nan() || second.is_nan()) {
        return f64::NAN;
    }
    let replace = if larger_is_worse {
        second > first
    } else {
        second < first
    };
    if replace { second } else { first }
}

/// A disparity metric (Fairlearn's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disparity {
    DemographicParityDifference,
    DemographicParityRatio,
    EqualizedOddsDifference,
    EqualizedOddsRatio,
    EqualOpportunityDifference,
    EqualOpportunityRatio,
}

impl Disparity {
    pub const ALL: [Disparity; 6] = [
        Disparity::DemographicParityDifference,
        Disparity::DemographicParityRatio,
        Disparity::EqualizedOddsDifference,
        Disparity::EqualizedOddsRatio,
        Disparity::EqualOpportunityDifference,
        Disparity::EqualOpportunityRatio,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Disparity::DemographicParityDifference => "demographic_parity_difference",
            Disparity::DemographicParityRatio => "demographic_parity_ratio",
            Disparity::EqualizedOddsDifference => "equalized_odds_difference",
            Disparity::EqualizedOddsRatio => "equalized_odds_ratio",
            Disparity::EqualOpportunityDifference => "equal_opportunity_difference",
            Disparity::EqualOpportunityRatio => "equal_opportunity_ratio",
        }
    }

    /// From the aggregates of selection rate, true positive rate and false positive rate.
    fn of(self, method: Method, [sel, tpr, fpr]: &[Aggregates; 3], policy: UndefinedPolicy) -> f64 {
        match self {
            Disparity::DemographicParityDifference => sel.difference(method),
            Disparity::DemographicParityRatio => sel.ratio(method),
            // fairlearn: max(eo.difference(method)) over the Series (tpr, fpr)
            Disparity::EqualizedOddsDifference => {
                worst_case(tpr.difference(method), fpr.difference(method), policy, true)
            }
            Disparity::EqualizedOddsRatio => {
                worst_case(tpr.ratio(method), fpr.ratio(method), policy, false)
            }
            Disparity::EqualOpportunityDifference => tpr.difference(method),
            Disparity::EqualOpportunityRatio => tpr.ratio(method),
        }
    }
}

/// A disparity of a grouping, with its bootstrap interval when asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct DisparityValue {
    pub disparity: Disparity,
    pub method: Method,
    /// `None` when undefined: no group has the metric, a ratio of 0 to 0, or (worst case of
    /// equalized odds, [`UndefinedPolicy::Exclude`]) one of its two rates is undefined.
    pub value: Option<f64>,
    pub interval: Option<Interval>,
}

/// The four-fifths rule on selection rates.
#[derive(Debug, Clone, PartialEq)]
pub struct DisparateImpact {
    /// Lowest group selection rate over the highest (the demographic parity ratio between
    /// groups).
    pub ratio: Option<f64>,
    /// `ratio < 0.8`.
    pub four_fifths_violation: Option<bool>,
    /// The groups (indices) with the lowest and the highest selection rate (the first of ties).
    pub lowest_group: Option<usize>,
    pub highest_group: Option<usize>,
    pub interval: Option<Interval>,
}

/// A bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    pub confidence: f64,
    /// Replicates in which the disparity was defined (the interval is their percentiles).
    pub replicates: usize,
    /// Replicates in which it was undefined (left out).
    pub undefined_replicates: usize,
}

/// Options of a fairness check.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessOptions {
    pub min_group_size: u64,
    pub undefined: UndefinedPolicy,
    /// `None`: no intervals.
    pub bootstrap: Option<BootstrapOptions>,
}

impl Default for FairnessOptions {
    fn default() -> Self {
        FairnessOptions {
            min_group_size: DEFAULT_MIN_GROUP_SIZE,
            undefined: UndefinedPolicy::Exclude,
            bootstrap: None,
        }
    }
}

/// Options of the bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    pub replicates: usize,
    pub seed: u64,
    /// In (0, 1): the interval spans the `(1 - confidence) / 2` and `(1 + confidence) / 2`
    /// quantiles of the replicates.
    pub confidence: f64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: DEFAULT_REPLICATES,
            seed: 0,
            confidence: DEFAULT_CONFIDENCE,
        }
    }
}

/// The metrics and disparities of one grouping (one sensitive column, or an intersection).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupingReport {
    /// The sensitive columns of this grouping.
    pub columns: Vec<String>,
    /// In Fairlearn's order (sorted values; intersections in product order).
    pub groups: Vec<GroupMetrics>,
    /// One per [`Metric::ALL`], in that order.
    pub summaries: Vec<MetricSummary<Metric>>,
    /// Every [`Disparity`] with both methods: `Disparity::ALL` × `Method::ALL`, in that order.
    pub disparities: Vec<DisparityValue>,
    pub disparate_impact: DisparateImpact,
}

impl GroupingReport {
    pub fn disparity(&self, disparity: Disparity, method: Method) -> &DisparityValue {
        self.disparities
            .iter()
            .find(|d| d.disparity == disparity && d.method == method)
            .expect("every disparity and method is computed")
    }
    pub fn summary(&self, metric: Metric) -> &MetricSummary<Metric> {
        self.summaries
            .iter()
            .find(|s| s.metric == metric)
            .expect("every metric is summarised")
    }
}

/// The fairness of a classifier on one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessReport {
    pub rows: u64,
    pub overall: GroupMetrics,
    /// [`default_groupings`]: each sensitive column, then the intersection of all.
    pub groupings: Vec<GroupingReport>,
    pub options: FairnessOptions,
}

/// Counts the rows once and reports every metric and disparity.
pub fn fairness_report(
    input: &ClassificationInput,
    options: &FairnessOptions,
) -> Result<FairnessReport, FairnessError> {
    check_options(options)?;
    let counts = count_classification(input)?;
    report_from_counts(&counts, options)
}

fn check_options(options: &FairnessOptions) -> Result<(), FairnessError> {
    if let Some(b) = &options.bootstrap {
        if b.replicates == 0 {
            return Err(FairnessError::InvalidOption {
                option: "bootstrap replicates",
                reason: "must be at least 1".to_string(),
            });
        }
        if !(b.confidence > 0.0 && b.confidence < 1.0) {
            return Err(FairnessError::InvalidOption {
                option: "bootstrap confidence",
                reason: format!("must be between 0 and 1, got {}", b.confidence),
            });
        }
    }
    Ok(())
}

/// The values that go into one metric's aggregates.
fn disparity_inputs(
    metric: Metric,
    groups: &[ConfusionCounts],
    policy: UndefinedPolicy,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.extend(groups.iter().map(|c| metric.disparity_input(c, policy)));
}

const RATES: [Metric; 3] = [
    Metric::SelectionRate,
    Metric::TruePositiveRate,
    Metric::FalsePositiveRate,
];

/// Aggregates of selection rate, TPR and FPR: all the disparities need.
fn rate_aggregates(
    groups: &[ConfusionCounts],
    overall: &ConfusionCounts,
    policy: UndefinedPolicy,
    scratch: &mut Vec<f64>,
) -> [Aggregates; 3] {
    RATES.map(|m| {
        disparity_inputs(m, groups, policy, scratch);
        aggregate(scratch, m.disparity_input(overall, policy))
    })
}

/// Every metric and disparity from the count table (no pass over rows).
pub fn report_from_counts(
    counts: &GroupCounts,
    options: &FairnessOptions,
) -> Result<FairnessReport, FairnessError> {
    check_options(options)?;
    let combinations: usize = counts.columns.iter().map(|c| c.values.len()).product();
    if counts.columns.is_empty() {
        return Err(FairnessError::NoSensitiveColumn);
    }
    if counts.cells.len() != combinations {
        return Err(FairnessError::MalformedCounts {
            cells: counts.cells.len(),
            combinations,
        });
    }
    let overall = counts.overall();
    if overall.rows() == 0 {
        return Err(FairnessError::EmptyInput);
    }
    let policy = options.undefined;
    let maps: Vec<GroupingMap> = default_groupings(counts.columns.len())
        .iter()
        .map(|cols| GroupingMap::new(counts, cols))
        .collect();
    let intervals = options
        .bootstrap
        .map(|b| bootstrap_intervals(counts, &maps, policy, &b));

    let mut groupings = Vec::with_capacity(maps.len());
    let mut cells = Vec::new();
    let mut scratch = Vec::new();
    for (k, map) in maps.iter().enumerate() {
        map.aggregate(&counts.cells, &mut cells);
        let groups: Vec<GroupMetrics> = cells
            .iter()
            .enumerate()
            .map(|(g, c)| {
                GroupMetrics::new(map.values(&counts.columns, g), *c, options.min_group_size)
            })
            .collect();
        let summaries = Metric::ALL
            .iter()
            .map(|&metric| {
                disparity_inputs(metric, &cells, policy, &mut scratch);
                if metric == Metric::Count {
                    // Fairlearn's count of an empty intersection is NaN too.
                    for (v, c) in scratch.iter_mut().zip(&cells) {
                        if c.rows() == 0 {
                            *v = f64::NAN;
                        }
                    }
                }
                let a = aggregate(&scratch, metric.disparity_input(&overall, policy));
                MetricSummary {
                    metric,
                    overall: metric.of(&overall).ok(),
                    group_min: finite(a.min),
                    group_max: finite(a.max),
                    difference_between_groups: finite(a.difference_between),
                    ratio_between_groups: finite(a.ratio_between),
                    difference_to_overall: finite(a.difference_to_overall),
                    ratio_to_overall: finite(a.ratio_to_overall),
                    excluded_groups: scratch
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_nan())
                        .map(|(g, _)| g)
                        .collect(),
                }
            })
            .collect();
        let rates = rate_aggregates(&cells, &overall, policy, &mut scratch);
        let mut disparities = Vec::with_capacity(12);
        for (d, &disparity) in Disparity::ALL.iter().enumerate() {
            for (m, &method) in Method::ALL.iter().enumerate() {
                disparities.push(DisparityValue {
                    disparity,
                    method,
                    value: finite(disparity.of(method, &rates, policy)),
                    interval: intervals.as_ref().and_then(|iv| iv[k][d * 2 + m]),
                });
            }
        }
        let selection: Vec<f64> = cells
            .iter()
            .map(|c| Metric::SelectionRate.disparity_input(c, policy))
            .collect();
        let ratio = finite(rates[0].ratio_between);
        let position = |target: f64| selection.iter().position(|&v| v == target);
        let disparate_impact = DisparateImpact {
            ratio,
            four_fifths_violation: ratio.map(|r| r < FOUR_FIFTHS),
            lowest_group: position(rates[0].min),
            highest_group: position(rates[0].max),
            interval: intervals.as_ref().and_then(|iv| iv[k][DISPARATE_IMPACT]),
        };
        groupings.push(GroupingReport {
            columns: map
                .columns
                .iter()
                .map(|&c| counts.columns[c].name.clone())
                .collect(),
            groups,
            summaries,
            disparities,
            disparate_impact,
        });
    }
    Ok(FairnessReport {
        rows: overall.rows(),
        overall: GroupMetrics::new(Vec::new(), overall, options.min_group_size),
        groupings,
        options: options.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// Regression

/// A regression metric reported per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegressionMetric {
    Count,
    MeanPrediction,
    MeanLabel,
    MeanAbsoluteError,
}

impl RegressionMetric {
    pub const ALL: [RegressionMetric; 4] = [
        RegressionMetric::Count,
        RegressionMetric::MeanPrediction,
        RegressionMetric::MeanLabel,
        RegressionMetric::MeanAbsoluteError,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RegressionMetric::Count => "count",
            RegressionMetric::MeanPrediction => "mean_prediction",
            RegressionMetric::MeanLabel => "mean_label",
            RegressionMetric::MeanAbsoluteError => "mae",
        }
    }

    /// `None` only for an empty group.
    pub fn of(self, s: &RegressionSums) -> Option<f64> {
        if self == RegressionMetric::Count {
            return Some(s.rows as f64);
        }
        if s.rows == 0 {
            return None;
        }
        let n = s.rows as f64;
        Some(match self {
            RegressionMetric::Count => n,
            RegressionMetric::MeanPrediction => s.prediction.value() / n,
            RegressionMetric::MeanLabel => s.label.value() / n,
            RegressionMetric::MeanAbsoluteError => s.absolute_error.value() / n,
        })
    }
}

/// The regression metrics of one group (or of all rows: `values` empty).
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionGroupMetrics {
    pub values: Vec<String>,
    pub count: u64,
    /// `None` for a group with no rows (an intersection that never occurs).
    pub mean_prediction: Option<f64>,
    pub mean_label: Option<f64>,
    pub mae: Option<f64>,
    pub below_min_size: bool,
}

impl RegressionGroupMetrics {
    fn new(values: Vec<String>, s: &RegressionSums, min_group_size: u64) -> Self {
        RegressionGroupMetrics {
            values,
            count: s.rows,
            mean_prediction: RegressionMetric::MeanPrediction.of(s),
            mean_label: RegressionMetric::MeanLabel.of(s),
            mae: RegressionMetric::MeanAbsoluteError.of(s),
            below_min_size: s.rows < min_group_size,
        }
    }
    pub fn label(&self) -> String {
        self.values.join(" | ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegressionGroupingReport {
    pub columns: Vec<String>,
    pub groups: Vec<RegressionGroupMetrics>,
    /// One per [`RegressionMetric::ALL`], in that order.
    pub summaries: Vec<MetricSummary<RegressionMetric>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegressionReport {
    pub rows: u64,
    pub overall: RegressionGroupMetrics,
    pub groupings: Vec<RegressionGroupingReport>,
}

/// Sums the rows once and reports the regression metrics per group, with Fairlearn's
/// differences and ratios of each. (Bootstrap options and the undefined policy do not apply:
/// means are defined for every group with rows.)
pub fn regression_report(
    input: &RegressionInput,
    min_group_size: u64,
) -> Result<RegressionReport, FairnessError> {
    let sums = sum_regression(input)?;
    let overall = sums.overall();
    let mut groupings = Vec::new();
    let mut cells = Vec::new();
    for cols in default_groupings(sums.columns.len()) {
        let map = GroupingMap::new(&sums, &cols);
        map.aggregate(&sums.cells, &mut cells);
        let summaries = RegressionMetric::ALL
            .iter()
            .map(|&metric| {
                let values: Vec<f64> = cells
                    .iter()
                    .map(|c| {
                        if c.rows == 0 {
                            f64::NAN
                        } else {
                            metric.of(c).unwrap_or(f64::NAN)
                        }
                    })
                    .collect();
                let total = metric.of(&overall).unwrap_or(f64::NAN);
                let a = aggregate(&values, total);
                MetricSummary {
                    metric,
                    overall: finite(total),
                    group_min: finite(a.min),
                    group_max: finite(a.max),
                    difference_between_groups: finite(a.difference_between),
                    ratio_between_groups: finite(a.ratio_between),
                    difference_to_overall: finite(a.difference_to_overall),
                    ratio_to_overall: finite(a.ratio_to_overall),
                    excluded_groups: values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_nan())
                        .map(|(g, _)| g)
                        .collect(),
                }
            })
            .collect();
        groupings.push(RegressionGroupingReport {
            columns: cols.iter().map(|&c| sums.columns[c].name.clone()).collect(),
            groups: cells
                .iter()
                .enumerate()
                .map(|(g, c)| {
                    RegressionGroupMetrics::new(map.values(&sums.columns, g), c, min_group_size)
                })
                .collect(),
            summaries,
        });
    }
    Ok(RegressionReport {
        rows: overall.rows,
        overall: RegressionGroupMetrics::new(Vec::new(), &overall, min_group_size),
        groupings,
    })
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

/// Index of the disparate-impact ratio after the 12 disparity × method values.
const DISPARATE_IMPACT: usize = 12;
const BOOTSTRAP_VALUES: usize = 13;

/// Per grouping, an interval for each disparity × method (index `d * 2 + m`) and for the
/// disparate-impact ratio (index 12).
fn bootstrap_intervals(
    counts: &GroupCounts,
    maps: &[GroupingMap],
    policy: UndefinedPolicy,
    options: &BootstrapOptions,
) -> Vec<Vec<Option<Interval>>> {
    let b = options.replicates;
    // Only the non-empty intersections can be drawn: each replicate works on those alone, so its
    // cost is O(non-empty intersections + groups), not O(all combinations of values).
    let occupied: Vec<usize> = (0..counts.cells.len())
        .filter(|&i| counts.cells[i].rows() > 0)
        .collect();
    let group_of: Vec<Vec<u32>> = maps
        .iter()
        .map(|m| occupied.iter().map(|&i| m.group_of_cell[i]).collect())
        .collect();
    // The multinomial's cells: the non-empty (intersection, confusion cell) pairs.
    let mut weights: Vec<(usize, usize, u64)> = Vec::new();
    for (i, c) in occupied.iter().map(|&i| &counts.cells[i]).enumerate() {
        for (k, w) in [
            c.true_positives,
            c.false_positives,
            c.true_negatives,
            c.false_negatives,
        ]
        .into_iter()
        .enumerate()
        {
            if w > 0 {
                weights.push((i, k, w));
            }
        }
    }
    let n: u64 = weights.iter().map(|w| w.2).sum();
    let mut rng = Rng::seeded(options.seed);
    let mut samples: Vec<Vec<Vec<f64>>> = maps
        .iter()
        .map(|_| {
            (0..BOOTSTRAP_VALUES)
                .map(|_| Vec::with_capacity(b))
                .collect()
        })
        .collect();
    let mut resampled = vec![ConfusionCounts::default(); occupied.len()];
    let mut cells = Vec::new();
    let mut scratch = Vec::new();
    for _ in 0..b {
        resampled.fill(ConfusionCounts::default());
        let mut rows_left = n;
        let mut weight_left = n;
        for &(i, k, w) in &weights {
            // multinomial as a chain of binomials: draw this cell given the ones before it
            let x = if w == weight_left {
                rows_left
            } else {
                rng.binomial(rows_left, w as f64 / weight_left as f64)
            };
            rows_left -= x;
            weight_left -= w;
            let c = &mut resampled[i];
            *match k {
                0 => &mut c.true_positives,
                1 => &mut c.false_positives,
                2 => &mut c.true_negatives,
                _ => &mut c.false_negatives,
            } = x;
        }
        let overall = {
            let mut all = ConfusionCounts::default();
            for c in &resampled {
                all.merge(c);
            }
            all
        };
        for ((map, group_of), out) in maps.iter().zip(&group_of).zip(&mut samples) {
            aggregate_cells(&resampled, group_of, map.keys.len(), &mut cells);
            let rates = rate_aggregates(&cells, &overall, policy, &mut scratch);
            for (d, disparity) in Disparity::ALL.iter().enumerate() {
                for (m, &method) in Method::ALL.iter().enumerate() {
                    out[d * 2 + m].push(disparity.of(method, &rates, policy));
                }
            }
            out[DISPARATE_IMPACT].push(rates[0].ratio_between);
        }
    }
    samples
        .into_iter()
        .map(|per_value| {
            per_value
                .into_iter()
                .map(|v| percentile_interval(v, options.confidence))
                .collect()
        })
        .collect()
}

/// The percentile interval of the defined replicates (NumPy's default "linear" quantiles).
fn percentile_interval(mut values: Vec<f64>, confidence: f64) -> Option<Interval> {
    let total = values.len();
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    Some(Interval {
        low: quantile(&values, alpha),
        high: quantile(&values, 1.0 - alpha),
        confidence,
        replicates: values.len(),
        undefined_replicates: total - values.len(),
    })
}

/// Quantile `q` of sorted values, linear interpolation between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// xoshiro256** (Blackman and Vigna), seeded by splitmix64: small, fast, and good enough for
/// resampling; no crate needed.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn seeded(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in the open interval (0, 1): 53 random bits, offset by half a step so that
    /// neither 0 nor 1 occurs (the samplers take logarithms).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A draw from Binomial(n, p): inversion by geometric waiting times when `n p < 10`
    /// (at most ~11 uniforms on average), otherwise Hörmann's BTRS transformed rejection
    /// ("The generation of binomial random variates", 1993), which needs ~2.5 uniforms per draw
    /// whatever `n` is.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        if n as f64 * p < 10.0 {
            self.binomial_inversion(n, p)
        } else {
            self.binomial_btrs(n as f64, p) as u64
        }
    }

    fn binomial_inversion(&mut self, n: u64, p: f64) -> u64 {
        let log_q = (-p).ln_1p();
        let mut successes = 0;
        let mut trials = 0.0;
        loop {
            // trials up to and including the next success: Geometric(p) on 1, 2, ...
            trials += (self.uniform().ln() / log_q).ceil();
            if trials > n as f64 {
                return successes;
            }
            successes += 1;
        }
    }

    fn binomial_btrs(&mut self, n: f64, p: f64) -> f64 {
        let spq = (n * p * (1.0 - p)).sqrt();
        let b = 1.15 + 2.53 * spq;
        let a = -0.0873 + 0.0248 * b + 0.01 * p;
        let c = n * p + 0.5;
        let v_r = 0.92 - 4.2 / b;
        let alpha = (2.83 + 5.1 / b) * spq;
        let r = p / (1.0 - p);
        let m = ((n + 1.0) * p).floor();
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + c).floor();
            if k < 0.0 || k > n {
                continue;
            }
            if us >= 0.07 && v <= v_r {
                return k;
            }
            // log of the acceptance ratio against log f(k)/f(m), by Stirling's series
            let v = (v * alpha / (a / (us * us) + b)).ln();
            let bound = (m + 0.5) * ((m + 1.0) / (r * (n - m + 1.0))).ln()
                + (n + 1.0) * ((n - m + 1.0) / (n - k + 1.0)).ln()
                + (k + 0.5) * (r * (n - k + 1.0) / (k + 1.0)).ln()
                + stirling_tail(m)
                + stirling_tail(n - m)
                - stirling_tail(k)
                - stirling_tail(n - k);
            if v <= bound {
                return k;
            }
        }
    }
}

/// `ln k! - [(k + 1/2) ln(k + 1) - (k + 1) + ln(2π)/2]`, the error of Stirling's formula for
/// `ln Γ(k + 1)` (exact values below 10, the asymptotic series above).
fn stirling_tail(k: f64) -> f64 {
    const TAIL: [f64; 10] = [
        0.081_061_466_795_327_2,
        0.041_340_695_955_409_2,
        0.027_677_925_684_998_3,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_1,
        0.013_876_128_823_070_7,
        0.011_896_709_945_891_7,
        0.010_411_265_261_972_0,
        0.009_255_462_182_712_73,
        0.008_330_563_433_362_87,
    ];
    if k <= 9.0 {
        return TAIL[k as usize];
    }
    let kp1sq = (k + 1.0) * (k + 1.0);
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / (k + 1.0)
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
