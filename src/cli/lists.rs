//! `driftdeck runs`, `runs compare`, `runs history`, `datasets`, `models`, `problems`: reading
//! the catalog.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use driftdeck::catalog::filter::{Field, Key, field};
use driftdeck::catalog::query::RunRow;
use driftdeck::catalog::sweep::SweepRequest;
use driftdeck::catalog::views::{RunQuery, RunsExport, ViewSpec, parse_sort};
use driftdeck::catalog::{Catalog, CatalogError, history};
use driftdeck::error::Error;
use driftdeck::report;
use driftdeck::series::{Smoothing, XAxis};
use driftdeck::time;

use super::table::{Table, number};
use super::{Failure, open_catalog, print_json};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RunsArgs {
    #[command(subcommand)]
    command: Option<RunsCommand>,
    #[command(flatten)]
    list: RunsList,
}

#[derive(Debug, Subcommand)]
enum RunsCommand {
    /// Compare runs side by side: only what differs, unless --all
    Compare {
        /// Runs: catalog ids, tool run ids, or unique prefixes of them
        #[arg(required = true, num_args = 2.., value_name = "ID")]
        ids: Vec<String>,
        /// Show every param, metric and tag, not only those that differ
        #[arg(long)]
        all: bool,
        /// The run the others are compared against (Δ and %Δ beside each number): one of the
        /// IDs; the first by default
        #[arg(long, value_name = "ID")]
        baseline: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// A run's metric histories, every point: the x chosen and the value smoothed, exactly as
    /// the app's charts draw them
    History(HistoryArgs),
    /// How much each param matters for a metric across the runs: Pearson's r and a random
    /// forest's permutation importance (the sweep the app's parallel coordinates draw)
    Sweep {
        /// The metric (its final value per run)
        metric: String,
        /// Only these params (comma-separated); every param that varies by default
        #[arg(long, value_delimiter = ',', value_name = "A,B")]
        params: Vec<String>,
        /// Only runs of this project (its name, folder or id)
        #[arg(long, value_name = "P")]
        project: Option<String>,
        /// MLflow-style filter of the runs
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// Print JSON: {"metric", "run_ids", "names", "axes", "importance"}
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// The run: a catalog id, the tool's run id, or a unique prefix of it
    #[arg(value_name = "RUN")]
    run: String,
    /// Metric keys
    #[arg(required = true, value_name = "KEY")]
    keys: Vec<String>,
    /// The x axis: step, relative_step, time (Unix ms), relative (seconds since the first
    /// point), epoch (the run's `epoch` metric at the step), or another metric's key
    #[arg(long, value_name = "AXIS", default_value = "step")]
    x: String,
    /// ema:W (TensorBoard's, 0 ≤ W ≤ 1), twema:W (time-weighted), mean:N (N points each side),
    /// gauss:S (S in x units), or none
    #[arg(long, value_name = "HOW", default_value = "none")]
    smoothing: String,
    /// Print JSON: one {"run", "key", "x", "smoothing", "points"} per key (an array when there
    /// are several)
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV: run,key,step,timestamp,x,value,smoothed
    #[arg(long)]
    csv: bool,
}

#[derive(Debug, Args)]
struct RunsList {
    /// Only runs of this project (its name, folder or id)
    #[arg(long, value_name = "P")]
    project: Option<String>,
    /// MLflow-style filter, e.g. 'metrics.rmse < 1 and params.model = "tree"'
    #[arg(long, value_name = "EXPR")]
    filter: Option<String>,
    /// Sort by a key, e.g. metrics.val/auc or start_time; add :desc for descending
    #[arg(long, value_name = "KEY[:desc]")]
    sort: Option<String>,
    /// Show at most N runs
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Apply a saved view (its project, filter, sort and columns); the options above override it
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
    /// Save these options (project, filter, sort) as a view, then list
    #[arg(long, value_name = "NAME", conflicts_with = "view")]
    save_view: Option<String>,
    /// Write the runs (every one the filter keeps, with the view's columns, or every metric and
    /// param) to FILE instead of listing them: .csv or .parquet
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    export: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this project (its name, folder or id)
    #[arg(long, value_name = "P")]
    project: Option<String>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

impl ListArgs {
    /// What `list` finds for the project asked for (every project without `--project`), or
    /// `None` once it is printed as JSON (`--json`): what is left is the table.
    fn listed<T: serde::Serialize>(
        &self,
        db: Option<&Path>,
        list: impl FnOnce(&Catalog, Option<i64>) -> Result<T, CatalogError>,
    ) -> Result<Option<T>, Failure> {
        let catalog = open_catalog(db)?;
        let project = resolve_project(&catalog, self.project.as_deref())?;
        let found = list(&catalog, project)?;
        if self.json {
            print_json(&found)?;
            return Ok(None);
        }
        Ok(Some(found))
    }
}

pub fn run_runs(args: RunsArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    match args.command {
        Some(RunsCommand::Compare {
            ids,
            all,
            baseline,
            json,
        }) => compare(&catalog, &ids, all, baseline.as_deref(), json),
        Some(RunsCommand::History(args)) => history(&catalog, args),
        Some(RunsCommand::Sweep {
            metric,
            params,
            project,
            filter,
            json,
        }) => {
            let request = SweepRequest {
                project: resolve_project(&catalog, project.as_deref())?,
                filter,
                run_ids: Vec::new(),
                params,
                metric,
            };
            sweep(&catalog, &request, json)
        }
        None => list_runs(&mut catalog, args.list),
    }
}

fn list_runs(catalog: &mut Catalog, args: RunsList) -> Result<(), Failure> {
    let mut spec = match &args.view {
        Some(name) => catalog.view(name)?.spec,
        None => ViewSpec::default(),
    };
    if let Some(p) = args.project.as_deref() {
        spec.project = resolve_project(catalog, Some(p))?;
    }
    spec.filter = args.filter.clone().or(spec.filter);
    spec.sort = args.sort.clone().or(spec.sort);
    if let Some(name) = &args.save_view {
        catalog.save_view(name, &spec, time::now_ms())?;
        eprintln!("saved view `{}`", name.trim());
    }
    if let Some(path) = &args.export {
        return export_runs(catalog, &spec, path);
    }
    let query = RunQuery {
        limit: args.limit,
        ..spec.query()
    };
    let runs = catalog.query_runs(&query)?;
    if args.json {
        return print_json(&runs);
    }
    let mut out = std::io::stdout().lock();
    if runs.is_empty() {
        writeln!(
            out,
            "no runs{}",
            if query.filter.is_some() {
                " match the filter"
            } else {
                " in the catalog yet: `driftdeck index PATH`"
            }
        )?;
        return Ok(());
    }
    let sort = query.sort.as_deref().map(parse_sort).transpose()?;
    let columns: Vec<Key> = spec.columns.iter().filter_map(|k| Key::parse(k)).collect();
    if !columns.is_empty() {
        return write_runs(&mut out, &runs, &columns);
    }
    // Metric columns: those the filter or sort names, then the most common ones.
    let mut keys: Vec<String> = Vec::new();
    if let Some((Key::Metric(k), _)) = &sort {
        keys.push(k.clone());
    }
    let mut freq: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &runs {
        for k in r.metrics.keys() {
            *freq.entry(k).or_default() += 1;
        }
    }
    let mut common: Vec<(&str, usize)> = freq.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (k, _) in common {
        if keys.len() >= 4 {
            break;
        }
        if !keys.iter().any(|x| x == k) {
            keys.push(k.to_string());
        }
    }
    let keys: Vec<Key> = keys.into_iter().map(Key::Metric).collect();
    write_runs(&mut out, &runs, &keys)
}

/// `runs --export FILE`: the runs `spec` keeps, as the file's extension asks.
fn export_runs(catalog: &Catalog, spec: &ViewSpec, path: &Path) -> Result<(), Failure> {
    let format = RunsExport::format_of(path).ok_or_else(|| {
        Error::bad_input(format!(
            "--export {}: expected a .csv or .parquet file",
            path.display()
        ))
    })?;
    let bytes = catalog.export_runs(&RunsExport {
        project: spec.project,
        filter: spec.filter.clone(),
        sort: spec.sort.clone(),
        columns: spec.columns.clone(),
        format: format.into(),
    })?;
    report::write_file(path, &bytes)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The runs as a table: who and when, then a column per key (a metric, param, tag or attribute).
fn write_runs(out: &mut impl Write, runs: &[RunRow], keys: &[Key]) -> Result<(), Failure> {
    let mut header = vec![
        "ID".to_string(),
        "PROJECT".into(),
        "EXPERIMENT".into(),
        "NAME".into(),
        "STATUS".into(),
        "STARTED".into(),
    ];
    header.extend(keys.iter().map(|k| match k {
        Key::Metric(m) => m.clone(),
        other => other.to_string(),
    }));
    let mut table = Table::new(header);
    for r in runs {
        let mut row = vec![
            r.id.to_string(),
            r.project.clone(),
            r.experiment.clone().unwrap_or_default(),
            r.name.clone().unwrap_or_else(|| r.run_id.clone()),
            status_text(r),
            r.start_ms
                .map(|t| time::rfc3339_ms(t)[..16].replace('T', " "))
                .unwrap_or_default(),
        ];
        row.extend(keys.iter().map(|k| cell(r, k)));
        table.row(row);
    }
    table.write(out)?;
    writeln!(out, "{} run(s)", runs.len())?;
    Ok(())
}

/// A run's value for a key, as the table shows it.
fn cell(r: &RunRow, key: &Key) -> String {
    match field(key, &r.view()) {
        Some(Field::Number(v)) => number(v),
        Some(Field::Text(t)) => t.to_string(),
        None => String::new(),
    }
}

fn history(catalog: &Catalog, args: HistoryArgs) -> Result<(), Failure> {
    let axis = XAxis::parse(&args.x).map_err(|e| Failure::BadInput(anyhow::anyhow!("--x: {e}")))?;
    let smoothing = Smoothing::parse(&args.smoothing)
        .map_err(|e| Failure::BadInput(anyhow::anyhow!("--smoothing: {e}")))?;
    let histories = catalog.histories(&args.run, &args.keys, &axis, &smoothing)?;
    let mut out = std::io::stdout().lock();
    if args.csv {
        history::write_csv(&histories, &mut out)?;
        return Ok(());
    }
    if args.json {
        return match histories.as_slice() {
            [one] => print_json(one),
            many => print_json(&many),
        };
    }
    for h in &histories {
        writeln!(
            out,
            "{} · {} · x: {} · smoothing: {}",
            h.run, h.key, h.x, h.smoothing
        )?;
        let mut table = Table::new(["STEP", "TIME", "X", "VALUE", "SMOOTHED"]);
        for p in &h.points {
            table.row([
                p.step.to_string(),
                time::rfc3339_ms(p.timestamp),
                number(p.x.0),
                number(p.value.0),
                number(p.smoothed.0),
            ]);
        }
        table.write(&mut out)?;
        writeln!(out, "{} point(s)\n", h.points.len())?;
    }
    Ok(())
}

fn status_text(r: &RunRow) -> String {
    let status = r.status.clone().unwrap_or_default();
    if r.lifecycle.as_deref() == Some("deleted") {
        format!("{status} (deleted)")
    } else {
        status
    }
}

fn compare(
    catalog: &Catalog,
    ids: &[String],
    all: bool,
    baseline: Option<&str>,
    as_json: bool,
) -> Result<(), Failure> {
    let mut comparison = catalog.compare_runs(ids, baseline)?;
    let total = comparison.rows.len();
    comparison.rows.retain(|r| all || r.differs);
    if as_json {
        return print_json(&comparison);
    }
    let shown = &comparison.rows;
    let mut header = vec!["KEY".to_string()];
    let base = comparison.baseline as usize;
    header.extend(comparison.runs.iter().enumerate().map(|(i, r)| {
        format!(
            "{} {}{}",
            r.id,
            r.name.as_deref().unwrap_or(&r.run_id),
            if i == base { " (baseline)" } else { "" }
        )
    }));
    let mut table = Table::new(header);
    for r in shown {
        let mut row = vec![r.key.clone()];
        row.extend(r.values.iter().zip(&r.deltas).map(|(v, d)| {
            let text = match (r.section, v) {
                (_, None) => return "—".to_string(),
                ("metric", Some(v)) => v.parse::<f64>().map(number).unwrap_or_else(|_| v.clone()),
                (_, Some(v)) => v.clone(),
            };
            match d {
                Some(d) if d.delta != 0.0 => format!("{text} ({})", delta_text(d)),
                _ => text,
            }
        }));
        table.row(row);
    }
    let mut out = std::io::stdout().lock();
    if table.is_empty() {
        writeln!(out, "the runs do not differ (use --all to see everything)")?;
    } else {
        table.write(&mut out)?;
        if !all {
            writeln!(
                out,
                "{} of {total} keys differ (--all shows every key)",
                shown.len()
            )?;
        }
    }
    Ok(())
}

/// `runs sweep`: each param's importance for the metric, most important first.
fn sweep(catalog: &Catalog, request: &SweepRequest, as_json: bool) -> Result<(), Failure> {
    let sweep = catalog.sweep(request)?;
    if as_json {
        return print_json(&sweep);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} over {} runs", sweep.metric, sweep.run_ids.len())?;
    let mut table = Table::new(vec![
        "PARAM".to_string(),
        "IMPORTANCE".into(),
        "CORRELATION".into(),
    ]);
    let cell = |v: Option<f64>| v.map(number).unwrap_or_else(|| "—".into());
    for i in &sweep.importance {
        table.row(vec![i.key.clone(), cell(i.importance), cell(i.correlation)]);
    }
    if table.is_empty() {
        writeln!(out, "no param varies among these runs")?;
    } else {
        table.write(&mut out)?;
    }
    Ok(())
}

/// A difference as the compare table writes it: `+0.02, +2.5%`.
fn delta_text(d: &driftdeck::catalog::query::Delta) -> String {
    let signed = |v: f64, text: String| if v > 0.0 { format!("+{text}") } else { text };
    let mut out = signed(d.delta, number(d.delta));
    if let Some(p) = d.percent {
        out.push_str(&format!(", {}%", signed(p, format!("{p:.1}"))));
    }
    out
}

pub fn run_datasets(args: ListArgs, db: Option<&Path>) -> Result<(), Failure> {
    let Some(datasets) = args.listed(db, Catalog::list_datasets)? else {
        return Ok(());
    };
    let mut table = Table::new([
        "ID", "PROJECT", "PATH", "FORMAT", "ROWS", "COLUMNS", "NULLS",
    ]);
    for d in &datasets {
        table.row([
            d.id.to_string(),
            d.project.clone(),
            d.path.clone(),
            d.format.clone(),
            d.rows.map(|r| r.to_string()).unwrap_or_default(),
            d.columns.to_string(),
            d.schema.iter().map(|c| c.nulls).sum::<i64>().to_string(),
        ]);
    }
    write_table(
        table,
        "no datasets in the catalog yet: `driftdeck index PATH`",
    )
}

pub fn run_models(args: ListArgs, db: Option<&Path>) -> Result<(), Failure> {
    let Some(list) = args.listed(db, Catalog::list_models)? else {
        return Ok(());
    };
    let (models, registered) = (&list.models, &list.registered_models);
    let mut table = Table::new(["ID", "PROJECT", "PATH", "FORMAT", "SIZE", "RUN"]);
    for m in models {
        table.row([
            m.id.to_string(),
            m.project.clone(),
            m.path.clone(),
            m.format.clone(),
            human_bytes(m.bytes),
            m.run.as_ref().map(|r| r.run_id.clone()).unwrap_or_default(),
        ]);
    }
    write_table(
        table,
        "no models in the catalog yet: `driftdeck index PATH`",
    )?;
    if !registered.is_empty() {
        let mut out = std::io::stdout().lock();
        writeln!(out)?;
        let mut t = Table::new(["REGISTERED MODEL", "PROJECT", "VERSIONS", "ALIASES"]);
        for r in registered {
            let aliases = r
                .aliases
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| format!("{k}→{}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            t.row([
                r.name.clone(),
                r.project.clone(),
                r.versions.len().to_string(),
                aliases,
            ]);
        }
        t.write(&mut out)?;
    }
    Ok(())
}

pub fn run_problems(args: ListArgs, db: Option<&Path>) -> Result<(), Failure> {
    let Some(problems) = args.listed(db, Catalog::list_problems)? else {
        return Ok(());
    };
    let mut table = Table::new(["PROJECT", "PATH", "READER", "PROBLEM"]);
    for p in &problems {
        table.row([
            p.project.clone(),
            p.path.clone(),
            p.reader.clone(),
            p.message.clone(),
        ]);
    }
    write_table(table, "no problems")
}

fn write_table(table: Table, empty: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if table.is_empty() {
        writeln!(out, "{empty}")?;
    } else {
        table.write(&mut out)?;
    }
    Ok(())
}

fn human_bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `--project P`: a project's name, folder or id.
fn resolve_project(catalog: &Catalog, reference: Option<&str>) -> Result<Option<i64>, Failure> {
    let Some(reference) = reference else {
        return Ok(None);
    };
    let projects = catalog.projects()?;
    let canonical = std::fs::canonicalize(reference).ok();
    let found: Vec<_> = projects
        .iter()
        .filter(|p| {
            p.name == reference
                || p.id.to_string() == reference
                || canonical.as_ref() == Some(&p.path)
        })
        .collect();
    match found.as_slice() {
        [p] => Ok(Some(p.id)),
        [] => Err(CatalogError::NoSuchProject {
            what: format!("project {reference}"),
        }
        .into()),
        _ => Err(Failure::BadInput(anyhow::anyhow!(
            "--project {reference} names several projects; use its folder or id (`driftdeck project list`)"
        ))),
    }
}
