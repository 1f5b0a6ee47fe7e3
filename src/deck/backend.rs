//! Where a deck runs (`backend = "cpu"` or `"gpu"`), and what the GPU path needs to
//! rebuild the potential on the device.

use ferromd_potentials::LjCutBuilder;
use ferromd_potentials::eam::tables::EamTables;

/// The compute backend a deck asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The CPU path (default).
    #[default]
    Cpu,
    /// The wgpu path (cargo feature `gpu`).
    Gpu,
}

impl Backend {
    /// Parses `cpu` or `gpu`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cpu" => Some(Backend::Cpu),
            "gpu" => Some(Backend::Gpu),
            _ => None,
        }
    }
}

/// The potential of a deck in a form the GPU path can convert.
#[derive(Debug, Clone)]
pub enum DevicePotential {
    /// `lj/cut`: the coefficients (after mixing) and whether energies are shifted.
    LjCut {
        /// The per-pair coefficients.
        builder: LjCutBuilder,
        /// Energies shifted to zero at the cutoff.
        shift: bool,
    },
    /// `morse` (from LAMMPS scripts): `[D0, alpha, r0, cutoff]` for every ordered type
    /// pair, row-major.
    Morse {
        /// Number of atom types.
        n_types: usize,
        /// The per-pair coefficients.
        pairs: Vec<[f64; 4]>,
        /// Energies shifted to zero at the cutoff.
        shift: bool,
    },
    /// An EAM style: its spline tables.
    Eam(EamTables),
    /// A style without a GPU implementation, by name.
    Unsupported(String),
}
