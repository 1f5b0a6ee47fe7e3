//! Reading and writing structure files.

pub mod lammps_data;
pub mod xyz;
