//! The 8-atom cell of diamond silicon that the TorchScript model tests run on, and the
//! velocity-Verlet simulation they evaluate and run it in.

use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::neighbor::NeighborSettings;
use ferromd_core::{
    IntegrationParameters, Potential, Simulation, Species, System, UnitSystem, velocity,
};
use ferromd_integrators::VelocityVerlet;

use super::{Recorder, on_two_threads};

/// One cubic cell of diamond Si (a = 5.43 Å, 8 atoms): smaller than twice a model's
/// cutoff, so several images of each atom are neighbors.
pub fn diamond_si8() -> System {
    Lattice::cubic(CubicKind::Diamond, 5.43)
        .build([1; 3], vec![Species::new("Si", 28.0855)])
        .unwrap()
}

/// A velocity-Verlet simulation of `system` under `potential` in metal units, with 1 fs
/// steps and a 1 Å neighbor skin.
pub fn metal_nve_simulation(system: System, potential: Box<dyn Potential>) -> Simulation {
    Simulation::new(
        system,
        UnitSystem::Metal,
        IntegrationParameters {
            dt: 0.001,
            neighbor: NeighborSettings::with_skin(1.0),
        },
        potential,
        Box::new(VelocityVerlet::new()),
    )
    .unwrap()
}

/// The energy of [`diamond_si8`] under `potential`.
pub fn si8_energy(potential: Box<dyn Potential>) -> f64 {
    metal_nve_simulation(diamond_si8(), potential)
        .evaluate()
        .unwrap()
        .energy
}

/// Runs [`diamond_si8`] under `potential` for `steps` NVE steps of 1 fs from velocities at
/// 600 K drawn with `seed`, on two threads, and returns the ranges (largest minus
/// smallest) of the total and of the kinetic energy per atom over the thermo samples
/// taken every 10 steps, in eV.
pub fn si8_nve_energy_ranges(potential: Box<dyn Potential>, seed: u64, steps: u64) -> (f64, f64) {
    let mut system = diamond_si8();
    let n = system.len() as f64;
    velocity::create_velocities(&mut system, 600.0, seed, &UnitSystem::Metal.constants());
    let rec = on_two_threads(|| {
        let mut sim = metal_nve_simulation(system, potential);
        let mut rec = Recorder::default();
        sim.run(steps, 10, &mut rec).unwrap();
        rec
    });
    let e: Vec<f64> = rec.samples.iter().map(|s| s.etotal() / n).collect();
    let ke: Vec<f64> = rec.samples.iter().map(|s| s.ke / n).collect();
    let range = |v: &[f64]| {
        v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
    };
    (range(&e), range(&ke))
}
