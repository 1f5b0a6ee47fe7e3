//! The generic pair potential: a per-type-pair table of interactions and the half-list loop.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{Accumulator, ForceInput, ForceOutput, Potential, PotentialError};

use super::PairInteraction;

#[derive(Debug, Clone, Copy)]
struct Entry<F> {
    interaction: F,
    cutsq: f64,
}

/// A pair potential: `E = sum_{i<j} phi_{t_i t_j}(r_ij)` for `r_ij` below the pair's cutoff.
///
/// Holds one interaction and cutoff per ordered type pair (symmetric) and
/// evaluates them over a half neighbor list with Newton's third law.
#[derive(Debug, Clone)]
pub struct PairPotential<F> {
    name: String,
    n_types: usize,
    table: Vec<Entry<F>>,
    max_cutoff: f64,
}

impl<F: PairInteraction> PairPotential<F> {
    /// Builds the potential from `n_types × n_types` `(interaction, cutoff)` entries in row-major
    /// order (the table must be symmetric).
    ///
    /// # Panics
    /// If `entries.len() != n_types²`.
    pub fn from_table(name: impl Into<String>, n_types: usize, entries: Vec<(F, f64)>) -> Self {
        assert_eq!(entries.len(), n_types * n_types, "pair table size");
        let max_cutoff = entries.iter().map(|e| e.1).fold(0.0, f64::max);
        PairPotential {
            name: name.into(),
            n_types,
            table: entries
                .into_iter()
                .map(|(interaction, rc)| Entry {
                    interaction,
                    cutsq: rc * rc,
                })
                .collect(),
            max_cutoff,
        }
    }

    /// Number of atom types.
    pub fn n_types(&self) -> usize {
        self.n_types
    }

    /// The interaction between 0-based types `i` and `j`, and its cutoff.
    pub fn pair(&self, i: usize, j: usize) -> (&F, f64) {
        let e = &self.table[i * self.n_types + j];
        (&e.interaction, e.cutsq.sqrt())
    }

    fn accumulate<const ENERGY: bool, const PER_ATOM: bool>(
        &self,
        input: &ForceInput<'_>,
        range: std::ops::Range<usize>,
        acc: &mut Accumulator<'_>,
    ) {
        let x = input.positions();
        let types = input.types();
        let list = input.list;
        let n = self.n_types;
        let n_total = x.len();
        // The checks below make every unchecked access in the loop valid: a list's
        // entries are all below `n_extended()` (an invariant of `NeighborList::build`).
        assert!(types.len() == n_total && acc.forces.len() == n_total);
        assert!(!PER_ATOM || acc.per_atom_energy.len() == n_total);
        assert!(range.end <= list.n_atoms() && list.n_atoms() <= n_total);
        assert!(list.n_extended() == n_total);
        assert!(self.table.len() == n * n && types.iter().all(|&t| (t as usize) < n));
        let mut energy = 0.0;
        for i in range {
            let xi = x[i];
            let row = &self.table[types[i] as usize * n..][..n];
            let mut fi = Vector3::zeros();
            for &j in list.neighbors(i) {
                let j = j as usize;
                // SAFETY: j < n_total and types[j] < n, checked above.
                let (xj, entry) = unsafe {
                    (
                        x.get_unchecked(j),
                        row.get_unchecked(*types.get_unchecked(j) as usize),
                    )
                };
                let d = xi - xj;
                let rsq = d.norm_squared();
                let inside = rsq < entry.cutsq;
                let (e, fpair) = if F::BRANCH_FREE {
                    // A quarter of list pairs lie in the skin shell beyond the cutoff; for
                    // cheap interactions a select beats a hard-to-predict branch.
                    let (e, fpair) = entry.interaction.energy_and_force(rsq);
                    if inside { (e, fpair) } else { (0.0, 0.0) }
                } else if inside {
                    entry.interaction.energy_and_force(rsq)
                } else {
                    continue;
                };
                let f = d * fpair;
                fi += f;
                // SAFETY: j < n_total = acc.forces.len(), checked above.
                unsafe { *acc.forces.get_unchecked_mut(j) -= f };
                if ENERGY {
                    energy += e;
                }
                if PER_ATOM {
                    acc.per_atom_energy[i] += 0.5 * e;
                    acc.per_atom_energy[j] += 0.5 * e;
                }
            }
            acc.forces[i] += fi;
        }
        acc.energy += energy;
    }
}

impl<F: PairInteraction> Potential for PairPotential<F> {
    fn cutoff(&self) -> f64 {
        self.max_cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Half
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let req = input.request;
        match (req.energy || req.per_atom_energy, req.per_atom_energy) {
            (false, _) => out.accumulate_parallel(input.list, |r, acc| {
                self.accumulate::<false, false>(input, r, acc)
            }),
            (true, false) => out.accumulate_parallel(input.list, |r, acc| {
                self.accumulate::<true, false>(input, r, acc)
            }),
            (true, true) => out.accumulate_parallel(input.list, |r, acc| {
                self.accumulate::<true, true>(input, r, acc)
            }),
        }
        if req.virial {
            out.set_virial_from_positions(input.positions());
        }
        Ok(())
    }

    fn name(&self) -> &str {
        &self.name
    }
}
