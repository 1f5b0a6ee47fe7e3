//! Shifted-force wrapper: energy and force both vanish at the cutoff
//! (LAMMPS's `lj/smooth/linear` is this wrapper around Lennard-Jones).

use super::PairInteraction;

/// `E_sf(r) = E(r) - E(rc) + (r - rc) F(rc)` and `F_sf(r) = F(r) - F(rc)`, where `F = -dE/dr`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftedForce<F> {
    inner: F,
    cutoff: f64,
    energy_at_cutoff: f64,
    force_at_cutoff: f64,
}

impl<F: PairInteraction> ShiftedForce<F> {
    /// Wraps `inner` so that energy and force are continuous and zero at `cutoff`.
    pub fn new(inner: F, cutoff: f64) -> Self {
        let (e, fr) = inner.energy_and_force(cutoff * cutoff);
        ShiftedForce {
            inner,
            cutoff,
            energy_at_cutoff: e,
            force_at_cutoff: fr * cutoff,
        }
    }
}

impl<F: PairInteraction> PairInteraction for ShiftedForce<F> {
    const BRANCH_FREE: bool = F::BRANCH_FREE;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let (e, fr) = self.inner.energy_and_force(rsq);
        let r = rsq.sqrt();
        let fpair = fr - self.force_at_cutoff / r;
        (
            e - self.energy_at_cutoff + (r - self.cutoff) * self.force_at_cutoff,
            fpair,
        )
    }
}
