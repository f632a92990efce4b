//! Drift reports rendered: a self-contained HTML page, and a chart per column as SVG or PNG.
//!
//! Everything is drawn from the report's pre-aggregated histograms and category bars, never
//! from raw rows, so a report on a billion rows is as small as one on a thousand: about 20-40
//! KiB per charted column. The HTML page has no script and loads nothing (inline CSS and SVG).

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::drift::report::{ColumnResult, DriftReport};

use super::chart::{
    REPORT_FG, REPORT_GRID, category_mesh, png_image, register_fonts, report_legend, series_color,
};
pub use super::short;
use super::{PAGE_END, esc, page_start};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 300;
/// Columns charted in the HTML page; the table lists every column.
pub const MAX_HTML_CHARTS: usize = 60;

const REFERENCE: RGBColor = RGBColor(0, 114, 178);
const CURRENT: RGBColor = RGBColor(213, 94, 0);

/// The chart of one tested column: overlaid histograms (numbers) or grouped bars
/// (categories), as an SVG document. `None` for a column without distributions.
pub fn column_chart_svg(column: &ColumnResult) -> Option<String> {
    if column.histogram.is_none() && column.bars.is_none() {
        return None;
    }
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let _ = draw_column(&root, column);
        let _ = root.present();
    }
    Some(svg)
}

/// The chart of the column named `column` in `report` ([`column_chart_svg`]); an error names a
/// column that is not in the report or was not tested.
pub fn column_chart_of(report: &DriftReport, column: &str) -> Result<String, crate::error::Error> {
    use crate::error::{Error, ErrorCode};
    let col = report.column(column).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("column '{column}' is not in the report"),
        )
    })?;
    column_chart_svg(col).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!("column '{column}' was not tested, so there is no chart"),
        )
    })
}

/// The same chart as a PNG image.
pub fn column_chart_png(column: &ColumnResult) -> Result<Vec<u8>, String> {
    if column.histogram.is_none() && column.bars.is_none() {
        return Err(format!(
            "column {} has no distribution to draw",
            column.column
        ));
    }
    png_image(WIDTH, HEIGHT, &column.column, |root| {
        draw_column(root, column)
    })
}

/// A file name for a column's chart: the name with anything but letters, digits, `-`, `_`
/// and `.` replaced.
pub fn file_stem(column: &str) -> String {
    let s: String = column
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("column{s}")
    } else {
        s
    }
}

type Draw<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_column<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    column: &ColumnResult,
) -> Draw<DB> {
    root.fill(&WHITE)?;
    let (fg, grid) = (REPORT_FG, REPORT_GRID);
    let text = |size: u32| ("sans-serif", size).into_font().color(&fg);
    let title = match (&column.method, column.score) {
        (Some(m), Some(s)) => format!(
            "{} — {} {} {}",
            column.column,
            m,
            short(s),
            if column.drifted {
                "(drift)"
            } else {
                "(no drift)"
            }
        ),
        _ => column.column.clone(),
    };
    if let Some(h) = &column.histogram {
        let x0 = h.edges[0];
        let x1 = *h.edges.last().unwrap_or(&x0);
        let ymax = h
            .reference
            .iter()
            .chain(&h.current)
            .fold(0.0f64, |a, &b| a.max(b))
            .max(1e-9)
            * 1.1;
        let mut chart = ChartBuilder::on(root)
            .caption(title, text(14))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, 0.0..ymax)?;
        chart
            .configure_mesh()
            .axis_style(fg.mix(0.6))
            .light_line_style(grid)
            .bold_line_style(grid)
            .label_style(text(11))
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .draw()?;
        for (props, color, label) in [
            (&h.reference, REFERENCE, "reference"),
            (&h.current, CURRENT, "current"),
        ] {
            chart
                .draw_series(props.iter().enumerate().map(|(i, &p)| {
                    Rectangle::new(
                        [(h.edges[i], 0.0), (h.edges[i + 1], p)],
                        color.mix(0.45).filled(),
                    )
                }))?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        report_legend(&mut chart)?;
    } else if let Some(b) = &column.bars {
        let n = b.categories.len().max(1);
        let ymax = b
            .reference
            .iter()
            .chain(&b.current)
            .fold(0.0f64, |a, &v| a.max(v))
            .max(1e-9)
            * 1.1;
        let labels: Vec<String> = b.categories.iter().map(|c| cut(c, 10)).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(title, text(14))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..n as f64, 0.0..ymax)?;
        category_mesh(&mut chart, &labels, 15, &|v| format!("{:.0}%", v * 100.0))?;
        for (props, color, label, offset) in [
            (&b.reference, REFERENCE, "reference", 0.1),
            (&b.current, CURRENT, "current", 0.5),
        ] {
            chart
                .draw_series(props.iter().enumerate().map(|(i, &p)| {
                    let x = i as f64 + offset;
                    Rectangle::new([(x, 0.0), (x + 0.4, p)], color.mix(0.8).filled())
                }))?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        report_legend(&mut chart)?;
    }
    Ok(())
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let kept: String = s.chars().take(max - 1).collect();
        format!("{kept}…")
    } else {
        s.to_string()
    }
}

/// A tiny inline sparkline of both distributions (bars: reference above, current below).
fn sparkline(column: &ColumnResult) -> String {
    let (r, c) = match (&column.histogram, &column.bars) {
        (Some(h), _) => (&h.reference, &h.current),
        (None, Some(b)) => (&b.reference, &b.current),
        _ => return String::new(),
    };
    let n = r.len().max(1);
    let max = r.iter().chain(c).fold(0.0f64, |a, &b| a.max(b)).max(1e-12);
    let w = 120.0 / n as f64;
    let mut s = String::from(r#"<svg class="spark" width="120" height="28" viewBox="0 0 120 28">"#);
    for (i, (&a, &b)) in r.iter().zip(c).enumerate() {
        let x = i as f64 * w;
        let ha = a / max * 13.0;
        let hb = b / max * 13.0;
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{ha:.1}" fill="#0072b2"/><rect x="{x:.1}" y="15" width="{:.1}" height="{hb:.1}" fill="#d55e00"/>"##,
            13.0 - ha,
            (w - 0.5).max(0.5),
            (w - 0.5).max(0.5),
        );
    }
    s.push_str("</svg>");
    s
}

const CSS: &str = r#"
table{border-radius:6px} th,td{padding:6px 10px;vertical-align:middle} th{letter-spacing:.03em}
details{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:10px 0;padding:8px 14px}
summary{cursor:pointer;font-weight:600}
.detail{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;margin-top:8px}
.detail dl{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:0;font-size:13px}
.detail dt{color:#57606a} .detail dd{margin:0}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
"#;

/// The report as one self-contained HTML page.
pub fn html(report: &DriftReport) -> String {
    let verdict = if report.dataset_drift {
        ("bad", "Dataset drift detected")
    } else {
        ("ok", "No dataset drift")
    };
    let mut h = page_start("Drift report", &report.current.path, CSS);
    let _ = write!(
        h,
        "<h1>Data drift report</h1><div class=\"meta\">reference <b>{}</b> ({} rows, {} columns{}) · current <b>{}</b> ({} rows, {} columns) · {} ms · Driftdeck {}</div>",
        esc(&report.reference.path),
        report.reference.rows,
        report.reference.columns,
        if report.reference.cached {
            ", cached profile"
        } else {
            ""
        },
        esc(&report.current.path),
        report.current.rows,
        report.current.columns,
        report.elapsed_ms,
        env!("CARGO_PKG_VERSION"),
    );
    let _ = write!(
        h,
        "<div class=\"verdict {}\"><b>{}</b>: {} of {} tested columns drifted ({:.0}%; the dataset drifts at {:.0}% or more).</div>",
        verdict.0,
        verdict.1,
        report.drifted_columns,
        report.tested_columns,
        report.share_drifted * 100.0,
        report.drift_share * 100.0
    );
    let s = &report.schema;
    if !(s.added.is_empty() && s.removed.is_empty() && s.type_changed.is_empty()) {
        h.push_str("<h2>Schema changes</h2><ul>");
        if !s.added.is_empty() {
            let _ = write!(h, "<li>Added: {}</li>", esc(&s.added.join(", ")));
        }
        if !s.removed.is_empty() {
            let _ = write!(h, "<li>Removed: {}</li>", esc(&s.removed.join(", ")));
        }
        for t in &s.type_changed {
            let _ = write!(
                h,
                "<li>Type changed: {} {} → {}</li>",
                esc(&t.column),
                esc(&t.reference),
                esc(&t.current)
            );
        }
        h.push_str("</ul>");
    }
    let _ = write!(
        h,
        "<h2>Columns</h2><p class=\"legend meta\">Distributions:<span style=\"background:{}\"></span>reference<span style=\"background:{}\"></span>current</p>",
        series_color(0),
        series_color(1)
    );
    h.push_str("<table><thead><tr><th>Column</th><th>Kind</th><th>Method</th><th>Score</th><th>Threshold</th><th>Effect size</th><th>Drift</th><th>Distributions</th></tr></thead><tbody>");
    let mut order: Vec<&ColumnResult> = report.columns.iter().collect();
    order.sort_by(|a, b| {
        b.drifted.cmp(&a.drifted).then_with(|| {
            let ea = a.effect_size.as_ref().map_or(-1.0, |e| e.value);
            let eb = b.effect_size.as_ref().map_or(-1.0, |e| e.value);
            eb.total_cmp(&ea)
        })
    });
    for c in &order {
        if !c.testable {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td colspan=\"6\" class=\"meta\">not tested: {}</td></tr>",
                esc(&c.column),
                c.kind,
                esc(c.not_testable_reason.as_deref().unwrap_or(""))
            );
            continue;
        }
        let _ = write!(
            h,
            "<tr><td><a href=\"#col-{}\">{}</a></td><td>{}</td><td title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td><span class=\"badge {}\">{}</span></td><td>{}</td></tr>",
            esc(&file_stem(&c.column)),
            esc(&c.column),
            c.kind,
            esc(c.reason.as_deref().unwrap_or("")),
            esc(c.method_label.as_deref().unwrap_or("")),
            c.score.map(short).unwrap_or_default(),
            c.threshold.map(short).unwrap_or_default(),
            c.effect_size
                .as_ref()
                .map(|e| format!("{} {}", short(e.value), e.magnitude))
                .unwrap_or_default(),
            if c.drifted { "bad" } else { "ok" },
            if c.drifted { "drift" } else { "no drift" },
            sparkline(c)
        );
    }
    h.push_str("</tbody></table><h2>Details</h2>");
    for (i, c) in order.iter().filter(|c| c.testable).enumerate() {
        let _ = write!(
            h,
            "<details id=\"col-{}\"{}><summary>{} — {}</summary><div class=\"detail\">",
            esc(&file_stem(&c.column)),
            if c.drifted && i < 5 { " open" } else { "" },
            esc(&c.column),
            if c.drifted { "drift" } else { "no drift" }
        );
        if i < MAX_HTML_CHARTS
            && let Some(svg) = column_chart_svg(c)
        {
            h.push_str(&svg);
        }
        h.push_str("<dl>");
        let mut row = |k: &str, v: String| {
            let _ = write!(h, "<dt>{k}</dt><dd>{}</dd>", esc(&v));
        };
        row("method", c.method_label.clone().unwrap_or_default());
        row("why", c.reason.clone().unwrap_or_default());
        row("statistic", c.statistic.map(short).unwrap_or_default());
        row(
            "p-value",
            c.p_value.map(short).unwrap_or_else(|| "—".to_string()),
        );
        row(
            "threshold",
            format!(
                "{} ({})",
                c.threshold.map(short).unwrap_or_default(),
                match c.rule.as_deref() {
                    Some("p_value_below") => "drift when p is below",
                    _ => "drift when the distance is at least",
                }
            ),
        );
        if let Some(e) = &c.effect_size {
            row(
                "effect size",
                format!("{} = {} ({})", e.label, short(e.value), e.magnitude),
            );
        }
        for (side, s) in [("reference", &c.reference), ("current", &c.current)] {
            let mut v = format!("{} values, {} missing", s.count, s.missing);
            if let (Some(m), Some(sd)) = (s.mean, s.std) {
                let _ = write!(v, ", mean {} ± {}", short(m), short(sd));
            }
            if let (Some(lo), Some(hi)) = (s.min, s.max) {
                let _ = write!(v, ", range {} … {}", short(lo), short(hi));
            } else if let Some(d) = s.distinct {
                let _ = write!(v, ", {d} distinct");
            }
            row(side, v);
        }
        if let Some(k) = &c.categories {
            if k.new_count > 0 {
                row(
                    "new categories",
                    format!("{} ({})", k.new_count, k.new.join(", ")),
                );
            }
            if k.missing_count > 0 {
                row(
                    "vanished categories",
                    format!("{} ({})", k.missing_count, k.missing.join(", ")),
                );
            }
        }
        h.push_str("</dl></div></details>");
    }
    if let Some(t) = &report.timeline {
        let _ = write!(
            h,
            "<h2>Drift over time ({}, {} {})</h2><table><thead><tr><th>From</th><th>To</th><th>Rows</th><th>Drifted</th><th>Share</th><th>Verdict</th></tr></thead><tbody>",
            esc(&t.time_column),
            t.chunking,
            esc(&t.chunk)
        );
        for ch in &t.chunks {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} of {}</td><td class=\"num\">{:.0}%</td><td><span class=\"badge {}\">{}</span></td></tr>",
                esc(&ch.start),
                esc(&ch.end),
                ch.rows,
                ch.drifted_columns,
                ch.tested_columns,
                ch.share_drifted * 100.0,
                if ch.dataset_drift { "bad" } else { "ok" },
                if ch.dataset_drift {
                    "drift"
                } else {
                    "no drift"
                }
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(PAGE_END);
    h
}
