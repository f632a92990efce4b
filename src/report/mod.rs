//! Renderers: charts as SVG and PNG (plotters), the drift and fairness reports as
//! self-contained HTML.

pub mod chart;
pub mod drift;
pub mod fairness;
