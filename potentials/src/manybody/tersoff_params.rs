//! Parameters and the one-dimensional functions of LAMMPS's `tersoff` style.
//!
//! An entry of a `.tersoff` file is `i j k m gamma lambda3 c d cos(theta0) n beta lambda2
//! B R D lambda1 A`. The functions follow LAMMPS's `pair_tersoff` exactly: the cutoff
//! function `fc`, the repulsive and attractive terms, the angular function `g`, the
//! `exp(lambda3^m (rij - rik)^m)` factor with its overflow guards, and the bond order
//! `b(zeta)` with its asymptotic branches for very large and very small `beta zeta`.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

use super::tersoff::BondOrderParams;
use super::triplet_file::TripletParams;

/// Numbers per entry after the three element names.
pub const TERSOFF_VALUES: usize = 14;

/// One element triplet's Tersoff parameters, with LAMMPS's derived constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TersoffParams {
    /// Exponent `m` of the `exp(lambda3^m (rij - rik)^m)` term: 1 or 3.
    pub m: i32,
    /// Prefactor `gamma` of the angular function.
    pub gamma: f64,
    /// `lambda3` of the radial asymmetry term.
    pub lam3: f64,
    /// `c` of the angular function.
    pub c: f64,
    /// `d` of the angular function.
    pub d: f64,
    /// `cos(theta0)` (LAMMPS's `h`).
    pub h: f64,
    /// Bond-order exponent `n`.
    pub n: f64,
    /// Bond-order prefactor `beta`.
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
    /// Squared cutoff `(R + D)^2`.
    pub cutsq: f64,
    c1: f64,
    c2: f64,
    c3: f64,
    c4: f64,
}

/// `exp(x)` with LAMMPS's guards: 1e30 above 69.0776, 0 below -69.0776.
#[inline(always)]
fn guarded_exp(x: f64) -> f64 {
    if x > 69.0776 {
        1.0e30
    } else if x < -69.0776 {
        0.0
    } else {
        x.exp()
    }
}

/// `fc A exp(-lambda1 r)` and its radial force factor `F/r`, from `fc` and its derivative.
#[inline(always)]
pub(crate) fn repulsive((fc, fc_d): (f64, f64), big_a: f64, lam1: f64, r: f64) -> (f64, f64) {
    let e = (-lam1 * r).exp();
    let fforce = -big_a * e * (fc_d - fc * lam1) / r;
    (fc * big_a * e, fforce)
}

/// `-fc B exp(-lambda2 r)` and its derivative, from `fc` and its derivative.
#[inline(always)]
pub(crate) fn attractive((fc, fc_d): (f64, f64), big_b: f64, lam2: f64, r: f64) -> (f64, f64) {
    let e = big_b * (-lam2 * r).exp();
    (-e * fc, e * (lam2 * fc - fc_d))
}

/// `exp(lambda3^m dr^m)` (m = 1 or 3, guarded as LAMMPS does) and its derivative.
#[inline(always)]
pub(crate) fn exp_delr(m: i32, lam3: f64, dr: f64) -> (f64, f64) {
    if m == 3 {
        let t = lam3 * dr;
        let ex = guarded_exp(t * t * t);
        let l3 = lam3 * lam3 * lam3;
        (ex, 3.0 * l3 * (dr * dr) * ex)
    } else {
        let ex = guarded_exp(lam3 * dr);
        (ex, lam3 * ex)
    }
}

/// Checks the numbers `v` of a Tersoff-type entry (parameter `names`) as LAMMPS does: all
/// finite, those whose index passes `non_negative` at least 0, the exponent at index `m` 1
/// or 3, and `D` (index `rd.1`) at most `R` (index `rd.0`). `what` names the style.
pub(crate) fn check_values(
    what: &str,
    v: &[f64],
    names: &[&str],
    non_negative: impl Fn(usize) -> bool,
    m: usize,
    (r, d): (usize, usize),
) -> Result<(), String> {
    for (k, (&x, name)) in v.iter().zip(names).enumerate() {
        if !x.is_finite() {
            return Err(format!("illegal {what} parameter: {name} = {x}"));
        }
        if non_negative(k) && x < 0.0 {
            return Err(format!(
                "illegal {what} parameter: {name} = {x} must be >= 0"
            ));
        }
    }
    if v[m] != 1.0 && v[m] != 3.0 {
        return Err(format!(
            "illegal {what} parameter: {} = {} must be 1 or 3",
            names[m], v[m]
        ));
    }
    if v[d] > v[r] {
        return Err(format!(
            "illegal {what} parameter: D = {} must not exceed R = {}",
            v[d], v[r]
        ));
    }
    Ok(())
}

impl TersoffParams {
    /// Builds the parameters from the 14 numbers of an entry, rejecting the values LAMMPS
    /// rejects (negative constants, `D > R`, `m` other than 1 or 3).
    pub fn from_values(v: &[f64]) -> Result<Self, String> {
        assert_eq!(v.len(), TERSOFF_VALUES);
        const NAMES: [&str; TERSOFF_VALUES] = [
            "m",
            "gamma",
            "lambda3",
            "c",
            "d",
            "costheta0",
            "n",
            "beta",
            "lambda2",
            "B",
            "R",
            "D",
            "lambda1",
            "A",
        ];
        // every parameter but lambda3 and costheta0 must be non-negative
        check_values("Tersoff", v, &NAMES, |k| k != 2 && k != 5, 0, (10, 11))?;
        let n = v[6];
        let cut = v[10] + v[11];
        let c1 = (2.0 * n * 1.0e-16).powf(-1.0 / n);
        let c2 = (2.0 * n * 1.0e-8).powf(-1.0 / n);
        Ok(TersoffParams {
            m: v[0] as i32,
            gamma: v[1],
            lam3: v[2],
            c: v[3],
            d: v[4],
            h: v[5],
            n,
            beta: v[7],
            lam2: v[8],
            big_b: v[9],
            big_r: v[10],
            big_d: v[11],
            lam1: v[12],
            big_a: v[13],
            cutsq: cut * cut,
            c1,
            c2,
            c3: 1.0 / c2,
            c4: 1.0 / c1,
        })
    }

    /// The cutoff `R + D`.
    pub fn cutoff(&self) -> f64 {
        self.big_r + self.big_d
    }

    /// Cutoff function `fc(r)` and its derivative.
    #[inline(always)]
    pub fn fc(&self, r: f64) -> (f64, f64) {
        if r < self.big_r - self.big_d || r > self.big_r + self.big_d {
            let inside = r < self.big_r - self.big_d;
            return (if inside { 1.0 } else { 0.0 }, 0.0);
        }
        let arg = FRAC_PI_2 * (r - self.big_r) / self.big_d;
        (
            0.5 * (1.0 - arg.sin()),
            -(FRAC_PI_4 / self.big_d) * arg.cos(),
        )
    }

    /// Repulsive pair energy `fc A exp(-lambda1 r)` and the radial force factor `F/r`
    /// (the force on the first atom is `F/r` times the vector from the second to it).
    #[inline(always)]
    pub fn repulsive(&self, r: f64) -> (f64, f64) {
        repulsive(self.fc(r), self.big_a, self.lam1, r)
    }

    /// Attractive term `fa(r) = -B exp(-lambda2 r) fc(r)` and its derivative.
    #[inline(always)]
    pub fn fa(&self, r: f64) -> (f64, f64) {
        if r > self.big_r + self.big_d {
            return (0.0, 0.0);
        }
        attractive(self.fc(r), self.big_b, self.lam2, r)
    }

    /// Angular function `g(cos theta)` and its derivative.
    #[inline(always)]
    pub fn g(&self, costheta: f64) -> (f64, f64) {
        let c2 = self.c * self.c;
        let d2 = self.d * self.d;
        let hcth = self.h - costheta;
        let denom = 1.0 / (d2 + hcth * hcth);
        (
            self.gamma * (1.0 + c2 / d2 - c2 * denom),
            self.gamma * (-2.0 * c2 * hcth) * denom * denom,
        )
    }

    /// `exp(lambda3^m (rij - rik)^m)` (guarded as LAMMPS does) and its derivative with
    /// respect to `rij`.
    #[inline(always)]
    pub fn exp_delr(&self, dr: f64) -> (f64, f64) {
        exp_delr(self.m, self.lam3, dr)
    }

    /// Bond order `b(zeta)` with LAMMPS's branches.
    #[inline]
    pub fn bij(&self, zeta: f64) -> f64 {
        let tmp = self.beta * zeta;
        let n = self.n;
        if tmp > self.c1 {
            1.0 / tmp.sqrt()
        } else if tmp > self.c2 {
            (1.0 - tmp.powf(-n) / (2.0 * n)) / tmp.sqrt()
        } else if tmp < self.c4 {
            1.0
        } else if tmp < self.c3 {
            1.0 - tmp.powf(n) / (2.0 * n)
        } else {
            (1.0 + tmp.powf(n)).powf(-1.0 / (2.0 * n))
        }
    }

    /// Derivative `db/dzeta` with LAMMPS's branches.
    #[inline]
    pub fn bij_d(&self, zeta: f64) -> f64 {
        let tmp = self.beta * zeta;
        let n = self.n;
        if tmp > self.c1 {
            self.beta * -0.5 * tmp.powf(-1.5)
        } else if tmp > self.c2 {
            self.beta * (-0.5 * tmp.powf(-1.5) * (1.0 - (1.0 + 1.0 / (2.0 * n)) * tmp.powf(-n)))
        } else if tmp < self.c4 {
            0.0
        } else if tmp < self.c3 {
            -0.5 * self.beta * tmp.powf(n - 1.0)
        } else {
            let tmp_n = tmp.powf(n);
            -0.5 * (1.0 + tmp_n).powf(-1.0 - 1.0 / (2.0 * n)) * tmp_n / zeta
        }
    }
}

impl BondOrderParams for TersoffParams {
    const STYLE: &'static str = "tersoff";
    const VALUES: usize = TERSOFF_VALUES;

    fn from_values(v: &[f64]) -> Result<Self, String> {
        TersoffParams::from_values(v)
    }

    #[inline(always)]
    fn cutsq(&self) -> f64 {
        self.cutsq
    }

    #[inline(always)]
    fn fc(&self, r: f64) -> (f64, f64) {
        TersoffParams::fc(self, r)
    }

    #[inline(always)]
    fn repulsive(&self, r: f64) -> (f64, f64) {
        TersoffParams::repulsive(self, r)
    }

    #[inline(always)]
    fn fa(&self, r: f64) -> (f64, f64) {
        TersoffParams::fa(self, r)
    }

    #[inline(always)]
    fn g(&self, costheta: f64) -> (f64, f64) {
        TersoffParams::g(self, costheta)
    }

    #[inline(always)]
    fn exp_delr(&self, dr: f64) -> (f64, f64) {
        TersoffParams::exp_delr(self, dr)
    }

    #[inline(always)]
    fn bij(&self, zeta: f64) -> f64 {
        TersoffParams::bij(self, zeta)
    }

    #[inline(always)]
    fn bij_d(&self, zeta: f64) -> f64 {
        TersoffParams::bij_d(self, zeta)
    }
}

impl TripletParams for TersoffParams {
    fn without_range(&self) -> Self {
        TersoffParams {
            cutsq: 0.0,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn si() -> TersoffParams {
        TersoffParams::from_values(&[
            3.0, 1.0, 1.3258, 4.8381, 2.0417, 0.0, 22.956, 0.33675, 1.3258, 95.373, 3.0, 0.2,
            3.2394, 3264.7,
        ])
        .unwrap()
    }

    fn central(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let p = si();
        for r in [2.0, 2.85, 2.95, 3.1, 3.19] {
            let fd = central(|r| p.fc(r).0, r, 1e-6);
            assert!((fd - p.fc(r).1).abs() < 1e-7, "fc' at {r}");
            let fd = central(|r| p.fa(r).0, r, 1e-6);
            assert!(
                (fd - p.fa(r).1).abs() < 1e-6 * p.fa(r).1.abs().max(1.0),
                "fa' at {r}"
            );
        }
        for c in [-0.9, -0.33, 0.0, 0.5] {
            let fd = central(|c| p.g(c).0, c, 1e-6);
            assert!((fd - p.g(c).1).abs() < 1e-6, "g' at {c}");
        }
        for dr in [-0.4, 0.0, 0.3] {
            let fd = central(|d| p.exp_delr(d).0, dr, 1e-6);
            assert!((fd - p.exp_delr(dr).1).abs() < 1e-6, "exp' at {dr}");
        }
        // every branch of the bond order: tmp from 1e-20 to 1e20
        for z in [1e-20, 1e-6, 0.1, 1.0, 3.0, 1e3, 1e10, 1e20] {
            let h = 1e-6 * z;
            let fd = central(|z| p.bij(z), z, h);
            let d = p.bij_d(z);
            assert!(
                (fd - d).abs() <= 1e-5 * d.abs() + 1e-9 / z,
                "b'({z}) = {d}, FD {fd}"
            );
        }
    }

    #[test]
    fn illegal_values_are_named() {
        let mut v = [
            3.0, 1.0, 1.3258, 4.8381, 2.0417, 0.0, 22.956, 0.33675, 1.3258, 95.373, 3.0, 0.2,
            3.2394, 3264.7,
        ];
        v[0] = 2.0;
        assert!(
            TersoffParams::from_values(&v)
                .unwrap_err()
                .contains("m = 2")
        );
        v[0] = 1.0;
        v[11] = 3.5;
        assert!(
            TersoffParams::from_values(&v)
                .unwrap_err()
                .contains("D = 3.5")
        );
        v[11] = 0.2;
        v[9] = -1.0;
        assert!(
            TersoffParams::from_values(&v)
                .unwrap_err()
                .contains("B = -1")
        );
    }
}
