//! Initial velocities drawn from a Maxwell-Boltzmann distribution.

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::system::System;
use crate::units::UnitConstants;

/// Draws Gaussian velocities for `temperature` with a reproducible `seed`, removes
/// the net momentum and rescales so the instantaneous temperature is exactly
/// `temperature` (with `dim N - dim` degrees of freedom).
///
/// Returns `false` (and leaves velocities at zero) when there are too few atoms
/// to define a temperature.
pub fn create_velocities(
    system: &mut System,
    temperature: f64,
    seed: u64,
    units: &UnitConstants,
) -> bool {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let dim = system.dimension;
    for (v, &m) in system.velocities.iter_mut().zip(&system.masses) {
        let scale = (units.boltz / (m * units.mvv2e)).sqrt();
        for k in 0..3 {
            let g: f64 = StandardNormal.sample(&mut rng);
            v[k] = if k < dim { g * scale } else { 0.0 };
        }
    }
    system.zero_momentum();
    scale_to_temperature(system, temperature, units)
}

/// Rescales velocities so that the instantaneous temperature equals `temperature`.
/// Returns `false` if the current temperature is zero (nothing to scale).
pub fn scale_to_temperature(system: &mut System, temperature: f64, units: &UnitConstants) -> bool {
    let dof = system.degrees_of_freedom();
    let ke = system.kinetic_energy(units);
    if dof <= 0.0 || ke <= 0.0 {
        system.velocities.iter_mut().for_each(|v| v.fill(0.0));
        return false;
    }
    let current = 2.0 * ke / (dof * units.boltz);
    let factor = (temperature / current).sqrt();
    for v in &mut system.velocities {
        *v *= factor;
    }
    true
}
