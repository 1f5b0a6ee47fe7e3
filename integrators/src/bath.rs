//! The heat bath of the thermostats that act on the velocities after velocity Verlet's
//! steps (Berendsen, CSVR, Langevin): its target temperature, its relaxation time and the
//! energy it has exchanged with the system.

use crate::common::{Ramp, StateReader};

/// A thermostat's bath: the target temperature, ramped over each run (LAMMPS `Tstart
/// Tstop`), the relaxation time `damping` (time units) and the reservoir energy (what
/// `Integrator::reservoir_energy` reports, so that `etotal + reservoir` is conserved up
/// to the integration error).
#[derive(Debug, Clone)]
pub(crate) struct Bath {
    /// The target temperature over a run.
    pub(crate) temperature: Ramp,
    /// The relaxation time.
    pub(crate) damping: f64,
    /// Minus the energy the thermostat has put into the system so far.
    pub(crate) reservoir: f64,
}

impl Bath {
    /// A bath at the constant `temperature` with relaxation time `damping`, for the
    /// thermostat named `thermostat` in messages.
    ///
    /// # Panics
    /// If `temperature` is negative or `damping` is not positive.
    pub(crate) fn new(thermostat: &str, temperature: f64, damping: f64) -> Self {
        assert!(
            temperature >= 0.0 && temperature.is_finite(),
            "{thermostat} temperature must be >= 0, got {temperature}"
        );
        assert!(
            damping > 0.0 && damping.is_finite(),
            "{thermostat} damping time must be > 0, got {damping}"
        );
        Bath {
            temperature: Ramp::new(temperature, temperature),
            damping,
            reservoir: 0.0,
        }
    }

    /// Ramps the target temperature linearly from the start value to `stop` over each run.
    ///
    /// # Panics
    /// If `stop` is negative or not finite.
    pub(crate) fn ramp_to(&mut self, stop: f64) {
        assert!(
            stop >= 0.0 && stop.is_finite(),
            "final target temperature must be >= 0, got {stop}"
        );
        self.temperature.stop = stop;
    }

    /// The checkpoint state of a thermostat whose only state is the reservoir energy.
    pub(crate) fn save_reservoir(&self) -> Vec<f64> {
        vec![self.reservoir]
    }

    /// Restores the reservoir energy from a state written by [`Bath::save_reservoir`]
    /// (`thermostat` names it in errors).
    pub(crate) fn load_reservoir(
        &mut self,
        thermostat: &'static str,
        state: &[f64],
    ) -> Result<(), String> {
        let mut r = StateReader::new(thermostat, state);
        self.reservoir = r.f64()?;
        r.finish()
    }
}
