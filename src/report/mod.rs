//! Renderers: charts as SVG and PNG (plotters), the drift and fairness reports as
//! self-contained HTML.

pub mod chart;
pub mod drift;
pub mod fairness;

/// Numbers short enough for axes and tables: up to 4 decimals, scientific outside 1e-3..1e5,
/// non-finite spelled out.
pub fn short(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else if v == 0.0 {
        "0".into()
    } else if v.abs() >= 1e5 || v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Text escaped for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
