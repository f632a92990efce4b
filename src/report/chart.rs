//! Line charts of metric histories as self-contained SVG, drawn with plotters.
//!
//! Every point is drawn: a history of 100,000 steps is 100,000 vertices, never a downsampled
//! approximation, so a spike at one step is visible. NaN values break the line (a gap), as
//! ±infinity do: neither can be placed on an axis.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::short;

/// One line: a label and its (step, value) points in step order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    pub title: String,
    pub x_label: String,
    pub width: u32,
    pub height: u32,
    /// Light text on a dark background.
    pub dark: bool,
}

impl Default for ChartOptions {
    fn default() -> ChartOptions {
        ChartOptions {
            title: String::new(),
            x_label: "step".into(),
            width: 640,
            height: 320,
            dark: false,
        }
    }
}

impl ChartOptions {
    /// A chart titled `title`, `width` x `height` pixels when given (within sane bounds).
    pub fn sized(title: String, width: Option<u32>, height: Option<u32>, dark: bool) -> Self {
        ChartOptions {
            title,
            width: width.unwrap_or(640).clamp(200, 4000),
            height: height.unwrap_or(320).clamp(120, 3000),
            dark,
            ..ChartOptions::default()
        }
    }
}

/// A drawn chart of metric histories, for the app.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricChart {
    /// A self-contained SVG document.
    pub svg: String,
    /// The colour of each series' line (CSS hex), in order.
    pub colors: Vec<String>,
    /// Points drawn in all (every point of every history: nothing is downsampled).
    pub points: u32,
}

/// Draws each `(label, (step, value) points)` history as one line.
pub fn metric_chart(histories: Vec<(String, Vec<(f64, f64)>)>, opts: &ChartOptions) -> MetricChart {
    let series: Vec<Series> = histories
        .into_iter()
        .map(|(label, points)| Series { label, points })
        .collect();
    MetricChart {
        svg: line_chart_svg(&series, opts),
        colors: (0..series.len()).map(series_color).collect(),
        points: series.iter().map(|s| s.points.len() as u32).sum(),
    }
}

/// A colour-blind-safe categorical palette (Okabe–Ito, without its yellow: too pale on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(90, 90, 90),
];

/// The colour of the `i`-th series, as CSS hex (the UI uses the same for its legend).
pub fn series_color(i: usize) -> String {
    let RGBColor(r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The font every chart is measured and drawn with (DejaVu Sans, bundled: see
/// `assets/fonts/DejaVuSans.LICENSE`), so that text is laid out the same on every machine and
/// PNG charts need no system font.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font with plotters as `sans-serif` (once per process). Every chart
/// calls this before drawing.
pub fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The bundled file is a valid TrueType font; a failure would only lose text.
            let _ = plotters::style::register_font("sans-serif", style, FONT);
        }
    });
}

/// The report charts' ink: axes and text, and grid lines (one light palette: reports are
/// printed and mailed, so they do not follow the app's theme).
pub const REPORT_FG: RGBColor = RGBColor(40, 44, 52);
pub const REPORT_GRID: RGBColor = RGBColor(228, 231, 236);

/// The x-axis label of a category chart at `v`: the name of the bar whose centre `v` is, else
/// nothing (bars stand on unit-wide slots, so ticks fall at the centres).
pub fn category_label(labels: &[String], v: f64) -> String {
    let i = v.floor() as usize;
    if (v - i as f64 - 0.5).abs() < 0.26 {
        labels.get(i).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Draws the axes and grid of a report's category chart: one x label per bar (at most
/// `max_labels`), y labels by `y_label`, horizontal grid lines only.
pub fn category_mesh<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    labels: &[String],
    max_labels: usize,
    y_label: &dyn Fn(&f64) -> String,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let text = |size: u32| ("sans-serif", size).into_font().color(&REPORT_FG);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .axis_style(REPORT_FG.mix(0.6))
        .light_line_style(REPORT_GRID)
        .bold_line_style(REPORT_GRID)
        .label_style(text(10))
        .x_labels(labels.len().max(1).min(max_labels))
        .x_label_formatter(&|v| category_label(labels, *v))
        .y_label_formatter(y_label)
        .draw()
}

/// Draws the legend of a report chart: upper right, on a pale background.
pub fn report_legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(REPORT_GRID)
        .label_font(("sans-serif", 11).into_font().color(&REPORT_FG))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
}

/// Draws `series` as an SVG document. With no finite point at all it draws an empty frame that
/// says so.
pub fn line_chart_svg(series: &[Series], opts: &ChartOptions) -> String {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (opts.width, opts.height)).into_drawing_area();
        // Drawing into a string cannot fail for IO reasons; a layout error leaves a partial SVG,
        // which is still a valid document to show.
        let _ = draw(&root, series, opts);
        let _ = root.present();
    }
    svg
}

type DrawResult<'a> =
    Result<(), DrawingAreaErrorKind<<SVGBackend<'a> as DrawingBackend>::ErrorType>>;

fn draw<'a>(
    root: &DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
    series: &[Series],
    opts: &ChartOptions,
) -> DrawResult<'a> {
    let (fg, grid, bg) = if opts.dark {
        (
            RGBColor(220, 224, 230),
            RGBColor(60, 66, 76),
            RGBColor(24, 27, 33),
        )
    } else {
        (RGBColor(40, 44, 52), RGBColor(228, 231, 236), WHITE)
    };
    root.fill(&bg)?;
    let finite = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in finite {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let text = |size: u32| ("sans-serif", size).into_font().color(&fg);
    if !x0.is_finite() {
        root.draw(&Text::new(
            "no finite values to plot",
            (20, (opts.height / 2) as i32),
            text(14),
        ))?;
        return Ok(());
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        let pad = if y0 == 0.0 { 1.0 } else { y0.abs() * 0.05 };
        y0 -= pad;
        y1 += pad;
    } else {
        let pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
    }
    let mut chart = ChartBuilder::on(root)
        .caption(&opts.title, text(15))
        .margin(10)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(&opts.x_label)
        .axis_style(fg.mix(0.6))
        .light_line_style(grid)
        .bold_line_style(grid)
        .label_style(text(11))
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // Split at non-finite values so that NaN shows as a gap.
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
        for &(x, y) in &s.points {
            if x.is_finite() && y.is_finite() {
                segment.push((x, y));
            } else if !segment.is_empty() {
                segments.push(std::mem::take(&mut segment));
            }
        }
        segments.push(segment);
        let mut first = true;
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            let style = color.stroke_width(2);
            if seg.len() == 1 {
                chart.draw_series(std::iter::once(Circle::new(seg[0], 3, color.filled())))?;
            }
            let drawn = chart.draw_series(LineSeries::new(seg, style))?;
            if first && series.len() > 1 {
                drawn.label(&s.label).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
                first = false;
            }
        }
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .background_style(bg.mix(0.85))
            .border_style(grid)
            .label_font(text(11))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(series: &[Series]) -> String {
        line_chart_svg(
            series,
            &ChartOptions {
                title: "val/auc".into(),
                ..ChartOptions::default()
            },
        )
    }

    #[test]
    fn every_point_is_drawn() {
        let points: Vec<(f64, f64)> = (0..5000)
            .map(|i| (i as f64, (i as f64 * 0.01).sin()))
            .collect();
        let out = svg(&[Series {
            label: "run".into(),
            points,
        }]);
        assert!(out.starts_with("<svg"), "{}", &out[..100.min(out.len())]);
        assert!(out.contains("val/auc"));
        // One polyline with every vertex: count the coordinate pairs of the longest polyline.
        let longest = out
            .split("<polyline")
            .skip(1)
            .map(|p| {
                p.split("points=\"")
                    .nth(1)
                    .unwrap_or("")
                    .split('"')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .count()
            })
            .max()
            .unwrap();
        assert_eq!(longest, 5000);
    }

    #[test]
    fn nan_breaks_the_line_and_legends_name_runs() {
        let a = Series {
            label: "run-a".into(),
            points: vec![(0.0, 1.0), (1.0, f64::NAN), (2.0, 0.5), (3.0, 0.4)],
        };
        let b = Series {
            label: "run-b".into(),
            points: vec![(0.0, 2.0), (1.0, 1.0)],
        };
        let out = svg(&[a, b]);
        assert!(out.contains("run-a") && out.contains("run-b"));
        assert!(
            out.contains(&series_color(0)[1..].to_uppercase())
                || out.to_lowercase().contains(&series_color(0))
        );
    }

    #[test]
    fn all_nan_says_so() {
        let out = svg(&[Series {
            label: "x".into(),
            points: vec![(0.0, f64::NAN)],
        }]);
        assert!(out.contains("no finite values"));
    }
}
