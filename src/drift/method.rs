//! The drift methods a column can be tested with, and the automatic choice among them.
//!
//! The automatic choice is Evidently's (`_get_default_stattest`), so that a data scientist who
//! knows Evidently's DataDriftPreset gets the same method, threshold and verdict per column:
//!
//! | reference rows (non-null) | kind | distinct values (ref ∪ cur) | method | drifts when |
//! |---|---|---|---|---|
//! | ≤ 1000 | numerical | > 5 | Kolmogorov–Smirnov | p < 0.05 |
//! | ≤ 1000 | numerical, categorical, boolean | 3–5 (numerical), > 2 | chi-square (Evidently's goodness of fit) | p < 0.05 |
//! | ≤ 1000 | any | ≤ 2 | two-proportion Z-test | p < 0.05 |
//! | > 1000 | numerical | > 5 | Wasserstein distance normed by the reference std | ≥ 0.1 |
//! | > 1000 | otherwise | | Jensen–Shannon distance | ≥ 0.1 |

use std::fmt;
use std::str::FromStr;

use crate::data::Kind;

/// Up to this many non-null reference values, the p-value tests are the default (Evidently).
pub const SMALL_REFERENCE_MAX: u64 = 1000;

/// A drift method: a statistical test (with a p-value) or a distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Two-sample Kolmogorov–Smirnov test (scipy `ks_2samp`, `method='auto'`).
    Ks,
    /// Evidently's chi-square: current counts against reference frequencies taken as exact.
    ChiSquare,
    /// Pearson chi-square test of homogeneity on the 2 x K table (no Yates correction): the
    /// statistically sound variant, where both samples are samples.
    Chi2Contingency,
    /// Two-proportion Z-test (binary columns).
    Z,
    /// Fisher's exact test on the 2 x 2 table (binary columns, small samples).
    Fisher,
    /// Cramér–von Mises two-sample test.
    Cvm,
    /// Anderson–Darling k-sample test (k = 2).
    Anderson,
    /// Wasserstein-1 distance divided by the reference standard deviation (Evidently's).
    Wasserstein,
    /// Jensen–Shannon distance (natural log) on Evidently's bins or category frequencies.
    JensenShannon,
    /// Population Stability Index on Evidently's bins or category frequencies.
    Psi,
    /// Kullback–Leibler divergence KL(ref || cur) on Evidently's bins, zeros filled.
    Kl,
    /// Hellinger distance on Evidently's bins or category frequencies.
    Hellinger,
    /// Total variation distance on Evidently's bins or category frequencies.
    Tvd,
    /// Energy distance (scipy), on the raw values.
    Energy,
}

/// How a method's score is compared with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A test: drift when the p-value is below the threshold.
    PValueBelow,
    /// A distance: drift when it is at least the threshold.
    DistanceAtLeast,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::PValueBelow => "p_value_below",
            Rule::DistanceAtLeast => "distance_at_least",
        }
    }

    /// Whether `score` means drift under this rule and `threshold`.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            Rule::PValueBelow => score < threshold,
            Rule::DistanceAtLeast => score >= threshold,
        }
    }
}

impl Method {
    pub const ALL: [Method; 14] = [
        Method::Ks,
        Method::ChiSquare,
        Method::Chi2Contingency,
        Method::Z,
        Method::Fisher,
        Method::Cvm,
        Method::Anderson,
        Method::Wasserstein,
        Method::JensenShannon,
        Method::Psi,
        Method::Kl,
        Method::Hellinger,
        Method::Tvd,
        Method::Energy,
    ];

    /// The name used on the command line and in reports (Evidently's where it has one).
    pub fn name(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::ChiSquare => "chisquare",
            Method::Chi2Contingency => "chi2_contingency",
            Method::Z => "z",
            Method::Fisher => "fisher",
            Method::Cvm => "cvm",
            Method::Anderson => "anderson",
            Method::Wasserstein => "wasserstein",
            Method::JensenShannon => "jensenshannon",
            Method::Psi => "psi",
            Method::Kl => "kl",
            Method::Hellinger => "hellinger",
            Method::Tvd => "tvd",
            Method::Energy => "energy",
        }
    }

    /// A human label, as Evidently displays it where it has one.
    pub fn label(self) -> &'static str {
        match self {
            Method::Ks => "K-S p_value",
            Method::ChiSquare => "chi-square p_value",
            Method::Chi2Contingency => "chi-square homogeneity p_value",
            Method::Z => "Z-test p_value",
            Method::Fisher => "Fisher's exact p_value",
            Method::Cvm => "Cramér-von Mises p_value",
            Method::Anderson => "Anderson-Darling p_value",
            Method::Wasserstein => "Wasserstein distance (normed)",
            Method::JensenShannon => "Jensen-Shannon distance",
            Method::Psi => "PSI",
            Method::Kl => "Kullback-Leibler divergence",
            Method::Hellinger => "Hellinger distance",
            Method::Tvd => "Total variation distance",
            Method::Energy => "Energy distance",
        }
    }

    pub fn rule(self) -> Rule {
        if self.has_p_value() {
            Rule::PValueBelow
        } else {
            Rule::DistanceAtLeast
        }
    }

    pub fn has_p_value(self) -> bool {
        matches!(
            self,
            Method::Ks
                | Method::ChiSquare
                | Method::Chi2Contingency
                | Method::Z
                | Method::Fisher
                | Method::Cvm
                | Method::Anderson
        )
    }

    /// Evidently's default threshold for the method (0.05 for tests; 0.1 for distances, 0.1 for
    /// PSI and KL as Evidently sets them).
    pub fn default_threshold(self) -> f64 {
        if self.has_p_value() { 0.05 } else { 0.1 }
    }

    /// Whether the method applies to a column of `kind`. Methods on raw values need numbers;
    /// the binary tests need a column with at most two values (checked on the data later).
    pub fn applies_to(self, kind: Kind) -> bool {
        let numeric = kind == Kind::Numerical;
        match self {
            Method::Ks | Method::Cvm | Method::Anderson | Method::Wasserstein | Method::Energy => {
                numeric
            }
            Method::ChiSquare
            | Method::Chi2Contingency
            | Method::Z
            | Method::Fisher
            | Method::JensenShannon
            | Method::Psi
            | Method::Kl
            | Method::Hellinger
            | Method::Tvd => matches!(kind, Kind::Numerical | Kind::Categorical | Kind::Boolean),
        }
    }

    /// The kinds the method applies to, for listings.
    pub fn kinds(self) -> Vec<Kind> {
        [Kind::Numerical, Kind::Categorical, Kind::Boolean]
            .into_iter()
            .filter(|k| self.applies_to(*k))
            .collect()
    }

    /// Whether the method needs a column with at most two distinct values.
    pub fn binary_only(self) -> bool {
        matches!(self, Method::Z | Method::Fisher)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown method name; the message lists the known ones.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown drift method '{0}': expected one of {names}", names = Method::ALL.map(Method::name).join(", "))]
pub struct UnknownMethod(pub String);

impl FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(s: &str) -> Result<Method, UnknownMethod> {
        let lower = s.trim().to_ascii_lowercase();
        let aliases: &[(&str, Method)] = &[
            ("k-s", Method::Ks),
            ("kolmogorov-smirnov", Method::Ks),
            ("chi2", Method::ChiSquare),
            ("chi-square", Method::ChiSquare),
            ("chi2-contingency", Method::Chi2Contingency),
            ("z-test", Method::Z),
            ("ztest", Method::Z),
            ("fisher_exact", Method::Fisher),
            ("cramer_von_mises", Method::Cvm),
            ("anderson_darling", Method::Anderson),
            ("ad", Method::Anderson),
            ("js", Method::JensenShannon),
            ("jensen-shannon", Method::JensenShannon),
            ("kl_div", Method::Kl),
            ("tv", Method::Tvd),
            ("ed", Method::Energy),
            ("energy_distance", Method::Energy),
        ];
        Method::ALL
            .into_iter()
            .find(|m| m.name() == lower)
            .or_else(|| aliases.iter().find(|(a, _)| *a == lower).map(|(_, m)| *m))
            .ok_or_else(|| UnknownMethod(s.to_string()))
    }
}

/// What the automatic choice looks at, per column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selection {
    pub method: Method,
    /// Why, in one sentence, for reports.
    pub reason: &'static str,
}

/// Evidently's default method for a column: `reference_non_null` non-null reference values,
/// `distinct` distinct non-null values of both samples together.
pub fn default_method(kind: Kind, reference_non_null: u64, distinct: u64) -> Selection {
    let numeric = kind == Kind::Numerical;
    if reference_non_null <= SMALL_REFERENCE_MAX {
        if numeric && distinct > 5 {
            return Selection {
                method: Method::Ks,
                reason: "numerical with more than 5 distinct values and at most 1000 reference values: Kolmogorov-Smirnov (Evidently's default)",
            };
        }
        if distinct > 2 {
            return Selection {
                method: Method::ChiSquare,
                reason: if numeric {
                    "numerical with 3 to 5 distinct values and at most 1000 reference values: chi-square (Evidently's default)"
                } else {
                    "more than 2 categories and at most 1000 reference values: chi-square (Evidently's default)"
                },
            };
        }
        return Selection {
            method: Method::Z,
            reason: "at most 2 distinct values and at most 1000 reference values: two-proportion Z-test (Evidently's default)",
        };
    }
    if numeric && distinct > 5 {
        Selection {
            method: Method::Wasserstein,
            reason: "numerical with more than 5 distinct values and more than 1000 reference values: Wasserstein distance normed by the reference std (Evidently's default)",
        }
    } else {
        Selection {
            method: Method::JensenShannon,
            reason: if numeric {
                "numerical with at most 5 distinct values and more than 1000 reference values: Jensen-Shannon distance (Evidently's default)"
            } else {
                "categorical with more than 1000 reference values: Jensen-Shannon distance (Evidently's default)"
            },
        }
    }
}

/// A method as a chooser lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MethodInfo {
    pub name: &'static str,
    pub label: &'static str,
    /// The column kinds it applies to.
    pub kinds: Vec<&'static str>,
    pub has_p_value: bool,
    pub default_threshold: f64,
}

/// Every method, for the app's method override and `driftdeck drift --help`.
pub fn catalogue() -> Vec<MethodInfo> {
    Method::ALL
        .into_iter()
        .map(|m| MethodInfo {
            name: m.name(),
            label: m.label(),
            kinds: m.kinds().into_iter().map(|k| k.as_str()).collect(),
            has_p_value: m.has_p_value(),
            default_threshold: m.default_threshold(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for m in Method::ALL {
            assert_eq!(m.name().parse::<Method>().unwrap(), m);
        }
        assert_eq!("K-S".parse::<Method>().unwrap(), Method::Ks);
        assert_eq!("kl_div".parse::<Method>().unwrap(), Method::Kl);
        let err = "bogus".parse::<Method>().unwrap_err().to_string();
        assert!(
            err.contains("'bogus'") && err.contains("wasserstein"),
            "{err}"
        );
    }

    #[test]
    fn the_default_choice_follows_evidently() {
        use Kind::*;
        let m = |kind, n, d| default_method(kind, n, d).method;
        assert_eq!(m(Numerical, 800, 1600), Method::Ks);
        assert_eq!(m(Numerical, 1000, 6), Method::Ks);
        assert_eq!(m(Numerical, 800, 5), Method::ChiSquare);
        assert_eq!(m(Numerical, 800, 2), Method::Z);
        assert_eq!(m(Categorical, 800, 50), Method::ChiSquare);
        assert_eq!(m(Boolean, 800, 2), Method::Z);
        assert_eq!(m(Numerical, 1001, 6), Method::Wasserstein);
        assert_eq!(m(Numerical, 100_000, 5), Method::JensenShannon);
        assert_eq!(m(Categorical, 100_000, 500), Method::JensenShannon);
    }

    #[test]
    fn rules_compare_the_right_way() {
        assert!(Rule::PValueBelow.drifted(0.01, 0.05));
        assert!(!Rule::PValueBelow.drifted(0.05, 0.05));
        assert!(Rule::DistanceAtLeast.drifted(0.1, 0.1));
        assert!(!Rule::DistanceAtLeast.drifted(0.099, 0.1));
        assert!(!Method::Wasserstein.applies_to(Kind::Categorical));
        assert!(Method::Psi.applies_to(Kind::Categorical));
        assert!(!Method::Psi.applies_to(Kind::Text));
    }
}
