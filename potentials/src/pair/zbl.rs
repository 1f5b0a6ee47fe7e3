//! `zbl`: the Ziegler-Biersack-Littmark universal screened nuclear repulsion.
//!
//! `E(r) = Zi Zj e²/(4πε0 r) Σ_k c_k exp(-d_k r / a)` with `a = 0.46850 / (Zi^0.23 + Zj^0.23)`
//! (Å), smoothly switched off between an inner and an outer cutoff by LAMMPS's polynomial:
//! beyond the inner cutoff a term `A/3 t³ + B/4 t⁴` (`t = r - r_inner`) is added, and a
//! constant `C` everywhere, chosen so that energy, force and the force's derivative all
//! vanish at the outer cutoff (J. F. Ziegler, J. P. Biersack and U. Littmark, *The Stopping
//! and Range of Ions in Matter*, 1985). Arithmetic follows LAMMPS's `pair zbl`.

use super::{PairError, PairInteraction, PairPotential};

/// Exponent of `Z` in the universal screening length.
const PZBL: f64 = 0.23;
/// Screening length prefactor (Å).
const A0: f64 = 0.46850;
/// Amplitudes of the universal screening function.
const C: [f64; 4] = [0.02817, 0.28022, 0.50986, 0.18175];
/// Decay constants of the universal screening function.
const D: [f64; 4] = [0.20162, 0.40290, 0.94229, 3.19980];

/// The ZBL interaction of one type pair, switched between `inner` and `outer`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zbl {
    /// `d_k / a` for the four exponentials.
    da: [f64; 4],
    /// `Zi Zj qqr2e`.
    zze: f64,
    inner: f64,
    inner_sq: f64,
    /// Switching coefficients `A`, `B`, `A/3`, `B/4`, `C`.
    sw: [f64; 5],
}

impl Zbl {
    /// Nuclear charges `zi`, `zj`, switching range `inner..outer` and the Coulomb constant
    /// `qqr2e` of the unit system (LAMMPS's `force->qqr2e`: 14.399645 in metal units).
    pub fn new(zi: f64, zj: f64, inner: f64, outer: f64, qqr2e: f64) -> Self {
        let ainv = (zi.powf(PZBL) + zj.powf(PZBL)) / A0;
        let mut z = Zbl {
            da: D.map(|d| d * ainv),
            zze: zi * zj * qqr2e,
            inner,
            inner_sq: inner * inner,
            sw: [0.0; 5],
        };
        let tc = outer - inner;
        let fc = z.screened(outer);
        let fcp = z.first_derivative(outer);
        let fcpp = z.second_derivative(outer);
        let (swa, swb) = if tc > 0.0 {
            (
                (-3.0 * fcp + tc * fcpp) / (tc * tc),
                (2.0 * fcp - tc * fcpp) / (tc * tc * tc),
            )
        } else {
            // no switching region: only the constant shift applies
            (0.0, 0.0)
        };
        let swc = -fc + (tc / 2.0) * fcp - (tc * tc / 12.0) * fcpp;
        z.sw = [swa, swb, swa / 3.0, swb / 4.0, swc];
        z
    }

    fn exps(&self, r: f64) -> [f64; 4] {
        self.da.map(|d| (-d * r).exp())
    }

    /// The unswitched ZBL energy at `r`.
    fn screened(&self, r: f64) -> f64 {
        let e = self.exps(r);
        let mut sum = C[0] * e[0];
        for k in 1..4 {
            sum += C[k] * e[k];
        }
        self.zze * sum * (1.0 / r)
    }

    /// `dE/dr` of the unswitched energy.
    fn first_derivative(&self, r: f64) -> f64 {
        let rinv = 1.0 / r;
        let e = self.exps(r);
        let mut sum = C[0] * e[0];
        let mut sum_p = -C[0] * self.da[0] * e[0];
        for k in 1..4 {
            sum += C[k] * e[k];
            sum_p -= C[k] * self.da[k] * e[k];
        }
        self.zze * (sum_p - sum * rinv) * rinv
    }

    /// `d²E/dr²` of the unswitched energy.
    fn second_derivative(&self, r: f64) -> f64 {
        let rinv = 1.0 / r;
        let e = self.exps(r);
        let (mut sum, mut sum_p, mut sum_pp) = (0.0, 0.0, 0.0);
        for k in 0..4 {
            sum += C[k] * e[k];
            sum_p += C[k] * e[k] * self.da[k];
            sum_pp += C[k] * e[k] * self.da[k] * self.da[k];
        }
        self.zze * (sum_pp + 2.0 * sum_p * rinv + 2.0 * sum * rinv * rinv) * rinv
    }
}

impl PairInteraction for Zbl {
    #[inline]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        let r = rsq.sqrt();
        let rinv = 1.0 / r;
        let e = self.exps(r);
        let mut sum = C[0] * e[0];
        let mut sum_p = -C[0] * self.da[0] * e[0];
        for k in 1..4 {
            sum += C[k] * e[k];
            sum_p -= C[k] * self.da[k] * e[k];
        }
        let mut dedr = self.zze * (sum_p - sum * rinv) * rinv;
        let mut energy = self.zze * sum * rinv + self.sw[4];
        if rsq > self.inner_sq {
            let t = r - self.inner;
            dedr += t * t * (self.sw[0] + self.sw[1] * t);
            energy += t * t * t * (self.sw[2] + self.sw[3] * t);
        }
        (energy, dedr * (-1.0 / r))
    }
}

/// Assembles `pair_style zbl inner outer` as LAMMPS does from `pair_coeff I J Zi Zj` lines.
///
/// `pairs` holds `(i, j, zi, zj)` with 1-based types, one entry per type pair a
/// `pair_coeff` line named (later entries win). A like pair sets its type's `Z` and must
/// have `zi == zj`; unlike pairs not named use the `Z` of their two types. With
/// `partial`, pairs whose types have no `Z` get no interaction (a `hybrid` sub-style
/// handling only some pairs); otherwise every type needs a `Z`.
pub fn zbl_potential(
    n_types: usize,
    inner: f64,
    outer: f64,
    qqr2e: f64,
    pairs: &[(usize, usize, f64, f64)],
    partial: bool,
) -> Result<PairPotential<Zbl>, PairError> {
    let bad = |name, value, reason| PairError::BadCoefficient {
        name,
        value,
        i: 0,
        j: 0,
        reason,
    };
    if !(inner > 0.0 && inner.is_finite()) {
        return Err(bad("inner cutoff", inner, "must be positive"));
    }
    if !(outer >= inner && outer.is_finite()) {
        return Err(bad(
            "outer cutoff",
            outer,
            "must not be below the inner cutoff",
        ));
    }
    let mut z: Vec<Option<f64>> = vec![None; n_types];
    let mut explicit: Vec<Option<(f64, f64)>> = vec![None; n_types * n_types];
    for &(i, j, zi, zj) in pairs {
        for t in [i, j] {
            if t == 0 || t > n_types {
                return Err(PairError::TypeOutOfRange {
                    type_index: t,
                    n_types,
                });
            }
        }
        for (name, value) in [("Zi", zi), ("Zj", zj)] {
            if !(value > 0.0 && value.is_finite()) {
                return Err(PairError::BadCoefficient {
                    name,
                    value,
                    i,
                    j,
                    reason: "nuclear charge must be positive",
                });
            }
        }
        if i == j {
            if zi != zj {
                return Err(PairError::BadCoefficient {
                    name: "Zj",
                    value: zj,
                    i,
                    j,
                    reason: "a like pair needs Zi = Zj",
                });
            }
            z[i - 1] = Some(zi);
        }
        // LAMMPS stores (min, max) with the charges as given
        let (a, b) = (i.min(j) - 1, i.max(j) - 1);
        explicit[a * n_types + b] = Some((zi, zj));
        explicit[b * n_types + a] = Some((zi, zj));
    }
    let mut entries = Vec::with_capacity(n_types * n_types);
    for i in 0..n_types {
        for j in 0..n_types {
            let (a, b) = (i.min(j), i.max(j));
            let charges = explicit[a * n_types + b].or(match (z[a], z[b]) {
                (Some(za), Some(zb)) => Some((za, zb)),
                _ => None,
            });
            match charges {
                Some((za, zb)) => entries.push((Zbl::new(za, zb, inner, outer, qqr2e), outer)),
                None if partial => entries.push((Zbl::new(1.0, 1.0, inner, outer, qqr2e), 0.0)),
                None => {
                    return Err(PairError::MissingPair { i: a + 1, j: b + 1 });
                }
            }
        }
    }
    Ok(PairPotential::from_table("zbl", n_types, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_force_and_curvature_vanish_at_the_outer_cutoff() {
        let z = Zbl::new(29.0, 14.0, 2.0, 3.5, 14.399645);
        let (e, f) = z.energy_and_force(3.5 * 3.5);
        assert!(e.abs() < 1e-12, "{e}");
        assert!(f.abs() < 1e-12, "{f}");
        // the force falls off quadratically: F(rc - h) ~ h², against ~h for a kink
        let fr = |r: f64| z.energy_and_force(r * r).1 * r;
        let (f1, f2) = (fr(3.5 - 1e-3), fr(3.5 - 2e-3));
        assert!(f1.abs() > 0.0 && (f2 / f1 - 4.0).abs() < 1e-2, "{f1} {f2}");
    }

    #[test]
    fn force_is_minus_the_energy_derivative() {
        let z = Zbl::new(29.0, 29.0, 1.5, 2.5, 14.399645);
        for r in [0.3, 0.9, 1.49, 1.6, 2.0, 2.45] {
            let h = 1e-6 * r;
            let de = (z.energy((r + h) * (r + h)) - z.energy((r - h) * (r - h))) / (2.0 * h);
            let (_, fpair) = z.energy_and_force(r * r);
            assert!((fpair * r + de).abs() < 1e-7 * de.abs().max(1.0), "r = {r}");
        }
        // the unswitched Coulomb limit at short range: E ~ Zi Zj qqr2e / r * sum(c)
        let r = 1e-4;
        let coulomb = 29.0 * 29.0 * 14.399645 / r * C.iter().sum::<f64>();
        assert!((z.energy(r * r) / coulomb - 1.0).abs() < 1e-2);
    }

    #[test]
    fn unset_pairs_use_the_charges_of_their_types() {
        let p = zbl_potential(
            2,
            2.0,
            3.0,
            1.0,
            &[(1, 1, 6.0, 6.0), (2, 2, 14.0, 14.0)],
            false,
        )
        .unwrap();
        let (z12, rc) = p.pair(0, 1);
        assert_eq!(rc, 3.0);
        assert_eq!(*z12, Zbl::new(6.0, 14.0, 2.0, 3.0, 1.0));
        assert!(zbl_potential(2, 2.0, 3.0, 1.0, &[(1, 1, 6.0, 6.0)], false).is_err());
        let partial = zbl_potential(2, 2.0, 3.0, 1.0, &[(1, 1, 6.0, 6.0)], true).unwrap();
        assert_eq!(partial.pair(1, 1).1, 0.0);
        assert!(zbl_potential(1, 2.0, 3.0, 1.0, &[(1, 1, 6.0, 7.0)], false).is_err());
        assert!(zbl_potential(1, 3.5, 3.0, 1.0, &[(1, 1, 6.0, 6.0)], false).is_err());
    }
}
