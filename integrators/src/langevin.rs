//! Langevin dynamics with the BAOAB splitting (Leimkuhler & Matthews 2013).

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::system::System;
use rayon::prelude::*;

use crate::bath::Bath;
use crate::common::{CounterNoise, MIN_CHUNK, drift, kick, kinetic_energy, momentum};

/// Langevin thermostat integrated with BAOAB: `B` half kick, `A` half drift, `O` exact
/// Ornstein-Uhlenbeck velocity update over a full step, `A` half drift, then (after the
/// force evaluation) the final `B` half kick.
///
/// The parameters follow LAMMPS `fix langevin T T damp seed`: `damping` is the relaxation
/// time of the velocities, `1/gamma`, in time units. The O step is
/// `v <- c1 v + sqrt((1 - c1^2) kT / m) xi` with `c1 = exp(-dt/damping)`, exact for any
/// timestep; BAOAB samples configurations with an O(dt^2) error that is very small in
/// practice.
///
/// Random numbers are counter based: atom `id` at step `s` always gets the same numbers
/// for a given seed, independent of thread count and atom order, so a continued run
/// repeats the stream of an uninterrupted one.
///
/// With [`Langevin::zero_momentum`] (LAMMPS `zero yes`) the random kicks have zero net
/// momentum, so a system with zero momentum keeps it and the thermostat acts on the
/// `dim N - dim` internal degrees of freedom only, the ones the temperature counts.
///
/// [`Integrator::reservoir_energy`] is the negative of the heat put into the system by the
/// O steps, so `etotal + reservoir` is conserved up to the integration error.
#[derive(Debug, Clone)]
pub struct Langevin {
    /// Target temperature, relaxation time and minus the kinetic energy added by the O
    /// steps so far.
    bath: Bath,
    seed: u64,
    zero_momentum: bool,
    noise: Vec<Vector3<f64>>,
}

impl Langevin {
    /// A Langevin thermostat at `temperature` with relaxation time `damping` and a seed.
    ///
    /// # Panics
    /// If `temperature` is negative or `damping` is not positive.
    pub fn new(temperature: f64, damping: f64, seed: u64) -> Self {
        Langevin {
            bath: Bath::new("Langevin", temperature, damping),
            seed,
            zero_momentum: false,
            noise: Vec::new(),
        }
    }

    /// Removes the net momentum of the random kicks (LAMMPS `zero yes`); off by default.
    pub fn zero_momentum(mut self, on: bool) -> Self {
        self.zero_momentum = on;
        self
    }

    /// Ramps the target temperature linearly from the start value to `stop` over each
    /// run (LAMMPS `Tstart Tstop`).
    ///
    /// # Panics
    /// If `stop` is negative or not finite.
    pub fn ramp_to(mut self, stop: f64) -> Self {
        self.bath.ramp_to(stop);
        self
    }

    /// The target temperature (at the start of a run).
    pub fn temperature(&self) -> f64 {
        self.bath.temperature.start
    }

    /// The O step: exact Ornstein-Uhlenbeck update of all velocities over `dt`.
    fn ornstein_uhlenbeck(&mut self, system: &mut System, ctx: &StepContext) {
        let c1 = (-ctx.dt / self.bath.damping).exp();
        let c2 = (1.0 - c1 * c1).sqrt();
        let kt = ctx.units.boltz * self.bath.temperature.at(ctx.step) / ctx.units.mvv2e;
        let dim = system.dimension;
        let source = CounterNoise::new(self.seed, ctx.step, 0);
        let n = system.len();
        self.noise.resize(n, Vector3::zeros());
        // velocity noise with the Maxwell-Boltzmann width of each atom
        self.noise
            .par_iter_mut()
            .zip(system.ids.par_iter().zip(system.masses.par_iter()))
            .with_min_len(MIN_CHUNK)
            .for_each(|(out, (&id, &m))| {
                let mut g = source.gaussian3(id) * (c2 * (kt / m).sqrt());
                for k in dim..3 {
                    g[k] = 0.0;
                }
                *out = g;
            });
        if self.zero_momentum {
            // subtract the centre-of-mass velocity of the kicks: the projection, in the
            // mass metric, of the noise onto the zero-momentum subspace
            let vcm = momentum(&system.masses, &self.noise) / system.total_mass();
            self.noise
                .par_iter_mut()
                .with_min_len(MIN_CHUNK)
                .for_each(|g| *g -= vcm);
        }
        let before = kinetic_energy(system, ctx.units.mvv2e);
        system
            .velocities
            .par_iter_mut()
            .zip(self.noise.par_iter())
            .with_min_len(MIN_CHUNK)
            .for_each(|(v, g)| *v = *v * c1 + g);
        let after = kinetic_energy(system, ctx.units.mvv2e);
        self.bath.reservoir -= after - before;
    }
}

impl Integrator for Langevin {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        let dtf = 0.5 * ctx.dt * ctx.units.ftm2v;
        kick(system, dtf);
        drift(system, 0.5 * ctx.dt);
        self.ornstein_uhlenbeck(system, ctx);
        drift(system, 0.5 * ctx.dt);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
    }

    fn reservoir_energy(&self) -> f64 {
        self.bath.reservoir
    }

    fn prepare_run(
        &mut self,
        _system: &System,
        _units: &ferromd_core::units::UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        self.bath.temperature.set_span(first, last);
        Ok(())
    }

    fn name(&self) -> &str {
        "langevin"
    }

    /// The reservoir energy only: the noise is counter based, keyed by the step number,
    /// which the checkpoint stores with the system.
    fn save_state(&self) -> Vec<f64> {
        self.bath.save_reservoir()
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        self.bath.load_reservoir("langevin", state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferromd_core::UnitSystem;
    use ferromd_core::cell::Cell;
    use ferromd_core::system::Species;

    /// Enough atoms for several rayon tasks, with random forces and velocities.
    fn gas(n: usize) -> System {
        let mut s = System::new(
            Cell::cubic(10.0).unwrap(),
            vec![Species::new("A", 1.0), Species::new("B", 3.0)],
        );
        let noise = CounterNoise::new(1, 2, 3);
        for i in 0..n {
            let k = s.push_atom((i % 2) as u32, noise.gaussian3(i as u64));
            s.velocities[k] = noise.gaussian3((n + i) as u64);
            s.forces[k] = noise.gaussian3((2 * n + i) as u64);
        }
        s
    }

    fn steps(threads: usize) -> (System, f64) {
        let mut system = gas(3 * MIN_CHUNK + 5);
        let mut lv = Langevin::new(1.2, 0.3, 42).zero_momentum(true);
        let units = UnitSystem::Lj.constants();
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                for step in 1..=3 {
                    let ctx = StepContext {
                        dt: 0.005,
                        units,
                        step,
                        virial: None,
                    };
                    lv.initial_integrate(&mut system, &ctx);
                    lv.final_integrate(&mut system, &ctx);
                }
            });
        (system, lv.reservoir_energy())
    }

    #[test]
    fn trajectory_does_not_depend_on_thread_count() {
        let (a, ea) = steps(1);
        let (b, eb) = steps(4);
        assert_eq!(a.positions, b.positions);
        assert_eq!(a.velocities, b.velocities);
        assert_eq!(ea.to_bits(), eb.to_bits());
    }

    #[test]
    fn zero_momentum_kicks_keep_the_momentum_decaying() {
        // with zero net noise the O step multiplies the total momentum by c1 exactly
        let mut system = gas(1000);
        let units = UnitSystem::Lj.constants();
        let p0 = system.total_momentum();
        let mut lv = Langevin::new(1.0, 0.1, 7).zero_momentum(true);
        let ctx = StepContext {
            dt: 0.01,
            units,
            step: 1,
            virial: None,
        };
        system.forces.iter_mut().for_each(|f| *f = Vector3::zeros());
        lv.ornstein_uhlenbeck(&mut system, &ctx);
        let c1 = (-0.01f64 / 0.1).exp();
        assert!((system.total_momentum() - p0 * c1).norm() < 1e-9 * p0.norm().max(1.0));
    }
}
