//! Structures written by ASE reference scripts (cell rows, pbc, symbols, positions).

use ferromd_core::cell::Cell;
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::{Species, System};

/// Builds the system of an ASE `Atoms`: the rows of `cell` are the edge vectors; species
/// are the distinct symbols in order of first appearance (unit masses), returned with it.
pub fn system_from_ase(
    cell: &[[f64; 3]; 3],
    pbc: [bool; 3],
    symbols: &[String],
    positions: &[[f64; 3]],
) -> (System, Vec<String>) {
    let mut elements: Vec<String> = Vec::new();
    for s in symbols {
        if !elements.contains(s) {
            elements.push(s.clone());
        }
    }
    let h = Matrix3::from_fn(|r, c| cell[c][r]);
    let cell = Cell::new(h, Vector3::zeros(), pbc).unwrap();
    let species = elements.iter().map(|e| Species::new(e, 1.0)).collect();
    let mut system = System::new(cell, species);
    for (s, x) in symbols.iter().zip(positions) {
        let t = elements.iter().position(|e| e == s).unwrap();
        system.push_atom(t as u32, Vector3::from(*x));
    }
    (system, elements)
}

/// ferromd's virial `[xx, yy, zz, xy, xz, yz]` as ASE's stress (Voigt `xx yy zz yz xz xy`,
/// `−virial / V`).
pub fn ase_stress(virial: &[f64; 6], volume: f64) -> [f64; 6] {
    let v = virial;
    [v[0], v[1], v[2], v[5], v[4], v[3]].map(|w| -w / volume)
}
