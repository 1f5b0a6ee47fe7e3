//! SevenNet-0 through the TorchScript backend (feature `torch`):
//! energies, forces and stresses against ASE's `SevenNetCalculator` on committed structures
//! (`tests/reference/mlip/sevennet_reference.py`), and an NVE run of 64 Si atoms.
//!
//! Needs the model exported by `scripts/setup-mlip.sh` (`$FERROMD_SEVENNET0`, by default
//! `target/mlip/sevennet0.pt`); `scripts/test.sh` runs the setup and sets the environment.
#![cfg(feature = "torch")]

use std::path::{Path, PathBuf};

use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::NeighborSettings;
use ferromd_core::{
    IntegrationParameters, RunObserver, Simulation, Species, System, ThermoSample, UnitSystem,
    velocity,
};
use ferromd_integrators::VelocityVerlet;
use ferromd_potentials::mlip::{E3gnn, MlipError, MlipOptions};
use serde::Deserialize;

mod common;

use common::ase::{ase_stress, system_from_ase};
use common::mlip_reference::sevennet0;
use common::on_two_threads;

#[derive(Deserialize)]
struct Reference {
    sevenn: String,
    structures: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    cell: [[f64; 3]; 3],
    pbc: [bool; 3],
    symbols: Vec<String>,
    positions: Vec<[f64; 3]>,
    energy: f64,
    forces: Vec<[f64; 3]>,
    /// ASE: Voigt xx yy zz yz xz xy, eV/Å^3, -virial/V.
    stress: [f64; 6],
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The SevenNet-0 TorchScript file made by scripts/setup-mlip.sh.
fn model_path() -> PathBuf {
    sevennet0()
}

fn system_of(case: &Case) -> (System, Vec<String>) {
    system_from_ase(&case.cell, case.pbc, &case.symbols, &case.positions)
}

#[test]
fn sevennet0_matches_ase_calculator() {
    let text =
        std::fs::read_to_string(root().join("tests/reference/mlip/sevennet0_reference.json"))
            .unwrap();
    let reference: Reference = serde_json::from_str(&text).unwrap();
    let model = model_path();
    let mut report = format!(
        "SevenNet-0 (TorchScript, f32) vs ASE SevenNetCalculator (sevenn {}):\n",
        reference.sevenn
    );
    let mut sizes = Vec::new();
    for case in &reference.structures {
        let (system, elements) = system_of(case);
        let n = system.len();
        sizes.push(n);
        let els: Vec<&str> = elements.iter().map(String::as_str).collect();
        let pot = E3gnn::load(&model, &els, &MlipOptions::default()).unwrap();
        let params = IntegrationParameters {
            dt: 0.001,
            neighbor: NeighborSettings::with_skin(1.0),
        };
        let (eval, forces, volume) = on_two_threads(|| {
            let mut sim = Simulation::new(
                system,
                UnitSystem::Metal,
                params,
                Box::new(pot),
                Box::new(VelocityVerlet::new()),
            )
            .unwrap();
            let eval = sim.evaluate().unwrap();
            (eval, sim.system.forces.clone(), sim.system.volume())
        });
        let de = (eval.energy - case.energy).abs() / n as f64;
        let df = forces
            .iter()
            .zip(&case.forces)
            .map(|(f, r)| (f - Vector3::from(*r)).amax())
            .fold(0.0, f64::max);
        let ours = ase_stress(&eval.virial, volume);
        let ds = ours
            .iter()
            .zip(&case.stress)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        report += &format!(
            "  {:<22} {n:>4} atoms: |dE|/N = {de:.1e} eV, max |dF| = {df:.1e} eV/Å, \
             max |dσ| = {ds:.1e} eV/Å^3\n",
            case.name
        );
        assert!(de < 1e-5, "{}: energy differs by {de:e} eV/atom", case.name);
        assert!(df < 1e-4, "{}: forces differ by {df:e} eV/Å", case.name);
        assert!(ds < 1e-5, "{}: stress differs by {ds:e} eV/Å^3", case.name);
    }
    eprint!("{report}");
    assert!(
        sizes.iter().any(|&n| n >= 500),
        "no structure with ≥ 500 atoms"
    );
}

#[derive(Default)]
struct Recorder {
    samples: Vec<ThermoSample>,
}

impl RunObserver for Recorder {
    fn thermo(&mut self, sample: &ThermoSample) {
        self.samples.push(*sample);
    }
}

/// 64 Si atoms at 300 K, steps of 1 fs: the fitted energy drift stays far below the
/// kinetic energy scale. The measured drift is printed (run with --nocapture).
///
/// A model evaluation of 64 atoms takes ~0.2 s on two CPU cores, so the test runs 0.5 ps
/// by default; `FERROMD_MLIP_NVE_STEPS=2000` gives the 2 ps of the benchmark protocol.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "2,000 model evaluations: run with --release"
)]
fn sevennet0_nve_silicon_conserves_energy() {
    let steps: u64 = std::env::var("FERROMD_MLIP_NVE_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let pot = E3gnn::load(model_path(), &["Si"], &MlipOptions::default()).unwrap();
    let mut system = Lattice::cubic(CubicKind::Diamond, 5.43)
        .build([2; 3], vec![Species::new("Si", 28.0855)])
        .unwrap();
    assert_eq!(system.len(), 64);
    let units = UnitSystem::Metal;
    velocity::create_velocities(&mut system, 600.0, 20240611, &units.constants());
    let params = IntegrationParameters {
        dt: 0.001,
        neighbor: NeighborSettings::with_skin(1.0),
    };
    let (rec, builds, seconds) = on_two_threads(|| {
        let mut sim = Simulation::new(
            system,
            units,
            params,
            Box::new(pot),
            Box::new(VelocityVerlet::new()),
        )
        .unwrap();
        let mut rec = Recorder::default();
        let start = std::time::Instant::now();
        let summary = sim.run(steps, 10, &mut rec).unwrap();
        (rec, summary.neighbor.builds, start.elapsed().as_secs_f64())
    });
    let n = 64.0;
    let e: Vec<f64> = rec.samples.iter().map(|s| s.etotal() / n).collect();
    let t: Vec<f64> = rec.samples.iter().map(|s| s.step as f64 * 1e-3).collect();
    let m = e.len() as f64;
    let (tm, em) = (t.iter().sum::<f64>() / m, e.iter().sum::<f64>() / m);
    let cov: f64 = t.iter().zip(&e).map(|(t, e)| (t - tm) * (e - em)).sum();
    let var: f64 = t.iter().map(|t| (t - tm).powi(2)).sum();
    let slope = cov / var; // eV/atom/ps
    let (lo, hi) = e
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let temps: Vec<f64> = rec.samples.iter().map(|s| s.temp).collect();
    let t_mean = temps.iter().sum::<f64>() / temps.len() as f64;
    eprintln!(
        "SevenNet-0 NVE, 64 Si, {steps} steps of 1 fs (T ≈ {t_mean:.0} K): fitted drift \
         {slope:.2e} eV/atom/ps, E/N range {:.2e} eV, {builds} neighbor builds, {:.1} ms/step",
        hi - lo,
        seconds / steps as f64 * 1e3
    );
    assert!(
        (200.0..450.0).contains(&t_mean),
        "mean temperature {t_mean} K"
    );
    // kT at 300 K is 0.026 eV: a drift of 1e-3 eV/atom/ps would heat the crystal by ~8 K/ps
    assert!(slope.abs() < 1e-3, "drift {slope:e} eV/atom/ps");
    assert!(hi - lo < 5e-3, "E/N range {} eV", hi - lo);
}

#[test]
fn model_errors_are_clear() {
    let model = model_path();
    let e = E3gnn::load(&model, &["Si", "Xx"], &MlipOptions::default()).unwrap_err();
    assert!(matches!(e, MlipError::UnknownElement { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("`Xx`") && msg.contains(" Zr"), "{msg}");
    let e = E3gnn::load(
        root().join("no/such/model.pt"),
        &["Si"],
        &MlipOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, MlipError::FileMissing { .. }), "{e}");
    // a file that is not a zip archive
    let e = E3gnn::load(
        root().join("tests/reference/mlip/sevennet_reference.py"),
        &["Si"],
        &MlipOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, MlipError::NotTorchScript { .. }), "{e}");
    let e = E3gnn::load(
        &model,
        &["Si"],
        &MlipOptions {
            device: "gpu0".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, MlipError::Device { .. }), "{e}");
    if !tch_cuda_available() {
        let e = E3gnn::load(
            &model,
            &["Si"],
            &MlipOptions {
                device: "cuda:0".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("no CUDA device"), "{e}");
    }
}

/// Whether torch sees a GPU (probed through the loader: a CPU model always loads).
fn tch_cuda_available() -> bool {
    E3gnn::load(
        model_path(),
        &["Si"],
        &MlipOptions {
            device: "cuda:0".into(),
            ..Default::default()
        },
    )
    .is_ok()
}
