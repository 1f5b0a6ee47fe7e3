//! Errors that stop a run.

use crate::neighbor::NeighborError;
use crate::potential::PotentialError;
use crate::system::SystemError;

/// Why a simulation could not start or continue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The initial system is inconsistent.
    #[error("invalid system: {0}")]
    System(#[from] SystemError),
    /// Neighbor search failed (lost atom, cutoff too long for the cell, ...).
    #[error("step {step}: {source}")]
    Neighbor {
        /// Step at which it happened.
        step: u64,
        /// The cause.
        source: NeighborError,
    },
    /// The potential reported an error.
    #[error("step {step}: {source}")]
    Potential {
        /// Step at which it happened.
        step: u64,
        /// The cause.
        source: PotentialError,
    },
    /// The potential energy is NaN or infinite.
    #[error(
        "step {step}: potential energy is {energy}; atoms with non-finite forces (ids): {atoms:?}. \
         Atoms probably overlap or the timestep is too large"
    )]
    NonFiniteEnergy {
        /// Step at which it happened.
        step: u64,
        /// The energy value.
        energy: f64,
        /// Ids of (up to eight) atoms with non-finite forces.
        atoms: Vec<u64>,
    },
    /// Some forces are NaN or infinite.
    #[error(
        "step {step}: non-finite forces on atoms (ids) {atoms:?}. \
         Atoms probably overlap or the timestep is too large"
    )]
    NonFiniteForces {
        /// Step at which it happened.
        step: u64,
        /// Ids of (up to eight) atoms with non-finite forces.
        atoms: Vec<u64>,
    },
    /// The integrator cannot start the run (e.g. a barostat whose masses need a
    /// temperature and the atoms have none).
    #[error("step {step}: {integrator}: {message}")]
    Integrator {
        /// Step at which the run was to start.
        step: u64,
        /// The integrator's name.
        integrator: String,
        /// What is wrong.
        message: String,
    },
    /// The run was asked to stop (e.g. by a signal) and stopped cleanly.
    #[error("step {step}: run interrupted")]
    Interrupted {
        /// Last completed step.
        step: u64,
    },
}
