//! The [`Integrator`] trait: how positions and velocities advance around a force evaluation.

use crate::potential::Virial;
use crate::system::System;
use crate::units::UnitConstants;

/// Per-step information handed to integrators.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepContext {
    /// Timestep.
    pub dt: f64,
    /// Unit conversion constants.
    pub units: UnitConstants,
    /// Index of the step being taken (the step number after it completes).
    pub step: u64,
    /// Virial `[xx, yy, zz, xy, xz, yz]` (energy units) of the last force evaluation, given
    /// only to integrators whose [`Integrator::needs_virial`] is true (`None` otherwise).
    /// In `initial_integrate` it belongs to the positions at the start of the step (the
    /// previous evaluation); in `final_integrate` to the forces just computed.
    pub virial: Option<Virial>,
}

/// A time integrator split around the force evaluation, as velocity Verlet is.
///
/// One MD step is `initial_integrate` → (neighbor update, forces) → `final_integrate`.
/// Thermostats and barostats implement the same two halves and may change the
/// cell in the first one.
pub trait Integrator: Send {
    /// First half of the step, before forces are recomputed (e.g. half kick + drift).
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext);

    /// Second half of the step, with the new forces (e.g. the second half kick).
    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext);

    /// Energy held by the integrator's extra degrees of freedom (thermostat or barostat
    /// reservoirs), added to the total energy to form the conserved quantity.
    fn reservoir_energy(&self) -> f64 {
        0.0
    }

    /// True if the integrator reads [`StepContext::virial`] (barostats): the simulation then
    /// computes the virial at every step, not only on thermo steps.
    fn needs_virial(&self) -> bool {
        false
    }

    /// Called by [`crate::Simulation::run`] before a run from step `first` to step `last`:
    /// integrators with targets ramped over a run (LAMMPS `Tstart Tstop`, `Pstart Pstop`)
    /// take the run's span here, and those that need something of the initial state check
    /// it. Steps taken outside a run (with [`crate::Simulation::step`]) use the span of the
    /// last run, or the start targets if there was none. The default does nothing.
    ///
    /// # Errors
    /// A message if the run cannot start from this state.
    fn prepare_run(
        &mut self,
        system: &System,
        units: &UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        let _ = (system, units, first, last);
        Ok(())
    }

    /// A short name for logs, e.g. `"nve"`.
    fn name(&self) -> &str;

    /// The integrator's internal state (thermostat and barostat variables, reservoir
    /// energies, random-number-generator positions) as numbers, for checkpoints. Together
    /// with the system and the step number it must determine every later step exactly:
    /// [`Integrator::load_state`] on a freshly built integrator of the same kind and
    /// parameters, given this vector, continues bit for bit. Integer state is stored
    /// through [`f64::from_bits`]. The default (stateless integrators) is empty.
    fn save_state(&self) -> Vec<f64> {
        Vec::new()
    }

    /// Restores the state saved by [`Integrator::save_state`].
    ///
    /// # Errors
    /// A message if `state` does not have the length or values this integrator expects
    /// (e.g. a checkpoint written with another integrator).
    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        if state.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "integrator `{}` keeps no state, but the checkpoint holds {} numbers for it",
                self.name(),
                state.len()
            ))
        }
    }
}
