//! Reading and writing structure files.

pub mod extxyz;
pub mod lammps_data;
pub mod lammps_dump;
pub mod xyz;
