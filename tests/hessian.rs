//! `ferromd hessian`: the finite-difference Hessian of a Lennard-Jones dimer against the
//! analytic 6 × 6 matrix and its one vibration at √(2k/m); an fcc Lennard-Jones crystal
//! at its lattice minimum has exactly three (translational) zero modes and no imaginary
//! ones; the command line writes the documented matrix file, mode table and JSON, and a
//! missing deck is an error naming the file.

use std::path::Path;
use std::process::Command;

use ferromd::check::Probe;
use ferromd::hessian::{ModeKind, finite_difference_hessian, normal_modes};
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::{DMatrix, Matrix3, Vector3};
use ferromd_core::{Cell, Species, System, UnitSystem};
use ferromd_potentials::PairPotential;

mod common;

use common::{on_two_threads, shifted_force_lj};

const RC: f64 = 2.5;

/// Plain (unshifted) LJ, epsilon = sigma = 1: `(V'(r), V''(r))`.
fn lj_derivatives(r: f64) -> (f64, f64) {
    let d1 = -48.0 * r.powi(-13) + 24.0 * r.powi(-7);
    let d2 = 624.0 * r.powi(-14) - 168.0 * r.powi(-8);
    (d1, d2)
}

fn lj_cut() -> impl ferromd_core::Potential {
    ferromd_potentials::LjCutBuilder::new(1, RC)
        .pair(1, 1, 1.0, 1.0, None)
        .unwrap()
        .build()
        .unwrap()
}

/// Two atoms of mass `mass` separated by `d` in a large non-periodic box.
fn dimer(d: Vector3<f64>, mass: f64) -> System {
    let cell = Cell::cubic(20.0).unwrap().with_periodicity([false; 3]);
    let mut system = System::new(cell, vec![Species::new("A", mass)]);
    let a = Vector3::new(9.7, 10.1, 9.9);
    system.push_atom(0, a);
    system.push_atom(0, a + d);
    system
}

/// The analytic pair Hessian: `K = V'' r̂r̂ + V'/r (1 − r̂r̂)`, blocks `[[K, −K], [−K, K]]`.
fn analytic_dimer_hessian(d: Vector3<f64>) -> DMatrix<f64> {
    let r = d.norm();
    let u = d / r;
    let (d1, d2) = lj_derivatives(r);
    let uu = u * u.transpose();
    let k: Matrix3<f64> = uu * d2 + (Matrix3::identity() - uu) * (d1 / r);
    DMatrix::from_fn(6, 6, |i, j| {
        let sign = if (i < 3) == (j < 3) { 1.0 } else { -1.0 };
        sign * k[(i % 3, j % 3)]
    })
}

#[test]
fn dimer_hessian_matches_the_analytic_matrix_off_the_minimum() {
    // off the minimum, so that the transverse V'/r terms are non-zero too
    let d = Vector3::new(0.7, -0.5, 0.6); // r = 1.045
    let system = dimer(d, 1.0);
    let h = finite_difference_hessian(&system, &lj_cut(), 1e-4).unwrap();
    let exact = analytic_dimer_hessian(d);
    let scale = exact.amax();
    let err = (&h.matrix - &exact).amax();
    // central differences: error O(h² V''''), ~1e-6 of the largest entry here
    assert!(
        err < 1e-5 * scale,
        "error {err} of {scale}\n{}\n{exact}",
        h.matrix
    );
    assert!(h.asymmetry < 1e-6 * scale, "asymmetry {}", h.asymmetry);
    // the step matters: a 100 times larger one is visibly worse (the test can fail)
    let coarse = finite_difference_hessian(&system, &lj_cut(), 1e-2).unwrap();
    assert!((&coarse.matrix - &exact).amax() > 10.0 * err);
}

#[test]
fn dimer_at_its_minimum_has_one_vibration_at_sqrt_2k_over_m() {
    let r0 = 2f64.powf(1.0 / 6.0);
    let d = Vector3::new(1.0, 2.0, -0.5).normalize() * r0;
    let mass = 2.5;
    let system = dimer(d, mass);
    let h = finite_difference_hessian(&system, &lj_cut(), 1e-4).unwrap();
    let modes = normal_modes(&h.matrix, &system, UnitSystem::Lj);
    // a linear molecule: 3 translations and 2 rotations
    assert_eq!((modes.translations, modes.rotations), (3, 2));
    let count = |k: ModeKind| modes.modes.iter().filter(|m| m.kind == k).count();
    assert_eq!(count(ModeKind::Translation), 3, "{modes:#?}");
    assert_eq!(count(ModeKind::Rotation), 2, "{modes:#?}");
    assert_eq!(count(ModeKind::Vibration), 1, "{modes:#?}");
    let (_, k) = lj_derivatives(r0);
    let expected = (2.0 * k / mass).sqrt();
    let vib = modes
        .modes
        .iter()
        .find(|m| m.kind == ModeKind::Vibration)
        .unwrap();
    assert!(
        (vib.omega - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        vib.omega
    );
    assert!(vib.rigid_overlap < 1e-8, "{vib:?}");
    // reduced units: no THz
    assert!(vib.thz.is_none());
    for m in modes.modes.iter().filter(|m| m.kind != ModeKind::Vibration) {
        assert!(m.omega.abs() < 1e-3 * expected, "{m:?}");
        assert!(m.rigid_overlap > 1.0 - 1e-8, "{m:?}");
    }
}

/// Energy per atom of a 4×4×4 fcc crystal with lattice constant `a`.
fn fcc(a: f64) -> System {
    Lattice::cubic(CubicKind::Fcc, a)
        .build([4, 4, 4], vec![Species::new("A", 1.0)])
        .unwrap()
}

#[test]
fn fcc_crystal_at_its_minimum_has_three_zero_modes_and_no_imaginary_ones() {
    let lj = PairPotential::from_table("lj/sf", 1, vec![(shifted_force_lj(RC), RC)]);
    let mut probe = Probe::new(&lj);
    // golden-section search for the lattice constant of lowest energy
    let mut energy = |a: f64| probe.energy(&fcc(a)).unwrap();
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (1.45, 1.7);
    let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut e1, mut e2) = (energy(x1), energy(x2));
    while hi - lo > 1e-7 {
        if e1 < e2 {
            (hi, x2, e2) = (x2, x1, e1);
            x1 = hi - g * (hi - lo);
            e1 = energy(x1);
        } else {
            (lo, x1, e1) = (x1, x2, e2);
            x2 = lo + g * (hi - lo);
            e2 = energy(x2);
        }
    }
    let a = 0.5 * (lo + hi);
    assert!(a > 1.46 && a < 1.69, "minimum at the bracket's edge: {a}");
    let system = fcc(a);
    let h = on_two_threads(|| finite_difference_hessian(&system, &lj, 1e-4).unwrap());
    let modes = normal_modes(&h.matrix, &system, UnitSystem::Lj);
    assert_eq!((modes.translations, modes.rotations), (3, 0));
    let n = modes.modes.len();
    assert_eq!(n, 3 * 256);
    let highest = modes.modes[n - 1].omega;
    let translations: Vec<_> = modes
        .modes
        .iter()
        .filter(|m| m.kind == ModeKind::Translation)
        .collect();
    assert_eq!(translations.len(), 3);
    for m in &translations {
        assert!(m.omega.abs() < 1e-3 * highest, "{m:?}");
        assert!(m.rigid_overlap > 1.0 - 1e-8, "{m:?}");
    }
    // every other mode is a real vibration, clearly above the zero modes
    for m in modes.modes.iter().filter(|m| m.kind == ModeKind::Vibration) {
        assert!(m.omega > 1e-2 * highest, "{m:?} (highest {highest})");
    }
    // a compressed crystal is still translation invariant: three zero modes again
    let squeezed = fcc(0.97 * a);
    let h = on_two_threads(|| finite_difference_hessian(&squeezed, &lj, 1e-4).unwrap());
    let modes = normal_modes(&h.matrix, &squeezed, UnitSystem::Lj);
    let zero = modes
        .modes
        .iter()
        .filter(|m| m.omega.abs() < 1e-3 * highest)
        .count();
    assert_eq!(zero, 3);
}

fn ferromd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferromd"))
}

#[test]
fn cli_writes_the_matrix_the_mode_table_and_json() {
    let dir = std::env::temp_dir().join(format!("ferromd-hessian-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("dimer.xyz"),
        "2\nLattice=\"20 0 0 0 20 0 0 0 20\" Properties=species:S:1:pos:R:3 pbc=\"F F F\"\n\
         Ar 10.0 10.0 10.0\nAr 13.8 10.0 10.0\n",
    )
    .unwrap();
    let deck = dir.join("dimer.toml");
    std::fs::write(
        &deck,
        r#"units = "metal"

[[species]]
name = "Ar"
mass = 39.948

[structure]
file = "dimer.xyz"
periodic = [false, false, false]

[potential]
style = "lj/cut"
cutoff = 8.5

[[potential.coeff]]
species = ["Ar", "Ar"]
epsilon = 0.0104
sigma = 3.4

[integrator]
style = "nve"
timestep = 0.001

[run]
steps = 0
"#,
    )
    .unwrap();
    let matrix = dir.join("hessian.txt");
    let out = ferromd()
        .args(["hessian", "--threads", "2"])
        .arg(&deck)
        .arg("-o")
        .arg(&matrix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("THz"), "{table}");
    assert!(table.contains("cm^-1"), "{table}");
    assert_eq!(table.matches("translation").count(), 3 + 1, "{table}");
    assert_eq!(table.matches(" rotation ").count(), 2, "{table}");
    let text = std::fs::read_to_string(&matrix).unwrap();
    assert!(text.contains("eV/A^2"), "{text}");
    assert!(text.contains("# atom 1 "), "{text}");
    assert!(text.contains("# atom 2 "), "{text}");
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.len() == 6));
    // H_xx of atom 1 = V''(3.8) (along the bond), H_x1x2 = -V''
    let (s, e) = (3.4f64, 0.0104f64);
    let r = 3.8f64;
    let v2 = 4.0 * e * (156.0 * s.powi(12) / r.powi(14) - 42.0 * s.powi(6) / r.powi(8));
    assert!(
        (rows[0][0] - v2).abs() < 1e-5 * v2.abs(),
        "{} vs {v2}",
        rows[0][0]
    );
    assert!((rows[0][3] + v2).abs() < 1e-5 * v2.abs());

    let json = ferromd()
        .args(["hessian", "--threads", "2", "--json", "--step", "5e-4"])
        .arg(&deck)
        .output()
        .unwrap();
    assert!(json.status.success(), "{json:?}");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["units"], "metal");
    assert_eq!(doc["step"], 5e-4);
    assert_eq!(doc["method"], "finite-difference");
    assert_eq!(doc["hessian"].as_array().unwrap().len(), 6);
    let modes = doc["modes"].as_array().unwrap();
    assert_eq!(modes.len(), 6);
    let vib: Vec<_> = modes.iter().filter(|m| m["kind"] == "vibration").collect();
    assert_eq!(vib.len(), 1);
    // ν = √(2 V''/m) / 2π with √(eV/Å²/amu) = 2π × 15.633302 THz
    let expected = (2.0 * v2 / 39.948).sqrt() * 15.633_302;
    let thz = vib[0]["thz"].as_f64().unwrap();
    assert!(
        (thz - expected).abs() < 1e-4 * expected,
        "{thz} vs {expected}"
    );
    let cm = vib[0]["cm-1"].as_f64().unwrap();
    assert!((cm - thz * 33.356_41).abs() < 1e-4 * cm, "{cm}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_deck_is_an_error_naming_the_file() {
    let out = ferromd()
        .args(["hessian", "no/such/deck.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no/such/deck.toml"), "{err}");
    let bad_step = ferromd()
        .args(["hessian", "--step=-1"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-melt.toml"))
        .output()
        .unwrap();
    assert_eq!(bad_step.status.code(), Some(2));
    assert!(
        String::from_utf8(bad_step.stderr)
            .unwrap()
            .contains("--step")
    );
    let no_autograd = ferromd()
        .args(["hessian", "--method", "autograd"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-melt.toml"))
        .output()
        .unwrap();
    assert_eq!(no_autograd.status.code(), Some(2), "{no_autograd:?}");
    let err = String::from_utf8(no_autograd.stderr).unwrap();
    assert!(err.contains("no autograd Hessian"), "{err}");
    assert!(err.contains("--method fd"), "{err}");
}
