//! An interactive chart as an image (SVG or PNG): the lines, faint raw lines and group bands the
//! window draws, in the same colours, with the same axis choices (log y, the y range that
//! leaves out outliers, time on x), drawn with plotters from every point.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{png_image, register_fonts};
use super::short;

/// One line: a run's values (or smoothed values), or a group's centre.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    /// CSS hex, `#rrggbb`.
    pub color: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn pale and thin behind the others (the raw values under a smoothed line).
    pub faint: bool,
}

/// A group's band: `(x, low, high)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub color: String,
    pub points: Vec<(f64, f64, f64)>,
}

/// How the x values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XFormat {
    Number,
    /// Unix milliseconds.
    Time,
    Seconds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinesChart {
    pub title: String,
    pub x_label: String,
    pub x_format: XFormat,
    pub lines: Vec<Line>,
    pub bands: Vec<Band>,
    pub log_y: bool,
    /// The y range to show (ignoring outliers); `None`: all values.
    pub y_range: Option<(f64, f64)>,
    pub dark: bool,
    pub width: u32,
    pub height: u32,
}

fn rgb(hex: &str) -> RGBColor {
    let h = hex.trim_start_matches('#');
    let part = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    RGBColor(part(0), part(2), part(4))
}

/// The chart as a self-contained SVG document.
pub fn svg(chart: &LinesChart) -> String {
    register_fonts();
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (chart.width, chart.height)).into_drawing_area();
        // Drawing into a string cannot fail for IO reasons; a layout error leaves a valid,
        // partial document.
        let _ = draw(&root, chart);
        let _ = root.present();
    }
    out
}

/// The chart as a PNG image.
pub fn png(chart: &LinesChart) -> Result<Vec<u8>, String> {
    png_image(chart.width, chart.height, &chart.title, |root| {
        draw(root, chart)
    })
}

/// y as drawn: log10 of it on a log axis (where only positive values have a place).
fn y_of(log: bool, y: f64) -> Option<f64> {
    match (log, y) {
        (_, y) if !y.is_finite() => None,
        (true, y) if y <= 0.0 => None,
        (true, y) => Some(y.log10()),
        (false, y) => Some(y),
    }
}

fn x_text(format: XFormat, x: f64) -> String {
    match format {
        XFormat::Number => short(x),
        XFormat::Time => {
            let text = crate::time::rfc3339_ms(x as i64);
            text.get(5..16).unwrap_or(&text).replace('T', " ")
        }
        XFormat::Seconds => {
            let s = x.abs();
            if s < 120.0 {
                format!("{}s", short(x))
            } else if s < 7200.0 {
                format!("{}m", short(x / 60.0))
            } else {
                format!("{}h", short(x / 3600.0))
            }
        }
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &LinesChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (fg, grid, bg) = if c.dark {
        (
            RGBColor(220, 224, 230),
            RGBColor(60, 66, 76),
            RGBColor(24, 27, 33),
        )
    } else {
        (RGBColor(40, 44, 52), RGBColor(228, 231, 236), WHITE)
    };
    root.fill(&bg)?;
    let text = |size: u32| ("sans-serif", size).into_font().color(&fg);
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    let mut see = |x: f64, y: f64| {
        if let (true, Some(y)) = (x.is_finite(), y_of(c.log_y, y)) {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    };
    for l in &c.lines {
        for &(x, y) in &l.points {
            see(x, y);
        }
    }
    for b in &c.bands {
        for &(x, lo, hi) in &b.points {
            see(x, lo);
            see(x, hi);
        }
    }
    if !x0.is_finite() {
        root.draw(&Text::new(
            "no values to plot",
            (20, (c.height / 2) as i32),
            text(14),
        ))?;
        return Ok(());
    }
    if let Some((lo, hi)) = c.y_range
        && let (Some(lo), Some(hi)) = (y_of(c.log_y, lo), y_of(c.log_y, hi))
        && hi > lo
    {
        (y0, y1) = (lo, hi);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = if y1 > y0 {
        (y1 - y0) * 0.05
    } else {
        y0.abs().max(1.0) * 0.05
    };
    (y0, y1) = (y0 - pad, y1 + pad);
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, text(15))
        .margin(10)
        .x_label_area_size(32)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let log = c.log_y;
    chart
        .configure_mesh()
        .x_desc(&c.x_label)
        .axis_style(fg.mix(0.6))
        .light_line_style(grid)
        .bold_line_style(grid)
        .label_style(text(11))
        .x_label_formatter(&|v| x_text(c.x_format, *v))
        .y_label_formatter(&|v| {
            if log {
                short(10f64.powf(*v))
            } else {
                short(*v)
            }
        })
        .draw()?;
    let in_range = |y: f64| y >= y0 && y <= y1;
    for b in &c.bands {
        let color = rgb(&b.color);
        let mut upper: Vec<(f64, f64)> = Vec::new();
        let mut lower: Vec<(f64, f64)> = Vec::new();
        for &(x, lo, hi) in &b.points {
            if let (Some(lo), Some(hi)) = (y_of(log, lo), y_of(log, hi)) {
                upper.push((x, hi.clamp(y0, y1)));
                lower.push((x, lo.clamp(y0, y1)));
            }
        }
        lower.reverse();
        upper.extend(lower);
        if upper.len() >= 3 {
            chart.draw_series(std::iter::once(Polygon::new(
                upper,
                color.mix(0.18).filled(),
            )))?;
        }
    }
    let labelled = c.lines.iter().filter(|l| !l.faint).count() > 1;
    for l in c
        .lines
        .iter()
        .filter(|l| l.faint)
        .chain(c.lines.iter().filter(|l| !l.faint))
    {
        let color = rgb(&l.color);
        let style = if l.faint {
            color.mix(0.3).stroke_width(1)
        } else {
            color.stroke_width(2)
        };
        // Split at values that have no place (NaN, infinities, non-positive on a log axis, and
        // outside an outlier range), as the window does.
        let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for &(x, y) in &l.points {
            match y_of(log, y) {
                Some(y) if x.is_finite() && in_range(y) => {
                    segments.last_mut().unwrap().push((x, y))
                }
                _ => segments.push(Vec::new()),
            }
        }
        let mut first = !l.faint && labelled;
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            let drawn = chart.draw_series(LineSeries::new(seg, style))?;
            if first {
                drawn.label(&l.label).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
                first = false;
            }
        }
    }
    if labelled {
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
pub(crate) mod tests {
    use super::*;

    /// The text elements of an SVG document, trimmed.
    pub(crate) fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = &t[t.find('>')? + 1..];
                Some(body[..body.find("</text>")?].trim().to_string())
            })
            .collect()
    }

    fn chart() -> LinesChart {
        LinesChart {
            title: "val/loss".into(),
            x_label: "step".into(),
            x_format: XFormat::Number,
            lines: vec![
                Line {
                    label: "a".into(),
                    color: "#0072B2".into(),
                    points: vec![(0.0, 1.0), (1.0, f64::NAN), (2.0, 0.5)],
                    faint: true,
                },
                Line {
                    label: "a".into(),
                    color: "#0072B2".into(),
                    points: vec![(0.0, 1.0), (1.0, 0.8), (2.0, 0.6)],
                    faint: false,
                },
                Line {
                    label: "b".into(),
                    color: "#E69F00".into(),
                    points: vec![(0.0, 2.0), (2.0, 0.1)],
                    faint: false,
                },
            ],
            bands: vec![Band {
                color: "#E69F00".into(),
                points: vec![(0.0, 1.5, 2.5), (2.0, 0.05, 0.2)],
            }],
            log_y: false,
            y_range: None,
            dark: false,
            width: 640,
            height: 320,
        }
    }

    #[test]
    fn the_svg_has_each_line_in_its_colour_a_band_and_a_legend() {
        let s = svg(&chart());
        assert!(s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.to_ascii_lowercase().contains("#0072b2"));
        assert!(s.to_ascii_lowercase().contains("#e69f00"));
        assert!(s.contains("<polygon"), "the band");
        let t = texts(&s);
        assert!(
            t.contains(&"a".to_string()) && t.contains(&"b".to_string()),
            "the legend names the runs: {t:?}"
        );
    }

    #[test]
    fn a_log_axis_leaves_out_what_has_no_place_and_labels_powers_of_ten() {
        let mut c = chart();
        c.log_y = true;
        c.lines[2].points = vec![(0.0, 100.0), (1.0, -1.0), (2.0, 0.01)];
        let s = svg(&c);
        let t = texts(&s);
        assert!(
            t.contains(&"100".to_string()) && t.contains(&"1".to_string()),
            "decade labels: {t:?}"
        );
        let png = png(&c).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn nothing_to_draw_says_so() {
        let mut c = chart();
        c.lines.clear();
        c.bands.clear();
        assert!(svg(&c).contains("no values to plot"));
    }

    #[test]
    fn times_and_durations_read_as_such() {
        assert_eq!(x_text(XFormat::Time, 1_767_225_600_000.0), "01-01 00:00");
        assert_eq!(x_text(XFormat::Seconds, 90.0), "90s");
        assert_eq!(x_text(XFormat::Seconds, 600.0), "10m");
        assert_eq!(rgb("#0072B2"), RGBColor(0, 114, 178));
    }
}
