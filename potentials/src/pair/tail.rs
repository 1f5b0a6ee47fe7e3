//! Long-range tail corrections for truncated pair potentials (LAMMPS `pair_modify tail yes`).

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{
    AnalyticHessian, ForceInput, ForceOutput, Potential, PotentialError,
};

/// Adds the energy and pressure of the interactions beyond the cutoff, assuming a uniform
/// fluid there (g(r) = 1): `E += sum_ij e_ij N_i N_j / V`, `W_aa += sum_ij p_ij N_i N_j / V`.
/// Forces are unchanged.
pub struct TailCorrected {
    inner: Box<dyn Potential>,
    n_types: usize,
    /// Per ordered type pair: (energy coefficient, virial coefficient), already including
    /// the geometric factors, to be multiplied by `N_i N_j / V`.
    coefficients: Vec<(f64, f64)>,
}

impl std::fmt::Debug for TailCorrected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TailCorrected")
            .field("inner", &self.inner.name())
            .finish()
    }
}

impl TailCorrected {
    /// Lennard-Jones tails from `(epsilon, sigma, cutoff)` per ordered type pair, with
    /// LAMMPS's expressions `8 pi eps s^6 (s^6 - 3 rc^6) / (9 rc^9)` (energy) and
    /// `16 pi eps s^6 (2 s^6 - 3 rc^6) / (9 rc^9)` (virial).
    pub fn lennard_jones(
        inner: Box<dyn Potential>,
        n_types: usize,
        pairs: &[(f64, f64, f64)],
    ) -> Self {
        let pi = std::f64::consts::PI;
        let coefficients = pairs
            .iter()
            .map(|&(eps, sigma, rc)| {
                let sig2 = sigma * sigma;
                let sig6 = sig2 * sig2 * sig2;
                let rc3 = rc * rc * rc;
                let rc6 = rc3 * rc3;
                let rc9 = rc3 * rc6;
                (
                    8.0 * pi * eps * sig6 * (sig6 - 3.0 * rc6) / (9.0 * rc9),
                    16.0 * pi * eps * sig6 * (2.0 * sig6 - 3.0 * rc6) / (9.0 * rc9),
                )
            })
            .collect();
        TailCorrected {
            inner,
            n_types,
            coefficients,
        }
    }
}

impl Potential for TailCorrected {
    fn cutoff(&self) -> f64 {
        self.inner.cutoff()
    }

    fn list_kind(&self) -> ListKind {
        self.inner.list_kind()
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        self.inner.compute(input, out)?;
        if !(input.request.energy || input.request.virial) {
            return Ok(());
        }
        let mut counts = vec![0.0f64; self.n_types];
        for &t in &input.types()[..input.n_local()] {
            counts[t as usize] += 1.0;
        }
        let (mut e, mut p) = (0.0, 0.0);
        for i in 0..self.n_types {
            for j in 0..self.n_types {
                let (ei, pi) = self.coefficients[i * self.n_types + j];
                e += ei * counts[i] * counts[j];
                p += pi * counts[i] * counts[j];
            }
        }
        let volume = input.cell.volume();
        if input.request.energy {
            out.energy += e / volume;
        }
        if input.request.virial {
            for k in 0..3 {
                out.virial[k] += p / volume;
            }
        }
        Ok(())
    }

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn conservative(&self) -> bool {
        self.inner.conservative()
    }

    /// The tail correction depends on the volume only, so at fixed cell the Hessian is
    /// the inner potential's.
    fn analytic_hessian(&self) -> Option<&dyn AnalyticHessian> {
        self.inner.analytic_hessian()
    }
}
