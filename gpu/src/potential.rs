//! The potentials the GPU path evaluates.

use crate::{EamGpuTables, PairTable};

/// What the GPU evaluates: a pair style or EAM.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuPotential {
    /// A tabulated pair style (LJ, Morse).
    Pair(PairTable),
    /// Embedded-atom method.
    Eam(EamGpuTables),
}

impl GpuPotential {
    /// The interaction cutoff.
    pub fn cutoff(&self) -> f64 {
        match self {
            GpuPotential::Pair(p) => p.cutoff(),
            GpuPotential::Eam(e) => e.cutoff,
        }
    }

    /// Number of types covered.
    pub fn n_types(&self) -> usize {
        match self {
            GpuPotential::Pair(p) => p.n_types(),
            GpuPotential::Eam(e) => e.n_types,
        }
    }
}
