//! `ferromd hessian`: the Hessian of any potential (its own second derivatives where it
//! has them, else finite differences) and the mass-weighted normal modes it implies.
//!
//! * [`analytic`]: the potential's [`AnalyticHessian`](ferromd_core::AnalyticHessian),
//!   e.g. autograd (double backward) through a SevenNet TorchScript model.
//! * [`finite_difference`]: `H_ij = −∂F_i/∂x_j` by central differences of the forces,
//!   one displaced coordinate at a time (2 × 3N force evaluations, spread over threads),
//!   symmetrised, with the asymmetry `max |H − Hᵀ|` kept as a quality number.
//! * [`modes`]: eigen-decomposition of `M^-1/2 H M^-1/2`, frequencies in THz and cm⁻¹
//!   (metal, real) or reduced angular frequency (lj), imaginary modes as negative numbers,
//!   and the rigid-body zero modes (3 translations of a periodic cell; 3 translations and
//!   up to 3 rotations of an isolated molecule) identified by projection.
//! * [`output`]: the matrix file and the mode table (text or JSON).

pub mod analytic;
pub mod finite_difference;
pub mod matrix;
pub mod modes;
pub mod output;

pub use analytic::analytic_hessian;
pub use finite_difference::{default_step, finite_difference_hessian};
pub use matrix::{Hessian, HessianMethod};
pub use modes::{Mode, ModeKind, NormalModes, normal_modes};
