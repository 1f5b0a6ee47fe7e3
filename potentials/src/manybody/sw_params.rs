//! Parameters of LAMMPS's `sw` (Stillinger-Weber) style.
//!
//! An entry of a `.sw` file is `i j k epsilon sigma a lambda gamma cos(theta0) A B p q
//! tol`. The two-body term of a pair `i j` uses the entry `i j j`; the three-body term of
//! `j i k` uses `lambda`, `epsilon` and `cos(theta0)` of `i j k` and the radial factors of
//! `i j j` and `i k k`, as in LAMMPS's `pair_sw`.

use super::triplet_file::TripletParams;

/// Numbers per entry after the three element names.
pub const SW_VALUES: usize = 11;

/// One element triplet's Stillinger-Weber parameters, with LAMMPS's derived constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwParams {
    /// Energy scale `epsilon`.
    pub epsilon: f64,
    /// Length scale `sigma`.
    pub sigma: f64,
    /// Reduced cutoff `a` (the cutoff is `a sigma`).
    pub a: f64,
    /// Three-body strength `lambda`.
    pub lambda: f64,
    /// Three-body radial decay `gamma`.
    pub gamma: f64,
    /// `cos(theta0)`.
    pub costheta: f64,
    /// Two-body prefactor `A`.
    pub big_a: f64,
    /// Two-body repulsion `B`.
    pub big_b: f64,
    /// Repulsive exponent `p`.
    pub p: f64,
    /// Attractive exponent `q`.
    pub q: f64,
    /// LAMMPS's `tol` (a positive value shortens the neighbor cutoff, not the function).
    pub tol: f64,
    /// Cutoff of the functions, `a sigma`.
    pub cut: f64,
    /// Squared neighbor cutoff (`cut` shortened by `tol` when positive).
    pub cutsq: f64,
    /// `sigma gamma`.
    pub sigma_gamma: f64,
    /// `lambda epsilon`.
    pub lambda_epsilon: f64,
    /// `2 lambda epsilon`.
    pub lambda_epsilon2: f64,
    c1: f64,
    c2: f64,
    c3: f64,
    c4: f64,
    c5: f64,
    c6: f64,
    /// `p` and `q` as integers when they are whole numbers (then `r^-p` is `powi`).
    pq_int: Option<(i32, i32)>,
}

impl SwParams {
    /// Builds the parameters from the 11 numbers of an entry, rejecting the values LAMMPS
    /// rejects (any negative value but `cos(theta0)`).
    pub fn from_values(v: &[f64]) -> Result<Self, String> {
        assert_eq!(v.len(), SW_VALUES);
        const NAMES: [&str; SW_VALUES] = [
            "epsilon",
            "sigma",
            "a",
            "lambda",
            "gamma",
            "costheta0",
            "A",
            "B",
            "p",
            "q",
            "tol",
        ];
        for (k, (&x, name)) in v.iter().zip(NAMES).enumerate() {
            if !x.is_finite() {
                return Err(format!("illegal Stillinger-Weber parameter: {name} = {x}"));
            }
            if k != 5 && x < 0.0 {
                return Err(format!(
                    "illegal Stillinger-Weber parameter: {name} = {x} must be >= 0"
                ));
            }
        }
        let [
            epsilon,
            sigma,
            a,
            lambda,
            gamma,
            costheta,
            big_a,
            big_b,
            p,
            q,
            tol,
        ] = std::array::from_fn(|k| v[k]);
        let cut = sigma * a;
        let mut tol = tol;
        let mut rtmp = cut;
        if tol > 0.0 {
            tol = tol.min(0.01);
            rtmp += if gamma < 1.0 {
                gamma * sigma / tol.ln()
            } else {
                sigma / tol.ln()
            };
        }
        Ok(SwParams {
            epsilon,
            sigma,
            a,
            lambda,
            gamma,
            costheta,
            big_a,
            big_b,
            p,
            q,
            tol,
            cut,
            cutsq: rtmp * rtmp,
            sigma_gamma: sigma * gamma,
            lambda_epsilon: lambda * epsilon,
            lambda_epsilon2: 2.0 * lambda * epsilon,
            c1: big_a * epsilon * p * big_b * sigma.powf(p),
            c2: big_a * epsilon * q * sigma.powf(q),
            c3: big_a * epsilon * big_b * sigma.powf(p + 1.0),
            c4: big_a * epsilon * sigma.powf(q + 1.0),
            c5: big_a * epsilon * big_b * sigma.powf(p),
            c6: big_a * epsilon * sigma.powf(q),
            pq_int: (p.fract() == 0.0 && q.fract() == 0.0 && p <= 64.0 && q <= 64.0)
                .then_some((p as i32, q as i32)),
        })
    }

    /// Two-body energy and radial force factor `F/r` at squared distance `rsq` (the force
    /// on the first atom is `F/r` times the vector from the second to it).
    #[inline(always)]
    pub fn two_body(&self, rsq: f64) -> (f64, f64) {
        let r = rsq.sqrt();
        let rinvsq = 1.0 / rsq;
        // whole exponents (4 and 0 in most files) avoid the general pow
        let (rp, rq) = match self.pq_int {
            Some((p, q)) => {
                let inv = 1.0 / r;
                (inv.powi(p), inv.powi(q))
            }
            None => (r.powf(-self.p), r.powf(-self.q)),
        };
        let rainv = 1.0 / (r - self.cut);
        let rainvsq = rainv * rainv * r;
        let expsrainv = (self.sigma * rainv).exp();
        let fforce = (self.c1 * rp - self.c2 * rq + (self.c3 * rp - self.c4 * rq) * rainvsq)
            * expsrainv
            * rinvsq;
        ((self.c5 * rp - self.c6 * rq) * expsrainv, fforce)
    }
}

impl TripletParams for SwParams {
    fn without_range(&self) -> Self {
        SwParams {
            cutsq: 0.0,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SI: [f64; SW_VALUES] = [
        2.1683,
        2.0951,
        1.80,
        21.0,
        1.20,
        -1.0 / 3.0,
        7.049556277,
        0.6022245584,
        4.0,
        0.0,
        0.0,
    ];

    #[test]
    fn two_body_force_is_the_derivative() {
        let p = SwParams::from_values(&SI).unwrap();
        for r in [2.0, 2.35, 3.0, 3.7] {
            let h = 1e-6;
            let e = |r: f64| p.two_body(r * r).0;
            let fd = -(e(r + h) - e(r - h)) / (2.0 * h);
            let f = p.two_body(r * r).1 * r;
            assert!(
                (fd - f).abs() < 1e-6 * f.abs().max(1.0),
                "r {r}: {f} vs {fd}"
            );
        }
        // the well of Si: about -2.17 eV (epsilon) near 2.35 Å
        assert!((p.two_body(2.35 * 2.35).0 + 2.168).abs() < 0.01);
    }

    #[test]
    fn illegal_values_and_tol() {
        let mut v = SI;
        v[3] = -1.0;
        assert!(
            SwParams::from_values(&v)
                .unwrap_err()
                .contains("lambda = -1")
        );
        let mut v = SI;
        v[10] = 0.5;
        let p = SwParams::from_values(&v).unwrap();
        // tol is capped at 0.01 and shortens the neighbor cutoff by sigma / ln(tol)
        let want = SI[1] * SI[2] + SI[1] / 0.01f64.ln(); // gamma >= 1
        assert!((p.cutsq.sqrt() - want).abs() < 1e-12);
        assert_eq!(p.cut, SI[1] * SI[2]);
    }
}
