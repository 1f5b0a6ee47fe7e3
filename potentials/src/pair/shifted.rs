//! Energy shift: make the energy vanish at the cutoff (LAMMPS `pair_modify shift yes`).

use super::PairInteraction;

/// Wraps an interaction so its energy is zero at the cutoff; forces are unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shifted<F> {
    inner: F,
    offset: f64,
}

impl<F: PairInteraction> Shifted<F> {
    /// Shifts `inner` by its energy at `cutoff` when `enabled`; otherwise a no-op wrapper.
    pub fn new(inner: F, cutoff: f64, enabled: bool) -> Self {
        let offset = if enabled {
            inner.energy(cutoff * cutoff)
        } else {
            0.0
        };
        Shifted { inner, offset }
    }

    /// The energy subtracted at every distance.
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// The wrapped interaction.
    pub fn inner(&self) -> &F {
        &self.inner
    }
}

impl<F: PairInteraction> PairInteraction for Shifted<F> {
    const BRANCH_FREE: bool = F::BRANCH_FREE;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let (e, f) = self.inner.energy_and_force(rsq);
        (e - self.offset, f)
    }
}
