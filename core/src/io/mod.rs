//! Reading and writing structure files.

pub mod xyz;
