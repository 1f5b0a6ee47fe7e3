//! Pair potentials: bare interactions, composable wrappers and the shared neighbor loop.

mod coefficients;
pub mod coulomb;
pub mod lj;
mod mixing;
mod potential;
mod shifted;
mod shifted_force;
pub mod styles;
pub mod table;
mod tail;
pub mod zbl;

pub use coefficients::CoefficientTable;
pub use mixing::Mixing;
pub use potential::PairPotential;
pub use shifted::Shifted;
pub use shifted_force::ShiftedForce;
pub use tail::TailCorrected;

/// A pairwise interaction between two atoms of fixed types, as a function of `r²`.
///
/// Implementations are small values holding the precomputed coefficients (or, for
/// tables, the interpolation arrays) of one type pair; they are evaluated in the innermost
/// loop and must inline well.
pub trait PairInteraction: Clone + Send + Sync {
    /// True if the interaction is cheap and finite at every distance beyond its cutoff, so
    /// the pair loop may evaluate it for all list pairs and discard those outside the
    /// cutoff with a select instead of a branch. Leave `false` for tabulated or costly forms.
    const BRANCH_FREE: bool = false;

    /// Energy and `F/r` (the force magnitude `-dE/dr` divided by `r`) at squared distance `rsq`.
    fn energy_and_force(&self, rsq: f64) -> (f64, f64);

    /// Energy alone at squared distance `rsq`.
    fn energy(&self, rsq: f64) -> f64 {
        self.energy_and_force(rsq).0
    }
}

/// Error raised while assembling a pair potential from coefficients.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairError {
    /// A type index is out of range.
    #[error("type {type_index} is out of range: {n_types} types are defined (types count from 1)")]
    TypeOutOfRange {
        /// The 1-based type given.
        type_index: usize,
        /// Number of types.
        n_types: usize,
    },
    /// Some type pair has no coefficients and cannot be mixed.
    #[error(
        "no coefficients for type pair {i} {j}; give them explicitly or set both {i} {i} and {j} {j} so they can be mixed"
    )]
    MissingPair {
        /// 1-based first type.
        i: usize,
        /// 1-based second type.
        j: usize,
    },
    /// A coefficient is out of its valid range.
    #[error("{name} = {value} is invalid for type pair {i} {j}: {reason}")]
    BadCoefficient {
        /// Coefficient name.
        name: &'static str,
        /// Its value.
        value: f64,
        /// 1-based first type.
        i: usize,
        /// 1-based second type.
        j: usize,
        /// Why.
        reason: &'static str,
    },
}
