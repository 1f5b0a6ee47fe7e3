//! DeePMD-kit's model deviation of one committee evaluation: the statistics that
//! `pair_style deepmd` writes to `model_devi.out` and DP-GEN reads to pick frames.
//!
//! With `M` members, each atom's force deviation is
//!
//! ```text
//! σ_i = sqrt( (1/M) Σ_k |F_i^k − F̄_i|² )
//! ```
//!
//! and each virial component's deviation, on the virials divided by the atom count `N`,
//!
//! ```text
//! σ_ab = sqrt( (1/M) Σ_k (W_ab^k/N − W̄_ab/N)² ).
//! ```
//!
//! `max_devi_f`, `min_devi_f`, `avg_devi_f` are the largest, smallest and mean `σ_i`;
//! `max_devi_v`, `min_devi_v` the largest and smallest of the nine `σ_ab`, and
//! `avg_devi_v` their root mean square (as DeePMD-kit computes it). Virials here are
//! symmetric, so the six stored components stand for nine, the off-diagonal ones twice.
//! With `relative L` each `σ_i` is divided by `|F̄_i| + L`, with `relative_v L` each
//! `σ_ab` by `|W̄_ab|/N + L`.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::potential::Virial;

use crate::committee::MemberResults;

/// How many of the nine virial-tensor entries each stored component `[xx, yy, zz, xy,
/// xz, yz]` stands for.
const VIRIAL_MULTIPLICITY: [f64; 6] = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0];

/// Relative model deviations (`pair_style deepmd`'s `relative` and `relative_v`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DeviationScale {
    /// `relative L`: each atom's `σ_i` is divided by `|F̄_i| + L` (force units).
    pub relative_force: Option<f64>,
    /// `relative_v L`: each virial component's deviation is divided by `|W̄_ab|/N + L`
    /// (energy units).
    pub relative_virial: Option<f64>,
}

/// The six columns of a `model_devi.out` line (force and energy units; the virial
/// columns are NaN when the evaluation computed no virials).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelDeviation {
    /// Largest virial-component deviation (per atom).
    pub max_devi_v: f64,
    /// Smallest virial-component deviation (per atom).
    pub min_devi_v: f64,
    /// Root mean square of the nine virial-component deviations (per atom).
    pub avg_devi_v: f64,
    /// Largest atomic force deviation.
    pub max_devi_f: f64,
    /// Smallest atomic force deviation.
    pub min_devi_f: f64,
    /// Mean atomic force deviation.
    pub avg_devi_f: f64,
}

impl ModelDeviation {
    /// The model deviation of the evaluation in `results`.
    pub fn of(results: &MemberResults<'_>, scale: DeviationScale) -> Self {
        let sigma = atom_deviations(results, scale);
        let n = sigma.len();
        let (max_f, min_f, avg_f) = if n == 0 {
            (0.0, 0.0, 0.0)
        } else {
            (
                sigma.iter().copied().fold(f64::MIN, f64::max),
                sigma.iter().copied().fold(f64::MAX, f64::min),
                sigma.iter().sum::<f64>() / n as f64,
            )
        };
        let (max_v, min_v, avg_v) = match &results.virials {
            Some(v) => {
                let d = virial_deviations(v, n, scale.relative_virial);
                let square_sum: f64 = d
                    .iter()
                    .zip(VIRIAL_MULTIPLICITY)
                    .map(|(s, m)| m * s * s)
                    .sum();
                (
                    d.iter().copied().fold(f64::MIN, f64::max),
                    d.iter().copied().fold(f64::MAX, f64::min),
                    (square_sum / 9.0).sqrt(),
                )
            }
            None => (f64::NAN, f64::NAN, f64::NAN),
        };
        ModelDeviation {
            max_devi_v: max_v,
            min_devi_v: min_v,
            avg_devi_v: avg_v,
            max_devi_f: max_f,
            min_devi_f: min_f,
            avg_devi_f: avg_f,
        }
    }

    /// The columns in `model_devi.out` order.
    pub fn columns(&self) -> [f64; 6] {
        [
            self.max_devi_v,
            self.min_devi_v,
            self.avg_devi_v,
            self.max_devi_f,
            self.min_devi_f,
            self.avg_devi_f,
        ]
    }
}

/// Each local atom's force deviation `σ_i`, divided by `|F̄_i| + L` under `relative L`.
pub fn atom_deviations(results: &MemberResults<'_>, scale: DeviationScale) -> Vec<f64> {
    let Some(level) = scale.relative_force else {
        return results.deviation.to_vec();
    };
    let m = results.forces.len() as f64;
    results
        .deviation
        .iter()
        .enumerate()
        .map(|(i, sigma)| {
            let mean: Vector3<f64> = results.forces.iter().map(|f| f[i]).sum::<Vector3<f64>>() / m;
            sigma / (mean.norm() + level)
        })
        .collect()
}

/// The deviation of each stored virial component `[xx, yy, zz, xy, xz, yz]` across the
/// members' virials divided by `n_atoms`, divided by `|W̄_ab|/N + L` under `relative`.
pub fn virial_deviations(virials: &[Virial], n_atoms: usize, relative: Option<f64>) -> [f64; 6] {
    let m = virials.len().max(1) as f64;
    let n = n_atoms.max(1) as f64;
    std::array::from_fn(|c| {
        let mean = virials.iter().map(|v| v[c] / n).sum::<f64>() / m;
        let var = virials
            .iter()
            .map(|v| (v[c] / n - mean).powi(2))
            .sum::<f64>()
            / m;
        match relative {
            Some(level) => var.sqrt() / (mean.abs() + level),
            None => var.sqrt(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::ForceDeviation;

    fn results<'a>(
        forces: Vec<&'a [Vector3<f64>]>,
        deviation: &'a [f64],
        virials: Option<Vec<Virial>>,
    ) -> MemberResults<'a> {
        MemberResults {
            energies: None,
            forces,
            virials,
            deviation,
            summary: ForceDeviation::default(),
        }
    }

    /// Two members, two atoms: every number by hand.
    #[test]
    fn two_members_by_hand() {
        let f1 = [Vector3::new(1.0, 0.0, 0.0), Vector3::new(0.0, 2.0, 0.0)];
        let f2 = [Vector3::new(3.0, 0.0, 0.0), Vector3::new(0.0, 2.0, 4.0)];
        // σ_i = |F¹ − F²| / 2
        let sigma = [1.0, 2.0];
        let w1 = [2.0, 4.0, 6.0, 0.0, 0.0, 2.0];
        let w2 = [6.0, 4.0, 2.0, 4.0, 0.0, 2.0];
        let r = results(vec![&f1, &f2], &sigma, Some(vec![w1, w2]));
        let d = ModelDeviation::of(&r, DeviationScale::default());
        assert_eq!((d.max_devi_f, d.min_devi_f, d.avg_devi_f), (2.0, 1.0, 1.5));
        // per atom (N = 2): |W¹ − W²| / 2 / 2 = [1, 0, 1, 1, 0, 0]
        assert_eq!((d.max_devi_v, d.min_devi_v), (1.0, 0.0));
        // nine entries: xx, zz and xy twice (xy = yx) are 1, the rest 0
        assert!((d.avg_devi_v - (4.0f64 / 9.0).sqrt()).abs() < 1e-15);

        let scale = DeviationScale {
            relative_force: Some(1.0),
            relative_virial: Some(0.5),
        };
        let rel = atom_deviations(&r, scale);
        // |F̄| = 2 and sqrt(4 + 4) for the two atoms
        assert!((rel[0] - 1.0 / 3.0).abs() < 1e-15);
        assert!((rel[1] - 2.0 / (8f64.sqrt() + 1.0)).abs() < 1e-15);
        let v = virial_deviations(&[w1, w2], 2, Some(0.5));
        // means per atom: xx 2, zz 2, xy 1
        assert!((v[0] - 1.0 / 2.5).abs() < 1e-15);
        assert!((v[2] - 1.0 / 2.5).abs() < 1e-15);
        assert!((v[3] - 1.0 / 1.5).abs() < 1e-15);
        assert_eq!(v[1], 0.0);
        let d = ModelDeviation::of(&r, scale);
        assert!((d.max_devi_f - rel[0].max(rel[1])).abs() < 1e-15);
        assert!((d.max_devi_v - 1.0 / 1.5).abs() < 1e-15);
    }

    #[test]
    fn no_virials_give_nan_virial_columns() {
        let f = [Vector3::new(1.0, 0.0, 0.0)];
        let r = results(vec![&f, &f], &[0.0], None);
        let d = ModelDeviation::of(&r, DeviationScale::default());
        assert!(d.max_devi_v.is_nan() && d.avg_devi_v.is_nan());
        assert_eq!(d.max_devi_f, 0.0);
    }
}
