//! Embedded-atom method potentials: `eam` (funcfl), `eam/alloy` (setfl) and `eam/fs`.
//!
//! `E = Σ_i F_{t_i}(ρ_i) + ½ Σ_{i≠j} φ_{t_i t_j}(r_ij)`, with `ρ_i = Σ_{j≠i} ρ_{t_j→t_i}(r_ij)`.
//! Files are read as LAMMPS reads them ([`funcfl`], [`setfl`]), splined as LAMMPS splines
//! them ([`spline`], [`tables`]), and evaluated by [`Eam`] over a half neighbor list.

pub mod funcfl;
mod potential;
pub mod setfl;
pub mod spline;
pub mod tables;

pub use potential::{Eam, EamError, EamStyle};
