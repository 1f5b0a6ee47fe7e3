//! FIRE 2.0 (Guénolé et al., Comput. Mater. Sci. 175, 109584, 2020), LAMMPS `min_style fire`.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{RunError, Simulation};

use super::{
    MinParameters, MinResult, Minimizer, StopCriterion, energy_converged, evaluate,
    stop_before_iteration,
};

/// FIRE 2.0 with semi-implicit Euler steps, LAMMPS's defaults (`min_modify integrator
/// eulerimplicit tmax 10 tmin 0.02 delaystep 20 dtgrow 1.1 dtshrink 0.5 alpha0 0.25
/// alphashrink 0.99 halfstepback yes`).
///
/// Each iteration: if `P = F.v > 0` for more than `delaystep` iterations in a row the
/// timestep grows and the mixing `alpha` shrinks; if `P <= 0` the atoms step half a step
/// back, velocities are zeroed, `alpha` is reset and (after `delaystep` iterations) the
/// timestep shrinks. Then `v += dt F/m`, `v <- (1 - alpha) v + alpha |v| F/|F|`, the
/// timestep is limited so that no atom moves more than `dmax`, and `x += dt v`.
/// Velocities of the system are used as FIRE's velocities and zeroed at the start.
#[derive(Debug, Clone, Copy)]
pub struct Fire {
    /// Initial timestep (time units; LAMMPS uses the run's timestep).
    pub dt: f64,
    /// Largest timestep as a multiple of `dt` (`tmax`).
    pub tmax: f64,
    /// Smallest timestep as a multiple of `dt` (`tmin`).
    pub tmin: f64,
    /// Iterations with `P > 0` before the timestep may grow (`delaystep`).
    pub delaystep: u64,
    /// Timestep growth factor (`dtgrow`).
    pub dtgrow: f64,
    /// Timestep shrink factor (`dtshrink`).
    pub dtshrink: f64,
    /// Initial mixing parameter (`alpha0`).
    pub alpha0: f64,
    /// Mixing shrink factor (`alphashrink`).
    pub alphashrink: f64,
}

impl Fire {
    /// FIRE 2.0 with LAMMPS's defaults and initial timestep `dt`.
    pub fn new(dt: f64) -> Self {
        Fire {
            dt,
            tmax: 10.0,
            tmin: 0.02,
            delaystep: 20,
            dtgrow: 1.1,
            dtshrink: 0.5,
            alpha0: 0.25,
            alphashrink: 0.99,
        }
    }
}

impl Minimizer for Fire {
    fn minimize(
        &mut self,
        sim: &mut Simulation,
        params: &MinParameters,
    ) -> Result<MinResult, RunError> {
        if params.box_pressure.is_some() {
            return Err(RunError::Integrator {
                step: sim.current_step(),
                integrator: "fire".into(),
                message: "FIRE does not relax the box; use ConjugateGradient (min_style cg)".into(),
            });
        }
        let ftm2v = sim.units.constants().ftm2v;
        let mut evals = 0;
        let mut state = evaluate(sim, params, &mut evals)?;
        let initial_energy = state.energy;
        let mut previous_energy = state.energy;
        let n = sim.system.len();
        let mut v = vec![Vector3::zeros(); n];
        let (mut dt, mut alpha) = (self.dt, self.alpha0);
        let mut positive_steps = 0;
        let mut iterations = 0;
        let stop = loop {
            if let Some(stop) = stop_before_iteration(&state, iterations, evals, params) {
                break stop;
            }
            iterations += 1;
            let power: f64 = state.forces.iter().zip(&v).map(|(f, v)| f.dot(v)).sum();
            if power > 0.0 {
                positive_steps += 1;
                if positive_steps > self.delaystep {
                    dt = (dt * self.dtgrow).min(self.tmax * self.dt);
                    alpha *= self.alphashrink;
                }
            } else {
                positive_steps = 0;
                if iterations > self.delaystep {
                    dt = (dt * self.dtshrink).max(self.tmin * self.dt);
                    alpha = self.alpha0;
                }
                for (x, v) in sim.system.positions.iter_mut().zip(&v) {
                    *x -= v * (0.5 * dt);
                }
                v.iter_mut().for_each(|v| *v = Vector3::zeros());
            }
            for ((v, f), &m) in v.iter_mut().zip(&state.forces).zip(&sim.system.masses) {
                *v += f * (dt * ftm2v / m);
            }
            let vnorm = v.iter().map(|v| v.norm_squared()).sum::<f64>().sqrt();
            let fnorm = state.norm2();
            if power > 0.0 && fnorm > 0.0 {
                for (v, f) in v.iter_mut().zip(&state.forces) {
                    *v = *v * (1.0 - alpha) + f * (alpha * vnorm / fnorm);
                }
            }
            let vmax = v.iter().fold(0.0, |m: f64, v| m.max(v.norm()));
            let step = if vmax * dt > params.dmax {
                params.dmax / vmax
            } else {
                dt
            };
            for (x, v) in sim.system.positions.iter_mut().zip(&v) {
                *x += v * step;
            }
            previous_energy = state.energy;
            state = evaluate(sim, params, &mut evals)?;
            if iterations > self.delaystep
                && energy_converged(params.etol, state.energy, previous_energy)
            {
                break StopCriterion::EnergyTolerance;
            }
        };
        Ok(MinResult {
            stop,
            iterations,
            evaluations: evals,
            initial_energy,
            next_to_last_energy: previous_energy,
            final_energy: state.energy,
            fnorm2: state.norm2(),
            fnorm_inf: state.norm_inf(),
        })
    }
}
