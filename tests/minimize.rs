//! Minimizers on fcc Lennard-Jones crystals (`lj/cut 2.5`, epsilon = sigma = m = 1),
//! checked against lattice sums computed here, independently of ferromd's neighbor code.

use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::{IntegrationParameters, Simulation, Species, System, UnitSystem};
use ferromd_integrators::VelocityVerlet;
use ferromd_integrators::minimize::{
    ConjugateGradient, Fire, MinParameters, Minimizer, StopCriterion,
};
use ferromd_potentials::LjCutBuilder;

const RC: f64 = 2.5;

/// Distances (in units of the cubic lattice constant) from an fcc site to all others
/// within `rmax`.
fn fcc_distances(rmax: f64) -> Vec<f64> {
    let basis = [
        [0.0, 0.0, 0.0],
        [0.5, 0.5, 0.0],
        [0.5, 0.0, 0.5],
        [0.0, 0.5, 0.5],
    ];
    let n = rmax.ceil() as i32 + 1;
    let mut d = Vec::new();
    for i in -n..=n {
        for j in -n..=n {
            for k in -n..=n {
                for b in &basis {
                    let r = ((i as f64 + b[0]).powi(2)
                        + (j as f64 + b[1]).powi(2)
                        + (k as f64 + b[2]).powi(2))
                    .sqrt();
                    if r > 0.0 && r < rmax {
                        d.push(r);
                    }
                }
            }
        }
    }
    d
}

/// Energy per atom of a perfect fcc crystal with lattice constant `a`: half the sum of
/// the (unshifted) LJ pair energy over all neighbors closer than the cutoff.
fn lattice_energy(a: f64) -> f64 {
    fcc_distances(RC / a + 1.0)
        .into_iter()
        .map(|x| a * x)
        .filter(|&r| r < RC)
        .map(|r| 2.0 * (r.powi(-12) - r.powi(-6)))
        .sum()
}

/// The lattice constant minimizing [`lattice_energy`]: with the set of shells inside the
/// cutoff fixed, `dE/da = 0` gives `a = (2 S12 / S6)^(1/6)`, `Sn = sum x_j^-n`. Iterated
/// until the shell set is self-consistent.
fn lattice_minimum() -> f64 {
    let mut a: f64 = 1.55;
    for _ in 0..20 {
        let xs: Vec<f64> = fcc_distances(RC / a + 1.0)
            .into_iter()
            .filter(|x| a * x < RC)
            .collect();
        let s12: f64 = xs.iter().map(|x| x.powi(-12)).sum();
        let s6: f64 = xs.iter().map(|x| x.powi(-6)).sum();
        a = (2.0 * s12 / s6).powf(1.0 / 6.0);
    }
    a
}

fn simulation(system: System) -> Simulation {
    let mut b = LjCutBuilder::new(1, RC);
    b.pair(1, 1, 1.0, 1.0, None).unwrap();
    Simulation::new(
        system,
        UnitSystem::Lj,
        IntegrationParameters::defaults_for(UnitSystem::Lj),
        Box::new(b.build().unwrap()),
        Box::new(VelocityVerlet::new()),
    )
    .unwrap()
}

/// A 256-atom fcc crystal with lattice constant 1.5 with every coordinate displaced by a
/// deterministic pseudo-random amount in [-0.02, 0.02]. The neighbor shells nearest the
/// cutoff sit at 2.372 and 2.598, farther from it than any pair distance can change
/// (0.07), so no pair crosses the energy discontinuity of the unshifted cutoff: the
/// perfect lattice is the minimum the minimizers must find.
fn perturbed_crystal() -> (System, f64) {
    let a: f64 = 1.5;
    let density = 4.0 / a.powi(3);
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, density)
        .build([4; 3], vec![Species::new("1", 1.0)])
        .unwrap();
    let mut state: u64 = 12345;
    for x in &mut system.positions {
        for c in x.iter_mut() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *c += 0.04 * ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
        }
    }
    (system, a)
}

/// A perturbed crystal minimizes back to the perfect lattice: the final energy per atom
/// equals the lattice sum to 1e-10 relative (with ftol 1e-8 the residual energy error is
/// of order |F|^2 / k ~ 1e-16; the perturbation raises the energy by more than 1e-3 per atom, so
/// an unminimized or wrongly minimized state fails by orders of magnitude).
fn check_relaxes_to_lattice(name: &str, minimizer: &mut dyn Minimizer) {
    let (system, a) = perturbed_crystal();
    let n = system.len() as f64;
    let mut sim = simulation(system);
    let params = MinParameters::new(0.0, 1e-8, 10_000, 100_000);
    let result = minimizer.minimize(&mut sim, &params).unwrap();
    let exact = lattice_energy(a);
    let e = result.final_energy / n;
    eprintln!(
        "{name}: {} iterations, {} evaluations, stopping criterion = {}; E/N {:.12} -> \
         {e:.12} (lattice sum {exact:.12}, relative error {:.1e}); |F| = {:.1e}",
        result.iterations,
        result.evaluations,
        result.stop,
        result.initial_energy / n,
        ((e - exact) / exact).abs(),
        result.fnorm2
    );
    assert_eq!(result.stop, StopCriterion::ForceTolerance);
    assert!(result.initial_energy / n > exact + 1e-3);
    assert!(((e - exact) / exact).abs() < 1e-10);
}

#[test]
fn cg_relaxes_a_perturbed_crystal_to_the_lattice_energy() {
    check_relaxes_to_lattice("cg", &mut ConjugateGradient::new());
}

#[test]
fn fire_relaxes_a_perturbed_crystal_to_the_lattice_energy() {
    check_relaxes_to_lattice("fire", &mut Fire::new(0.005));
}

/// Box relaxation at zero pressure of a 108-atom fcc crystal started at density 1.0:
/// the lattice constant reaches the analytic minimum of the truncated LJ lattice sum
/// within 1e-6 relative, stopping on the force tolerance. (It used to stall with
/// "linesearch alpha is zero" at |F| ~ 4e-6: trial steps were applied as increments with
/// the cell scaled in between, which do not commute, so the line search wandered off its
/// line; moves are now taken from the start of the line.)
#[test]
fn cg_box_relaxation_reaches_the_lj_lattice_constant() {
    let system = Lattice::cubic_with_density(CubicKind::Fcc, 1.0)
        .build([3; 3], vec![Species::new("1", 1.0)])
        .unwrap();
    let mut sim = simulation(system);
    let mut params = MinParameters::new(0.0, 1e-7, 1_000, 10_000);
    params.box_pressure = Some(0.0);
    let result = ConjugateGradient::new()
        .minimize(&mut sim, &params)
        .unwrap();
    let a = sim.system.cell.matrix()[(0, 0)] / 3.0;
    let exact = lattice_minimum();
    let rel = (a - exact).abs() / exact;
    eprintln!(
        "cg box/relax iso 0: {} iterations, {} evaluations, stopping criterion = {}; a = \
         {a:.12} (analytic {exact:.12}, relative error {rel:.1e}); E/N = {:.10} (lattice sum \
         {:.10}); |F| = {:.1e}",
        result.iterations,
        result.evaluations,
        result.stop,
        result.final_energy / 108.0,
        lattice_energy(exact),
        result.fnorm2
    );
    assert_eq!(result.stop, StopCriterion::ForceTolerance);
    assert!(result.fnorm2 < 1e-7);
    assert!(rel < 1e-6);
    assert!((result.final_energy / 108.0 - lattice_energy(exact)).abs() < 1e-10);
}

/// Anisotropic box relaxation (LAMMPS `fix box/relax aniso 0`) of a 108-atom fcc crystal
/// started with a different strain on each axis (lattice constants 1.60, 1.55 and 1.52):
/// each of the three cell lengths reaches the analytic LJ lattice constant within 1e-6
/// relative and the energy the lattice sum, stopping on the force tolerance (before the
/// line-search fix it stalled with "linesearch alpha is zero" at |F| ~ 3e-6 and lattice
/// constants off by 3e-10).
#[test]
fn cg_aniso_box_relaxation_reaches_the_lj_lattice_constant() {
    let mut system = Lattice::cubic(CubicKind::Fcc, 1.55)
        .build([3; 3], vec![Species::new("1", 1.0)])
        .unwrap();
    let strain = [1.60 / 1.55, 1.0, 1.52 / 1.55];
    for x in &mut system.positions {
        for (c, s) in x.iter_mut().zip(strain) {
            *c *= s;
        }
    }
    let h = system.cell.matrix() * ferromd_core::nalgebra::Matrix3::from_diagonal(&strain.into());
    system.cell.set_matrix(h).unwrap();
    let mut sim = simulation(system);
    let mut params = MinParameters::new(0.0, 1e-7, 1_000, 10_000);
    params.box_pressure = Some(0.0);
    params.box_coupling = ferromd_integrators::Coupling::Aniso;
    let result = ConjugateGradient::new()
        .minimize(&mut sim, &params)
        .unwrap();
    let exact = lattice_minimum();
    let h = sim.system.cell.matrix();
    let a = [h[(0, 0)] / 3.0, h[(1, 1)] / 3.0, h[(2, 2)] / 3.0];
    eprintln!(
        "cg box/relax aniso 0: {} iterations, {} evaluations, stopping criterion = {}; a = \
         {a:.12?} (analytic {exact:.12}); E/N = {:.10} (lattice sum {:.10}); |F| = {:.1e}",
        result.iterations,
        result.evaluations,
        result.stop,
        result.final_energy / 108.0,
        lattice_energy(exact),
        result.fnorm2
    );
    assert_eq!(result.stop, StopCriterion::ForceTolerance);
    for a in a {
        assert!(
            (a - exact).abs() / exact < 1e-6,
            "a = {a}, analytic {exact}"
        );
    }
    assert!((result.final_energy / 108.0 - lattice_energy(exact)).abs() < 1e-10);
}

/// FIRE moves atoms only: asked to relax the box it returns an error naming itself and
/// the minimizer that can, instead of panicking.
#[test]
fn fire_refuses_box_relaxation_with_an_error() {
    let system = Lattice::cubic_with_density(CubicKind::Fcc, 1.0)
        .build([3; 3], vec![Species::new("1", 1.0)])
        .unwrap();
    let mut sim = simulation(system);
    let mut params = MinParameters::new(0.0, 1e-7, 100, 1_000);
    params.box_pressure = Some(0.0);
    let err = Fire::new(0.005).minimize(&mut sim, &params).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("fire") && message.contains("ConjugateGradient"),
        "{message}"
    );
}
