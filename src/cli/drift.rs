//! `driftdeck drift REFERENCE CURRENT`: compare two tabular files for data drift.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use driftdeck::catalog::{
    self,
    drift_cache::{DatasetComparison, compare_datasets},
};
use driftdeck::data::Kind;
use driftdeck::drift::report::DriftReport;
use driftdeck::drift::timeline::Chunking;
use driftdeck::drift::{DriftOptions, Method, Progress};
use driftdeck::report::drift as render;

use super::table::{Table, number};
use super::{Failure, write_report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    Svg,
    Png,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference data (e.g. the training set): CSV, TSV, Parquet, Arrow IPC or NDJSON
    reference: PathBuf,
    /// The current data (e.g. this week's production inputs)
    current: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when the dataset drifts (for CI gates)
    #[arg(long)]
    fail_on_drift: bool,
    /// Only these columns (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    columns: Option<Vec<String>>,
    /// Method for every column it applies to, or COL=NAME for one column (repeatable).
    /// Names: ks, chisquare, chi2_contingency, z, fisher, cvm, anderson, wasserstein,
    /// jensenshannon, psi, kl, hellinger, tvd, energy
    #[arg(long, value_name = "NAME|COL=NAME")]
    method: Vec<String>,
    /// Threshold for every column, or COL=X for one column (repeatable): a p-value for tests,
    /// a distance for distances
    #[arg(long, value_name = "X|COL=X")]
    threshold: Vec<String>,
    /// Override a column's kind: COL=numerical|categorical|boolean|datetime|text (repeatable)
    #[arg(long, value_name = "COL=KIND")]
    kind: Vec<String>,
    /// The dataset drifts when at least this share of the tested columns drift
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    drift_share: f64,
    /// Write a chart per tested column into this folder
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Format of the per-column charts
    #[arg(long, value_enum, default_value_t = ChartFormat::Svg)]
    chart_format: ChartFormat,
    /// Memory for column data at once, in MiB (default: a quarter of the machine's memory)
    #[arg(long, value_name = "MIB")]
    memory_mib: Option<u64>,
    /// Test every column from streaming summaries in bounded memory, as if each were larger
    /// than memory (see the README for what is then approximate)
    #[arg(long)]
    streaming: bool,
    /// Do not use or fill the reference profile cache in the catalog
    #[arg(long)]
    no_cache: bool,
    /// Monitoring: also test each time chunk of the current data (needs --period or --chunk-size)
    #[arg(long, value_name = "COL")]
    time_column: Option<String>,
    /// Chunk length for --time-column: 30m, 6h, 1d, 1w
    #[arg(
        long,
        value_name = "PERIOD",
        requires = "time_column",
        conflicts_with = "chunk_size"
    )]
    period: Option<String>,
    /// Chunks of this many rows (in time order) for --time-column
    #[arg(long, value_name = "ROWS", requires = "time_column")]
    chunk_size: Option<usize>,
}

fn split_pair(s: &str) -> Option<(&str, &str)> {
    s.rsplit_once('=').map(|(a, b)| (a.trim(), b.trim()))
}

fn options(args: &DriftArgs) -> Result<DriftOptions, Failure> {
    let bad = |m: String| Failure::BadInput(anyhow!(m));
    let mut o = DriftOptions {
        columns: args.columns.clone(),
        drift_share: args.drift_share,
        memory_budget: args.memory_mib.map(|m| m * 1024 * 1024),
        streaming: args.streaming,
        ..DriftOptions::default()
    };
    for m in &args.method {
        match split_pair(m) {
            Some((col, name)) => {
                let method: Method = name
                    .parse()
                    .map_err(|e| bad(format!("--method {m}: {e}")))?;
                o.column_methods.insert(col.to_string(), method);
            }
            None => {
                o.method = Some(m.parse().map_err(|e| bad(format!("--method: {e}")))?);
            }
        }
    }
    let parse_threshold = |s: &str| -> Result<f64, Failure> {
        s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad(format!("--threshold {s}: expected a number of 0 or more")))
    };
    for t in &args.threshold {
        match split_pair(t) {
            Some((col, v)) => {
                o.column_thresholds
                    .insert(col.to_string(), parse_threshold(v)?);
            }
            None => o.threshold = Some(parse_threshold(t)?),
        }
    }
    let mut kinds = BTreeMap::new();
    for k in &args.kind {
        let (col, name) =
            split_pair(k).ok_or_else(|| bad(format!("--kind {k}: expected COL=KIND")))?;
        let kind = Kind::parse(name).ok_or_else(|| {
            bad(format!(
                "--kind {k}: unknown kind '{name}', expected numerical, categorical, boolean, datetime or text"
            ))
        })?;
        kinds.insert(col.to_string(), kind);
    }
    o.kinds = kinds;
    Ok(o)
}

pub fn run(args: DriftArgs, db: Option<&Path>) -> Result<(), Failure> {
    let options = options(&args)?;
    let chunking = match (&args.time_column, &args.period, args.chunk_size) {
        (None, ..) => None,
        (Some(_), Some(p), _) => Some(Chunking::parse_period(p).map_err(Failure::from)?),
        (Some(_), None, Some(n)) if n > 0 => Some(Chunking::Size(n)),
        (Some(_), None, _) => {
            return Err(Failure::BadInput(anyhow!(
                "--time-column needs --period (e.g. 1d) or --chunk-size (rows, more than 0)"
            )));
        }
    };
    let show_progress = std::io::stderr().is_terminal();
    let progress = |p: Progress| {
        if show_progress {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{} {}/{}: {}",
                p.phase, p.done, p.total, p.message
            );
            if p.phase == "done" {
                let _ = write!(err, "\r\x1b[2K");
            }
            let _ = err.flush();
        }
    };
    // The cache is the catalog's: a catalog that cannot be located only turns it off.
    let cache = match (args.no_cache, catalog::location(db)) {
        (true, _) => None,
        (false, Ok(path)) => Some(path),
        (false, Err(e)) => {
            eprintln!("driftdeck: warning: reference cache off: {e}");
            None
        }
    };
    let compared = compare_datasets(
        &DatasetComparison {
            reference: &args.reference,
            current: &args.current,
            options: &options,
            timeline: args.time_column.as_deref().zip(chunking.as_ref()),
            cache: cache.as_deref(),
        },
        &progress,
    )?;
    for warning in &compared.warnings {
        eprintln!("driftdeck: warning: {warning}");
    }
    let report = compared.report;
    let body = match args.format {
        Format::Json => report.to_json() + "\n",
        Format::Html => render::html(&report),
        Format::Text => text(&report),
    };
    write_report(args.output.as_deref(), &body)?;
    if let Some(dir) = &args.charts {
        write_charts(&report, dir, args.chart_format)?;
    }
    if args.fail_on_drift && report.dataset_drift {
        return Err(Failure::Check(format!(
            "dataset drift: {} of {} columns drifted (share {:.2} >= {})",
            report.drifted_columns, report.tested_columns, report.share_drifted, report.drift_share
        )));
    }
    Ok(())
}

fn write_charts(report: &DriftReport, dir: &Path, format: ChartFormat) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the chart folder {}", dir.display()))
        .map_err(Failure::BadInput)?;
    for column in report.columns.iter().filter(|c| c.testable) {
        let Some(svg) = render::column_chart_svg(column) else {
            continue;
        };
        let stem = render::file_stem(&column.column);
        let (path, bytes) = match format {
            ChartFormat::Svg => (dir.join(format!("{stem}.svg")), svg.into_bytes()),
            ChartFormat::Png => (
                dir.join(format!("{stem}.png")),
                render::column_chart_png(column).map_err(|e| Failure::Internal(anyhow!(e)))?,
            ),
        };
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::BadInput)?;
    }
    Ok(())
}

fn text(report: &DriftReport) -> String {
    let mut out = Vec::new();
    let verdict = if report.dataset_drift {
        "DATASET DRIFT"
    } else {
        "no dataset drift"
    };
    let _ = writeln!(
        out,
        "{verdict}: {} of {} tested columns drifted (share {:.2}, threshold {})",
        report.drifted_columns, report.tested_columns, report.share_drifted, report.drift_share
    );
    let _ = writeln!(
        out,
        "reference {} ({} rows{}), current {} ({} rows)",
        report.reference.path,
        report.reference.rows,
        if report.reference.cached {
            ", cached profile"
        } else {
            ""
        },
        report.current.path,
        report.current.rows
    );
    let s = &report.schema;
    if !s.added.is_empty() {
        let _ = writeln!(out, "added columns: {}", s.added.join(", "));
    }
    if !s.removed.is_empty() {
        let _ = writeln!(out, "removed columns: {}", s.removed.join(", "));
    }
    for t in &s.type_changed {
        let _ = writeln!(
            out,
            "type changed: {} {} -> {}",
            t.column, t.reference, t.current
        );
    }
    let _ = writeln!(out);
    let mut table = Table::new([
        "COLUMN",
        "KIND",
        "METHOD",
        "SCORE",
        "THRESHOLD",
        "DRIFT",
        "EFFECT SIZE",
    ]);
    for c in &report.columns {
        if !c.testable {
            continue;
        }
        table.row([
            c.column.clone(),
            c.kind.clone(),
            c.method.clone().unwrap_or_default(),
            c.score.map(number).unwrap_or_default(),
            c.threshold.map(number).unwrap_or_default(),
            if c.drifted { "DRIFT" } else { "-" }.to_string(),
            c.effect_size
                .as_ref()
                .map(|e| format!("{} {}", number(e.value), e.magnitude))
                .unwrap_or_default(),
        ]);
    }
    let _ = table.write(&mut out);
    let skipped: Vec<_> = report.columns.iter().filter(|c| !c.testable).collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\nnot tested:");
        for c in skipped {
            let _ = writeln!(
                out,
                "  {}: {}",
                c.column,
                c.not_testable_reason.as_deref().unwrap_or("")
            );
        }
    }
    String::from_utf8(out).unwrap_or_default()
}
