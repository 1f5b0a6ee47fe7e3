//! Polak-Ribière conjugate gradients with a safeguarded secant line search (LAMMPS
//! `min_style cg`).

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{RunError, Simulation};

use super::{
    MinParameters, MinResult, Minimizer, State, StopCriterion, apply_move, energy_converged,
    evaluate, stop_before_iteration,
};

/// Line-search evaluations before giving up on a direction.
const MAX_LINE_EVALS: usize = 30;
/// Accept a step once the directional derivative has dropped to this fraction of its
/// initial magnitude (a strong Wolfe condition) with the energy not above the start.
const CURVATURE: f64 = 0.1;
/// Relative energy rise tolerated as rounding when the forces say the step went downhill.
const ENERGY_ROUNDING: f64 = 1e-12;

/// Polak-Ribière (PR+) conjugate gradients: search directions `h = F + beta h_prev` with
/// `beta = max(0, F.(F - F_prev) / F_prev.F_prev)`, reset to steepest descent every
/// `n_dof` iterations or when `h` is not a descent direction. The line search starts at
/// the step that moves the farthest atom (or the cell) by `dmax` and refines it by secant
/// steps on the directional derivative `-F.h`, bracketed and bisected when needed, until
/// that derivative has dropped to 0.1 of its initial value with the energy lowered (or
/// raised by no more than 1e-12 relative, which is rounding). It
/// uses forces rather than energy differences, so it converges to the force precision
/// (needed for tight `ftol`), where a pure energy search stalls at `sqrt(eps)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConjugateGradient;

impl ConjugateGradient {
    /// A new conjugate-gradient minimizer.
    pub fn new() -> Self {
        ConjugateGradient
    }
}

fn max_displacement(sim: &Simulation, hx: &[Vector3<f64>], hb: &[f64]) -> f64 {
    let atoms = hx.iter().fold(0.0, |m: f64, d| m.max(d.norm()));
    let cell = sim.system.cell.matrix().norm();
    atoms.max(hb.iter().fold(0.0, |m: f64, b| m.max(b.abs())) * cell)
}

impl Minimizer for ConjugateGradient {
    fn minimize(
        &mut self,
        sim: &mut Simulation,
        params: &MinParameters,
    ) -> Result<MinResult, RunError> {
        let mut evals = 0;
        let mut state = evaluate(sim, params, &mut evals)?;
        let initial_energy = state.energy;
        let mut previous_energy = state.energy;
        let n_dof = 3 * sim.system.len() + state.box_force.len();
        let mut hx = state.forces.clone();
        let mut hb = state.box_force.clone();
        let mut iterations = 0;
        let stop = loop {
            if let Some(stop) = stop_before_iteration(&state, iterations, evals, params) {
                break stop;
            }
            iterations += 1;
            let mut g0 = -state.dot(&hx, &hb);
            if g0 >= 0.0 {
                hx.clone_from(&state.forces);
                hb.clone_from(&state.box_force);
                g0 = -state.dot(&hx, &hb);
            }
            let Some(new_state) = line_search(sim, params, &state, &hx, &hb, g0, &mut evals)?
            else {
                break StopCriterion::LinesearchAlphaZero;
            };
            previous_energy = state.energy;
            let ff_old = state.dot(&state.forces, &state.box_force);
            let old = std::mem::replace(&mut state, new_state);
            if energy_converged(params.etol, state.energy, previous_energy) {
                break StopCriterion::EnergyTolerance;
            }
            let ff = state.dot(&state.forces, &state.box_force);
            let f_fold = state.dot(&old.forces, &old.box_force);
            let beta = if (iterations as usize).is_multiple_of(n_dof.max(1)) {
                0.0
            } else {
                ((ff - f_fold) / ff_old).max(0.0)
            };
            for (h, f) in hx.iter_mut().zip(&state.forces) {
                *h = f + *h * beta;
            }
            for (h, f) in hb.iter_mut().zip(&state.box_force) {
                *h = f + *h * beta;
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

/// Searches along `(hx, hb)` from `start` (directional derivative `g0 < 0`). Returns the
/// accepted state with the system there, or `None` with the system back at `start` if no
/// lower energy was found.
fn line_search(
    sim: &mut Simulation,
    params: &MinParameters,
    start: &State,
    hx: &[Vector3<f64>],
    hb: &[f64],
    g0: f64,
    evals: &mut u64,
) -> Result<Option<State>, RunError> {
    let reach = max_displacement(sim, hx, hb);
    if reach == 0.0 || g0 >= 0.0 {
        return Ok(None);
    }
    let alpha_max = params.dmax / reach;
    // bracket [lo, hi] of the zero of g(alpha) = -F(alpha).h
    let (mut lo, mut g_lo) = (0.0, g0);
    let mut hi: Option<(f64, f64)> = None;
    let mut current = 0.0;
    let mut alpha = alpha_max;
    let mut best: Option<(f64, State)> = None;
    for _ in 0..MAX_LINE_EVALS {
        if *evals >= params.maxeval {
            break;
        }
        apply_move(sim, hx, hb, current, alpha);
        current = alpha;
        let s = evaluate(sim, params, evals)?;
        let g = -s.dot(hx, hb);
        // near convergence energy changes fall below rounding: allow that much
        let lowered = s.energy <= start.energy + ENERGY_ROUNDING * (start.energy.abs() + 1.0);
        if lowered && best.as_ref().is_none_or(|(_, b)| s.energy < b.energy) {
            best = Some((alpha, s.clone()));
        }
        if lowered && g.abs() <= CURVATURE * g0.abs() {
            return Ok(Some(s));
        }
        if g < 0.0 && lowered {
            if alpha >= alpha_max && hi.is_none() {
                // the derivative is still negative at the largest allowed step
                return Ok(Some(s));
            }
            (lo, g_lo) = (alpha, g);
        } else {
            hi = Some((alpha, g));
        }
        // next trial: secant between the bracket ends, bisection if it falls outside
        alpha = match hi {
            Some((a_hi, g_hi)) => {
                let secant = lo - g_lo * (a_hi - lo) / (g_hi - g_lo);
                let (a, b) = (lo.min(a_hi), lo.max(a_hi));
                if secant.is_finite() && secant > a + 0.01 * (b - a) && secant < b - 0.01 * (b - a)
                {
                    secant
                } else {
                    0.5 * (lo + a_hi)
                }
            }
            None => alpha_max,
        };
    }
    match best {
        Some((a, s)) if a > 0.0 => {
            apply_move(sim, hx, hb, current, a);
            // forces in the system must belong to the returned state
            let s2 = evaluate(sim, params, evals)?;
            Ok(Some(if s2.energy.is_finite() { s2 } else { s }))
        }
        _ => {
            apply_move(sim, hx, hb, current, 0.0);
            evaluate(sim, params, evals)?;
            Ok(None)
        }
    }
}
