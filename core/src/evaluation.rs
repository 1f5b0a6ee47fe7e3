//! One force evaluation: run the potential on the extended atoms, fold ghosts, check the result.

use nalgebra::Vector3;
use rayon::prelude::*;

use crate::error::RunError;
use crate::neighbor::Neighbors;
use crate::potential::{ForceInput, ForceOutput, ForceRequest, Potential};
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
