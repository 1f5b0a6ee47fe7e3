//! `coul/cut`: the bare Coulomb interaction of point charges, cut off without shifting.
//!
//! `E = qqrd2e q_i q_j / r` for `r` below the pair's cutoff, with the charges the system
//! carries (LAMMPS `atom_style charge`) and the Coulomb constant of the unit system
//! (LAMMPS's `qqrd2e`: 332.06371 in real units, 14.399645 in metal units, 1 in lj units,
//! dielectric constant 1). As in LAMMPS the energy is not shifted at the cutoff.
//! `lj/cut/coul/cut` is an [`Overlay`](crate::Overlay) of `lj/cut` and this potential.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{Accumulator, ForceInput, ForceOutput, Potential, PotentialError};

/// Cut-off Coulomb interaction between charged atoms, over a half neighbor list.
#[derive(Debug, Clone)]
pub struct CoulombCut {
    n_types: usize,
    cutsq: Vec<f64>,
    max_cutoff: f64,
    qqrd2e: f64,
}

impl CoulombCut {
    /// The interaction with one cutoff per ordered type pair (`n_types²` values, row-major,
    /// symmetric) and the Coulomb constant `qqrd2e`.
    ///
    /// # Panics
    /// If `cutoffs.len() != n_types²`.
    pub fn new(n_types: usize, cutoffs: &[f64], qqrd2e: f64) -> Self {
        assert_eq!(cutoffs.len(), n_types * n_types, "cutoff table size");
        CoulombCut {
            n_types,
            cutsq: cutoffs.iter().map(|c| c * c).collect(),
            max_cutoff: cutoffs.iter().copied().fold(0.0, f64::max),
            qqrd2e,
        }
    }

    fn accumulate<const ENERGY: bool, const PER_ATOM: bool>(
        &self,
        input: &ForceInput<'_>,
        charges: &[f64],
        range: std::ops::Range<usize>,
        acc: &mut Accumulator<'_>,
    ) {
        let x = input.positions();
        let types = input.types();
        let atoms = input.atoms;
        let n = self.n_types;
        let mut energy = 0.0;
        for i in range {
            let xi = x[i];
            let qtmp = charges[i];
            let row = &self.cutsq[types[i] as usize * n..][..n];
            let mut fi = Vector3::zeros();
            for &j in input.list.neighbors(i) {
                let j = j as usize;
                let d = xi - x[j];
                let rsq = d.norm_squared();
                if rsq >= row[types[j] as usize] {
                    continue;
                }
                let r2inv = 1.0 / rsq;
                let rinv = r2inv.sqrt();
                let qj = charges[atoms.owner(j)];
                let e = self.qqrd2e * qtmp * qj * rinv;
                let f = d * (e * r2inv);
                fi += f;
                acc.forces[j] -= f;
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

impl Potential for CoulombCut {
    fn cutoff(&self) -> f64 {
        self.max_cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Half
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let Some(q) = input.charges else {
            return Err(PotentialError::Other(
                "pair style coul/cut requires atom attribute q (atom_style charge)".into(),
            ));
        };
        if input.types().iter().any(|&t| t as usize >= self.n_types) {
            return Err(PotentialError::Other(format!(
                "coul/cut has coefficients for {} types only",
                self.n_types
            )));
        }
        let req = input.request;
        match (req.energy || req.per_atom_energy, req.per_atom_energy) {
            (false, _) => out.accumulate_parallel(input.list, |r, acc| {
                self.accumulate::<false, false>(input, q, r, acc)
            }),
            (true, false) => out.accumulate_parallel(input.list, |r, acc| {
                self.accumulate::<true, false>(input, q, r, acc)
            }),
            (true, true) => out.accumulate_parallel(input.list, |r, acc| {
                self.accumulate::<true, true>(input, q, r, acc)
            }),
        }
        if req.virial {
            out.set_virial_from_positions(input.positions());
        }
        Ok(())
    }

    fn name(&self) -> &str {
        "coul/cut"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferromd_core::Cell;
    use ferromd_core::evaluation::evaluate_forces;
    use ferromd_core::neighbor::{NeighborSettings, Neighbors};
    use ferromd_core::potential::ForceRequest;
    use ferromd_core::system::{Species, System};

    fn ions() -> System {
        let mut s = System::new(
            Cell::cubic(6.0).unwrap(),
            vec![Species::new("Na", 23.0), Species::new("Cl", 35.5)],
        );
        for k in 0..16u32 {
            let f = |m: u32| ((k * m) % 17) as f64 / 17.0 * 6.0;
            s.push_atom(k % 2, Vector3::new(f(3), f(5), f(11)));
        }
        let q = s.enable_charges();
        for (k, qk) in q.iter_mut().enumerate() {
            *qk = if k % 2 == 0 { 1.0 } else { -0.8 } + 0.01 * k as f64;
        }
        s
    }

    fn evaluate(p: &CoulombCut, s: &System) -> (ForceOutput, System) {
        let mut s = s.clone();
        let mut nb = Neighbors::new(NeighborSettings::with_skin(0.5), p.cutoff(), ListKind::Half);
        nb.rebuild(&mut s).unwrap();
        let mut out = ForceOutput::new();
        let req = ForceRequest {
            energy: true,
            virial: true,
            per_atom_energy: true,
        };
        evaluate_forces(&mut s, &nb, p, req, &mut out, 0).unwrap();
        (out, s)
    }

    #[test]
    fn energy_is_the_sum_over_pairs_and_forces_its_gradient() {
        let p = CoulombCut::new(2, &[2.5, 2.8, 2.8, 2.9], 14.399645);
        let s = ions();
        let (out, s_eval) = evaluate(&p, &s);
        // brute force over minimum images (the cell is wider than twice the cutoff)
        let q = s.charges.as_ref().unwrap();
        let mut e = 0.0;
        for i in 0..s.len() {
            for j in i + 1..s.len() {
                let d = s.cell.minimum_image(&(s.positions[i] - s.positions[j]));
                let rc = [2.5, 2.8, 2.9][(s.types[i] + s.types[j]) as usize];
                if d.norm() < rc {
                    e += 14.399645 * q[i] * q[j] / d.norm();
                }
            }
        }
        assert!(
            (out.energy - e).abs() < 1e-12 * e.abs(),
            "{} {e}",
            out.energy
        );
        let pe: f64 = out.per_atom_energy.iter().sum();
        assert!((pe - e).abs() < 1e-12 * e.abs());
        let h = 1e-6;
        for i in [0, 3, 10] {
            for k in 0..3 {
                let mut p_plus = s.clone();
                p_plus.positions[i][k] += h;
                let mut p_minus = s.clone();
                p_minus.positions[i][k] -= h;
                let fd =
                    -(evaluate(&p, &p_plus).0.energy - evaluate(&p, &p_minus).0.energy) / (2.0 * h);
                let f = s_eval.forces[i][k];
                assert!((fd - f).abs() < 1e-6 * f.abs().max(1.0), "{fd} {f}");
            }
        }
    }

    #[test]
    fn uncharged_systems_are_an_error() {
        let p = CoulombCut::new(2, &[2.5; 4], 1.0);
        let mut s = ions();
        s.charges = None;
        let mut nb = Neighbors::new(NeighborSettings::with_skin(0.5), 2.5, ListKind::Half);
        nb.rebuild(&mut s).unwrap();
        let mut out = ForceOutput::new();
        let e = evaluate_forces(&mut s, &nb, &p, ForceRequest::ALL, &mut out, 0).unwrap_err();
        assert!(e.to_string().contains("atom attribute q"), "{e}");
    }
}
