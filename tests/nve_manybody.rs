//! Microcanonical silicon with Tersoff (Si.tersoff) and Stillinger-Weber (Si.sw) through
//! the full simulation loop: energy drift of 216 atoms at 1000 K over 5,000 steps of 1 fs,
//! momentum conservation, and the benchmark decks.

use std::path::Path;

use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::neighbor::NeighborSettings;
use ferromd_core::{IntegrationParameters, Potential, Simulation, Species, UnitSystem, velocity};
use ferromd_integrators::VelocityVerlet;
use ferromd_potentials::{StillingerWeber, Tersoff};

mod common;

use common::{Recorder, on_two_threads};

fn potential_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/manybody/potentials")
        .join(name)
}

/// Runs 216 Si atoms from 1000 K for `steps` steps of 1 fs; returns (E/N at each thermo
/// step, the recorder, neighbor builds, dangerous builds).
fn run_nve(potential: Box<dyn Potential>, steps: u64) -> (Vec<f64>, Recorder, u64, u64) {
    let mut system = Lattice::cubic(CubicKind::Diamond, 5.431)
        .build([3; 3], vec![Species::new("Si", 28.0855)])
        .unwrap();
    assert_eq!(system.len(), 216);
    let units = UnitSystem::Metal;
    velocity::create_velocities(&mut system, 1000.0, 4928459, &units.constants());
    let params = IntegrationParameters {
        dt: 0.001,
        neighbor: NeighborSettings {
            skin: 0.5,
            every: 1,
            delay: 0,
            check: true,
        },
    };
    let (rec, builds, dangerous) = on_two_threads(|| {
        let mut sim = Simulation::new(
            system,
            units,
            params,
            potential,
            Box::new(VelocityVerlet::new()),
        )
        .unwrap();
        let mut rec = Recorder::default();
        let summary = sim.run(steps, 50, &mut rec).unwrap();
        (rec, summary.neighbor.builds, summary.neighbor.dangerous)
    });
    let e = rec.samples.iter().map(|s| s.etotal() / 216.0).collect();
    (e, rec, builds, dangerous)
}

/// Least-squares slope of `e` against its index, times the run length (in samples).
fn fitted_drift(e: &[f64]) -> f64 {
    let m = e.len() as f64;
    let tm = (m - 1.0) / 2.0;
    let em = e.iter().sum::<f64>() / m;
    let cov: f64 = e
        .iter()
        .enumerate()
        .map(|(t, e)| (t as f64 - tm) * (e - em))
        .sum();
    let var: f64 = (0..e.len()).map(|t| (t as f64 - tm).powi(2)).sum();
    (cov / var * (m - 1.0)).abs()
}

/// E/N fluctuates by ~1e-4 eV at 1 fs (half the kinetic energy goes into the lattice);
/// the end-point bound allows for that fluctuation, and the fitted drift, which a
/// fluctuation barely moves, must stay below 5e-5 eV/atom over the 5 ps (observed: a few
/// 1e-6 eV for both styles).
fn check_conservation(name: &str, potential: Box<dyn Potential>, end_bound: f64, fit_bound: f64) {
    let (e, rec, builds, dangerous) = run_nve(potential, 5000);
    let end = (e[e.len() - 1] - e[0]).abs();
    let fit = fitted_drift(&e);
    let (lo, hi) = e
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let (first, last) = (rec.samples[0], rec.samples[rec.samples.len() - 1]);
    eprintln!(
        "216 Si atoms ({name}), 5,000 steps of 1 fs: E/N {:.8} -> {:.8} eV (T {:.1} -> {:.1} K); \
         |dE|/N = {end:.2e} eV, fitted drift/N = {fit:.2e} eV, E/N range {:.2e} eV; \
         {builds} neighbor builds ({dangerous} dangerous); max |P(t) - P0| = {:.1e}",
        e[0],
        e[e.len() - 1],
        first.temp,
        last.temp,
        hi - lo,
        rec.max_momentum_change
    );
    assert!(builds > 1, "{name}: the list was never rebuilt");
    assert_eq!(dangerous, 0, "{name}");
    assert!(
        end < end_bound,
        "{name}: |E(end) - E(start)|/N = {end:e} eV"
    );
    assert!(fit < fit_bound, "{name}: fitted drift/N = {fit:e} eV");
    assert!(
        rec.max_momentum_change < 1e-9,
        "{name}: momentum changed by {:e}",
        rec.max_momentum_change
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "5,000 steps: run with --release")]
fn nve_energy_drift_si_tersoff() {
    let t = Tersoff::from_file(potential_file("Si.tersoff"), &["Si"]).unwrap();
    check_conservation("tersoff", Box::new(t), 5e-4, 5e-5);
}

#[test]
#[cfg_attr(debug_assertions, ignore = "5,000 steps: run with --release")]
fn nve_energy_drift_si_sw() {
    let sw = StillingerWeber::from_file(potential_file("Si.sw"), &["Si"]).unwrap();
    check_conservation("sw", Box::new(sw), 5e-4, 5e-5);
}

/// The benchmark decks build their potentials from the committed files.
#[test]
fn manybody_bench_decks_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (style, cutoff) in [("tersoff", 3.2), ("sw", 2.0951 * 1.8)] {
        let deck =
            ferromd::deck::Deck::load(&root.join(format!("inputs/si-{style}-bench.toml"))).unwrap();
        assert_eq!(deck.potential.name(), style);
        assert!((deck.potential.cutoff() - cutoff).abs() < 1e-9, "{style}");
        assert_eq!(deck.system.len(), 8000);
    }
}
