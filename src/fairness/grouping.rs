//! Groupings as marginals of the count table: which groups a grouping (a set of sensitive
//! columns) has, in Fairlearn's order, and which group each intersection adds into.
//!
//! Fairlearn lists groups in sorted order of their values (pandas `groupby`), and an
//! intersection as the full product of the values *observed* in each column
//! (`MultiIndex.from_product` of `np.unique` per column): a combination that never occurs is a
//! group with no rows, whose metrics are NaN in Fairlearn and are left out of every min, max and
//! ratio (pandas skips NaN). A value that occurs in no row (a code in the value table that no row
//! uses) is not a group.

use super::counts::{ColumnValues, GroupTable, TableCell};

/// Which groups a grouping (a set of sensitive columns) has, and where each intersection goes.
#[derive(Debug, Clone)]
pub(super) struct GroupingMap {
    pub(super) columns: Vec<usize>,
    /// Per group, its code in each of `columns`.
    pub(super) keys: Vec<Vec<u32>>,
    /// Per intersection (cell of the table), its group, or `NONE` for a combination that uses a
    /// value no row has (such cells are empty).
    pub(super) group_of_cell: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl GroupingMap {
    /// Fairlearn's groups: for one column, its observed values; for several, the product of each
    /// column's observed values (combinations that never occur included, with no rows).
    pub(super) fn new<C: TableCell>(table: &GroupTable<C>, columns: &[usize]) -> GroupingMap {
        let cards: Vec<usize> = table.columns.iter().map(|c| c.values.len()).collect();
        let mut observed: Vec<Vec<bool>> = cards.iter().map(|&k| vec![false; k]).collect();
        let mut codes = vec![0u32; cards.len()];
        for (cell, c) in table.cells.iter().enumerate() {
            if c.rows() > 0 {
                decode(cell, &cards, &mut codes);
                for (col, &code) in codes.iter().enumerate() {
                    observed[col][code as usize] = true;
                }
            }
        }
        // New group index for each observed code of each chosen column.
        let mut index: Vec<Vec<u32>> = Vec::new();
        let mut sizes: Vec<usize> = Vec::new();
        let mut codes_of: Vec<Vec<u32>> = Vec::new();
        for &col in columns {
            let mut next = 0u32;
            let mut map = vec![NONE; cards[col]];
            let mut codes = Vec::new();
            for (code, seen) in observed[col].iter().enumerate() {
                if *seen {
                    map[code] = next;
                    codes.push(code as u32);
                    next += 1;
                }
            }
            index.push(map);
            sizes.push(next as usize);
            codes_of.push(codes);
        }
        let groups: usize = sizes.iter().product();
        let mut keys = Vec::with_capacity(groups);
        let mut digits = vec![0u32; sizes.len()];
        for g in 0..groups {
            decode(g, &sizes, &mut digits);
            keys.push(
                digits
                    .iter()
                    .zip(&codes_of)
                    .map(|(&d, codes)| codes[d as usize])
                    .collect(),
            );
        }
        let group_of_cell = (0..table.cells.len())
            .map(|cell| {
                decode(cell, &cards, &mut codes);
                let mut g = 0u32;
                for (i, &col) in columns.iter().enumerate() {
                    let d = index[i][codes[col] as usize];
                    if d == NONE {
                        return NONE;
                    }
                    g = g * sizes[i] as u32 + d;
                }
                g
            })
            .collect();
        GroupingMap {
            columns: columns.to_vec(),
            keys,
            group_of_cell,
        }
    }

    /// The groups' cells from the table's.
    pub(super) fn aggregate<C: TableCell>(&self, cells: &[C], out: &mut Vec<C>) {
        aggregate_cells(cells, &self.group_of_cell, self.keys.len(), out);
    }

    pub(super) fn values(&self, columns: &[ColumnValues], group: usize) -> Vec<String> {
        self.columns
            .iter()
            .zip(&self.keys[group])
            .map(|(&col, &code)| columns[col].values[code as usize].clone())
            .collect()
    }
}

/// Adds each cell into its group (`group_of[i]` for `cells[i]`; `NONE`: no group).
pub(super) fn aggregate_cells<C: TableCell>(
    cells: &[C],
    group_of: &[u32],
    groups: usize,
    out: &mut Vec<C>,
) {
    out.clear();
    out.resize(groups, C::default());
    for (cell, &g) in cells.iter().zip(group_of) {
        if g != NONE {
            out[g as usize].merge(cell);
        }
    }
}

/// Mixed-radix digits of `index` (the first digit varies slowest).
fn decode(mut index: usize, radices: &[usize], digits: &mut [u32]) {
    for (d, &k) in digits.iter_mut().zip(radices).rev() {
        *d = (index % k) as u32;
        index /= k;
    }
}

/// The groupings a report shows: each sensitive column alone, then (with two or more columns)
/// the intersection of all of them.
pub fn default_groupings(columns: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = (0..columns).map(|c| vec![c]).collect();
    if columns > 1 {
        out.push((0..columns).collect());
    }
    out
}

impl<C: TableCell> GroupTable<C> {
    /// The groups of a grouping (indices into `columns`), in Fairlearn's order: each group's
    /// values (one per chosen column) and its cell.
    pub fn grouping(&self, columns: &[usize]) -> Vec<(Vec<String>, C)> {
        let map = GroupingMap::new(self, columns);
        let mut cells = Vec::new();
        map.aggregate(&self.cells, &mut cells);
        cells
            .into_iter()
            .enumerate()
            .map(|(g, c)| (map.values(&self.columns, g), c))
            .collect()
    }
}
