//! `ferromd hessian`: the finite-difference Hessian of any potential and the
//! mass-weighted normal modes it implies.
//!
//! * [`finite_difference`]: `H_ij = −∂F_i/∂x_j` by central differences of the forces,
//!   one displaced coordinate at a time (2 × 3N force evaluations, spread over threads),
//!   symmetrised, with the asymmetry `max |H − Hᵀ|` kept as a quality number.
//! * [`modes`]: eigen-decomposition of `M^-1/2 H M^-1/2`, frequencies in THz and cm⁻¹
//!   (metal, real) or reduced angular frequency (lj), imaginary modes as negative numbers,
//!   and the rigid-body zero modes (3 translations of a periodic cell; 3 translations and
//!   up to 3 rotations of an isolated molecule) identified by projection.
//! * [`output`]: the matrix file and the mode table (text or JSON).

pub mod finite_difference;
pub mod modes;
pub mod output;

pub use finite_difference::{Hessian, default_step, finite_difference_hessian};
pub use modes::{Mode, ModeKind, NormalModes, normal_modes};
