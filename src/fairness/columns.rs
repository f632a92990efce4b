//! A predictions file's columns as the app lists them for choosing the label, prediction and
//! sensitive columns (each with its few values), and the guesses that preselect each role.

use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use crate::data::scan;

use super::error::FairnessFailure;

/// A column of the file, for choosing the label, prediction and sensitive columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnInfo {
    pub name: String,
    pub dtype: String,
    pub kind: String,
    pub distinct: Option<u64>,
    /// Up to 20 distinct values, as strings (sorted), when the column has that few.
    pub values: Option<Vec<String>>,
}

/// The column the app preselects for each role, where one looks right.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Guess {
    pub label: Option<String>,
    pub prediction: Option<String>,
    pub positive_label: Option<String>,
    /// Whether the guessed prediction is a score.
    pub score: bool,
    pub sensitive: Vec<String>,
}

/// A predictions file's columns, with the guesses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FileColumns {
    pub path: String,
    pub rows: u64,
    pub columns: Vec<ColumnInfo>,
    pub guess: Guess,
}

/// Most values listed for a column: a label, a prediction or a sensitive column has few, and a
/// longer list would not help choose.
const MAX_LISTED_VALUES: usize = 20;

/// The columns of a predictions file with their few values, and good guesses for each role.
pub fn columns(path: &Path) -> Result<FileColumns, FairnessFailure> {
    let profile = crate::data::profile(path)?;
    let mut infos = Vec::new();
    for c in &profile.columns {
        let (distinct, values) = match &c.stats {
            crate::data::ColumnStats::Category(s) => {
                let values: Vec<String> = s.top.iter().map(|(v, _)| v.clone()).collect();
                let complete = s.other == 0 && values.len() <= MAX_LISTED_VALUES;
                (Some(s.cardinality), complete.then(|| sorted(values)))
            }
            crate::data::ColumnStats::Numeric(s) => (Some(s.distinct_approx), None),
            _ => (None, None),
        };
        infos.push(ColumnInfo {
            name: c.name.clone(),
            dtype: c.dtype.clone(),
            kind: c.kind.as_str().to_string(),
            distinct,
            values,
        });
    }
    // Few-valued integer columns: list their values too (labels are often 0/1 integers).
    let few_numeric: Vec<String> = infos
        .iter()
        .filter(|c| {
            c.kind == "numerical" && c.distinct.is_some_and(|d| d <= MAX_LISTED_VALUES as u64)
        })
        .map(|c| c.name.clone())
        .collect();
    if !few_numeric.is_empty() {
        let (format, lf) = scan(path)?;
        let exprs: Vec<Expr> = few_numeric
            .iter()
            .map(|n| {
                Expr::Column(n.as_str().into())
                    .cast(DataType::String)
                    .unique()
                    .implode(false)
                    .alias(n.as_str())
            })
            .collect();
        let df = crate::data::guard(path, format, || lf.select(exprs).collect())?;
        for info in infos.iter_mut().filter(|c| few_numeric.contains(&c.name)) {
            let values = crate::data::guard(path, format, || {
                let list = df.column(&info.name)?.list()?.get_as_series(0);
                Ok(list
                    .map(|s| {
                        s.str()
                            .map(|ca| ca.iter().flatten().map(str::to_string).collect::<Vec<_>>())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default())
            })?;
            if values.len() <= MAX_LISTED_VALUES {
                info.values = Some(sorted(values));
            }
        }
    }
    let guess = guess(&infos);
    Ok(FileColumns {
        path: path.display().to_string(),
        rows: profile.rows,
        columns: infos,
        guess,
    })
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn binary(c: &ColumnInfo) -> bool {
    c.values
        .as_ref()
        .is_some_and(|v| v.len() <= 2 && !v.is_empty())
}

fn guess(columns: &[ColumnInfo]) -> Guess {
    // The first name of the list that a column has (the list is in order of preference).
    let named = |names: &[&str]| {
        names.iter().find_map(|n| {
            columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
                .map(|c| c.name.clone())
        })
    };
    let label = named(&[
        "label", "y", "target", "y_true", "truth", "actual", "outcome", "class",
    ])
    .or_else(|| columns.iter().find(|c| binary(c)).map(|c| c.name.clone()));
    let prediction = named(&[
        "prediction",
        "pred",
        "y_pred",
        "predicted",
        "score",
        "proba",
        "probability",
    ])
    .or_else(|| {
        columns
            .iter()
            .find(|c| binary(c) && Some(&c.name) != label.as_ref())
            .map(|c| c.name.clone())
    });
    let prediction_info = prediction
        .as_ref()
        .and_then(|p| columns.iter().find(|c| &c.name == p));
    let score = prediction_info.is_some_and(|c| c.kind == "numerical" && !binary(c));
    let positive_label = label
        .as_ref()
        .and_then(|l| columns.iter().find(|c| &c.name == l))
        .and_then(|c| c.values.clone())
        .and_then(|v| {
            ["1", "true", "yes", "1.0"]
                .iter()
                .find(|p| v.iter().any(|x| x.eq_ignore_ascii_case(p)))
                .map(|p| {
                    v.iter()
                        .find(|x| x.eq_ignore_ascii_case(p))
                        .cloned()
                        .unwrap_or_default()
                })
        });
    const SENSITIVE: &[&str] = &[
        "sex",
        "gender",
        "race",
        "ethnicity",
        "age_group",
        "age_band",
        "agegroup",
        "nationality",
        "religion",
        "disability",
        "marital_status",
        "country",
        "region",
    ];
    let mut sensitive: Vec<String> = columns
        .iter()
        .filter(|c| SENSITIVE.contains(&c.name.to_ascii_lowercase().as_str()))
        .map(|c| c.name.clone())
        .collect();
    sensitive.retain(|s| Some(s) != label.as_ref() && Some(s) != prediction.as_ref());
    Guess {
        label,
        prediction,
        positive_label,
        score,
        sensitive,
    }
}
