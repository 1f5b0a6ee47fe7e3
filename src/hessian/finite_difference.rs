//! Finite-difference Hessian from central differences of the forces.

use ferromd_core::nalgebra::DMatrix;
use ferromd_core::{Potential, RunError, System, UnitSystem};
use rayon::prelude::*;

use super::{Hessian, HessianMethod};
use crate::check::Probe;

/// Default displacement: 1e-3 Å in metal and real units, 1e-4 σ in lj units.
pub fn default_step(units: UnitSystem) -> f64 {
    match units {
        UnitSystem::Lj => 1e-4,
        UnitSystem::Metal | UnitSystem::Real => 1e-3,
    }
}

/// The Hessian `H_ij = −(F_i(x + h e_j) − F_i(x − h e_j)) / 2h` of `potential` at
/// `system`'s positions, symmetrised as `(H + Hᵀ)/2`.
///
/// Each displaced coordinate is an independent pair of force evaluations, so columns are
/// computed in parallel (one neighbor list per worker thread).
pub fn finite_difference_hessian(
    system: &System,
    potential: &dyn Potential,
    step: f64,
) -> Result<Hessian, RunError> {
    let n = 3 * system.len();
    let columns: Vec<Result<Vec<f64>, RunError>> = (0..n)
        .into_par_iter()
        .map_init(
            || (Probe::new(potential), system.clone()),
            |(probe, displaced), j| {
                let (atom, axis) = (j / 3, j % 3);
                let x0 = system.positions[atom][axis];
                displaced.positions[atom][axis] = x0 + step;
                let plus = probe.energy_forces(displaced).map(|(_, f)| f);
                displaced.positions[atom][axis] = x0 - step;
                let minus = probe.energy_forces(displaced).map(|(_, f)| f);
                displaced.positions[atom][axis] = x0;
                let (plus, minus) = (plus?, minus?);
                Ok((0..n)
                    .map(|i| -(plus[i / 3][i % 3] - minus[i / 3][i % 3]) / (2.0 * step))
                    .collect())
            },
        )
        .collect();
    let mut raw = DMatrix::zeros(n, n);
    for (j, column) in columns.into_iter().enumerate() {
        for (i, h) in column?.into_iter().enumerate() {
            raw[(i, j)] = h;
        }
    }
    Ok(Hessian::symmetrised(
        raw,
        HessianMethod::FiniteDifference { step },
    ))
}
