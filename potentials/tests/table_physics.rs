//! `pair_style table` against the analytic potentials its test tables were made from, and
//! against calculus. The agreement with LAMMPS itself is checked through LAMMPS scripts in
//! `tests/lammps_scripts.rs` (`pair_styles_match_lammps`).
//!
//! The tables are `tests/reference/table/analytic.table` (written by `make_tables.py`
//! there): Lennard-Jones and Morse sampled at 700 to 2000 points.

use std::path::{Path, PathBuf};

mod common;

use common::{ALL, ENERGY_ONLY, evaluate, max_abs};
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::potential::ForceRequest;
use ferromd_core::{Species, System};
use ferromd_potentials::pair::PairInteraction;
use ferromd_potentials::{LennardJones, TablePotential, TableSection, TableStyle, Tabulated};

fn section(keyword: &str) -> TableSection {
    let path: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference/table/analytic.table");
    TableSection::read(&path, keyword).unwrap()
}

/// Interpolated energy and force stay within the resampling error of the analytic LJ the
/// table was written from, over the whole range a liquid samples (r from 0.9 to the
/// cutoff), in units of the well depth and of the force scale 24 eps/sigma: cubic splines
/// with 2000 points to 1e-7 (measured 4e-8), linear interpolation in r² with 1000 points to
/// 5e-3 (measured 3.4e-3, at the steep wall where the curvature is largest), bin-midpoint
/// lookup with 4000 points to 0.1 (measured 5.1e-2: a first-order method).
#[test]
fn tables_follow_their_analytic_potential() {
    let s = section("LJ11");
    let lj = LennardJones::new(1.0, 1.0);
    for (style, n, bound) in [
        (TableStyle::Spline, 2000, 1e-7),
        (TableStyle::Linear, 1000, 5e-3),
        (TableStyle::Lookup, 4000, 0.1),
    ] {
        let t = Tabulated::new(&s, style, n, None).unwrap();
        let (mut e_err, mut f_err) = (0.0f64, 0.0f64);
        for k in 0..=3000 {
            let r = 0.9 + (2.5 - 0.9) * 0.9999 * k as f64 / 3000.0;
            let (e, fr) = t.energy_and_force(r * r);
            let (e0, fr0) = lj.energy_and_force(r * r);
            // errors relative to the well depth and to the force at r = 1
            e_err = e_err.max((e - e0).abs());
            f_err = f_err.max((fr - fr0).abs() * r / 24.0);
        }
        eprintln!("{style:?} N = {n}: max |dE| {e_err:.2e}, max |dF|/24 {f_err:.2e}");
        assert!(
            e_err < bound && f_err < bound,
            "{style:?}: {e_err:e} {f_err:e}"
        );
    }
}

/// A perturbed binary fcc crystal of the reduced-LJ tests.
fn binary_crystal() -> System {
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
        .build(
            [4, 4, 4],
            vec![Species::new("1", 1.0), Species::new("2", 1.0)],
        )
        .unwrap();
    let mut seed = 12345u64;
    for (i, x) in system.positions.iter_mut().enumerate() {
        for c in x.iter_mut() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *c += 0.1 * ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
        }
        system.types[i] = (i % 3 == 0) as u32;
    }
    system
}

fn spline_potential(n: usize) -> TablePotential {
    let lj11 = Tabulated::new(&section("LJ11"), TableStyle::Spline, n, None).unwrap();
    let lj12 = Tabulated::new(&section("LJ12"), TableStyle::Spline, n, Some(2.2)).unwrap();
    let morse = Tabulated::new(&section("MORSE"), TableStyle::Spline, n, Some(2.5)).unwrap();
    TablePotential::new(
        2,
        vec![
            (lj11, 2.5, "LJ11".into()),
            (lj12.clone(), 2.2, "LJ12".into()),
            (lj12, 2.2, "LJ12".into()),
            (morse, 2.5, "MORSE".into()),
        ],
    )
}

/// Forces are minus the central-difference gradient of the energy (step 1e-5). Energy and
/// force are splined separately, so they agree only to the table's resolution: with 2000
/// points to 1e-6 of the largest force.
#[test]
fn spline_forces_are_the_energy_gradient() {
    let potential = spline_potential(2000);
    let system = binary_crystal();
    let (_, with_forces) = evaluate(&system, &potential, ALL, 0.3);
    let scale = max_abs(with_forces.forces.iter().map(|f| f.amax()));
    let h = 1e-5;
    let mut worst = 0.0f64;
    for atom in [0, 1, system.len() / 2, system.len() - 1] {
        for k in 0..3 {
            let energy = |d: f64| {
                let mut s = system.clone();
                s.positions[atom][k] += d;
                evaluate(&s, &potential, ENERGY_ONLY, 0.3).0.energy
            };
            let fd = -(energy(h) - energy(-h)) / (2.0 * h);
            worst = worst.max((fd - with_forces.forces[atom][k]).abs() / scale);
        }
    }
    eprintln!("finite-difference force error {worst:.1e} of max |F| {scale:.2}");
    assert!(worst < 1e-6, "FD error {worst:e}");
}

/// Per-atom energies sum to the total energy.
#[test]
fn per_atom_energies_sum_to_the_total() {
    let (out, _) = evaluate(&binary_crystal(), &spline_potential(1000), ALL, 0.3);
    let sum: f64 = out.per_atom_energy.iter().sum();
    assert!((sum - out.energy).abs() < 1e-10 * out.energy.abs());
}

/// Two atoms closer than a table's first distance are an error naming the table, not NaN
/// forces.
#[test]
fn pairs_inside_the_table_are_an_error() {
    let potential = spline_potential(500);
    let mut system = binary_crystal();
    let (a, b) = (3usize, 4usize);
    let (ta, tb) = (system.types[a], system.types[b]);
    // put b 0.4 from a: inside every table (they start at 0.45 to 0.55)
    system.positions[b] = system.positions[a] + Vector3::new(0.4, 0.0, 0.0);
    let mut neighbors = ferromd_core::neighbor::Neighbors::new(
        ferromd_core::neighbor::NeighborSettings::with_skin(0.3),
        2.5,
        ferromd_core::neighbor::ListKind::Half,
    );
    neighbors.rebuild(&mut system).unwrap();
    let mut out = ferromd_core::potential::ForceOutput::new();
    let request = ForceRequest {
        energy: true,
        virial: false,
        per_atom_energy: false,
    };
    let e = ferromd_core::evaluation::evaluate_forces(
        &mut system,
        &neighbors,
        &potential,
        request,
        &mut out,
        0,
    )
    .unwrap_err()
    .to_string();
    let keyword = match (ta, tb) {
        (0, 0) => "LJ11",
        (1, 1) => "MORSE",
        _ => "LJ12",
    };
    assert!(
        e.contains("closer than the first distance") && e.contains(keyword) && e.contains("0.4"),
        "{e}"
    );
}
