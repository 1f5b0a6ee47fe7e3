//! The Berendsen weak-coupling thermostat (Berendsen et al. 1984), as LAMMPS
//! `fix temp/berendsen` combined with `fix nve`.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;

use crate::bath::Bath;
use crate::common::{drift, kick, kinetic_energy, scale_velocities};

/// Velocity Verlet followed, at the end of every step, by the Berendsen rescaling
/// `v <- lambda v` with `lambda = sqrt(1 + dt/damping (T_target/T - 1))`.
///
/// The temperature relaxes exponentially to the target with time constant `damping`, but
/// the ensemble is **not** canonical: kinetic-energy fluctuations are suppressed (far
/// below `Nf/2 (kT)^2`), which `tests/thermostats.rs` demonstrates. Use it to equilibrate,
/// not to sample.
///
/// [`Integrator::reservoir_energy`] is the total kinetic energy removed by the rescaling,
/// so `etotal + reservoir` is conserved up to the integration error.
#[derive(Debug, Clone)]
pub struct Berendsen {
    bath: Bath,
}

impl Berendsen {
    /// A Berendsen thermostat at `temperature` with time constant `damping`.
    ///
    /// # Panics
    /// If `temperature` is negative or `damping` is not positive.
    pub fn new(temperature: f64, damping: f64) -> Self {
        Berendsen {
            bath: Bath::new("Berendsen", temperature, damping),
        }
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
}

impl Integrator for Berendsen {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        drift(system, ctx.dt);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        let dof = system.degrees_of_freedom();
        let ke = kinetic_energy(system, ctx.units.mvv2e);
        if dof <= 0.0 || ke <= 0.0 {
            return;
        }
        let current = 2.0 * ke / (dof * ctx.units.boltz);
        let bath = &mut self.bath;
        let lambda2 = (1.0
            + ctx.dt / bath.damping * (bath.temperature.at(ctx.step) / current - 1.0))
            .max(0.0);
        scale_velocities(system, lambda2.sqrt());
        bath.reservoir += ke * (1.0 - lambda2);
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
        "berendsen"
    }

    fn save_state(&self) -> Vec<f64> {
        self.bath.save_reservoir()
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        self.bath.load_reservoir("berendsen", state)
    }
}
