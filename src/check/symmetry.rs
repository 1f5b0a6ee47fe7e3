//! Symmetry: the energy must be invariant and the forces equivariant under rigid
//! rotations and translations of the whole system (cell included) and under
//! permutations of atoms of the same type.
//!
//! One random rotation, one random translation (by `0.37 × cutoff` in a random
//! direction) and one random permutation within each atom type are applied to the
//! (rattled) structure. Rows report `|ΔE| / |E|` and `max |F' − R F| / rms(F)`.
//! Single-precision models reach ~1e-7 and ~1e-5; learned ("approximately
//! equivariant") symmetry shows up well above that.

use ferromd_core::System;
use ferromd_core::cell::Cell;
use ferromd_core::nalgebra::{Matrix3, Vector3};

use super::probe::{Random, max_diff, rms};
use super::{CheckOptions, Probe, Row};

/// `|ΔE| / |E|`: pass below.
pub const ENERGY_PASS: f64 = 1e-5;
/// `|ΔE| / |E|`: warn below, fail above.
pub const ENERGY_WARN: f64 = 1e-3;
/// `max |ΔF| / rms(F)`: pass below.
pub const FORCE_PASS: f64 = 1e-3;
/// `max |ΔF| / rms(F)`: warn below, fail above.
pub const FORCE_WARN: f64 = 1e-2;

const CHECK: &str = "symmetry";

/// Runs the rotation, translation and permutation rows on `system` (already rattled).
pub fn check(probe: &mut Probe<'_>, system: &System, options: &CheckOptions) -> Vec<Row> {
    let reference = match probe.energy_forces(system) {
        Ok(r) => r,
        Err(e) => return vec![Row::failed(CHECK, "reference evaluation", e.to_string())],
    };
    let mut rng = Random::new(options.seed, 4);
    let mut rows = Vec::new();
    // rotation (in the plane for 2-d systems)
    let rotation = if system.dimension == 2 {
        let a = std::f64::consts::TAU * rng.uniform();
        Matrix3::new(a.cos(), -a.sin(), 0.0, a.sin(), a.cos(), 0.0, 0.0, 0.0, 1.0)
    } else {
        rng.rotation()
    };
    let (rotated, expected) = rotate(system, &reference.1, &rotation);
    rows.extend(compare(
        probe,
        "rotation",
        &rotated,
        reference.0,
        &expected,
        "one uniformly random rotation of atoms and cell",
    ));
    // translation
    let mut t = rng.direction() * 0.37 * probe.potential().cutoff();
    if system.dimension == 2 {
        t.z = 0.0;
    }
    let mut translated = system.clone();
    translated.positions.iter_mut().for_each(|x| *x += t);
    translated.cell.set_origin(system.cell.origin() + t);
    rows.extend(compare(
        probe,
        "translation",
        &translated,
        reference.0,
        &reference.1,
        &format!("shift by ({:.3}, {:.3}, {:.3})", t.x, t.y, t.z),
    ));
    // permutation within each type
    let (permuted, expected, moved) = permute(system, &reference.1, &mut rng);
    rows.extend(compare(
        probe,
        "permutation",
        &permuted,
        reference.0,
        &expected,
        &format!("{moved} atoms exchanged among atoms of their type"),
    ));
    rows
}

fn compare(
    probe: &mut Probe<'_>,
    what: &str,
    transformed: &System,
    energy: f64,
    expected: &[Vector3<f64>],
    how: &str,
) -> Vec<Row> {
    let (e, f) = match probe.energy_forces(transformed) {
        Ok(r) => r,
        Err(err) => return vec![Row::failed(CHECK, what, err.to_string())],
    };
    let de = (e - energy).abs() / energy.abs().max(f64::MIN_POSITIVE);
    let scale = rms(expected).max(f64::MIN_POSITIVE);
    let df = max_diff(&f, expected) / scale;
    vec![
        Row::graded(
            CHECK,
            format!("{what}: energy invariant"),
            de,
            "|dE|/|E|",
            ENERGY_PASS,
            ENERGY_WARN,
            format!("{how}; E = {energy:.8e}, E' = {e:.8e}"),
        ),
        Row::graded(
            CHECK,
            format!("{what}: forces equivariant"),
            df,
            "max|dF|/rmsF",
            FORCE_PASS,
            FORCE_WARN,
            format!("{how}; rms F = {scale:.3e}"),
        ),
    ]
}

/// The system rotated by `r` about the coordinate origin (cell edges and origin too),
/// and the forces rotated with it.
fn rotate(
    system: &System,
    forces: &[Vector3<f64>],
    r: &Matrix3<f64>,
) -> (System, Vec<Vector3<f64>>) {
    let mut s = system.clone();
    let h = r * system.cell.matrix();
    s.cell = Cell::new(h, r * system.cell.origin(), system.cell.periodic())
        .expect("a rotated cell has the same positive volume");
    s.positions.iter_mut().for_each(|x| *x = r * *x);
    (s, forces.iter().map(|f| r * f).collect())
}

/// The system with positions exchanged among atoms of the same type; the forces
/// expected on each atom; how many atoms moved.
fn permute(
    system: &System,
    forces: &[Vector3<f64>],
    rng: &mut Random,
) -> (System, Vec<Vector3<f64>>, usize) {
    let n = system.len();
    let mut from: Vec<usize> = (0..n).collect();
    for t in 0..system.species.len() as u32 {
        let members: Vec<usize> = (0..n).filter(|&i| system.types[i] == t).collect();
        let mut shuffled = members.clone();
        for k in (1..shuffled.len()).rev() {
            let j = rng.index(k + 1);
            shuffled.swap(k, j);
        }
        for (&i, &j) in members.iter().zip(&shuffled) {
            from[i] = j;
        }
    }
    let mut s = system.clone();
    for (i, &j) in from.iter().enumerate() {
        s.positions[i] = system.positions[j];
        s.images[i] = system.images[j];
    }
    let expected = from.iter().map(|&j| forces[j]).collect();
    let moved = from.iter().enumerate().filter(|(i, j)| i != *j).count();
    (s, expected, moved)
}
