//! The GPU path (cargo feature `gpu`): converting ferromd's potentials into the plain
//! tables of [`ferromd_gpu`].

mod convert;

pub use convert::{eam_tables, lj_table};
