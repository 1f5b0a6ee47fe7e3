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

/// The integrator of a deck or script in a form the GPU path can convert.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceIntegrator {
    /// Velocity Verlet.
    Nve,
    /// BAOAB Langevin (`langevin`, LAMMPS `fix langevin`).
    Langevin {
        /// Target temperature at the start of a run.
        temperature: f64,
        /// Target temperature at the end of a run.
        temperature_stop: f64,
        /// Relaxation time.
        damping: f64,
        /// Seed.
        seed: u64,
        /// Zero net momentum of the kicks (`zero_momentum`, LAMMPS `zero yes`).
        zero_momentum: bool,
    },
    /// Nosé-Hoover chain (`nvt`, LAMMPS `fix nvt`).
    NoseHoover {
        /// Target temperature at the start of a run.
        temperature: f64,
        /// Target temperature at the end of a run.
        temperature_stop: f64,
        /// Period `Tdamp`.
        damping: f64,
        /// Chain length (`tchain`).
        chain: usize,
        /// Sub-steps (`tloop`).
        loops: usize,
        /// Suzuki-Yoshida order.
        suzuki_yoshida: usize,
    },
    /// An integrator without a GPU implementation: the message says which and why.
    Unsupported(String),
}
