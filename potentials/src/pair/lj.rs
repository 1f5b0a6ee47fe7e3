//! Lennard-Jones 12-6 (`lj/cut`).

use super::{Mixing, PairError, PairInteraction, PairPotential, Shifted};

/// The bare 12-6 interaction `4 eps [(sigma/r)^12 - (sigma/r)^6]`, in LAMMPS's coefficient form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LennardJones {
    lj1: f64,
    lj2: f64,
    lj3: f64,
    lj4: f64,
}

impl LennardJones {
    /// The interaction for well depth `epsilon` and zero-crossing distance `sigma`.
    pub fn new(epsilon: f64, sigma: f64) -> Self {
        let s6 = sigma.powi(6);
        let s12 = s6 * s6;
        LennardJones {
            lj1: 48.0 * epsilon * s12,
            lj2: 24.0 * epsilon * s6,
            lj3: 4.0 * epsilon * s12,
            lj4: 4.0 * epsilon * s6,
        }
    }
}

impl PairInteraction for LennardJones {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r2inv = 1.0 / rsq;
        let r6inv = r2inv * r2inv * r2inv;
        let forcelj = r6inv * (self.lj1 * r6inv - self.lj2);
        (r6inv * (self.lj3 * r6inv - self.lj4), forcelj * r2inv)
    }
}

/// The `lj/cut` potential: Lennard-Jones truncated (and optionally shifted) per type pair.
pub type LjCut = PairPotential<Shifted<LennardJones>>;

/// Coefficients of one type pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LjCoefficients {
    /// Well depth.
    pub epsilon: f64,
    /// Zero-crossing distance.
    pub sigma: f64,
    /// Cutoff distance.
    pub cutoff: f64,
}

/// Collects per-type-pair coefficients (as `pair_coeff` lines do) and builds an [`LjCut`].
#[derive(Debug, Clone)]
pub struct LjCutBuilder {
    n_types: usize,
    global_cutoff: f64,
    coefficients: Vec<Option<LjCoefficients>>,
    mixing: Mixing,
    shift: bool,
}

impl LjCutBuilder {
    /// A builder for `n_types` types with a default cutoff (LAMMPS `pair_style lj/cut RC`).
    pub fn new(n_types: usize, global_cutoff: f64) -> Self {
        LjCutBuilder {
            n_types,
            global_cutoff,
            coefficients: vec![None; n_types * n_types],
            mixing: Mixing::Geometric,
            shift: false,
        }
    }

    /// Sets the coefficients of 1-based types `i`, `j` (and `j`, `i`); `cutoff` defaults to the global one.
    pub fn pair(
        &mut self,
        i: usize,
        j: usize,
        epsilon: f64,
        sigma: f64,
        cutoff: Option<f64>,
    ) -> Result<&mut Self, PairError> {
        for t in [i, j] {
            if t == 0 || t > self.n_types {
                return Err(PairError::TypeOutOfRange {
                    type_index: t,
                    n_types: self.n_types,
                });
            }
        }
        let cutoff = cutoff.unwrap_or(self.global_cutoff);
        let checks = [
            (
                "epsilon",
                epsilon,
                epsilon.is_finite() && epsilon >= 0.0,
                "must be finite and not negative",
            ),
            (
                "sigma",
                sigma,
                sigma.is_finite() && sigma > 0.0,
                "must be positive",
            ),
            (
                "cutoff",
                cutoff,
                cutoff.is_finite() && cutoff > 0.0,
                "must be positive",
            ),
        ];
        for (name, value, ok, reason) in checks {
            if !ok {
                return Err(PairError::BadCoefficient {
                    name,
                    value,
                    i,
                    j,
                    reason,
                });
            }
        }
        let c = Some(LjCoefficients {
            epsilon,
            sigma,
            cutoff,
        });
        let n = self.n_types;
        self.coefficients[(i - 1) * n + (j - 1)] = c;
        self.coefficients[(j - 1) * n + (i - 1)] = c;
        Ok(self)
    }

    /// Sets the mixing rule for pairs without explicit coefficients.
    pub fn mixing(&mut self, mixing: Mixing) -> &mut Self {
        self.mixing = mixing;
        self
    }

    /// Shifts energies to zero at each pair's cutoff.
    pub fn shift(&mut self, shift: bool) -> &mut Self {
        self.shift = shift;
        self
    }

    /// Coefficients of every pair after mixing, row-major over 0-based types.
    pub fn resolved(&self) -> Result<Vec<LjCoefficients>, PairError> {
        let n = self.n_types;
        let mut out = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                let c = match (
                    self.coefficients[i * n + j],
                    self.coefficients[i * n + i],
                    self.coefficients[j * n + j],
                ) {
                    (Some(c), _, _) => c,
                    (None, Some(a), Some(b)) => LjCoefficients {
                        epsilon: self.mixing.energy(a.epsilon, b.epsilon, a.sigma, b.sigma),
                        sigma: self.mixing.sigma(a.sigma, b.sigma),
                        cutoff: self.mixing.distance(a.cutoff, b.cutoff),
                    },
                    _ => return Err(PairError::MissingPair { i: i + 1, j: j + 1 }),
                };
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Builds the potential.
    pub fn build(&self) -> Result<LjCut, PairError> {
        let entries = self
            .resolved()?
            .into_iter()
            .map(|c| {
                let lj = LennardJones::new(c.epsilon, c.sigma);
                (Shifted::new(lj, c.cutoff, self.shift), c.cutoff)
            })
            .collect();
        Ok(PairPotential::from_table("lj/cut", self.n_types, entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_at_two_to_the_sixth() {
        let lj = LennardJones::new(1.3, 0.9);
        let rmin = 2f64.powf(1.0 / 6.0) * 0.9;
        let (e, f) = lj.energy_and_force(rmin * rmin);
        assert!((e + 1.3).abs() < 1e-12);
        assert!(f.abs() < 1e-12);
    }

    #[test]
    fn mixing_fills_unlike_pairs() {
        let mut b = LjCutBuilder::new(2, 2.5);
        b.pair(1, 1, 1.0, 1.0, None).unwrap();
        b.pair(2, 2, 4.0, 2.0, Some(3.0)).unwrap();
        let c = b.resolved().unwrap();
        assert!((c[1].epsilon - 2.0).abs() < 1e-15);
        assert!((c[1].sigma - 2f64.sqrt()).abs() < 1e-15);
        assert!((c[2].cutoff - 7.5f64.sqrt()).abs() < 1e-15);
        b.mixing(Mixing::Arithmetic);
        assert!((b.resolved().unwrap()[1].sigma - 1.5).abs() < 1e-15);
    }

    #[test]
    fn missing_pair_is_an_error() {
        let mut b = LjCutBuilder::new(2, 2.5);
        b.pair(1, 1, 1.0, 1.0, None).unwrap();
        assert!(matches!(
            b.build(),
            Err(PairError::MissingPair { i: 1, j: 2 })
        ));
        assert!(b.pair(3, 1, 1.0, 1.0, None).is_err());
        assert!(b.pair(1, 1, 1.0, -1.0, None).is_err());
    }
}
