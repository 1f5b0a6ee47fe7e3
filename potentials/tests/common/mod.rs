//! Helpers shared by the potentials' LAMMPS-reference tests (each test file includes this
//! module and uses part of it).
#![allow(dead_code)]

use ferromd_core::evaluation::evaluate_forces;
use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::{NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest, Potential};
use ferromd_core::system::System;

/// Energy, virial and per-atom energy.
pub const ALL: ForceRequest = ForceRequest {
    energy: true,
    virial: true,
    per_atom_energy: true,
};

/// Energy only (finite differences).
pub const ENERGY_ONLY: ForceRequest = ForceRequest {
    energy: true,
    virial: false,
    per_atom_energy: false,
};

/// Forces (and what `request` asks) of `potential` on a copy of `system`, with a fresh
/// neighbor list of the given skin; returns the output and the copy (with its ghosts).
pub fn evaluate(
    system: &System,
    potential: &dyn Potential,
    request: ForceRequest,
    skin: f64,
) -> (ForceOutput, System) {
    let mut system = system.clone();
    let mut neighbors = Neighbors::new(
        NeighborSettings::with_skin(skin),
        potential.cutoff(),
        potential.list_kind(),
    );
    neighbors.rebuild(&mut system).unwrap();
    let mut out = ForceOutput::new();
    evaluate_forces(&mut system, &neighbors, potential, request, &mut out, 0).unwrap();
    (out, system)
}

/// Largest absolute value.
pub fn max_abs(v: impl IntoIterator<Item = f64>) -> f64 {
    v.into_iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// `(pe, [pxx, pyy, pzz, pxy, pxz, pyz], volume)` from the second line of a reference
/// `.ref` file (`thermo_style custom step temp pe ke press pxx pyy pzz pxy pxz pyz vol`).
pub fn reference_thermo(text: &str) -> (f64, [f64; 6], f64) {
    let v: Vec<f64> = text
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    (v[2], [v[4], v[5], v[6], v[7], v[8], v[9]], v[10])
}

/// Per-atom `(id, force, energy)` from a reference dump (`id type x y z fx fy fz c_pe`).
pub fn reference_per_atom(text: &str) -> Vec<(u64, Vector3<f64>, f64)> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with("ITEM: ATOMS"));
    lines.next();
    lines
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
            (v[0] as u64, Vector3::new(v[5], v[6], v[7]), v[8])
        })
        .collect()
}
