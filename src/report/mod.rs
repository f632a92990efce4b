//! Renderers: charts as SVG (plotters). Reports (JSON, HTML) join here with the drift and
//! fairness work.

pub mod chart;
