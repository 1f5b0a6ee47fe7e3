//! LAMMPS's random-number generators, reproduced exactly so that scripts that seed them
//! (`velocity ... loop geom`, thermostats) give LAMMPS's numbers.

mod park;

pub use park::RanPark;
