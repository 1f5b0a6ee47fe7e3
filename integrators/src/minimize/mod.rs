//! Energy minimization with LAMMPS `minimize etol ftol maxiter maxeval` semantics:
//! [`ConjugateGradient`] (Polak-Ribière, `min_style cg`) and [`Fire`] (FIRE 2.0,
//! `min_style fire`), optionally with an isotropic box degree of freedom (an equivalent
//! of `fix box/relax iso P` for [`ConjugateGradient`]).

mod cg;
mod fire;

pub use cg::ConjugateGradient;
pub use fire::Fire;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{RunError, Simulation};

use crate::barostat::dilate;

/// LAMMPS's `EPS_ENERGY`: keeps the relative energy test meaningful near zero energy.
const EPS_ENERGY: f64 = 1e-8;

/// Stopping criteria and step limits (LAMMPS `minimize etol ftol maxiter maxeval` and
/// `min_modify dmax`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinParameters {
    /// Stop when the energy change between iterations is below `etol` relative to the
    /// energy: `|E_k - E_{k-1}| < etol (|E_k| + |E_{k-1}| + 1e-8) / 2` (0 disables).
    pub etol: f64,
    /// Stop when the 2-norm of the global force vector (all atoms, plus the box force if
    /// the box relaxes) is below `ftol` (force units; 0 disables).
    pub ftol: f64,
    /// Maximum number of iterations.
    pub maxiter: u64,
    /// Maximum number of force evaluations.
    pub maxeval: u64,
    /// Largest distance any atom moves in one line-search step or FIRE step (distance
    /// units; LAMMPS `min_modify dmax`, default 0.1).
    pub dmax: f64,
    /// Relax the cell isotropically towards this external pressure (pressure units), as
    /// LAMMPS `fix box/relax iso P`: the log of the cell scale is one more degree of
    /// freedom with generalized force `tr W - d P V / nktv2p`. Supported by
    /// [`ConjugateGradient`] only.
    pub box_pressure: Option<f64>,
}

impl MinParameters {
    /// `minimize etol ftol maxiter maxeval` with LAMMPS's default `dmax` 0.1 and a fixed box.
    pub fn new(etol: f64, ftol: f64, maxiter: u64, maxeval: u64) -> Self {
        MinParameters {
            etol,
            ftol,
            maxiter,
            maxeval,
            dmax: 0.1,
            box_pressure: None,
        }
    }
}

/// Why a minimization stopped (LAMMPS's "Stopping criterion = ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopCriterion {
    /// The relative energy change fell below `etol`.
    EnergyTolerance,
    /// The force norm fell below `ftol`.
    ForceTolerance,
    /// `maxiter` iterations were done.
    MaxIterations,
    /// `maxeval` force evaluations were done.
    MaxEvaluations,
    /// The line search found no lower energy along the search direction.
    LinesearchAlphaZero,
    /// The forces are exactly zero.
    ForcesZero,
}

impl StopCriterion {
    /// LAMMPS's wording, e.g. `"energy tolerance"`.
    pub fn lammps_name(self) -> &'static str {
        match self {
            StopCriterion::EnergyTolerance => "energy tolerance",
            StopCriterion::ForceTolerance => "force tolerance",
            StopCriterion::MaxIterations => "max iterations",
            StopCriterion::MaxEvaluations => "max force evaluations",
            StopCriterion::LinesearchAlphaZero => "linesearch alpha is zero",
            StopCriterion::ForcesZero => "forces are zero",
        }
    }
}

impl std::fmt::Display for StopCriterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.lammps_name())
    }
}

/// What a minimization reports (LAMMPS's "Minimization stats").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinResult {
    /// Why it stopped.
    pub stop: StopCriterion,
    /// Iterations done.
    pub iterations: u64,
    /// Force evaluations done (the initial one included).
    pub evaluations: u64,
    /// Energy before the first iteration.
    pub initial_energy: f64,
    /// Energy of the previous-to-last iteration.
    pub next_to_last_energy: f64,
    /// Final energy.
    pub final_energy: f64,
    /// Final 2-norm of the force vector.
    pub fnorm2: f64,
    /// Final largest force component.
    pub fnorm_inf: f64,
}

/// An energy minimizer (LAMMPS `min_style`).
pub trait Minimizer {
    /// Minimizes the energy of `sim`'s system in place; velocities are left untouched
    /// (LAMMPS zeroes nothing either), forces and energies are those of the final state.
    fn minimize(
        &mut self,
        sim: &mut Simulation,
        params: &MinParameters,
    ) -> Result<MinResult, RunError>;
}

/// A point of the search space: atom forces plus the optional box force, with energy.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) energy: f64,
    pub(crate) forces: Vec<Vector3<f64>>,
    pub(crate) box_force: f64,
}

impl State {
    pub(crate) fn dot(&self, fx: &[Vector3<f64>], fb: f64) -> f64 {
        self.forces
            .iter()
            .zip(fx)
            .map(|(a, b)| a.dot(b))
            .sum::<f64>()
            + self.box_force * fb
    }

    pub(crate) fn norm2(&self) -> f64 {
        self.dot(&self.forces, self.box_force).sqrt()
    }

    pub(crate) fn norm_inf(&self) -> f64 {
        self.forces
            .iter()
            .flat_map(|f| f.iter().copied())
            .chain(std::iter::once(self.box_force))
            .fold(0.0, |m: f64, x| m.max(x.abs()))
    }
}

/// The stopping tests LAMMPS makes before each iteration: force tolerance, zero forces,
/// iteration and evaluation limits.
pub(crate) fn stop_before_iteration(
    state: &State,
    iterations: u64,
    evals: u64,
    params: &MinParameters,
) -> Option<StopCriterion> {
    if params.ftol > 0.0 && state.norm2() < params.ftol {
        Some(StopCriterion::ForceTolerance)
    } else if state.norm_inf() == 0.0 {
        Some(StopCriterion::ForcesZero)
    } else if iterations >= params.maxiter {
        Some(StopCriterion::MaxIterations)
    } else if evals >= params.maxeval {
        Some(StopCriterion::MaxEvaluations)
    } else {
        None
    }
}

/// Evaluates energy and forces; with a box degree of freedom the energy is the enthalpy
/// `E + P V / nktv2p` and the box force `tr W - d P V / nktv2p`.
pub(crate) fn evaluate(
    sim: &mut Simulation,
    params: &MinParameters,
    evaluations: &mut u64,
) -> Result<State, RunError> {
    let ev = sim.evaluate()?;
    *evaluations += 1;
    let mut state = State {
        energy: ev.energy,
        forces: sim.system.forces.clone(),
        box_force: 0.0,
    };
    if let Some(p) = params.box_pressure {
        let dims = sim.system.dimension;
        let nktv2p = sim.units.constants().nktv2p;
        let vol = sim.system.volume();
        let trace: f64 = ev.virial[..dims].iter().sum();
        state.energy += p * vol / nktv2p;
        state.box_force = trace - dims as f64 * p * vol / nktv2p;
    }
    Ok(state)
}

/// Moves atoms by `step * dx` and then scales the cell (with the atoms, about its centre)
/// by `exp(step * db)` along the periodic dimensions. [`undo_move`] with the same
/// arguments is its exact inverse (up to rounding). Moves are incremental, so neighbor
/// rebuilds that wrap atoms between moves do no harm.
pub(crate) fn apply_move(sim: &mut Simulation, dx: &[Vector3<f64>], db: f64, step: f64) {
    for (x, d) in sim.system.positions.iter_mut().zip(dx) {
        *x += d * step;
    }
    if db != 0.0 {
        let factors = box_factors(sim.system.dimension, (step * db).exp());
        dilate(&mut sim.system, factors);
    }
}

/// The inverse of [`apply_move`].
pub(crate) fn undo_move(sim: &mut Simulation, dx: &[Vector3<f64>], db: f64, step: f64) {
    if db != 0.0 {
        let factors = box_factors(sim.system.dimension, (-step * db).exp());
        dilate(&mut sim.system, factors);
    }
    for (x, d) in sim.system.positions.iter_mut().zip(dx) {
        *x -= d * step;
    }
}

fn box_factors(dims: usize, s: f64) -> [f64; 3] {
    std::array::from_fn(|a| if a < dims { s } else { 1.0 })
}

/// LAMMPS's energy-tolerance test.
pub(crate) fn energy_converged(etol: f64, e_new: f64, e_old: f64) -> bool {
    etol > 0.0 && (e_new - e_old).abs() < etol * 0.5 * (e_new.abs() + e_old.abs() + EPS_ENERGY)
}
