//! # ferromd-core
//!
//! The engine room of ferromd: the [`System`] of atoms and its [`Cell`],
//! [unit systems](units), [neighbor lists](neighbor), the [`Potential`] and
//! [`Integrator`] traits, and the [`Simulation`] loop.
//!
//! Potentials and integrators live in their own crates and depend only on this
//! one; anyone can implement the traits outside ferromd.

pub mod cell;
pub mod checkpoint;
pub mod error;
pub mod evaluation;
pub mod integrator;
pub mod io;
pub mod lattice;
pub mod neighbor;
pub mod observables;
pub mod potential;
pub mod rng;
pub mod simulation;
pub mod system;
pub mod thermo;
pub mod units;
pub mod velocity;

pub use cell::Cell;
pub use error::RunError;
pub use integrator::{Integrator, StepContext};
pub use neighbor::{ListKind, NeighborSettings};
pub use potential::{
    Accumulator, AnalyticHessian, ForceInput, ForceOutput, ForceRequest, Potential, PotentialError,
};
pub use simulation::{Evaluation, IntegrationParameters, RunObserver, RunSummary, Simulation};
pub use system::{Species, System};
pub use thermo::ThermoSample;
pub use units::{UnitConstants, UnitSystem};

/// Re-export of the linear-algebra crate used in the public API.
pub use nalgebra;
