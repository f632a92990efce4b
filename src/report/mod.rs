//! Renderers: charts as SVG and PNG (plotters), the drift report as self-contained HTML.

pub mod chart;
pub mod drift;
