//! Parameters and functions of LAMMPS's `tersoff/mod` style: Kumagai, Izumi, Hara and
//! Sakai's modified Tersoff potential (Comp. Mat. Sci. 39, 457 (2007)).
//!
//! An entry of a `.tersoff.mod` file is `i j k beta alpha h eta beta_ters lambda2 B R D
//! lambda1 A n c1 c2 c3 c4 c5`. Against [`super::TersoffParams`] three functions change:
//!
//! * the cutoff `fc(r) = 1/2 - 9/16 sin(pi/2 (r - R)/D) - 1/16 sin(3 pi/2 (r - R)/D)`
//!   inside `R ± D` (Murty's form, continuous second derivative);
//! * the angular term `g = c1 + c2 u / (c3 + u) (1 + c4 exp(-c5 u))`, `u = (h - cos)^2`;
//! * the bond order `b = (1 + (beta_ters zeta)^eta)^(-1 / (2 n))`, with LAMMPS's
//!   asymptotic branches for very large and very small arguments.
//!
//! The radial factor of `zeta` is `exp((alpha (rij - rik))^beta)` with `beta` 1 or 3, as
//! Tersoff's `m` and `lambda3`; the pair terms are Tersoff's.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

use super::tersoff::BondOrderParams;
use super::tersoff_params::{attractive, check_values, exp_delr, repulsive};
use super::triplet_file::TripletParams;

/// Numbers per entry after the three element names.
pub const TERSOFF_MOD_VALUES: usize = 17;

/// One element triplet's `tersoff/mod` parameters, with LAMMPS's derived constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TersoffModParams {
    /// Exponent of the radial factor (the file's `beta`): 1 or 3.
    pub m: i32,
    /// Scale of the radial factor (the file's `alpha`).
    pub alpha: f64,
    /// `h` of the angular term.
    pub h: f64,
    /// Bond-order exponent `eta`.
    pub eta: f64,
    /// Bond-order prefactor `beta_ters` (1 in Kumagai's parameterisation).
    pub beta: f64,
    /// Attractive decay `lambda2`.
    pub lam2: f64,
    /// Attractive prefactor `B`.
    pub big_b: f64,
    /// Cutoff centre `R`.
    pub big_r: f64,
    /// Cutoff half-width `D`.
    pub big_d: f64,
    /// Repulsive decay `lambda1`.
    pub lam1: f64,
    /// Repulsive prefactor `A`.
    pub big_a: f64,
    /// Bond-order exponent `n` (`1 / (2 delta)` of the paper).
    pub n: f64,
    /// Angular coefficients `c1` to `c5`.
    pub c: [f64; 5],
    /// Squared cutoff `(R + D)^2`.
    pub cutsq: f64,
    /// `beta_ters zeta` above which the bond order takes its large-argument form.
    large: f64,
    /// `beta_ters zeta` below which the bond order is 1.
    small: f64,
}

impl TersoffModParams {
    /// Builds the parameters from the 17 numbers of an entry, rejecting the values LAMMPS
    /// rejects (negative constants, `D > R`, `beta` other than 1 or 3).
    pub fn from_values(v: &[f64]) -> Result<Self, String> {
        assert_eq!(v.len(), TERSOFF_MOD_VALUES);
        const NAMES: [&str; TERSOFF_MOD_VALUES] = [
            "beta",
            "alpha",
            "h",
            "eta",
            "beta_ters",
            "lambda2",
            "B",
            "R",
            "D",
            "lambda1",
            "A",
            "n",
            "c1",
            "c2",
            "c3",
            "c4",
            "c5",
        ];
        // eta, beta_ters, lambda2, B, R, D, lambda1 and A must be non-negative
        check_values(
            "tersoff/mod",
            v,
            &NAMES,
            |k| (3..=10).contains(&k),
            0,
            (7, 8),
        )?;
        let (eta, n) = (v[3], v[11]);
        let large = (2.0 * n * 1.0e-16).powf(-1.0 / eta);
        let cut = v[7] + v[8];
        Ok(TersoffModParams {
            m: v[0] as i32,
            alpha: v[1],
            h: v[2],
            eta,
            beta: v[4],
            lam2: v[5],
            big_b: v[6],
            big_r: v[7],
            big_d: v[8],
            lam1: v[9],
            big_a: v[10],
            n,
            c: [v[12], v[13], v[14], v[15], v[16]],
            cutsq: cut * cut,
            large,
            small: 1.0 / large,
        })
    }
}

impl BondOrderParams for TersoffModParams {
    const STYLE: &'static str = "tersoff/mod";
    const VALUES: usize = TERSOFF_MOD_VALUES;

    fn from_values(v: &[f64]) -> Result<Self, String> {
        TersoffModParams::from_values(v)
    }

    #[inline(always)]
    fn cutsq(&self) -> f64 {
        self.cutsq
    }

    #[inline(always)]
    fn fc(&self, r: f64) -> (f64, f64) {
        if r < self.big_r - self.big_d {
            return (1.0, 0.0);
        }
        if r > self.big_r + self.big_d {
            return (0.0, 0.0);
        }
        let a = FRAC_PI_2 * (r - self.big_r) / self.big_d;
        let a3 = 3.0 * a;
        (
            0.5 * (1.0 - 1.125 * a.sin() - 0.125 * a3.sin()),
            -(0.375 * FRAC_PI_4 / self.big_d) * (3.0 * a.cos() + a3.cos()),
        )
    }

    #[inline(always)]
    fn repulsive(&self, r: f64) -> (f64, f64) {
        repulsive(self.fc(r), self.big_a, self.lam1, r)
    }

    #[inline(always)]
    fn fa(&self, r: f64) -> (f64, f64) {
        if r > self.big_r + self.big_d {
            return (0.0, 0.0);
        }
        attractive(self.fc(r), self.big_b, self.lam2, r)
    }

    #[inline(always)]
    fn g(&self, costheta: f64) -> (f64, f64) {
        let [c1, c2, c3, c4, c5] = self.c;
        let w = self.h - costheta;
        let u = w * w;
        let inv = 1.0 / (c3 + u);
        let ex = (-c5 * u).exp();
        let shape = c2 * u * inv;
        let boost = 1.0 + c4 * ex;
        // dg/du, then du/dcos = -2 w
        let dg_du = c2 * c3 * inv * inv * boost - shape * c4 * c5 * ex;
        (c1 + shape * boost, -2.0 * w * dg_du)
    }

    #[inline(always)]
    fn exp_delr(&self, dr: f64) -> (f64, f64) {
        exp_delr(self.m, self.alpha, dr)
    }

    #[inline]
    fn bij(&self, zeta: f64) -> f64 {
        let tmp = self.beta * zeta;
        if tmp > self.large {
            tmp.powf(-self.eta / (2.0 * self.n))
        } else if tmp < self.small {
            1.0
        } else {
            (1.0 + tmp.powf(self.eta)).powf(-1.0 / (2.0 * self.n))
        }
    }

    #[inline]
    fn bij_d(&self, zeta: f64) -> f64 {
        let tmp = self.beta * zeta;
        let ratio = self.eta / self.n;
        if tmp > self.large {
            -0.5 * ratio * tmp.powf(-0.5 * ratio) / zeta
        } else if tmp < self.small {
            0.0
        } else {
            let tmp_n = tmp.powf(self.eta);
            -0.5 * ratio * (1.0 + tmp_n).powf(-1.0 - 1.0 / (2.0 * self.n)) * tmp_n / zeta
        }
    }
}

impl TripletParams for TersoffModParams {
    fn without_range(&self) -> Self {
        TersoffModParams {
            cutsq: 0.0,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kumagai's Si entry (LAMMPS's Si.tersoff.mod).
    const SI: [f64; TERSOFF_MOD_VALUES] = [
        1.0, 2.3890327, -0.365, 1.0, 1.0, 1.345797, 121.00047, 3.0, 0.3, 3.2300135, 3281.5905,
        0.93810551, 0.20173476, 730418.72, 1000000.0, 1.0, 26.0,
    ];

    fn central<F: Fn(f64) -> (f64, f64)>(f: F, x: f64) -> (f64, f64) {
        let h = 1e-6;
        ((f(x + h).0 - f(x - h).0) / (2.0 * h), f(x).1)
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let p = TersoffModParams::from_values(&SI).unwrap();
        for r in [2.75, 3.0, 3.2] {
            let (fd, an) = central(|r| p.fc(r), r);
            assert!((fd - an).abs() < 1e-7, "fc' at {r}: {fd} vs {an}");
        }
        for c in [-0.9, -0.3, 0.2, 0.8] {
            let (fd, an) = central(|c| p.g(c), c);
            assert!(
                (fd - an).abs() < 1e-6 * an.abs().max(1.0),
                "g' at {c}: {fd} vs {an}"
            );
        }
        for z in [0.3, 1.0, 4.0] {
            let fd = (p.bij(z + 1e-6) - p.bij(z - 1e-6)) / 2e-6;
            let an = p.bij_d(z);
            assert!((fd - an).abs() < 1e-7, "b' at {z}: {fd} vs {an}");
        }
        assert_eq!(p.fc(2.6), (1.0, 0.0));
        assert_eq!(p.fc(3.4), (0.0, 0.0));
        assert!((p.fc(3.0).0 - 0.5).abs() < 1e-15);
    }

    #[test]
    fn bad_values_are_refused() {
        let mut v = SI;
        v[0] = 2.0;
        assert!(
            TersoffModParams::from_values(&v)
                .unwrap_err()
                .contains("beta = 2")
        );
        let mut v = SI;
        v[8] = 4.0;
        assert!(
            TersoffModParams::from_values(&v)
                .unwrap_err()
                .contains("D = 4")
        );
        let mut v = SI;
        v[10] = -1.0;
        assert!(
            TersoffModParams::from_values(&v)
                .unwrap_err()
                .contains("A = -1")
        );
    }
}
