//! # ferromd-integrators
//!
//! Time integrators for ferromd, each an implementation of [`ferromd_core::Integrator`].

mod velocity_verlet;

pub use velocity_verlet::VelocityVerlet;
