//! `ferromd hessian` on SevenNet-0 (feature `torch`): the autograd Hessian (double backward
//! through the TorchScript model) against central differences of the model's forces, on a
//! rattled periodic Si cell and an isolated molecule, and the `--method` choice of the CLI.
//!
//! Needs the model exported by `scripts/setup-mlip.sh` (`$FERROMD_SEVENNET0`).
#![cfg(feature = "torch")]

use std::path::PathBuf;
use std::process::Command;

use ferromd::hessian::{HessianMethod, analytic_hessian, finite_difference_hessian};
use ferromd_core::cell::Cell;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::{DMatrix, Matrix3, Vector3};
use ferromd_core::{Potential, Species, System};
use ferromd_potentials::mlip::{E3gnn, MlipOptions};
use ferromd_potentials::{Committee, CommitteeDrive, LjCutBuilder, Overlay};

mod common;

use common::mlip_reference::sevennet0;
use common::on_two_threads;

/// The SevenNet-0 TorchScript file made by scripts/setup-mlip.sh.
fn model_path() -> PathBuf {
    sevennet0()
}

/// 8-atom diamond Si cell with every atom displaced by a fixed pattern of ~0.05 Å.
fn rattled_silicon() -> System {
    let mut system = Lattice::cubic(CubicKind::Diamond, 5.43)
        .build([1; 3], vec![Species::new("Si", 28.0855)])
        .unwrap();
    for (k, x) in system.positions.iter_mut().enumerate() {
        let k = k as f64;
        *x += 0.05
            * Vector3::new(
                (1.3 * k).sin(),
                (2.1 * k + 0.4).cos(),
                (0.7 * k + 1.0).sin(),
            );
    }
    system
}

/// A bent, slightly asymmetric water molecule in a non-periodic 20 Å box.
fn water() -> System {
    let cell = Cell::new(Matrix3::identity() * 20.0, Vector3::zeros(), [false; 3]).unwrap();
    let mut system = System::new(
        cell,
        vec![Species::new("O", 15.999), Species::new("H", 1.008)],
    );
    system.push_atom(0, Vector3::new(10.0, 10.0, 10.0));
    system.push_atom(1, Vector3::new(10.96, 10.05, 10.02));
    system.push_atom(1, Vector3::new(9.74, 10.93, 9.97));
    system
}

/// `max |a − b|` and `max |b|`.
fn compare(a: &DMatrix<f64>, b: &DMatrix<f64>) -> (f64, f64) {
    ((a - b).amax(), b.amax())
}

/// Row sums `Σ_j H_(3i+a),(3j+b)` over atoms j: zero for a translation-invariant energy.
fn acoustic_sum_rule_violation(h: &DMatrix<f64>) -> f64 {
    let n = h.nrows() / 3;
    let mut worst: f64 = 0.0;
    for r in 0..h.nrows() {
        for b in 0..3 {
            let s: f64 = (0..n).map(|j| h[(r, 3 * j + b)]).sum();
            worst = worst.max(s.abs());
        }
    }
    worst
}

fn autograd_and_fd(system: &System, elements: &[&str]) -> (DMatrix<f64>, DMatrix<f64>, f64) {
    let model = E3gnn::load(model_path(), elements, &MlipOptions::default()).unwrap();
    let potential: &dyn Potential = &model;
    assert!(potential.analytic_hessian().is_some());
    on_two_threads(|| {
        let ag = analytic_hessian(system, potential).unwrap().unwrap();
        assert!(
            matches!(ag.method, HessianMethod::Analytic { .. }),
            "{:?}",
            ag.method
        );
        let fd = finite_difference_hessian(system, potential, 1e-3).unwrap();
        (ag.matrix, fd.matrix, ag.asymmetry)
    })
}

/// Tolerances. SevenNet-0 computes in single precision: its edge vectors are rounded to f32
/// (~5e-7 Å at 5 Å), so 1e-3 Å central differences carry relative errors ~1e-3 per edge.
/// Measured on 2 threads: H2O max |H_ag − H_fd| = 1.5e-3 eV/Å² of max |H| = 56.7 (2.6e-5
/// relative); the rattled 8-atom Si cell 4.7e-2 eV/Å² of 10.6 (4.4e-3 relative; a pure
/// PyTorch check with brute-force periodic edges gives the same 5e-2 at a 3e-3 Å step, so
/// it is not ferromd's graph). Bounds: 2e-3 (molecule) and 1e-2 (cell) relative, well
/// below what a wrong sign, a missing edge or a transposed block (O(1) errors) would give.
const MOLECULE_TOLERANCE: f64 = 2e-3;
/// See [`MOLECULE_TOLERANCE`].
const CELL_TOLERANCE: f64 = 1e-2;

#[test]
fn autograd_hessian_matches_finite_differences_for_periodic_silicon() {
    let system = rattled_silicon();
    let (ag, fd, asymmetry) = autograd_and_fd(&system, &["Si"]);
    let (diff, scale) = compare(&ag, &fd);
    eprintln!(
        "SevenNet-0, 8 Si (rattled, periodic): max |H_ag - H_fd| = {diff:.3e} eV/A^2, \
         max |H| = {scale:.3} eV/A^2, autograd asymmetry {asymmetry:.3e}, acoustic sum rule \
         {:.3e} (ag) {:.3e} (fd)",
        acoustic_sum_rule_violation(&ag),
        acoustic_sum_rule_violation(&fd)
    );
    assert!(scale > 1.0, "the Hessian is suspiciously small: {scale}");
    assert!(diff < CELL_TOLERANCE * scale, "{diff} vs {scale}");
    assert!(asymmetry < 1e-4 * scale, "autograd asymmetry {asymmetry}");
    assert!(acoustic_sum_rule_violation(&ag) < 1e-4 * scale);
}

#[test]
fn autograd_hessian_matches_finite_differences_for_a_molecule() {
    let system = water();
    let (ag, fd, asymmetry) = autograd_and_fd(&system, &["O", "H"]);
    let (diff, scale) = compare(&ag, &fd);
    eprintln!(
        "SevenNet-0, H2O (isolated): max |H_ag - H_fd| = {diff:.3e} eV/A^2, max |H| = \
         {scale:.3} eV/A^2, autograd asymmetry {asymmetry:.3e}"
    );
    assert!(scale > 1.0, "the Hessian is suspiciously small: {scale}");
    assert!(diff < MOLECULE_TOLERANCE * scale, "{diff} vs {scale}");
    assert!(asymmetry < 1e-4 * scale, "autograd asymmetry {asymmetry}");
}

fn sevennet(elements: &[&str]) -> Box<dyn Potential> {
    Box::new(E3gnn::load(model_path(), elements, &MlipOptions::default()).unwrap())
}

/// Wrappers forward the analytic Hessian: a committee's is its mean (checked against
/// finite differences of the committee's mean forces) or its driving member's, an
/// overlay's the sum of its parts'; an overlay with a part that has none (lj/cut) has none,
/// so callers fall back to finite differences.
#[test]
fn committees_and_overlays_forward_the_autograd_hessian() {
    let system = water();
    let el = ["O", "H"];
    let mean = Committee::new(vec![sevennet(&el), sevennet(&el)], CommitteeDrive::Mean).unwrap();
    let second = Committee::new(
        vec![sevennet(&el), sevennet(&el)],
        CommitteeDrive::Member(1),
    )
    .unwrap();
    let mut sum = Overlay::new("hybrid/overlay");
    sum.push(sevennet(&el), None);
    sum.push(sevennet(&el), None);
    let lj = LjCutBuilder::new(2, 2.5)
        .pair(1, 1, 0.01, 2.0, None)
        .unwrap()
        .pair(2, 2, 0.01, 1.0, None)
        .unwrap()
        .build()
        .unwrap();
    let mut with_lj = Overlay::new("hybrid/overlay");
    with_lj.push(sevennet(&el), None);
    with_lj.push(Box::new(lj), None);
    assert!(with_lj.analytic_hessian().is_none());
    on_two_threads(|| {
        let single = analytic_hessian(&system, sevennet(&el).as_ref())
            .unwrap()
            .unwrap()
            .matrix;
        let scale = single.amax();
        let of = |p: &dyn Potential| analytic_hessian(&system, p).unwrap().unwrap().matrix;
        let h_mean = of(&mean);
        let fd = finite_difference_hessian(&system, &mean, 1e-3)
            .unwrap()
            .matrix;
        let (diff, _) = compare(&h_mean, &fd);
        assert!(
            diff < MOLECULE_TOLERANCE * scale,
            "committee: {diff} vs {scale}"
        );
        let (diff, _) = compare(&h_mean, &single);
        assert!(diff < 1e-9 * scale, "committee mean: {diff}");
        let (diff, _) = compare(&of(&second), &single);
        assert!(diff < 1e-9 * scale, "committee member: {diff}");
        let (diff, _) = compare(&of(&sum), &(&single * 2.0));
        assert!(diff < 1e-9 * scale, "overlay: {diff}");
    });
}

#[test]
fn cli_uses_autograd_for_models_and_finite_differences_on_request() {
    let dir = std::env::temp_dir().join(format!("ferromd-mlip-hessian-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let xyz = dir.join("water.xyz");
    std::fs::write(
        &xyz,
        "3\nLattice=\"20 0 0 0 20 0 0 0 20\" Properties=species:S:1:pos:R:3 pbc=\"F F F\"\n\
         O 10.0 10.0 10.0\nH 10.96 10.05 10.02\nH 9.74 10.93 9.97\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
            .args(["hessian", "--threads", "2", "--json"])
            .arg(model_path())
            .arg("--structure")
            .arg(&xyz)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let ag = run(&[]);
    assert_eq!(ag["method"], "autograd", "{}", ag["method"]);
    assert!(ag["step"].is_null());
    let fd = run(&["--method", "fd"]);
    assert_eq!(fd["method"], "finite-difference");
    assert_eq!(fd["step"], 1e-3);
    // the three vibrations of water agree between the two methods
    let vibrations = |doc: &serde_json::Value| -> Vec<f64> {
        doc["modes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "vibration")
            .map(|m| m["cm-1"].as_f64().unwrap())
            .collect()
    };
    let (a, f) = (vibrations(&ag), vibrations(&fd));
    eprintln!("H2O vibrations (cm^-1): autograd {a:?}, finite differences {f:?}");
    assert_eq!(a.len(), 3);
    assert_eq!(f.len(), 3);
    for (x, y) in a.iter().zip(&f) {
        assert!((x - y).abs() < 1e-3 * x.abs().max(100.0), "{x} vs {y}");
    }
    let clash = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["hessian", "--method", "autograd", "--step", "1e-3"])
        .arg(model_path())
        .arg("--structure")
        .arg(&xyz)
        .output()
        .unwrap();
    assert_eq!(clash.status.code(), Some(2), "{clash:?}");
    assert!(String::from_utf8_lossy(&clash.stderr).contains("--step"));
    std::fs::remove_dir_all(&dir).unwrap();
}
