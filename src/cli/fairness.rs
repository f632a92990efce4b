//! `driftdeck fairness DATA --label COL --prediction COL --sensitive COL...`

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::Args;
use driftdeck::fairness::{self, BootstrapOptions, FairnessCheck, FairnessRequest};
use driftdeck::report::fairness as render;

use super::drift::Format;
use super::table::{Table, number};
use super::{Failure, write_report};

#[derive(Debug, Args)]
pub struct FairnessArgs {
    /// The predictions file: CSV, TSV, Parquet, Arrow IPC or NDJSON
    data: PathBuf,
    /// The true label column
    #[arg(long)]
    label: String,
    /// The prediction column: the predicted class, or a score (with --score-threshold)
    #[arg(long)]
    prediction: String,
    /// A sensitive column (repeat for several; their intersection is reported too)
    #[arg(long = "sensitive", required = true, value_name = "COL")]
    sensitive: Vec<String>,
    /// The positive label (default: 1 or true when the label has it)
    #[arg(long, value_name = "V")]
    positive_label: Option<String>,
    /// Predictions are scores: positive when score >= this (default for float scores: 0.5)
    #[arg(long, value_name = "X")]
    score_threshold: Option<f64>,
    /// Groups with fewer rows are flagged as too small to act on
    #[arg(long, default_value_t = 30, value_name = "ROWS")]
    min_group_size: u64,
    /// Largest acceptable between-groups difference
    #[arg(long, default_value_t = 0.1, value_name = "X")]
    max_difference: f64,
    /// Smallest acceptable between-groups ratio (0.8: the four-fifths rule)
    #[arg(long, default_value_t = 0.8, value_name = "X")]
    min_ratio: f64,
    /// Bootstrap confidence intervals with this many replicates (seeded: --seed)
    #[arg(long, value_name = "N")]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// An earlier predictions file with the same columns: report what moved
    #[arg(long, value_name = "FILE")]
    compare_with: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a disparity is beyond its threshold (for CI gates)
    #[arg(long)]
    fail_on_violation: bool,
    /// The model is a regressor: report the mean prediction, mean label and mean absolute
    /// error per group (numbers in --label and --prediction)
    #[arg(long, conflicts_with_all = ["positive_label", "score_threshold", "bootstrap", "compare_with", "fail_on_violation", "charts"])]
    regression: bool,
    /// Write SVG bar charts (per grouping: selection rate, true and false positive rates)
    /// into this folder
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
}

pub fn run(args: FairnessArgs) -> Result<(), Failure> {
    let mut request = FairnessRequest::new(
        args.data.clone(),
        args.label.clone(),
        args.prediction.clone(),
        args.sensitive.clone(),
    );
    request.positive_label = args.positive_label.clone();
    request.score_threshold = args.score_threshold;
    request.min_group_size = args.min_group_size;
    request.max_difference = args.max_difference;
    request.min_ratio = args.min_ratio;
    request.compare_with = args.compare_with.clone();
    if let Some(replicates) = args.bootstrap {
        if replicates < 100 {
            return Err(Failure::BadInput(anyhow!(
                "--bootstrap {replicates}: expected at least 100 replicates"
            )));
        }
        request.bootstrap = Some(BootstrapOptions {
            replicates,
            seed: args.seed,
            ..BootstrapOptions::default()
        });
    }
    if args.regression {
        return regression(&args, &request);
    }
    let check = fairness::run(&request)?;
    let body = match args.format {
        Format::Json => serde_json::to_string_pretty(&check).expect("serializes") + "\n",
        Format::Html => render::html(&check),
        Format::Text => text(&check),
    };
    write_report(args.output.as_deref(), &body)?;
    if let Some(dir) = &args.charts {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the chart folder {}", dir.display()))
            .map_err(Failure::BadInput)?;
        for g in &check.groupings {
            for metric in [
                "selection_rate",
                "true_positive_rate",
                "false_positive_rate",
            ] {
                let svg = render::grouping_chart_svg(&check, g, metric).expect("a known metric");
                let name = format!("{}-{metric}.svg", g.columns.join("_x_"));
                let path = dir.join(driftdeck::report::drift::file_stem(&name));
                std::fs::write(&path, svg)
                    .with_context(|| format!("cannot write {}", path.display()))
                    .map_err(Failure::BadInput)?;
            }
        }
    }
    if args.fail_on_violation && !check.passed {
        return Err(Failure::Check(format!(
            "fairness: {} disparities beyond their thresholds",
            check.violations
        )));
    }
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map(number).unwrap_or_else(|| "—".to_string())
}

fn text(check: &FairnessCheck) -> String {
    let mut out = Vec::new();
    let _ = writeln!(
        out,
        "{}: {} rows, label {} (positive {}), prediction {}{}",
        if check.passed {
            "no fairness violation".to_string()
        } else {
            format!("{} FAIRNESS VIOLATIONS", check.violations)
        },
        check.data.rows,
        check.label,
        check.positive_label,
        check.prediction,
        check
            .score_threshold
            .map(|t| format!(" (score >= {t})"))
            .unwrap_or_default()
    );
    for g in &check.groupings {
        let _ = writeln!(out, "\n{}", g.columns.join(" × "));
        let mut t = Table::new([
            "GROUP",
            "COUNT",
            "SELECTION",
            "TPR",
            "FPR",
            "ACCURACY",
            "PRECISION",
            "",
        ]);
        for r in &g.groups {
            t.row([
                r.label.clone(),
                r.count.to_string(),
                opt(r.rates.selection_rate),
                opt(r.rates.true_positive_rate),
                opt(r.rates.false_positive_rate),
                opt(r.rates.accuracy),
                opt(r.rates.precision),
                if r.below_min_size {
                    "small group".to_string()
                } else {
                    String::new()
                },
            ]);
        }
        let _ = t.write(&mut out);
        let mut d = Table::new(["DISPARITY (between groups)", "VALUE", "THRESHOLD", ""]);
        for x in g
            .disparities
            .iter()
            .filter(|x| x.method == "between_groups")
        {
            d.row([
                x.name.clone(),
                opt(x.value)
                    + &x.interval
                        .as_ref()
                        .map(|i| format!(" [{}, {}]", number(i.low), number(i.high)))
                        .unwrap_or_default(),
                format!(
                    "{} {}",
                    if x.kind == "ratio" { ">=" } else { "<=" },
                    number(x.threshold)
                ),
                match x.violated {
                    Some(true) => "VIOLATED",
                    Some(false) => "ok",
                    None => "undefined",
                }
                .to_string(),
            ]);
        }
        let di = &g.disparate_impact;
        d.row([
            "disparate_impact".to_string(),
            opt(di.ratio),
            ">= 0.8 (four-fifths)".to_string(),
            match di.four_fifths_violation {
                Some(true) => "VIOLATED",
                Some(false) => "ok",
                None => "undefined",
            }
            .to_string(),
        ]);
        let _ = writeln!(out);
        let _ = d.write(&mut out);
    }
    if let Some(c) = &check.comparison {
        let _ = writeln!(out, "\nwhat moved since {} ({} rows):", c.path, c.rows);
        let mut t = Table::new(["GROUPING", "GROUP", "METRIC", "BEFORE", "AFTER", "CHANGE"]);
        for ch in c.changes.iter().take(15) {
            t.row([
                ch.grouping.clone(),
                ch.group.clone(),
                ch.metric.clone(),
                opt(ch.before),
                opt(ch.after),
                opt(ch.change),
            ]);
        }
        let _ = t.write(&mut out);
    }
    String::from_utf8(out).unwrap_or_default()
}

fn regression(args: &FairnessArgs, request: &FairnessRequest) -> Result<(), Failure> {
    let check = fairness::run_regression(request)?;
    let body = match args.format {
        Format::Json => serde_json::to_string_pretty(&check).expect("serializes") + "\n",
        Format::Html => render::regression_html(&check),
        Format::Text => {
            let mut out = Vec::new();
            let _ = writeln!(
                out,
                "regression: {} rows, label {}, prediction {}",
                check.data.rows, check.label, check.prediction
            );
            for g in &check.groupings {
                let _ = writeln!(out, "\n{}", g.columns.join(" × "));
                let mut t =
                    Table::new(["GROUP", "COUNT", "MEAN PREDICTION", "MEAN LABEL", "MAE", ""]);
                for r in &g.groups {
                    t.row([
                        r.label.clone(),
                        r.count.to_string(),
                        opt(r.mean_prediction),
                        opt(r.mean_label),
                        opt(r.mae),
                        if r.below_min_size {
                            "small group".to_string()
                        } else {
                            String::new()
                        },
                    ]);
                }
                let _ = t.write(&mut out);
                for s in &g.summaries {
                    if s.metric == "count" {
                        continue;
                    }
                    let _ = writeln!(
                        out,
                        "  {}: difference {}, ratio {}",
                        s.metric,
                        opt(s.values.difference_between_groups),
                        opt(s.values.ratio_between_groups)
                    );
                }
            }
            String::from_utf8(out).unwrap_or_default()
        }
    };
    write_report(args.output.as_deref(), &body)?;
    Ok(())
}
