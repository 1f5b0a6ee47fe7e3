//! Classical pair interactions beyond Lennard-Jones: `morse`, `buck`, `born`, `yukawa`, `soft`.
//!
//! Each is a bare [`PairInteraction`] holding LAMMPS's precomputed coefficients for one
//! type pair, evaluated in the same arithmetic order as LAMMPS so results agree to
//! round-off.

use super::PairInteraction;

/// Morse: `E = D0 [exp(-2 a (r - r0)) - 2 exp(-a (r - r0))]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Morse {
    d0: f64,
    alpha: f64,
    r0: f64,
    morse1: f64,
}

impl Morse {
    /// Well depth `d0`, stiffness `alpha`, equilibrium distance `r0`.
    pub fn new(d0: f64, alpha: f64, r0: f64) -> Self {
        Morse {
            d0,
            alpha,
            r0,
            morse1: 2.0 * d0 * alpha,
        }
    }
}

impl PairInteraction for Morse {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r = rsq.sqrt();
        let dr = r - self.r0;
        let dexp = (-self.alpha * dr).exp();
        let fpair = self.morse1 * (dexp * dexp - dexp) / r;
        (self.d0 * (dexp * dexp - 2.0 * dexp), fpair)
    }
}

/// Buckingham: `E = A exp(-r/rho) - C / r^6`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Buckingham {
    a: f64,
    rhoinv: f64,
    c: f64,
    buck1: f64,
    buck2: f64,
}

impl Buckingham {
    /// Repulsion `a`, decay length `rho`, dispersion `c`.
    pub fn new(a: f64, rho: f64, c: f64) -> Self {
        Buckingham {
            a,
            rhoinv: 1.0 / rho,
            c,
            buck1: a / rho,
            buck2: 6.0 * c,
        }
    }
}

impl PairInteraction for Buckingham {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r2inv = 1.0 / rsq;
        let r6inv = r2inv * r2inv * r2inv;
        let r = rsq.sqrt();
        let rexp = (-r * self.rhoinv).exp();
        let force = self.buck1 * r * rexp - self.buck2 * r6inv;
        (self.a * rexp - self.c * r6inv, force * r2inv)
    }
}

/// Born-Mayer-Huggins: `E = A exp((sigma - r)/rho) - C / r^6 + D / r^8`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Born {
    a: f64,
    rhoinv: f64,
    sigma: f64,
    c: f64,
    d: f64,
    born1: f64,
    born2: f64,
    born3: f64,
}

impl Born {
    /// Coefficients `a`, `rho`, `sigma`, `c`, `d` as in `pair_coeff`.
    pub fn new(a: f64, rho: f64, sigma: f64, c: f64, d: f64) -> Self {
        Born {
            a,
            rhoinv: 1.0 / rho,
            sigma,
            c,
            d,
            born1: a / rho,
            born2: 6.0 * c,
            born3: 8.0 * d,
        }
    }
}

impl PairInteraction for Born {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r2inv = 1.0 / rsq;
        let r6inv = r2inv * r2inv * r2inv;
        let r = rsq.sqrt();
        let rexp = ((self.sigma - r) * self.rhoinv).exp();
        let force = self.born1 * r * rexp - self.born2 * r6inv + self.born3 * r2inv * r6inv;
        (
            self.a * rexp - self.c * r6inv + self.d * r6inv * r2inv,
            force * r2inv,
        )
    }
}

/// Screened Coulomb (Yukawa): `E = A exp(-kappa r) / r`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yukawa {
    a: f64,
    kappa: f64,
}

impl Yukawa {
    /// Prefactor `a` and inverse screening length `kappa`.
    pub fn new(a: f64, kappa: f64) -> Self {
        Yukawa { a, kappa }
    }
}

impl PairInteraction for Yukawa {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r2inv = 1.0 / rsq;
        let r = rsq.sqrt();
        let rinv = 1.0 / r;
        let screening = (-self.kappa * r).exp();
        let force = self.a * screening * (self.kappa + rinv);
        (self.a * screening * rinv, force * r2inv)
    }
}

/// Soft cosine repulsion: `E = A [1 + cos(pi r / rc)]`, zero at its cutoff `rc`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Soft {
    prefactor: f64,
    cutoff: f64,
}

impl Soft {
    /// Prefactor `a` and the cutoff that sets the cosine's period.
    pub fn new(prefactor: f64, cutoff: f64) -> Self {
        Soft { prefactor, cutoff }
    }
}

impl PairInteraction for Soft {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r = rsq.sqrt();
        let arg = std::f64::consts::PI * r / self.cutoff;
        let fpair = if r > 0.0 {
            self.prefactor * arg.sin() * std::f64::consts::PI / self.cutoff / r
        } else {
            0.0
        };
        (self.prefactor * (1.0 + arg.cos()), fpair)
    }
}
