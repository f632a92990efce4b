//! What every plotters chart of the reports shares: the bundled font, the ink, the palette of
//! series, the axes of category charts and the legend. (Metric lines are `report::lines`.)

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

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

/// Draws `w` × `h` pixels with `draw` and encodes them as a PNG image; `what` names the chart in
/// an error.
pub fn png_image<E: std::fmt::Display>(
    w: u32,
    h: u32,
    what: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), E>,
) -> Result<Vec<u8>, String> {
    register_fonts();
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(&root).map_err(|e| format!("cannot draw {what}: {e}"))?;
        root.present()
            .map_err(|e| format!("cannot draw {what}: {e}"))?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}
