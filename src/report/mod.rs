//! Renderers: charts as SVG and PNG (plotters), the drift and fairness reports as
//! self-contained HTML.

pub mod chart;
pub mod drift;
pub mod fairness;
pub mod lines;

use std::path::Path;

use crate::error::{Error, ErrorCode};

/// The formats a report can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// The JSON contract (pretty, with a final newline).
    Json,
    /// One self-contained page.
    Html,
}

impl std::str::FromStr for ReportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<ReportFormat, Error> {
        match s {
            "json" => Ok(ReportFormat::Json),
            "html" => Ok(ReportFormat::Html),
            other => Err(Error::bad_input(format!(
                "unknown report format '{other}': expected html or json"
            ))),
        }
    }
}

/// Writes `report` to `path` as `format`: its JSON, or the page `html` draws. A path that cannot
/// be written is a bad-input error naming it.
pub fn export<T: serde::Serialize>(
    report: &T,
    html: impl FnOnce(&T) -> String,
    format: ReportFormat,
    path: &Path,
) -> Result<(), Error> {
    let body = match format {
        ReportFormat::Json => {
            serde_json::to_string_pretty(report)
                .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot write JSON: {e}")))?
                + "\n"
        }
        ReportFormat::Html => html(report),
    };
    write_file(path, body.as_bytes())
}

/// Writes an exported file (a report, a chart, a table) to `path`; a path that cannot be written
/// is a bad-input error naming it.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes)
        .map_err(|e| Error::bad_input(format!("cannot write {}: {e}", path.display())))
}

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

/// The start of a self-contained report page: its title (`kind: subject`), the shared style sheet then its own (`css`),
/// and the opening of its body. Close it with [`PAGE_END`].
pub fn page_start(kind: &str, subject: &str, css: &str) -> String {
    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    h.push_str(&esc(&format!("{kind}: {subject}")));
    h.push_str("</title><style>");
    h.push_str(PAGE_CSS);
    h.push_str(css);
    h.push_str("</style></head><body><main>");
    h
}

/// The look every report shares: the page, the verdict banner (`verdict bad` or `verdict ok`),
/// the tables and the badges (`badge bad`, `badge ok`). A report's own CSS comes after it.
const PAGE_CSS: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.verdict{padding:14px 18px;border-radius:8px;margin:16px 0;font-size:16px}
.bad{background:#fde8e4;border:1px solid #e3a08f} .ok{background:#e3f4ea;border:1px solid #8cc7a4}
.meta{color:#57606a;font-size:13px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{padding:5px 10px;border-bottom:1px solid #eaeef2;text-align:left}
th{background:#f0f2f5;font-weight:600;font-size:12px;text-transform:uppercase}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.badge.bad{background:#d1242f;color:#fff;border:0} .badge.ok{background:#e3f4ea;color:#1a7f37;border:0}
"#;

/// The end of a report page.
pub const PAGE_END: &str = "</main></body></html>\n";

/// Text escaped for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
