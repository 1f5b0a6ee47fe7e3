//! Nosé-Hoover chain thermostat (Martyna, Klein & Tuckerman 1992; Martyna, Tuckerman,
//! Tobias & Klein 1996), as LAMMPS `fix nvt`.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;

use crate::common::{Ramp, StateReader, drift, kick, kinetic_energy, scale_velocities};

/// Suzuki-Yoshida weights of order 1, 3, 5 and 7 (order 1 is the single weight 1): the
/// sub-step fractions of each thermostat half step; `None` for other orders.
pub fn suzuki_yoshida_weights(order: usize) -> Option<Vec<f64>> {
    match order {
        1 => Some(vec![1.0]),
        3 => {
            let w = 1.0 / (2.0 - 2f64.cbrt());
            Some(vec![w, 1.0 - 2.0 * w, w])
        }
        5 => {
            let w = 1.0 / (4.0 - 4f64.cbrt());
            Some(vec![w, w, 1.0 - 4.0 * w, w, w])
        }
        7 => {
            let w1 = 0.784_513_610_477_560;
            let w2 = 0.235_573_213_359_357;
            let w3 = -1.177_679_984_178_87;
            let w4 = 1.0 - 2.0 * (w1 + w2 + w3);
            Some(vec![w1, w2, w3, w4, w3, w2, w1])
        }
        _ => None,
    }
}

/// Nosé-Hoover chain NVT integrator with LAMMPS `fix nvt temp T T Tdamp` semantics.
///
/// A chain of `chain` thermostat variables `eta_k` with velocities `eta_dot_k` and masses
/// `Q_0 = Nf kT Tdamp^2`, `Q_k = kT Tdamp^2` (k > 0, `Nf = dim N - dim`) is propagated
/// for half a step before the first half kick and after the second one; velocities are
/// scaled by `exp(-eta_dot_0 delta)`. Each half step is split into `loops` (LAMMPS
/// `tloop`) times the Suzuki-Yoshida weights of order `suzuki_yoshida` (1, 3, 5 or 7;
/// LAMMPS uses order 1). Within a sub-step the chain velocities are updated from the top
/// of the chain down and back up with two updates of `delta/2` and `exp(-eta_dot_{k+1} delta/4)`
/// damping factors, as in MTK 1996 and LAMMPS's `nhc_temp_integrate`.
///
/// The conserved quantity is `H + Nf kT eta_0 + sum_{k>0} kT eta_k + sum_k Q_k eta_dot_k^2 / 2`
/// ([`Integrator::reservoir_energy`] returns the thermostat part).
#[derive(Debug, Clone)]
pub struct NoseHooverChain {
    temperature: Ramp,
    damping: f64,
    /// LAMMPS `drag`: chain velocities are damped by `1 - dt drag / (damping loops)` at
    /// each update on the way down the chain.
    drag: f64,
    loops: usize,
    weights: Vec<f64>,
    eta: Vec<f64>,
    eta_dot: Vec<f64>,
    /// `Nf kT` and `kT` of the last half step, for the reservoir energy.
    ke_target: f64,
    kt: f64,
    masses: Vec<f64>,
}

/// Error raised for invalid Nosé-Hoover chain parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct NoseHooverError(pub String);

impl std::error::Error for NoseHooverError {}

impl std::fmt::Display for NoseHooverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl NoseHooverChain {
    /// A chain of length 3 with one sub-step (LAMMPS defaults `tchain 3 tloop 1`) at
    /// `temperature` with period `damping` (time units, LAMMPS `Tdamp`).
    ///
    /// # Panics
    /// If `temperature` or `damping` is not positive.
    pub fn new(temperature: f64, damping: f64) -> Self {
        Self::with_options(temperature, damping, 3, 1, 1).expect("valid default options")
    }

    /// A chain with `chain` thermostats, `loops` sub-steps per half step and Suzuki-Yoshida
    /// order `suzuki_yoshida` (1, 3, 5 or 7).
    pub fn with_options(
        temperature: f64,
        damping: f64,
        chain: usize,
        loops: usize,
        suzuki_yoshida: usize,
    ) -> Result<Self, NoseHooverError> {
        if !(temperature > 0.0 && temperature.is_finite()) {
            return Err(NoseHooverError(format!(
                "target temperature must be > 0, got {temperature}"
            )));
        }
        if !(damping > 0.0 && damping.is_finite()) {
            return Err(NoseHooverError(format!(
                "damping period must be > 0, got {damping}"
            )));
        }
        if chain == 0 || loops == 0 {
            return Err(NoseHooverError(format!(
                "chain length ({chain}) and loops ({loops}) must be at least 1"
            )));
        }
        let weights = suzuki_yoshida_weights(suzuki_yoshida).ok_or_else(|| {
            NoseHooverError(format!(
                "Suzuki-Yoshida order must be 1, 3, 5 or 7, got {suzuki_yoshida}"
            ))
        })?;
        Ok(NoseHooverChain {
            temperature: Ramp::new(temperature, temperature),
            damping,
            drag: 0.0,
            loops,
            weights,
            eta: vec![0.0; chain],
            eta_dot: vec![0.0; chain],
            ke_target: 0.0,
            kt: 0.0,
            masses: vec![0.0; chain],
        })
    }

    /// The target temperature at the start of a run.
    pub fn temperature(&self) -> f64 {
        self.temperature.start
    }

    /// Ramps the target temperature linearly from the start value to `stop` over each
    /// run (LAMMPS `temp Tstart Tstop Tdamp`).
    pub fn ramp_to(mut self, stop: f64) -> Result<Self, NoseHooverError> {
        if !(stop > 0.0 && stop.is_finite()) {
            return Err(NoseHooverError(format!(
                "final target temperature must be > 0, got {stop}"
            )));
        }
        self.temperature.stop = stop;
        Ok(self)
    }

    /// Damps the chain velocities (LAMMPS `drag`, 0 to 1; 0 is the default and
    /// conserves the extended energy, larger values damp oscillations of the
    /// temperature at the cost of that conservation).
    pub fn drag(mut self, drag: f64) -> Result<Self, NoseHooverError> {
        if !(drag >= 0.0 && drag.is_finite()) {
            return Err(NoseHooverError(format!("drag must be >= 0, got {drag}")));
        }
        self.drag = drag;
        Ok(self)
    }

    /// The target temperature at `step` of the current run.
    pub(crate) fn target_at(&self, step: u64) -> f64 {
        self.temperature.at(step)
    }

    /// Sets the span of the run the temperature ramps over.
    pub(crate) fn set_span(&mut self, first: u64, last: u64) {
        self.temperature.set_span(first, last);
    }

    /// Thermostat positions `eta_k`.
    pub fn eta(&self) -> &[f64] {
        &self.eta
    }

    /// Thermostat velocities `eta_dot_k` (1/time).
    pub fn eta_dot(&self) -> &[f64] {
        &self.eta_dot
    }

    /// Reads the state written by `save_state` (also used inside the MTK barostat's state).
    pub(crate) fn read_state(&mut self, r: &mut StateReader<'_>) -> Result<(), String> {
        let kt = r.f64()?;
        let ke_target = r.f64()?;
        let m = r.u64()? as usize;
        if m != self.eta.len() {
            return Err(format!(
                "the checkpoint has a Nosé-Hoover chain of {m} thermostats, the deck {}",
                self.eta.len()
            ));
        }
        self.kt = kt;
        self.ke_target = ke_target;
        self.eta = r.slice(m)?;
        self.eta_dot = r.slice(m)?;
        self.masses = r.slice(m)?;
        Ok(())
    }

    /// Force on chain element `k > 0`.
    fn chain_force(&self, k: usize) -> f64 {
        (self.masses[k - 1] * self.eta_dot[k - 1] * self.eta_dot[k - 1] - self.kt) / self.masses[k]
    }

    /// Propagates the chain and scales velocities over half a timestep.
    pub(crate) fn half_step(&mut self, system: &mut System, ctx: &StepContext) {
        let dof = system.degrees_of_freedom();
        if dof <= 0.0 {
            return;
        }
        let m = self.eta.len();
        self.kt = ctx.units.boltz * self.temperature.at(ctx.step);
        let drag = 1.0 - ctx.dt * self.drag / (self.damping * self.loops as f64);
        self.ke_target = dof * self.kt;
        let freq2 = 1.0 / (self.damping * self.damping);
        self.masses[0] = self.ke_target / freq2;
        for q in &mut self.masses[1..] {
            *q = self.kt / freq2;
        }
        // 2 KE, updated by the scale factors rather than recomputed
        let mut twice_ke = 2.0 * kinetic_energy(system, ctx.units.mvv2e);
        let mut total_scale = 1.0;
        let weights = self.weights.clone();
        for _ in 0..self.loops {
            for &w in &weights {
                let delta = w * 0.5 * ctx.dt / self.loops as f64;
                // chain velocities: two updates of delta/2, each inside exp(-delta/4 ...)
                let half_sub = 0.5 * delta;
                let quarter_sub = 0.25 * delta;
                // top of the chain down to element 1
                for k in (1..m).rev() {
                    let next = if k + 1 < m { self.eta_dot[k + 1] } else { 0.0 };
                    let expfac = (-quarter_sub * next).exp();
                    let g = self.chain_force(k);
                    self.eta_dot[k] = (self.eta_dot[k] * expfac + g * half_sub) * drag * expfac;
                }
                let next = if m > 1 { self.eta_dot[1] } else { 0.0 };
                let expfac = (-quarter_sub * next).exp();
                let g0 = (twice_ke - self.ke_target) / self.masses[0];
                self.eta_dot[0] = (self.eta_dot[0] * expfac + g0 * half_sub) * drag * expfac;
                // particle velocities and thermostat positions
                let scale = (-delta * self.eta_dot[0]).exp();
                total_scale *= scale;
                twice_ke *= scale * scale;
                for (eta, &eta_dot) in self.eta.iter_mut().zip(&self.eta_dot) {
                    *eta += delta * eta_dot;
                }
                // back up the chain
                let g0 = (twice_ke - self.ke_target) / self.masses[0];
                self.eta_dot[0] = (self.eta_dot[0] * expfac + g0 * half_sub) * expfac;
                for k in 1..m {
                    let next = if k + 1 < m { self.eta_dot[k + 1] } else { 0.0 };
                    let expfac = (-quarter_sub * next).exp();
                    let g = self.chain_force(k);
                    self.eta_dot[k] = (self.eta_dot[k] * expfac + g * half_sub) * expfac;
                }
            }
        }
        scale_velocities(system, total_scale);
    }
}

impl Integrator for NoseHooverChain {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.half_step(system, ctx);
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        drift(system, ctx.dt);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        self.half_step(system, ctx);
    }

    fn reservoir_energy(&self) -> f64 {
        let mut e = 0.0;
        for (k, ((&eta, &eta_dot), &q)) in self
            .eta
            .iter()
            .zip(&self.eta_dot)
            .zip(&self.masses)
            .enumerate()
        {
            let coupling = if k == 0 { self.ke_target } else { self.kt };
            e += coupling * eta + 0.5 * q * eta_dot * eta_dot;
        }
        e
    }

    fn prepare_run(
        &mut self,
        _system: &System,
        _units: &ferromd_core::units::UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        self.set_span(first, last);
        Ok(())
    }

    fn name(&self) -> &str {
        "nvt"
    }

    fn save_state(&self) -> Vec<f64> {
        let mut v = vec![
            self.kt,
            self.ke_target,
            f64::from_bits(self.eta.len() as u64),
        ];
        v.extend(&self.eta);
        v.extend(&self.eta_dot);
        v.extend(&self.masses);
        v
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        let mut r = StateReader::new("nvt", state);
        self.read_state(&mut r)?;
        r.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suzuki_yoshida_weights_sum_to_one() {
        for order in [1, 3, 5, 7] {
            let w = suzuki_yoshida_weights(order).unwrap();
            assert_eq!(w.len(), order);
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "order {order}");
        }
        assert!(suzuki_yoshida_weights(2).is_none());
    }

    #[test]
    fn rejects_bad_options() {
        assert!(NoseHooverChain::with_options(1.0, 0.1, 0, 1, 1).is_err());
        assert!(NoseHooverChain::with_options(1.0, 0.1, 3, 0, 1).is_err());
        assert!(NoseHooverChain::with_options(1.0, 0.1, 3, 1, 4).is_err());
        assert!(NoseHooverChain::with_options(-1.0, 0.1, 3, 1, 1).is_err());
        assert!(NoseHooverChain::with_options(1.0, 0.0, 3, 1, 1).is_err());
    }
}
