//! Observables measured from the atoms during a run: the radial distribution function
//! ([`rdf`]), mean-squared displacement ([`msd`]), velocity autocorrelation ([`vacf`]),
//! multiple-time-origin correlations of either ([`correlation`]) and LAMMPS's
//! `fix ave/time` sampling schedule ([`average`]); their accumulated state goes into
//! checkpoints as a [`saved::SavedState`].
//!
//! The calculators only read a [`System`](crate::System); front-ends decide when to call
//! them and where the numbers go.

pub mod average;
pub mod correlation;
pub mod msd;
pub mod rdf;
pub mod saved;
pub mod vacf;

/// Why an observable could not be set up or measured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ObservableError {
    /// A histogram needs at least one bin.
    #[error("an rdf needs at least one bin")]
    NoBins,
    /// The histogram range must be positive and finite.
    #[error("rdf cutoff {0} must be positive and finite")]
    BadCutoff(f64),
    /// A type range names a type the system does not have.
    #[error("atom type {type_number} is out of range (the system has {n_types} types)")]
    TypeOutOfRange {
        /// The offending type, 1-based.
        type_number: u32,
        /// Number of types in the system.
        n_types: usize,
    },
    /// The atoms differ from the ones the observable was set up with.
    #[error(
        "the atoms changed since the observable was set up ({expected} atoms then, {found} now, \
         or different ids)"
    )]
    AtomsChanged {
        /// Atoms at set-up.
        expected: usize,
        /// Atoms now.
        found: usize,
    },
    /// The pair search failed (cutoff too long for the cell).
    #[error("{0}")]
    Neighbor(#[from] crate::neighbor::NeighborError),
    /// Sampling intervals must be positive and consistent.
    #[error("{0}")]
    Schedule(String),
    /// A saved state (from a checkpoint) does not fit the observable.
    #[error("cannot restore the observable: {0}")]
    Restore(String),
}

/// Checks that `system` still holds the atoms with `ids`, in that order.
pub(crate) fn check_same_atoms(ids: &[u64], system: &crate::System) -> Result<(), ObservableError> {
    if ids != system.ids.as_slice() {
        return Err(ObservableError::AtomsChanged {
            expected: ids.len(),
            found: system.len(),
        });
    }
    Ok(())
}
