//! The `table` pair potential: tabulated interactions per type pair, with an error naming
//! the pair and the table when two atoms come closer than the table reaches.

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{ForceInput, ForceOutput, Potential, PotentialError};

use super::Tabulated;
use crate::pair::PairPotential;

/// `pair_style table`: a [`PairPotential`] of [`Tabulated`] interactions.
///
/// Below its first distance a table defines no interaction (LAMMPS stops with "Pair
/// distance < table inner cutoff"); such a pair makes [`Potential::compute`] fail with a
/// message naming the two atoms, their distance and the table.
#[derive(Debug, Clone)]
pub struct TablePotential {
    pairs: PairPotential<Tabulated>,
    /// Where each type pair's table came from (`FILE KEYWORD`), row-major.
    sources: Vec<String>,
}

impl TablePotential {
    /// Builds the potential from `n_types × n_types` entries (row-major, symmetric) of the
    /// interaction, its cutoff and a description of its table for error messages.
    ///
    /// # Panics
    /// If `entries.len() != n_types²`.
    pub fn new(n_types: usize, entries: Vec<(Tabulated, f64, String)>) -> Self {
        let (table, sources): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .map(|(t, cut, source)| ((t, cut), source))
            .unzip();
        TablePotential {
            pairs: PairPotential::from_table("table", n_types, table),
            sources,
        }
    }

    /// The interaction between 0-based types `i` and `j`, and its cutoff.
    pub fn pair(&self, i: usize, j: usize) -> (&Tabulated, f64) {
        self.pairs.pair(i, j)
    }

    /// The first pair of atoms inside some table's cutoff but closer than its first point.
    fn too_close(&self, input: &ForceInput<'_>) -> Option<String> {
        let (x, types, list) = (input.positions(), input.types(), input.list);
        let n = self.pairs.n_types();
        for i in 0..list.n_atoms() {
            for &j in list.neighbors(i) {
                let j = j as usize;
                let (ti, tj) = (types[i] as usize, types[j] as usize);
                let (table, cut) = self.pairs.pair(ti, tj);
                let r = (x[i] - x[j]).norm();
                if r < cut && r < table.inner() {
                    return Some(format!(
                        "atoms {} and {} (types {} and {}) are {r} apart, closer than the first \
                         distance {} of table {}",
                        input.atoms.owner(i) + 1,
                        input.atoms.owner(j) + 1,
                        ti + 1,
                        tj + 1,
                        table.inner(),
                        self.sources[ti * n + tj],
                    ));
                }
            }
        }
        None
    }
}

impl Potential for TablePotential {
    fn cutoff(&self) -> f64 {
        self.pairs.cutoff()
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Half
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        self.pairs.compute(input, out)?;
        let finite = out.forces.iter().all(|f| f.iter().all(|c| c.is_finite()));
        if !finite && let Some(message) = self.too_close(input) {
            return Err(PotentialError::Other(message));
        }
        Ok(())
    }

    fn name(&self) -> &str {
        "table"
    }
}
