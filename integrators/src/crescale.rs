//! Stochastic cell rescaling barostat (Bernetti & Bussi, J. Chem. Phys. 153, 114107
//! (2020)), isotropic, wrapped around a thermostatted integrator.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;
use rand_distr::{Distribution, StandardNormal};

use crate::barostat::{BarostatError, Coupling, current_pressure, dilate, positive};
use crate::common::{Ramp, StateReader, kinetic_energy, scale_velocities};
use crate::csvr::CountingRng;
use crate::press_berendsen::DEFAULT_BULK_MODULUS;

/// Isotropic stochastic cell rescaling (C-rescale) around an inner integrator that keeps
/// the temperature (e.g. [`crate::Csvr`]).
///
/// After the inner integrator's second half step, `eps = ln V` takes one
/// Euler-Maruyama step of
///
/// `d eps = -(beta_T / tau_p) (P0 - P_int - kT / V) dt + sqrt(2 kT beta_T / (V tau_p)) dW`
///
/// (`P_int` is the instantaneous scalar pressure from the kinetic energy and the virial,
/// `beta_T` the compressibility, i.e. the inverse of the bulk modulus, `tau_p` the
/// relaxation time, `T` the temperature of the bath), and the cell and the positions are
/// scaled about the centre of the cell by `exp(d eps / d)`, the velocities by
/// `exp(-d eps / d)` (`d` the dimension). The stationary distribution is the
/// isothermal-isobaric one whatever `beta_T` and `tau_p`: they only set how fast the
/// volume relaxes.
///
/// [`Integrator::reservoir_energy`] is the inner integrator's reservoir plus the energy
/// the barostat's scalings took from `K + U`, so `etotal + reservoir` is conserved up to
/// the integration error. It equals the paper's effective energy `K + U + P0 V -
/// (work of the barostat on K + U + P0 V)` up to the constant `P0 V(0)` (for a constant
/// target; the `P0 dV` work and `P0 V` cancel exactly). The kinetic part is exact; the
/// potential-energy change of a scaling by `d eps` is `-(tr W / d) d eps` integrated with
/// the trapezoidal rule, the virial at the scaled cell being taken from the next step.
pub struct CRescale {
    inner: Box<dyn Integrator>,
    pressure: Ramp,
    temperature: f64,
    tau: f64,
    compressibility: f64,
    rng: CountingRng,
    /// Energy taken from the system by the barostat (inner reservoir excluded).
    reservoir: f64,
    /// `(tr W / d, d eps)` of the last scaling, for the trapezoidal correction of the
    /// potential-energy change once the virial at the scaled cell is known.
    pending: Option<(f64, f64)>,
}

impl std::fmt::Debug for CRescale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CRescale")
            .field("inner", &self.inner.name())
            .field("pressure", &self.pressure.start)
            .field("temperature", &self.temperature)
            .field("tau", &self.tau)
            .field("compressibility", &self.compressibility)
            .finish()
    }
}

impl CRescale {
    /// Couples `inner` (which keeps the system at `temperature`) to a bath at `pressure`
    /// with relaxation time `tau` and the bulk modulus [`DEFAULT_BULK_MODULUS`]; `seed`
    /// seeds the barostat's own random stream.
    pub fn new(
        inner: Box<dyn Integrator>,
        temperature: f64,
        pressure: f64,
        tau: f64,
        seed: u64,
    ) -> Result<Self, BarostatError> {
        if !pressure.is_finite() {
            return Err(BarostatError(format!(
                "target pressure must be finite, got {pressure}"
            )));
        }
        positive("temperature of the c-rescale barostat", temperature)?;
        positive("pressure relaxation time", tau)?;
        Ok(CRescale {
            inner,
            pressure: Ramp::new(pressure, pressure),
            temperature,
            tau,
            compressibility: 1.0 / DEFAULT_BULK_MODULUS,
            rng: CountingRng::new(seed),
            reservoir: 0.0,
            pending: None,
        })
    }

    /// Ramps the target pressure linearly to `stop` over each run (LAMMPS `Pstart Pstop`).
    pub fn ramp_to(mut self, stop: f64) -> Result<Self, BarostatError> {
        if !stop.is_finite() {
            return Err(BarostatError(format!(
                "final target pressure must be finite, got {stop}"
            )));
        }
        self.pressure.stop = stop;
        Ok(self)
    }

    /// Sets the bulk modulus `1 / beta_T` in pressure units (LAMMPS-style `modulus`).
    pub fn modulus(mut self, modulus: f64) -> Result<Self, BarostatError> {
        self.compressibility = 1.0 / positive("bulk modulus", modulus)?;
        Ok(self)
    }

    /// The wrapped integrator.
    pub fn inner(&self) -> &dyn Integrator {
        self.inner.as_ref()
    }
}

/// `tr W / d` (energy units) of the virial over the first `dims` directions.
fn virial_per_dim(virial: &ferromd_core::potential::Virial, dims: usize) -> f64 {
    (0..dims).map(|a| virial[a]).sum::<f64>() / dims as f64
}

impl Integrator for CRescale {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.inner.initial_integrate(system, ctx);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.inner.final_integrate(system, ctx);
        let virial = ctx
            .virial
            .expect("the simulation passes the virial to integrators that need it");
        let dims = system.dimension;
        let w = virial_per_dim(&virial, dims);
        if let Some((w_old, deps_old)) = self.pending.take() {
            // trapezoidal rule: dU = -(w_old + w_new)/2 deps, -w_old deps was booked
            self.reservoir += 0.5 * (w - w_old) * deps_old;
        }
        let units = &ctx.units;
        let p_int = current_pressure(system, units, &virial, Coupling::Iso)[0];
        let vol = system.volume();
        let p0 = self.pressure.at(ctx.step);
        let kt = units.boltz * self.temperature;
        // kT / V in pressure units
        let kt_v = kt / vol * units.nktv2p;
        let beta = self.compressibility;
        let r: f64 = StandardNormal.sample(&mut self.rng);
        let deps = -beta * ctx.dt / self.tau * (p0 - p_int - kt_v)
            + (2.0 * kt_v * beta * ctx.dt / self.tau).sqrt() * r;
        let ke = kinetic_energy(system, units.mvv2e);
        let s = (deps / dims as f64).exp();
        let mut factors = [1.0; 3];
        factors[..dims].fill(s);
        dilate(system, factors);
        scale_velocities(system, 1.0 / s);
        // work done on K + U by the scaling, taken from the reservoir
        self.reservoir -= ke * (s.powi(-2) - 1.0) - w * deps;
        self.pending = Some((w, deps));
    }

    fn reservoir_energy(&self) -> f64 {
        self.inner.reservoir_energy() + self.reservoir
    }

    fn needs_virial(&self) -> bool {
        true
    }

    fn prepare_run(
        &mut self,
        system: &System,
        units: &ferromd_core::units::UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        self.pressure.set_span(first, last);
        self.inner.prepare_run(system, units, first, last)
    }

    fn name(&self) -> &str {
        "press/crescale"
    }

    /// The barostat's reservoir, the pending trapezoidal correction, the random stream
    /// (seed and words drawn), then the inner integrator's state.
    fn save_state(&self) -> Vec<f64> {
        let (has, w, deps) = match self.pending {
            Some((w, deps)) => (1.0, w, deps),
            None => (0.0, 0.0, 0.0),
        };
        let mut state = vec![
            self.reservoir,
            has,
            w,
            deps,
            f64::from_bits(self.rng.seed),
            f64::from_bits(self.rng.draws),
        ];
        state.extend(self.inner.save_state());
        state
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        let mut r = StateReader::new("press/crescale", state);
        let reservoir = r.f64()?;
        let has = r.f64()?;
        let w = r.f64()?;
        let deps = r.f64()?;
        let seed = r.u64()?;
        let draws = r.u64()?;
        let rest = r.slice(state.len() - 6)?;
        r.finish()?;
        self.inner.load_state(&rest)?;
        self.reservoir = reservoir;
        self.pending = (has != 0.0).then_some((w, deps));
        self.rng = CountingRng::at(seed, draws);
        Ok(())
    }
}
