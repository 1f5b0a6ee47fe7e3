//! The GPU path (cargo feature `gpu`): converting ferromd's potentials into the plain
//! tables of [`ferromd_gpu`].

mod convert;
mod driver;

pub use convert::{device_thermostat, eam_tables, lj_table, morse_table};
pub use driver::{GpuDeckObserver, GpuDeckRun, device_potential, prepare_deck_on_gpu};
