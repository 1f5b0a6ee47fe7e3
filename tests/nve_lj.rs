//! Microcanonical Lennard-Jones runs through the full simulation loop, and the
//! step-0 state of LAMMPS's `bench/in.lj` against LAMMPS's own numbers.

use std::ops::ControlFlow;
use std::path::Path;

use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::{NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest, Potential};
use ferromd_core::{
    IntegrationParameters, RunObserver, Simulation, Species, System, ThermoSample, UnitSystem,
    evaluation, velocity,
};
use ferromd_integrators::VelocityVerlet;
use ferromd_potentials::{LjCut, LjCutBuilder};

const DENSITY: f64 = 0.8442;

fn fcc_lj(cells: usize) -> System {
    Lattice::cubic_with_density(CubicKind::Fcc, DENSITY)
        .build([cells; 3], vec![Species::new("1", 1.0)])
        .unwrap()
}

fn lj(cutoff: f64, shift: bool) -> LjCut {
    let mut b = LjCutBuilder::new(1, cutoff);
    b.pair(1, 1, 1.0, 1.0, None).unwrap().shift(shift);
    b.build().unwrap()
}

fn params() -> IntegrationParameters {
    IntegrationParameters {
        dt: 0.005,
        neighbor: NeighborSettings {
            skin: 0.3,
            every: 1,
            delay: 0,
            check: true,
        },
    }
}

/// Collects thermo samples and, every step, the largest change of the total momentum.
#[derive(Default)]
struct Recorder {
    samples: Vec<ThermoSample>,
    initial_momentum: Option<Vector3<f64>>,
    max_momentum_change: f64,
}

impl RunObserver for Recorder {
    fn thermo(&mut self, sample: &ThermoSample) {
        self.samples.push(*sample);
    }

    fn step_done(&mut self, _step: u64, system: &System) -> ControlFlow<()> {
        let p = system.total_momentum();
        let p0 = *self.initial_momentum.get_or_insert(p);
        self.max_momentum_change = self.max_momentum_change.max((p - p0).amax());
        ControlFlow::Continue(())
    }
}

fn sum_abs_momentum(system: &System) -> f64 {
    system
        .velocities
        .iter()
        .zip(&system.masses)
        .map(|(v, m)| m * v.norm())
        .sum()
}

#[test]
fn total_momentum_is_conserved() {
    let mut system = fcc_lj(5);
    assert_eq!(system.len(), 500);
    velocity::create_velocities(&mut system, 1.44, 12345, &UnitSystem::Lj.constants());
    // a net drift, so that atoms keep crossing the periodic faces and the momentum is not zero
    for v in &mut system.velocities {
        *v += Vector3::new(0.3, -0.2, 0.1);
    }
    let p0 = system.total_momentum();
    let scale = sum_abs_momentum(&system);
    let mut sim = Simulation::new(
        system,
        UnitSystem::Lj,
        params(),
        Box::new(lj(2.5, true)),
        Box::new(VelocityVerlet::new()),
    )
    .unwrap();
    let mut rec = Recorder {
        initial_momentum: Some(p0),
        ..Recorder::default()
    };
    let summary = sim.run(500, 100, &mut rec).unwrap();
    let rel = rec.max_momentum_change / scale;
    eprintln!(
        "500 atoms, 500 steps: P0 = {p0:?}, max |P(t) - P0|_inf = {:.3e}, relative to sum |m v| \
         {rel:.3e}; {} neighbor builds",
        rec.max_momentum_change, summary.neighbor.builds
    );
    assert!(summary.neighbor.builds > 1, "the list was never rebuilt");
    assert!(rel < 1e-10, "momentum drifted by {rel:e} relative");
}

/// Energy drift of an NVE run: (|E(end) - E(start)|, slope of a least-squares line through
/// E(t) times the run length), both per atom.
fn drift(samples: &[ThermoSample]) -> (f64, f64) {
    let n_atoms = samples[0].atoms as f64;
    let e: Vec<f64> = samples.iter().map(|s| s.etotal() / n_atoms).collect();
    let t: Vec<f64> = samples.iter().map(|s| s.step as f64).collect();
    let m = e.len() as f64;
    let t_mean = t.iter().sum::<f64>() / m;
    let e_mean = e.iter().sum::<f64>() / m;
    let cov: f64 = t.iter().zip(&e).map(|(t, e)| (t - t_mean) * (e - e_mean)).sum();
    let var: f64 = t.iter().map(|t| (t - t_mean).powi(2)).sum();
    let slope = cov / var;
    let length = t[t.len() - 1] - t[0];
    ((e[e.len() - 1] - e[0]).abs(), (slope * length).abs())
}

fn run_lj_liquid(shift: bool, steps: u64) -> (f64, f64) {
    let mut system = fcc_lj(10);
    assert_eq!(system.len(), 4000);
    velocity::create_velocities(&mut system, 1.44, 12345, &UnitSystem::Lj.constants());
    let mut sim = Simulation::new(
        system,
        UnitSystem::Lj,
        params(),
        Box::new(lj(2.5, shift)),
        Box::new(VelocityVerlet::new()),
    )
    .unwrap();
    let mut rec = Recorder::default();
    let summary = sim.run(steps, 100, &mut rec).unwrap();
    let (end, fit) = drift(&rec.samples);
    let first = rec.samples[0];
    let last = rec.samples[rec.samples.len() - 1];
    let e: Vec<f64> = rec.samples.iter().map(|s| s.etotal() / 4000.0).collect();
    let (lo, hi) = e
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    eprintln!(
        "4000-atom LJ liquid, shift {shift}, {steps} steps of 0.005: E/N {:.8} -> {:.8} \
         (T {:.4} -> {:.4}); |dE|/N = {end:.3e}, fitted drift/N over the run = {fit:.3e}, \
         E/N range {:.3e}; {} neighbor builds ({} dangerous), {:.3e} atom-steps/s",
        first.etotal() / 4000.0,
        last.etotal() / 4000.0,
        first.temp,
        last.temp,
        hi - lo,
        summary.neighbor.builds,
        summary.neighbor.dangerous,
        summary.atom_steps_per_second()
    );
    assert_eq!(summary.neighbor.dangerous, 0);
    (end, fit)
}

/// The acceptance test: 10,000 steps of a 4,000-atom LJ liquid (melting from fcc at
/// T* = 1.44), shifted LJ, rc = 2.5, dt = 0.005, skin 0.3 with `every 1 delay 0 check yes`.
#[test]
#[cfg_attr(debug_assertions, ignore = "10,000 steps of 4,000 atoms: run with --release")]
fn nve_energy_drift_shifted_lj() {
    let (end, fit) = run_lj_liquid(true, 10_000);
    assert!(end < 1e-4, "|E(end) - E(start)|/N = {end:e}");
    assert!(fit < 1e-4, "fitted drift/N = {fit:e}");
}

/// Reads `tests/reference/lj-step0.ref`: comment lines, a header line, a value line.
fn lammps_reference() -> Vec<(String, f64)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/lj-step0.ref");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header line").split_whitespace().collect();
    let values: Vec<f64> = lines
        .next()
        .expect("value line")
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(header.len(), values.len(), "{path:?}: header and values differ in length");
    header
        .into_iter()
        .map(str::to_string)
        .zip(values)
        .collect()
}

/// `bench/in.lj` at step 0 (fcc 0.8442, 20³ cells = 32,000 atoms, lj/cut 2.5 unshifted,
/// no velocities) against LAMMPS 29Sep2021: per-atom energy, pressure and its tensor.
#[test]
fn step0_matches_lammps() {
    let reference = lammps_reference();
    let get = |key: &str| {
        reference
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no `{key}` in the reference"))
            .1
    };
    let mut system = fcc_lj(20);
    assert_eq!(system.len() as f64, get("atoms"));
    let potential = lj(2.5, false);
    let mut neighbors = Neighbors::new(
        NeighborSettings::with_skin(0.3),
        potential.cutoff(),
        potential.list_kind(),
    );
    neighbors.rebuild(&mut system).unwrap();
    let mut out = ForceOutput::new();
    evaluation::evaluate_forces(
        &mut system,
        &neighbors,
        &potential,
        ForceRequest::ALL,
        &mut out,
        0,
    )
    .unwrap();
    let units = UnitSystem::Lj.constants();
    let s = ThermoSample::measure(&system, &units, 0, out.energy, &out.virial, 0.0);
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    let n = system.len() as f64;
    let checks = [
        ("vol", s.vol),
        ("pe", s.pe / n),
        ("press", s.press),
        ("pxx", s.pressure_tensor[0]),
        ("pyy", s.pressure_tensor[1]),
        ("pzz", s.pressure_tensor[2]),
    ];
    for (key, ours) in checks {
        let theirs = get(key);
        eprintln!(
            "{key:>5}: ferromd {ours:.16} LAMMPS {theirs:.16} relative {:.2e}",
            rel(ours, theirs)
        );
        assert!(rel(ours, theirs) < 1e-9, "{key}: {ours} vs LAMMPS {theirs}");
    }
    // Off-diagonal components vanish by symmetry; both codes only show round-off.
    let scale = get("press").abs();
    for (k, key) in ["pxy", "pxz", "pyz"].into_iter().enumerate() {
        let ours = s.pressure_tensor[3 + k];
        let theirs = get(key);
        eprintln!("{key:>5}: ferromd {ours:.3e} LAMMPS {theirs:.3e}");
        assert!(ours.abs() < 1e-9 * scale && theirs.abs() < 1e-9 * scale);
    }
}
