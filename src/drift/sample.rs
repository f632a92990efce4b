//! One column of one side, in the form the tests need: finite numbers sorted ascending, or
//! counts per category. Built from a Polars column once; every test then walks it.

use polars::prelude::*;

/// A column's non-missing values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Finite values, ascending (`f64::total_cmp`).
    Numeric(Vec<f64>),
    /// Counts per category, ascending by category; no zero counts.
    Categories(Vec<(String, u64)>),
}

/// One column of one side.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSample {
    pub values: Values,
    /// Nulls, plus NaN and ±inf for numbers (Evidently drops all of them before testing).
    pub missing: u64,
    /// Values that could not be read as the column's kind (e.g. "abc" in a column overridden
    /// to numerical); counted in `missing` too.
    pub unparsable: u64,
}

impl ColumnSample {
    /// Non-missing values.
    pub fn count(&self) -> u64 {
        match &self.values {
            Values::Numeric(v) => v.len() as u64,
            Values::Categories(c) => c.iter().map(|(_, n)| n).sum(),
        }
    }

    /// Distinct non-missing values.
    pub fn distinct(&self) -> u64 {
        match &self.values {
            Values::Numeric(v) => distinct_sorted(v) as u64,
            Values::Categories(c) => c.len() as u64,
        }
    }

    pub fn numeric(&self) -> Option<&[f64]> {
        match &self.values {
            Values::Numeric(v) => Some(v),
            Values::Categories(_) => None,
        }
    }

    pub fn categories(&self) -> Option<&[(String, u64)]> {
        match &self.values {
            Values::Categories(c) => Some(c),
            Values::Numeric(_) => None,
        }
    }
}

/// Distinct values of a sorted slice.
pub fn distinct_sorted(sorted: &[f64]) -> usize {
    if sorted.is_empty() {
        0
    } else {
        1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
    }
}

/// Distinct values of two sorted slices together, counting no further than `cap` (the
/// automatic method choice only asks whether there are more than 5).
pub fn distinct_pooled_capped(a: &[f64], b: &[f64], cap: usize) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    let mut last: Option<f64> = None;
    while i < a.len() || j < b.len() {
        let Some(x) = super::stats::merge_next(a, b, &mut i, &mut j) else {
            break;
        };
        if last != Some(x) {
            n += 1;
            if n >= cap {
                return n;
            }
            last = Some(x);
        }
    }
    n
}

/// Distinct values of two sorted slices together.
pub fn distinct_pooled(a: &[f64], b: &[f64]) -> usize {
    distinct_pooled_capped(a, b, usize::MAX)
}

/// Sorts finite values ascending. A radix sort on the order-preserving bit pattern: on a
/// million values it is several times faster than a comparison sort, and drift sorts every
/// numeric column of both files.
pub fn sort_values(values: &mut [f64]) {
    if values.len() < 4096 {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    radix::<11>(values);
}

thread_local! {
    /// The radix sort's two key buffers, kept per thread: allocating 16 MB per column afresh
    /// costs more in page faults than the sort itself.
    static RADIX_BUFFERS: std::cell::RefCell<(Vec<u64>, Vec<u64>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

fn radix<const BITS: u32>(values: &mut [f64]) {
    RADIX_BUFFERS.with_borrow_mut(|(keys, scratch)| {
        // Map each float to a u64 whose unsigned order is the float order (flip all bits of
        // negatives, the sign bit of positives), sort by BITS-bit digits, map back.
        keys.clear();
        keys.extend(values.iter().map(|v| {
            let b = v.to_bits();
            if b >> 63 == 1 { !b } else { b | (1 << 63) }
        }));
        scratch.clear();
        scratch.resize(keys.len(), 0);
        let buckets: usize = 1 << BITS;
        let passes = 64_u32.div_ceil(BITS);
        let mut counts = vec![vec![0usize; buckets]; passes as usize];
        for &k in keys.iter() {
            for (p, c) in counts.iter_mut().enumerate() {
                c[((k >> (p as u32 * BITS)) as usize) & (buckets - 1)] += 1;
            }
        }
        let n = keys.len();
        for (p, c) in counts.iter_mut().enumerate() {
            // A digit the same for every key needs no pass.
            if c.contains(&n) {
                continue;
            }
            let mut sum = 0;
            for slot in c.iter_mut() {
                let count = *slot;
                *slot = sum;
                sum += count;
            }
            let shift = p as u32 * BITS;
            for &k in keys.iter() {
                let d = ((k >> shift) as usize) & (buckets - 1);
                scratch[c[d]] = k;
                c[d] += 1;
            }
            std::mem::swap(keys, scratch);
        }
        for (v, &k) in values.iter_mut().zip(keys.iter()) {
            let b = if k >> 63 == 1 { k & !(1 << 63) } else { !k };
            *v = f64::from_bits(b);
        }
    });
}

/// The numbers of a column: its values cast to f64, NaN/±inf/nulls counted as missing,
/// sorted. `unparsable` counts values that were not null before the cast but are after it.
pub fn numeric_sample(column: &Column) -> PolarsResult<ColumnSample> {
    let nulls_before = column.null_count() as u64;
    let physical = if column.dtype().is_temporal() {
        column.to_physical_repr()
    } else {
        column.clone()
    };
    let cast = physical.cast(&DataType::Float64)?;
    let ca = cast.f64()?;
    let unparsable = (ca.null_count() as u64).saturating_sub(nulls_before);
    let mut values = Vec::with_capacity(ca.len() - ca.null_count());
    let mut non_finite = 0u64;
    for array in ca.downcast_iter() {
        if array.validity().is_none_or(|v| v.unset_bits() == 0) {
            for &v in array.values().iter() {
                if v.is_finite() {
                    values.push(v);
                } else {
                    non_finite += 1;
                }
            }
        } else {
            for v in array.iter().flatten() {
                if v.is_finite() {
                    values.push(*v);
                } else {
                    non_finite += 1;
                }
            }
        }
    }
    sort_values(&mut values);
    Ok(ColumnSample {
        values: Values::Numeric(values),
        missing: ca.null_count() as u64 + non_finite,
        unparsable,
    })
}

/// Counts per category of a column, any type: strings as they are, booleans as
/// `true`/`false`, numbers as they print (integers without a decimal point).
pub fn category_sample(column: &Column) -> PolarsResult<ColumnSample> {
    let missing = column.null_count() as u64;
    let as_string = if column.dtype().is_bool() {
        let ca = column.bool()?;
        let trues = ca.sum().unwrap_or(0) as u64;
        let falses = (ca.len() - ca.null_count()) as u64 - trues;
        let counts = [("false".to_string(), falses), ("true".to_string(), trues)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect();
        return Ok(ColumnSample {
            values: Values::Categories(counts),
            missing,
            unparsable: 0,
        });
    } else {
        crate::data::category_strings(column)?
    };
    let ca = &as_string;
    let mut map: PlHashMap<&str, u64> = PlHashMap::default();
    for v in ca.iter().flatten() {
        *map.entry(v).or_insert(0) += 1;
    }
    let mut counts: Vec<(String, u64)> = map.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    counts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(ColumnSample {
        values: Values::Categories(counts),
        missing,
        unparsable: 0,
    })
}

/// Two category count lists aligned on the union of their categories (ascending).
pub fn align_categories(
    reference: &[(String, u64)],
    current: &[(String, u64)],
) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let (mut i, mut j) = (0, 0);
    let mut names = Vec::with_capacity(reference.len().max(current.len()));
    let (mut r, mut c) = (Vec::new(), Vec::new());
    while i < reference.len() || j < current.len() {
        match (reference.get(i), current.get(j)) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                names.push(a.0.clone());
                r.push(a.1);
                c.push(b.1);
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                names.push(a.0.clone());
                r.push(a.1);
                c.push(0);
                i += 1;
            }
            (Some(a), None) => {
                names.push(a.0.clone());
                r.push(a.1);
                c.push(0);
                i += 1;
            }
            (_, Some(b)) => {
                names.push(b.0.clone());
                r.push(0);
                c.push(b.1);
                j += 1;
            }
            (None, None) => break,
        }
    }
    (names, r, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_matches_a_comparison_sort() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values: Vec<f64> = (0..50_000)
            .map(|i| match i % 5 {
                0 => (next() % 1000) as f64 - 500.0,
                1 => f64::from_bits(next() >> 2) * if i % 2 == 0 { -1.0 } else { 1.0 },
                2 => -0.0,
                3 => 0.0,
                _ => (next() as f64 / u64::MAX as f64) * 1e-300,
            })
            .filter(|v| v.is_finite())
            .collect();
        let mut expected = values.clone();
        expected.sort_unstable_by(f64::total_cmp);
        sort_values(&mut values);
        assert_eq!(
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn numbers_count_missing_and_non_finite_values() {
        let c = Column::new(
            "x".into(),
            [
                Some(2.0),
                None,
                Some(f64::NAN),
                Some(1.0),
                Some(f64::INFINITY),
            ],
        );
        let s = numeric_sample(&c).unwrap();
        assert_eq!(s.values, Values::Numeric(vec![1.0, 2.0]));
        assert_eq!((s.missing, s.unparsable, s.count()), (3, 0, 2));
        let text = Column::new("t".into(), [Some("1.5"), Some("abc"), None]);
        let s = numeric_sample(&text).unwrap();
        assert_eq!(s.values, Values::Numeric(vec![1.5]));
        assert_eq!((s.missing, s.unparsable), (2, 1));
    }

    #[test]
    fn categories_are_counted_and_aligned() {
        let c = Column::new("c".into(), [Some("b"), Some("a"), None, Some("b")]);
        let s = category_sample(&c).unwrap();
        assert_eq!(
            s.values,
            Values::Categories(vec![("a".into(), 1), ("b".into(), 2)])
        );
        assert_eq!((s.missing, s.distinct()), (1, 2));
        let floats = Column::new("f".into(), [1.0, 1.5, 1.0]);
        let s = category_sample(&floats).unwrap();
        assert_eq!(
            s.categories().unwrap(),
            &[("1".to_string(), 2), ("1.5".to_string(), 1)]
        );
        let r = vec![("a".to_string(), 3), ("c".to_string(), 1)];
        let k = vec![("b".to_string(), 2), ("c".to_string(), 5)];
        let (names, rc, cc) = align_categories(&r, &k);
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!((rc, cc), (vec![3, 0, 1], vec![0, 2, 5]));
        assert_eq!(distinct_pooled(&[1.0, 2.0, 2.0], &[2.0, 3.0]), 3);
    }
}
