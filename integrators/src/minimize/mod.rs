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

use crate::barostat::{Coupling, dilate};

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
    /// Relax the cell towards this external pressure (pressure units), as LAMMPS `fix
    /// box/relax iso|aniso P`, with the coupling [`MinParameters::box_coupling`].
    /// Supported by [`ConjugateGradient`] only.
    pub box_pressure: Option<f64>,
    /// How the cell relaxes: [`Coupling::Iso`] (default) makes the log of the cell scale
    /// one more degree of freedom with generalized force `tr W - d P V / nktv2p`;
    /// [`Coupling::Aniso`] gives each periodic dimension `a` its own log scale with force
    /// `W_aa - P V / nktv2p`. [`Coupling::Tri`] is not supported.
    pub box_coupling: Coupling,
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
            box_coupling: Coupling::Iso,
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

/// A point of the search space: atom forces plus the box forces (none, one for iso, one
/// per periodic dimension for aniso), with energy.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) energy: f64,
    pub(crate) forces: Vec<Vector3<f64>>,
    pub(crate) box_force: Vec<f64>,
}

impl State {
    pub(crate) fn dot(&self, fx: &[Vector3<f64>], fb: &[f64]) -> f64 {
        self.forces
            .iter()
            .zip(fx)
            .map(|(a, b)| a.dot(b))
            .sum::<f64>()
            + self
                .box_force
                .iter()
                .zip(fb)
                .map(|(a, b)| a * b)
                .sum::<f64>()
    }

    pub(crate) fn norm2(&self) -> f64 {
        self.dot(&self.forces, &self.box_force).sqrt()
    }

    pub(crate) fn norm_inf(&self) -> f64 {
        self.forces
            .iter()
            .flat_map(|f| f.iter().copied())
            .chain(self.box_force.iter().copied())
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
        box_force: Vec::new(),
    };
    if let Some(p) = params.box_pressure {
        let dims = sim.system.dimension;
        let nktv2p = sim.units.constants().nktv2p;
        let pv = p * sim.system.volume() / nktv2p;
        state.energy += pv;
        state.box_force = match params.box_coupling {
            Coupling::Aniso => ev.virial[..dims].iter().map(|w| w - pv).collect(),
            _ => vec![ev.virial[..dims].iter().sum::<f64>() - dims as f64 * pv],
        };
    }
    Ok(state)
}

/// Moves the system along the search direction `(dx, db)` from the point `from` to the
/// point `to` of the line `x(alpha) = c + D(alpha) (x0 + alpha dx - c)`, `h(alpha) =
/// D(alpha) h0`, `D(alpha) = diag(exp(alpha db))` (scaling about the cell centre `c`): the
/// cell is scaled back to `alpha = 0`, the atoms moved by `(to - from) dx`, and the cell
/// scaled to `to`. Every point of the line is reached the same way whatever the earlier
/// trial steps (moving by increments and scaling in between would not commute), and
/// neighbor rebuilds that wrap atoms between moves do no harm.
pub(crate) fn apply_move(
    sim: &mut Simulation,
    dx: &[Vector3<f64>],
    db: &[f64],
    from: f64,
    to: f64,
) {
    let boxed = db.iter().any(|&b| b != 0.0);
    let dims = sim.system.dimension;
    if boxed && from != 0.0 {
        dilate(&mut sim.system, box_factors(dims, db, -from));
    }
    let step = to - from;
    for (x, d) in sim.system.positions.iter_mut().zip(dx) {
        *x += d * step;
    }
    if boxed && to != 0.0 {
        dilate(&mut sim.system, box_factors(dims, db, to));
    }
}

/// Scale factors `exp(step db)` per dimension: one box direction for all periodic
/// dimensions (iso) or one per dimension (aniso).
fn box_factors(dims: usize, db: &[f64], step: f64) -> [f64; 3] {
    std::array::from_fn(|a| {
        if a >= dims {
            1.0
        } else if db.len() == 1 {
            (step * db[0]).exp()
        } else {
            (step * db[a]).exp()
        }
    })
}

/// LAMMPS's energy-tolerance test.
pub(crate) fn energy_converged(etol: f64, e_new: f64, e_old: f64) -> bool {
    etol > 0.0 && (e_new - e_old).abs() < etol * 0.5 * (e_new.abs() + e_old.abs() + EPS_ENERGY)
}
