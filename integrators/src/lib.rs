//! # ferromd-integrators
//!
//! Time integrators for ferromd, each an implementation of [`ferromd_core::Integrator`]:
//!
//! * [`VelocityVerlet`]: NVE (LAMMPS `fix nve`);
//! * [`Langevin`]: Langevin dynamics with the BAOAB splitting (`fix langevin`);
//! * [`NoseHooverChain`]: Nosé-Hoover chains, MTK (`fix nvt`);
//! * [`Csvr`]: Bussi stochastic velocity rescaling (`fix temp/csvr`);
//! * [`Berendsen`]: weak coupling, not canonical (`fix temp/berendsen`).

mod berendsen;
mod common;
mod csvr;
mod langevin;
mod nose_hoover;
mod velocity_verlet;

pub use berendsen::Berendsen;
pub use csvr::Csvr;
pub use langevin::Langevin;
pub use nose_hoover::{NoseHooverChain, NoseHooverError};
pub use velocity_verlet::VelocityVerlet;
