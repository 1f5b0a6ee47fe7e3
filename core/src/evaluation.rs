//! One force evaluation: run the potential on the extended atoms, fold ghosts, check the result.

use nalgebra::{DMatrix, Vector3};
use rayon::prelude::*;

use crate::error::RunError;
use crate::neighbor::Neighbors;
use crate::potential::{
    AnalyticHessian, ForceInput, ForceOutput, ForceRequest, Potential, PotentialError,
};
use crate::system::System;

/// How many offending atoms an error message lists.
const MAX_LISTED: usize = 8;

/// Evaluates `potential` for the current neighbor state and stores the forces in `system.forces`.
///
/// `out` keeps energy, virial and (on request) per-atom energies of the local atoms.
/// Non-finite energies or forces are reported as errors naming the atoms.
pub fn evaluate_forces(
    system: &mut System,
    neighbors: &Neighbors,
    potential: &dyn Potential,
    request: ForceRequest,
    out: &mut ForceOutput,
    step: u64,
) -> Result<(), RunError> {
    let ghosts = neighbors.ghosts();
    out.reset(ghosts.n_total(), request);
    let input = ForceInput {
        cell: &system.cell,
        atoms: ghosts,
        list: neighbors.list(),
        charges: system.charges.as_deref(),
        request,
    };
    potential
        .compute(&input, out)
        .map_err(|source| RunError::Potential { step, source })?;
    ghosts.fold_ghosts_into_owners(&mut out.forces);
    if request.per_atom_energy {
        ghosts.fold_ghosts_into_owners(&mut out.per_atom_energy);
        out.per_atom_energy.truncate(ghosts.n_local());
    }
    let n = system.len();
    system.forces.copy_from_slice(&out.forces[..n]);
    if system.dimension == 2 {
        // 2-d runs stay in the plane (LAMMPS's fix enforce2d)
        system.forces.iter_mut().for_each(|f| f.z = 0.0);
    }
    if request.energy && !out.energy.is_finite() {
        return Err(RunError::NonFiniteEnergy {
            step,
            energy: out.energy,
            atoms: non_finite_atoms(system),
        });
    }
    if system
        .forces
        .par_iter()
        .with_min_len(4096)
        .any(|f| !is_finite(f))
    {
        return Err(RunError::NonFiniteForces {
            step,
            atoms: non_finite_atoms(system),
        });
    }
    Ok(())
}

/// The Hessian of `hessian` (a potential's [`AnalyticHessian`]) at the current neighbor
/// state: `3n × 3n` over `system`'s atoms in their order, checked to be finite.
pub fn evaluate_hessian(
    system: &System,
    neighbors: &Neighbors,
    hessian: &dyn AnalyticHessian,
) -> Result<DMatrix<f64>, RunError> {
    let input = ForceInput {
        cell: &system.cell,
        atoms: neighbors.ghosts(),
        list: neighbors.list(),
        charges: system.charges.as_deref(),
        request: ForceRequest::FORCES,
    };
    let fail = |message: String| RunError::Potential {
        step: 0,
        source: PotentialError::Other(message),
    };
    let matrix = hessian
        .hessian(&input)
        .map_err(|source| RunError::Potential { step: 0, source })?;
    let n = 3 * system.len();
    if matrix.shape() != (n, n) {
        return Err(fail(format!(
            "the {} Hessian is {} x {}, expected {n} x {n}",
            hessian.hessian_method(),
            matrix.nrows(),
            matrix.ncols()
        )));
    }
    if let Some(k) = matrix.iter().position(|h| !h.is_finite()) {
        let (row, col) = (k % n, k / n);
        return Err(fail(format!(
            "the {} Hessian entry ({}, {}) (atom ids {} and {}) is {}",
            hessian.hessian_method(),
            row + 1,
            col + 1,
            system.ids[row / 3],
            system.ids[col / 3],
            matrix[(row, col)]
        )));
    }
    Ok(matrix)
}

fn is_finite(v: &Vector3<f64>) -> bool {
    v.iter().all(|c| c.is_finite())
}

fn non_finite_atoms(system: &System) -> Vec<u64> {
    system
        .forces
        .iter()
        .zip(&system.ids)
        .filter(|(f, _)| !is_finite(f))
        .map(|(_, &id)| id)
        .take(MAX_LISTED)
        .collect()
}
