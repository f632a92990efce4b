//! Fairness reports rendered: bars per group with the parity band (SVG, plotters), and a
//! self-contained HTML page (no script, nothing loaded).

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::fairness::report::DataInfo;
use crate::fairness::{FairnessCheck, GroupRates, GroupingResult, Metric, RegressionCheck};

use super::chart::{REPORT_FG, category_mesh, register_fonts, report_legend};
use super::{PAGE_END, esc, page_start, short};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 300;

/// The metrics a chart can show: the rates.
fn chart_metrics() -> Vec<&'static str> {
    Metric::rates().iter().map(|m| m.name()).collect()
}

fn metric_of(g: &GroupRates, metric: &str) -> Option<f64> {
    Metric::named(metric).and_then(|m| g.rates.get(m))
}

/// The chart of grouping number `grouping` of `check` ([`grouping_chart_svg`]); an error names a
/// grouping the check does not have, or a metric that cannot be drawn.
pub fn grouping_chart_of(
    check: &FairnessCheck,
    grouping: usize,
    metric: &str,
) -> Result<String, crate::error::Error> {
    use crate::error::{Error, ErrorCode};
    let g = check.groupings.get(grouping).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("the check has no grouping {grouping}"),
        )
    })?;
    grouping_chart_svg(check, g, metric).ok_or_else(|| {
        let known = chart_metrics().join(", ");
        Error::bad_input(format!(
            "unknown metric '{metric}': expected one of {known}"
        ))
    })
}

/// Bars of `metric` per group of `grouping`, the overall value as a line, and the two parity
/// bands: overall ± the report's max difference, and overall × min ratio to overall ÷ min
/// ratio; bars outside either are orange, small groups pale. `None` for an unknown metric.
pub fn grouping_chart_svg(
    check: &FairnessCheck,
    grouping: &GroupingResult,
    metric: &str,
) -> Option<String> {
    if !chart_metrics().contains(&metric) {
        return None;
    }
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let _ = draw(&root, check, grouping, metric);
        let _ = root.present();
    }
    Some(svg)
}

type Draw<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    check: &FairnessCheck,
    grouping: &GroupingResult,
    metric: &str,
) -> Draw<DB> {
    root.fill(&WHITE)?;
    let bar = RGBColor(0, 114, 178);
    let bad = RGBColor(213, 94, 0);
    let text = |size: u32| ("sans-serif", size).into_font().color(&REPORT_FG);
    let n = grouping.groups.len().max(1);
    let overall = metric_of(&check.overall, metric);
    let labels: Vec<String> = grouping
        .groups
        .iter()
        .map(|g| {
            let l = g.label.clone();
            if l.chars().count() > 14 {
                l.chars().take(13).collect::<String>() + "…"
            } else {
                l
            }
        })
        .collect();
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "{} by {}",
                metric.replace('_', " "),
                grouping.columns.join(" × ")
            ),
            text(14),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..n as f64, 0.0..1.0)?;
    category_mesh(&mut chart, &labels, 24, &|v| format!("{v:.1}"))?;
    if let Some(o) = overall
        && o > 0.0
    {
        // The ratio band: within the four-fifths (min ratio) of the overall value either way.
        let (lo, hi) = (
            (o * check.min_ratio).max(0.0),
            (o / check.min_ratio).min(1.0),
        );
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, lo), (n as f64, hi)],
                RGBColor(86, 180, 233).mix(0.12).filled(),
            )))?
            .label(format!("ratio band ×{}", short(check.min_ratio)))
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 12, y + 5)],
                    RGBColor(86, 180, 233).mix(0.4).filled(),
                )
            });
    }
    if let Some(o) = overall {
        let lo = (o - check.max_difference).max(0.0);
        let hi = (o + check.max_difference).min(1.0);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, lo), (n as f64, hi)],
            RGBColor(0, 158, 115).mix(0.12).filled(),
        )))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, o), (n as f64, o)],
                RGBColor(0, 158, 115).stroke_width(2),
            )))?
            .label(format!(
                "overall {} (band ± {})",
                short(o),
                short(check.max_difference)
            ))
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 14, y)],
                    RGBColor(0, 158, 115).stroke_width(2),
                )
            });
    }
    chart.draw_series(grouping.groups.iter().enumerate().filter_map(|(i, g)| {
        let v = metric_of(g, metric)?;
        let outside = overall.is_some_and(|o| {
            (v - o).abs() > check.max_difference
                || (o > 0.0 && (v / o < check.min_ratio || v / o > 1.0 / check.min_ratio))
        });
        let color = if outside { bad } else { bar };
        let style = if g.below_min_size {
            color.mix(0.35).filled()
        } else {
            color.mix(0.85).filled()
        };
        Some(Rectangle::new(
            [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, v)],
            style,
        ))
    }))?;
    report_legend(&mut chart)?;
    Ok(())
}

fn cell(v: Option<f64>, g: &GroupRates, metric: &str) -> String {
    match v {
        Some(v) => short(v),
        None => {
            let why = g
                .undefined
                .iter()
                .find(|u| u.metric == metric)
                .map(|u| u.reason.as_str())
                .unwrap_or("undefined");
            format!("<span title=\"{}\">—</span>", esc(why))
        }
    }
}

const CSS: &str = r#"
table{margin:8px 0}
.small{color:#9a6700}
"#;

/// The line under a report's title: the file, its rows, the label and prediction columns (each
/// followed by its HTML `after_label`, `after_prediction`) and the version that wrote it.
fn meta(
    h: &mut String,
    data: &DataInfo,
    (label, prediction): (&str, &str),
    after_label: &str,
    after_prediction: &str,
) {
    let _ = write!(
        h,
        "<div class=\"meta\"><b>{}</b> · {} rows · label <b>{}</b>{after_label} · prediction <b>{}</b>{after_prediction} · Driftdeck {}</div>",
        esc(&data.path),
        data.rows,
        esc(label),
        esc(prediction),
        env!("CARGO_PKG_VERSION")
    );
}

/// The check as one self-contained HTML page.
pub fn html(check: &FairnessCheck) -> String {
    let mut h = page_start("Fairness report", &check.data.path, CSS);
    h.push_str("<h1>Fairness report</h1>");
    let threshold = check
        .score_threshold
        .map(|t| format!(" (score ≥ {t})"))
        .unwrap_or_default();
    let flagged = format!(
        "{threshold} · groups under {} rows flagged",
        check.min_group_size
    );
    let positive = format!(" (positive {})", esc(&check.positive_label));
    let columns = (check.label.as_str(), check.prediction.as_str());
    meta(&mut h, &check.data, columns, &positive, &flagged);
    let _ = write!(
        h,
        "<div class=\"verdict {}\"><b>{}</b>: between-groups differences must be at most {} and ratios at least {}.</div>",
        if check.passed { "ok" } else { "bad" },
        if check.passed {
            "No fairness violation".to_string()
        } else {
            format!("{} fairness violations", check.violations)
        },
        short(check.max_difference),
        short(check.min_ratio)
    );
    for g in &check.groupings {
        let _ = write!(h, "<h2>By {}</h2>", esc(&g.columns.join(" × ")));
        if let Some(svg) = grouping_chart_svg(check, g, "selection_rate") {
            h.push_str(&svg);
        }
        h.push_str("<table><thead><tr><th>Group</th><th>Count</th><th>Selection rate</th><th>TPR</th><th>FPR</th><th>TNR</th><th>FNR</th><th>Accuracy</th><th>Precision</th></tr></thead><tbody>");
        for r in &g.groups {
            let _ = write!(
                h,
                "<tr><td>{}{}</td><td class=\"num\">{}</td>",
                esc(&r.label),
                if r.below_min_size {
                    " <span class=\"small\" title=\"fewer rows than the minimum group size\">small</span>"
                } else {
                    ""
                },
                r.count
            );
            for (m, v) in r.rates.named() {
                let _ = write!(h, "<td class=\"num\">{}</td>", cell(v, r, m));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table><table><thead><tr><th>Disparity (between groups)</th><th>Value</th><th>Interval</th><th>Threshold</th><th></th></tr></thead><tbody>");
        for d in g
            .disparities
            .iter()
            .filter(|d| d.method == "between_groups")
        {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
                d.name,
                d.value.map(short).unwrap_or_else(|| "—".into()),
                d.interval
                    .as_ref()
                    .map(|i| format!(
                        "[{}, {}] ({:.0}%)",
                        short(i.low),
                        short(i.high),
                        i.confidence * 100.0
                    ))
                    .unwrap_or_default(),
                if d.kind == "ratio" { "≥" } else { "≤" },
                short(d.threshold),
                match d.violated {
                    Some(true) => "<span class=\"badge bad\">violated</span>",
                    Some(false) => "<span class=\"badge ok\">ok</span>",
                    None => "undefined",
                }
            );
        }
        let di = &g.disparate_impact;
        let _ = write!(
            h,
            "<tr><td>disparate_impact ({} vs {})</td><td class=\"num\">{}</td><td></td><td>≥ 0.8 (four-fifths)</td><td>{}</td></tr></tbody></table>",
            esc(di.lowest_group.as_deref().unwrap_or("?")),
            esc(di.highest_group.as_deref().unwrap_or("?")),
            di.ratio.map(short).unwrap_or_else(|| "—".into()),
            match di.four_fifths_violation {
                Some(true) => "<span class=\"badge bad\">violated</span>",
                Some(false) => "<span class=\"badge ok\">ok</span>",
                None => "undefined",
            }
        );
    }
    if let Some(c) = &check.comparison {
        let _ = write!(
            h,
            "<h2>What moved since {} ({} rows)</h2><table><thead><tr><th>Grouping</th><th>Group</th><th>Metric</th><th>Before</th><th>After</th><th>Change</th></tr></thead><tbody>",
            esc(&c.path),
            c.rows
        );
        for ch in c.changes.iter().take(40) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&ch.grouping),
                esc(&ch.group),
                ch.metric,
                ch.before.map(short).unwrap_or_else(|| "—".into()),
                ch.after.map(short).unwrap_or_else(|| "—".into()),
                ch.change
                    .map(|v| format!("{:+.4}", v))
                    .unwrap_or_else(|| "—".into()),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(PAGE_END);
    h
}

/// A regression check as one self-contained HTML page: per grouping, the groups' mean
/// prediction, mean label and MAE, and Fairlearn's difference and ratio of each.
pub fn regression_html(check: &RegressionCheck) -> String {
    let mut h = page_start("Fairness report", &check.data.path, CSS);
    h.push_str("<h1>Fairness report (regression)</h1>");
    let columns = (check.label.as_str(), check.prediction.as_str());
    meta(&mut h, &check.data, columns, "", "");
    for g in &check.groupings {
        let _ = write!(
            h,
            "<h2>By {}</h2><table><thead><tr><th>Group</th><th>Count</th><th>Mean prediction</th><th>Mean label</th><th>MAE</th></tr></thead><tbody>",
            esc(&g.columns.join(" × "))
        );
        for r in &g.groups {
            let f = |v: Option<f64>| v.map(short).unwrap_or_else(|| "—".into());
            let _ = write!(
                h,
                "<tr><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&r.label),
                if r.below_min_size {
                    " <span class=\"small\">small</span>"
                } else {
                    ""
                },
                r.count,
                f(r.mean_prediction),
                f(r.mean_label),
                f(r.mae)
            );
        }
        h.push_str("</tbody></table><table><thead><tr><th>Metric</th><th>Difference between groups</th><th>Ratio between groups</th></tr></thead><tbody>");
        for s in g.summaries.iter().filter(|s| s.metric != "count") {
            let f = |v: Option<f64>| v.map(short).unwrap_or_else(|| "—".into());
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                s.metric,
                f(s.values.difference_between_groups),
                f(s.values.ratio_between_groups)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(PAGE_END);
    h
}
