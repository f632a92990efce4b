//! Testing one column: the method (chosen or overridden), its statistic, the verdict, the
//! effect size, and what the report shows of both samples.

use crate::data::Kind;

use super::method::{Method, Selection, default_method};
use super::report::{Bars, CategoryChanges, ColumnResult, EffectSize, Histogram, SideSummary};
use super::sample::{ColumnSample, Values, align_categories, distinct_pooled_capped};
use super::stats::{self, Sample, anderson, cramer_von_mises, fisher};

/// Bins of the numeric histograms in reports (pre-aggregated: reports never hold raw rows).
pub const HISTOGRAM_BINS: usize = 30;
/// Categories drawn as bars; the rest are summed as `(other)`.
pub const MAX_BARS: usize = 15;
/// New or vanished categories listed by name (all are counted).
const MAX_LISTED_CATEGORIES: usize = 20;

/// How a column is to be tested: set by the caller from the options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    /// An override; `None` = Evidently's automatic choice.
    pub method: Option<Method>,
    /// An override; `None` = the method's default.
    pub threshold: Option<f64>,
}

/// A column that cannot be tested, with the reason, and what is known of its samples.
pub fn not_testable(
    name: &str,
    kind: Kind,
    kind_source: &str,
    reason: String,
    reference: SideSummary,
    current: SideSummary,
) -> ColumnResult {
    ColumnResult {
        column: name.to_string(),
        kind: kind.as_str().to_string(),
        kind_source: kind_source.to_string(),
        testable: false,
        not_testable_reason: Some(reason),
        method: None,
        method_label: None,
        reason: None,
        statistic: None,
        p_value: None,
        score: None,
        threshold: None,
        rule: None,
        drifted: false,
        approximate: false,
        effect_size: None,
        reference,
        current,
        categories: None,
        histogram: None,
        bars: None,
    }
}

/// Tests one column whose two samples are read. A sample with no values, a method that does
/// not apply, or a statistic that cannot be computed makes the column not testable, with the
/// reason: never a panic and never a made-up number.
pub fn test_column(
    name: &str,
    kind: Kind,
    kind_source: &str,
    reference: &ColumnSample,
    current: &ColumnSample,
    choice: Choice,
) -> ColumnResult {
    let summaries = (summary(reference), summary(current));
    let fail = |reason: String| {
        not_testable(
            name,
            kind,
            kind_source,
            reason,
            summaries.0.clone(),
            summaries.1.clone(),
        )
    };
    for (sample, side) in [(reference, "reference"), (current, "current")] {
        if sample.count() == 0 {
            let total = sample.missing;
            return fail(if total == 0 {
                format!("the {side} sample has no rows")
            } else {
                format!("all {total} values of the {side} sample are missing")
            });
        }
    }
    let distinct = match (&reference.values, &current.values) {
        // Only "more than 5?" matters for the choice; a 6th distinct value ends the count.
        (Values::Numeric(a), Values::Numeric(b)) => distinct_pooled_capped(a, b, 6) as u64,
        (Values::Categories(a), Values::Categories(b)) => align_categories(a, b).0.len() as u64,
        _ => return fail("the two samples were read as different kinds".to_string()),
    };
    let selection = match choice.method {
        Some(method) => Selection {
            method,
            reason: "set by the user",
        },
        None => default_method(kind, reference.count(), distinct),
    };
    let method = selection.method;
    if !method.applies_to(kind) {
        return fail(format!(
            "method {} does not apply to a {} column",
            method.name(),
            kind.as_str()
        ));
    }
    if method.binary_only() && distinct > 2 {
        return fail(format!(
            "method {} needs a binary column; this one has {distinct} distinct values",
            method.name()
        ));
    }
    let outcome = match run_method(method, reference, current) {
        Ok(o) => o,
        Err(e) => return fail(format!("{} could not be computed: {e}", method.name())),
    };
    let threshold = choice.threshold.unwrap_or(method.default_threshold());
    let rule = method.rule();
    let score = outcome.p_value.unwrap_or(outcome.statistic);
    let drifted = rule.drifted(score, threshold);
    let mut result = not_testable(
        name,
        kind,
        kind_source,
        String::new(),
        summaries.0,
        summaries.1,
    );
    result.testable = true;
    result.not_testable_reason = None;
    result.method = Some(method.name().to_string());
    result.method_label = Some(method.label().to_string());
    result.reason = Some(selection.reason.to_string());
    result.statistic = Some(outcome.statistic);
    result.p_value = outcome.p_value;
    result.score = Some(score);
    result.threshold = Some(threshold);
    result.rule = Some(rule.as_str().to_string());
    result.drifted = drifted;
    result.effect_size = if method == Method::Wasserstein {
        // The statistic is the effect size: do not compute it twice.
        Some(wasserstein_effect(outcome.statistic))
    } else {
        effect_size(reference, current)
    };
    match (&reference.values, &current.values) {
        (Values::Numeric(a), Values::Numeric(b)) => result.histogram = Some(histogram(a, b)),
        (Values::Categories(a), Values::Categories(b)) => {
            let (names, rc, cc) = align_categories(a, b);
            result.categories = Some(category_changes(&names, &rc, &cc));
            result.bars = Some(bars(&names, &rc, &cc));
        }
        _ => {}
    }
    result
}

/// A statistic and, for tests, its p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub statistic: f64,
    pub p_value: Option<f64>,
}

/// The outcome of a statistical test: its statistic and p-value.
fn tested(statistic: f64, p_value: f64) -> Outcome {
    Outcome {
        statistic,
        p_value: Some(p_value),
    }
}

fn distance(statistic: f64) -> Outcome {
    Outcome {
        statistic,
        p_value: None,
    }
}

/// Counts per category or per distinct number, aligned on the union (ascending).
fn aligned_counts(reference: &ColumnSample, current: &ColumnSample) -> (Vec<u64>, Vec<u64>) {
    match (&reference.values, &current.values) {
        (Values::Categories(a), Values::Categories(b)) => {
            let (_, r, c) = align_categories(a, b);
            (r, c)
        }
        (Values::Numeric(a), Values::Numeric(b)) => {
            let (_, r, c) = align_categories(&runs(a), &runs(b));
            (r, c)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// Counts of each distinct value of a sorted slice, keyed so that keys sort like the numbers
/// (order-preserving bit pattern in hex).
fn runs(sorted: &[f64]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let j = i + sorted[i..].partition_point(|&x| x <= v);
        let bits = v.to_bits();
        let key = if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        };
        out.push((format!("{key:016x}"), (j - i) as u64));
        i = j;
    }
    out
}

/// Proportions on the bins a binned method uses: Evidently's (Sturges bins over the pooled
/// range, or one bin per value up to 20 distinct reference values) for numbers, the union of
/// categories otherwise.
fn binned(
    reference: &ColumnSample,
    current: &ColumnSample,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let (r, c) = match (&reference.values, &current.values) {
        (Values::Numeric(a), Values::Numeric(b)) => {
            stats::evidently_bin_counts(a, b).map_err(|e| e.to_string())?
        }
        _ => aligned_counts(reference, current),
    };
    let pr = stats::proportions(&r, Sample::Reference).map_err(|e| e.to_string())?;
    let pc = stats::proportions(&c, Sample::Current).map_err(|e| e.to_string())?;
    Ok((pr, pc))
}

/// Computes `method` on the two samples.
pub fn run_method(
    method: Method,
    reference: &ColumnSample,
    current: &ColumnSample,
) -> Result<Outcome, String> {
    let numbers = || match (reference.numeric(), current.numeric()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(format!("{} needs numbers", method.name())),
    };
    let err = |e: stats::StatsError| e.to_string();
    Ok(match method {
        Method::Ks => {
            let (a, b) = numbers()?;
            let t = stats::ks_2samp(a, b).map_err(err)?;
            tested(t.statistic, t.pvalue)
        }
        Method::Wasserstein => {
            let (a, b) = numbers()?;
            if a.is_empty() || b.is_empty() {
                distance(stats::wasserstein_normed(a, b).map_err(err)?)
            } else {
                // Column samples are finite and sorted already.
                distance(stats::wasserstein_normed_sorted(a, b))
            }
        }
        Method::Energy => {
            let (a, b) = numbers()?;
            distance(stats::energy_distance(a, b).map_err(err)?)
        }
        Method::Cvm => {
            let (a, b) = numbers()?;
            let t = cramer_von_mises::cramervonmises_2samp(a, b).map_err(err)?;
            tested(t.statistic, t.pvalue)
        }
        Method::Anderson => {
            let (a, b) = numbers()?;
            let t = anderson::anderson_ksamp(a, b).map_err(err)?;
            tested(t.statistic, t.pvalue)
        }
        Method::Fisher => {
            let (r, c) = aligned_counts(reference, current);
            // A column with one value overall is a 2 x 1 table: nothing can differ.
            let (r0, r1) = (
                r.first().copied().unwrap_or(0),
                r.get(1).copied().unwrap_or(0),
            );
            let (c0, c1) = (
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            );
            let t = fisher::fisher_exact([[r0, r1], [c0, c1]]);
            tested(t.statistic, t.pvalue)
        }
        Method::ChiSquare | Method::Chi2Contingency => {
            let (r, c) = aligned_counts(reference, current);
            let t = if method == Method::ChiSquare {
                stats::chi2_goodness_of_fit(&r, &c)
            } else {
                stats::chi2_contingency(&r, &c, false)
            }
            .map_err(err)?;
            tested(t.statistic, t.pvalue)
        }
        Method::Z => {
            let (r, c) = aligned_counts(reference, current);
            let (rs, cs) = (*r.last().unwrap_or(&0), *c.last().unwrap_or(&0));
            let (rn, cn) = (r.iter().sum(), c.iter().sum());
            let (rs, cs) = if r.len() < 2 { (rn, cn) } else { (rs, cs) };
            let t = stats::two_proportion_z_test(rs, rn, cs, cn).map_err(err)?;
            tested(t.statistic, t.pvalue)
        }
        Method::JensenShannon => {
            let (pr, pc) = binned(reference, current)?;
            distance(stats::jensen_shannon(&pr, &pc).map_err(err)?)
        }
        Method::Psi => {
            let (pr, pc) = binned(reference, current)?;
            let (pr, pc) = (
                stats::evidently_fill_zeros(&pr),
                stats::evidently_fill_zeros(&pc),
            );
            distance(stats::psi(&pr, &pc, 0.0).map_err(err)?)
        }
        Method::Kl => {
            let (pr, pc) = binned(reference, current)?;
            let (pr, pc) = (
                stats::evidently_fill_zeros(&pr),
                stats::evidently_fill_zeros(&pc),
            );
            distance(stats::kl_divergence(&pr, &pc).map_err(err)?)
        }
        Method::Hellinger => {
            let (pr, pc) = binned(reference, current)?;
            distance(stats::hellinger(&pr, &pc).map_err(err)?)
        }
        Method::Tvd => {
            let (pr, pc) = binned(reference, current)?;
            distance(stats::total_variation(&pr, &pc).map_err(err)?)
        }
    })
}

/// Effect size bands. Numbers: the Wasserstein distance in reference standard deviations,
/// which for a pure shift of the mean is Cohen's d; bands below 0.1 (Evidently's drift
/// threshold) negligible, then Cohen's 0.5 and 0.8. Categories: Cramér's V with Cohen's bands
/// for one degree of freedom (0.1, 0.3, 0.5).
pub fn effect_size(reference: &ColumnSample, current: &ColumnSample) -> Option<EffectSize> {
    let band = effect_band;
    match (&reference.values, &current.values) {
        (Values::Numeric(a), Values::Numeric(b)) => {
            if a.is_empty() || b.is_empty() {
                return None;
            }
            Some(wasserstein_effect(stats::wasserstein_normed_sorted(a, b)))
        }
        (Values::Categories(_), Values::Categories(_)) => {
            let (r, c) = aligned_counts(reference, current);
            let n = (r.iter().sum::<u64>() + c.iter().sum::<u64>()) as f64;
            let chi = stats::chi2_contingency(&r, &c, false).ok()?;
            let v = (chi.statistic / n).sqrt().min(1.0);
            Some(EffectSize {
                name: "cramers_v".into(),
                label: "Cramér's V".into(),
                value: v,
                magnitude: band(v, [0.1, 0.3, 0.5]).into(),
            })
        }
        _ => None,
    }
}

/// The effect size of a numeric column from its normed Wasserstein distance.
pub fn wasserstein_effect(v: f64) -> EffectSize {
    EffectSize {
        name: "wasserstein_normed".into(),
        label: "Wasserstein distance in reference standard deviations".into(),
        value: v,
        magnitude: effect_band(v, [0.1, 0.5, 0.8]).into(),
    }
}

/// The magnitude of an effect size `v` given the lower edges of small, medium and large.
pub fn effect_band(v: f64, edges: [f64; 3]) -> &'static str {
    if v < edges[0] {
        "negligible"
    } else if v < edges[1] {
        "small"
    } else if v < edges[2] {
        "medium"
    } else {
        "large"
    }
}

/// Count, missing, distinct; for numbers also mean, std (ddof 1, as pandas), min, max, median.
pub fn summary(sample: &ColumnSample) -> SideSummary {
    let mut s = SideSummary {
        count: sample.count(),
        missing: sample.missing,
        distinct: Some(sample.distinct()),
        ..SideSummary::default()
    };
    if let Values::Numeric(v) = &sample.values
        && !v.is_empty()
    {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        s.mean = Some(mean);
        s.std = (v.len() > 1)
            .then(|| (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt());
        s.min = v.first().copied();
        s.max = v.last().copied();
        s.median = Some(quantile(v, 0.5));
    }
    s
}

/// Linear-interpolated quantile of a non-empty sorted slice (numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = (sorted.len() - 1) as f64 * q;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Equal-width bins from the 0.1% to the 99.9% quantile of both samples (so one outlier does
/// not squash the picture); values beyond fall in the end bins. Proportions per bin.
pub fn histogram(a: &[f64], b: &[f64]) -> Histogram {
    let lo = quantile(a, 0.001).min(quantile(b, 0.001));
    let hi = quantile(a, 0.999).max(quantile(b, 0.999));
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    let edges: Vec<f64> = (0..=HISTOGRAM_BINS)
        .map(|i| {
            if i == HISTOGRAM_BINS {
                hi
            } else {
                lo + i as f64 * width
            }
        })
        .collect();
    let props = |s: &[f64]| -> Vec<f64> {
        let n = s.len() as f64;
        let mut below = 0;
        (1..=HISTOGRAM_BINS)
            .map(|i| {
                let upto = if i == HISTOGRAM_BINS {
                    s.len()
                } else {
                    s.partition_point(|&x| x < edges[i])
                };
                let count = upto - below;
                below = upto;
                count as f64 / n
            })
            .collect()
    };
    Histogram {
        reference: props(a),
        current: props(b),
        edges,
    }
}

fn bars(names: &[String], r: &[u64], c: &[u64]) -> Bars {
    let (nr, nc) = (
        r.iter().sum::<u64>().max(1) as f64,
        c.iter().sum::<u64>().max(1) as f64,
    );
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&i, &j| {
        let (wi, wj) = (
            r[i] as f64 / nr + c[i] as f64 / nc,
            r[j] as f64 / nr + c[j] as f64 / nc,
        );
        wj.total_cmp(&wi).then_with(|| names[i].cmp(&names[j]))
    });
    let mut out = Bars {
        categories: Vec::new(),
        reference: Vec::new(),
        current: Vec::new(),
    };
    let shown = if order.len() > MAX_BARS {
        MAX_BARS - 1
    } else {
        order.len()
    };
    for &i in &order[..shown] {
        out.categories.push(names[i].clone());
        out.reference.push(r[i] as f64 / nr);
        out.current.push(c[i] as f64 / nc);
    }
    if shown < order.len() {
        let rest = &order[shown..];
        out.categories.push("(other)".to_string());
        out.reference
            .push(rest.iter().map(|&i| r[i]).sum::<u64>() as f64 / nr);
        out.current
            .push(rest.iter().map(|&i| c[i]).sum::<u64>() as f64 / nc);
    }
    out
}

fn category_changes(names: &[String], r: &[u64], c: &[u64]) -> CategoryChanges {
    let mut new: Vec<usize> = (0..names.len())
        .filter(|&i| r[i] == 0 && c[i] > 0)
        .collect();
    let mut gone: Vec<usize> = (0..names.len())
        .filter(|&i| r[i] > 0 && c[i] == 0)
        .collect();
    new.sort_by(|&i, &j| c[j].cmp(&c[i]).then_with(|| names[i].cmp(&names[j])));
    gone.sort_by(|&i, &j| r[j].cmp(&r[i]).then_with(|| names[i].cmp(&names[j])));
    let list = |v: &[usize]| -> Vec<String> {
        v.iter()
            .take(MAX_LISTED_CATEGORIES)
            .map(|&i| names[i].clone())
            .collect()
    };
    CategoryChanges {
        new: list(&new),
        new_count: new.len(),
        missing: list(&gone),
        missing_count: gone.len(),
    }
}
