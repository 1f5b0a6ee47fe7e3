//! # ferromd-gpu
//!
//! A wgpu compute backend for ferromd: the atoms, the cell list, a full neighbor list
//! and the forces live in GPU buffers, and velocity-Verlet steps are encoded many per
//! queue submission. Kernels are WGSL files in the workspace's `kernels/` folder.
//!
//! Supported: fully periodic orthorhombic and triclinic cells whose face distances
//! exceed twice the list cutoff; pair styles Lennard-Jones and Morse ([`PairTable`]);
//! EAM ([`EamGpuTables`]); NVE velocity Verlet, Langevin (BAOAB) and Nosé-Hoover chain
//! thermostats ([`GpuThermostat`]) resident on the device. Arithmetic on the device is f32 (see
//! `gpu/README.md` for the precision model); thermo sums are finished in f64 on the host.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use ferromd_gpu::*;
//! # fn run(system: ferromd_core::System, settings: GpuRunSettings) -> Result<(), GpuError> {
//! let ctx = Arc::new(GpuContext::new()?);
//! let lj = LjPair { epsilon: 1.0, sigma: 1.0, cutoff: 2.5 };
//! let potential = GpuPotential::Pair(PairTable::lennard_jones(1, &[lj], false)?);
//! let mut sim = GpuSimulation::new(ctx, system, &potential, settings)?;
//! sim.advance(1000)?;
//! println!("{:?}", sim.thermo()?);
//! # Ok(()) }
//! ```

mod buffers;
mod context;
mod eam_tables;
mod error;
mod kernels;
mod pair_table;
mod params;
mod philox;
mod potential;
mod readback;
mod simulation;
mod thermostat;

pub use context::GpuContext;
pub use eam_tables::{EamGpuTables, SplineKnots};
pub use error::GpuError;
pub use kernels::PairStyle;
pub use pair_table::{LjPair, MorsePair, PairTable};
pub use philox::{
    PhiloxOutput, langevin_counter, philox_gaussian3, philox_on_device, philox4x32_10,
};
pub use potential::GpuPotential;
pub use simulation::{GpuRunSettings, GpuSimulation, GpuStats};
pub use thermostat::{GpuThermostat, MAX_CHAIN, MAX_WEIGHTS};
