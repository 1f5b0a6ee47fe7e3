//! The simulation loop: velocity-Verlet-shaped steps with neighbor updates and thermo output.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::error::RunError;
use crate::evaluation::evaluate_forces;
use crate::integrator::{Integrator, StepContext};
use crate::neighbor::{NeighborSettings, NeighborStats, Neighbors};
use crate::potential::{ForceOutput, ForceRequest, Potential};
use crate::system::System;
use crate::thermo::ThermoSample;
use crate::units::UnitSystem;

/// Every tunable of the time stepping in one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntegrationParameters {
    /// Timestep in the unit system's time unit.
    pub dt: f64,
    /// Neighbor-list skin and rebuild policy.
    pub neighbor: NeighborSettings,
}

impl IntegrationParameters {
    /// The unit system's default timestep and skin with LAMMPS's default rebuild policy.
    pub fn defaults_for(units: UnitSystem) -> Self {
        let c = units.constants();
        IntegrationParameters {
            dt: c.default_timestep,
            neighbor: NeighborSettings::with_skin(c.default_skin),
        }
    }
}

/// Receives what a run produces. All methods have do-nothing defaults.
pub trait RunObserver {
    /// Called with the thermodynamic state at every thermo step (and at the first and last step).
    fn thermo(&mut self, _sample: &ThermoSample) {}

    /// Like [`RunObserver::thermo`], with the atoms at hand; by default forwards to `thermo`.
    fn thermo_with_system(&mut self, sample: &ThermoSample, _system: &System) {
        self.thermo(sample);
    }

    /// Called once before the first step, with the initial state (e.g. for step-0 dumps).
    fn run_started(&mut self, _step: u64, _system: &System) {}

    /// Called after every completed step; return `Break` to stop the run cleanly.
    fn step_done(&mut self, _step: u64, _system: &System) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// True if the observer wants the energy and virial computed at `step` (besides the
    /// thermo steps), e.g. for trajectory frames with energies; they are then handed to
    /// [`RunObserver::energy_step`]. Asked for the first step of a run too.
    fn wants_energy(&self, _step: u64) -> bool {
        false
    }

    /// Called at the steps [`RunObserver::wants_energy`] asked for (including the step a
    /// run starts from), with the potential energy and virial of the forces now in
    /// `system.forces`.
    fn energy_step(
        &mut self,
        _step: u64,
        _energy: f64,
        _virial: &crate::potential::Virial,
        _system: &System,
    ) {
    }

    /// Called after [`RunObserver::step_done`] with the whole simulation, read-only (e.g.
    /// to write a [checkpoint](Simulation::checkpoint)); return `Break` to stop the run
    /// cleanly.
    fn simulation_step_done(&mut self, _simulation: &Simulation) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl RunObserver for Silent {}

/// Wall-clock time spent in each part of the loop (LAMMPS's timing breakdown).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SectionTimes {
    /// Force evaluation.
    pub pair: Duration,
    /// Neighbor-list builds and ghost refreshes.
    pub neigh: Duration,
    /// Integrators (LAMMPS's "Modify").
    pub modify: Duration,
    /// Observers: thermo and other output.
    pub output: Duration,
}

/// What a completed run reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSummary {
    /// Steps taken.
    pub steps: u64,
    /// Wall-clock time of the loop.
    pub elapsed: Duration,
    /// Neighbor-list builds during the run.
    pub neighbor: NeighborStats,
    /// Number of atoms.
    pub atoms: usize,
    /// Time per section of the loop.
    pub sections: SectionTimes,
}

impl RunSummary {
    /// Atom-steps per second.
    pub fn atom_steps_per_second(&self) -> f64 {
        self.atoms as f64 * self.steps as f64 / self.elapsed.as_secs_f64().max(1e-12)
    }
}

/// Potential energy and virial of one [`Simulation::evaluate`] call (forces are in
/// `system.forces`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Total potential energy.
    pub energy: f64,
    /// Virial `[xx, yy, zz, xy, xz, yz]` in energy units.
    pub virial: crate::potential::Virial,
}

/// A system with its potential, integrator, neighbor state and force buffers.
pub struct Simulation {
    /// The atoms and cell.
    pub system: System,
    /// The unit system.
    pub units: UnitSystem,
    /// Timestep and neighbor policy.
    pub params: IntegrationParameters,
    potential: Box<dyn Potential>,
    integrator: Box<dyn Integrator>,
    neighbors: Neighbors,
    forces: ForceOutput,
    step: u64,
    energy_at: Option<u64>,
    virial_at: Option<u64>,
    times: SectionTimes,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("atoms", &self.system.len())
            .field("units", &self.units)
            .field("potential", &self.potential.name())
            .field("integrator", &self.integrator.name())
            .field("step", &self.step)
            .finish()
    }
}

impl Simulation {
    /// Assembles a simulation and evaluates forces, energy and virial at the current step.
    pub fn new(
        system: System,
        units: UnitSystem,
        params: IntegrationParameters,
        potential: Box<dyn Potential>,
        integrator: Box<dyn Integrator>,
    ) -> Result<Self, RunError> {
        system.validate()?;
        let neighbors = Neighbors::new(params.neighbor, potential.cutoff(), potential.list_kind());
        let mut sim = Simulation {
            system,
            units,
            params,
            potential,
            integrator,
            neighbors,
            forces: ForceOutput::new(),
            step: 0,
            energy_at: None,
            virial_at: None,
            times: SectionTimes::default(),
        };
        sim.setup()?;
        Ok(sim)
    }

    /// Rebuilds neighbors and recomputes forces, energy and virial (after the
    /// system was changed by hand, or to start a run).
    pub fn setup(&mut self) -> Result<(), RunError> {
        self.neighbors.invalidate();
        self.update_neighbors()?;
        self.compute_forces(ForceRequest::ALL)
    }

    fn update_neighbors(&mut self) -> Result<bool, RunError> {
        self.neighbors
            .update(&mut self.system)
            .map_err(|source| RunError::Neighbor {
                step: self.step,
                source,
            })
    }

    fn compute_forces(&mut self, request: ForceRequest) -> Result<(), RunError> {
        evaluate_forces(
            &mut self.system,
            &self.neighbors,
            self.potential.as_ref(),
            request,
            &mut self.forces,
            self.step,
        )?;
        self.energy_at = request.energy.then_some(self.step);
        self.virial_at = request.virial.then_some(self.step);
        Ok(())
    }

    /// Ends the simulation and hands back its atoms.
    pub fn into_system(self) -> System {
        self.system
    }

    /// Ends the simulation and hands back its atoms and integrator (whose thermostat or
    /// barostat state can then carry over into the next run, as LAMMPS fixes do).
    pub fn into_system_and_integrator(self) -> (System, Box<dyn Integrator>) {
        (self.system, self.integrator)
    }

    /// The current step number.
    pub fn current_step(&self) -> u64 {
        self.step
    }

    /// Sets the step counter (LAMMPS `reset_timestep`).
    pub fn reset_step(&mut self, step: u64) {
        if self.energy_at == Some(self.step) {
            self.energy_at = Some(step);
        }
        if self.virial_at == Some(self.step) {
            self.virial_at = Some(step);
        }
        self.step = step;
    }

    /// The potential.
    pub fn potential(&self) -> &dyn Potential {
        self.potential.as_ref()
    }

    /// The integrator.
    pub fn integrator(&self) -> &dyn Integrator {
        self.integrator.as_ref()
    }

    /// Replaces the integrator (e.g. between runs).
    pub fn set_integrator(&mut self, integrator: Box<dyn Integrator>) {
        self.integrator = integrator;
    }

    /// The neighbor state (ghosts, list, build counters).
    pub fn neighbors(&self) -> &Neighbors {
        &self.neighbors
    }

    /// Outputs of the last force evaluation.
    pub fn last_forces(&self) -> &ForceOutput {
        &self.forces
    }

    /// The complete state now, for a checkpoint (see [`crate::checkpoint`]); `extra`
    /// pairs are stored with it for the caller, who adds its observables' states to
    /// [`Checkpoint::observables`].
    pub fn checkpoint(&self, extra: Vec<(String, u64)>) -> Checkpoint {
        Checkpoint {
            step: self.step,
            units: self.units,
            params: self.params,
            system: self.system.clone(),
            energy: (self.energy_at == Some(self.step)).then_some(self.forces.energy),
            virial: (self.virial_at == Some(self.step)).then_some(self.forces.virial),
            neighbor: self.neighbors.state(),
            integrator_name: self.integrator.name().to_string(),
            integrator_state: self.integrator.save_state(),
            potential_name: self.potential.name().to_string(),
            potential_cutoff: self.potential.cutoff(),
            extra,
            observables: Vec::new(),
        }
    }

    /// Continues from a checkpoint with a freshly built `potential` and `integrator` of
    /// the kinds it was written with (their names and the cutoff must match). Nothing is
    /// recomputed: the neighbor list is rebuilt from the positions of its last build, and
    /// forces, energy, virial and integrator state are restored, so the run goes on bit
    /// for bit as if it had never stopped.
    pub fn from_checkpoint(
        checkpoint: Checkpoint,
        potential: Box<dyn Potential>,
        mut integrator: Box<dyn Integrator>,
    ) -> Result<Self, CheckpointError> {
        let c = checkpoint;
        c.check_kinds(potential.name(), potential.cutoff(), integrator.name())?;
        integrator
            .load_state(&c.integrator_state)
            .map_err(CheckpointError::general)?;
        let mut neighbors =
            Neighbors::new(c.params.neighbor, potential.cutoff(), potential.list_kind());
        let mut forces = ForceOutput::new();
        forces.energy = c.energy.unwrap_or(0.0);
        forces.virial = c.virial.unwrap_or([0.0; 6]);
        let mut sim = Simulation {
            system: c.system,
            units: c.units,
            params: c.params,
            potential,
            integrator,
            neighbors: Neighbors::new(c.params.neighbor, 0.0, crate::ListKind::Half),
            forces,
            step: c.step,
            energy_at: c.energy.map(|_| c.step),
            virial_at: c.virial.map(|_| c.step),
            times: SectionTimes::default(),
        };
        match c.neighbor {
            Some(state) => {
                neighbors
                    .restore(&sim.system, state)
                    .map_err(|e| CheckpointError::general(format!("step {}: {e}", c.step)))?;
                sim.neighbors = neighbors;
            }
            None => {
                sim.neighbors = neighbors;
                sim.setup()
                    .map_err(|e| CheckpointError::general(e.to_string()))?;
            }
        }
        Ok(sim)
    }

    /// Advances one step, computing energy and virial too if `request` asks.
    ///
    /// If the integrator [needs the virial](Integrator::needs_virial), it is computed at
    /// every step and handed to both halves of the step in [`StepContext::virial`].
    pub fn step(&mut self, request: ForceRequest) -> Result<(), RunError> {
        let needs_virial = self.integrator.needs_virial();
        let request = ForceRequest {
            virial: request.virial || needs_virial,
            ..request
        };
        if needs_virial && self.virial_at != Some(self.step) {
            // e.g. a barostat set after a forces-only step: neighbors are current, so this
            // re-evaluation does not touch the rebuild schedule
            self.compute_forces(ForceRequest::ALL)?;
        }
        let mut ctx = StepContext {
            dt: self.params.dt,
            units: self.units.constants(),
            step: self.step + 1,
            virial: needs_virial.then_some(self.forces.virial),
        };
        let t0 = Instant::now();
        self.integrator.initial_integrate(&mut self.system, &ctx);
        self.step += 1;
        let t1 = Instant::now();
        self.update_neighbors()?;
        let t2 = Instant::now();
        self.compute_forces(request)?;
        let t3 = Instant::now();
        ctx.virial = needs_virial.then_some(self.forces.virial);
        self.integrator.final_integrate(&mut self.system, &ctx);
        let t4 = Instant::now();
        self.times.modify += (t1 - t0) + (t4 - t3);
        self.times.neigh += t2 - t1;
        self.times.pair += t3 - t2;
        Ok(())
    }

    /// Evaluates energy, forces (into `system.forces`) and virial for the current positions
    /// and cell without taking a step, for minimizers and other drivers that move atoms or
    /// change the cell by hand between evaluations.
    ///
    /// The neighbor list is rebuilt only if some atom (or, through a cell change, some
    /// ghost) may have moved more than half the skin since the last build, whatever the
    /// `every`/`delay` settings; otherwise ghost positions are refreshed. The rebuild
    /// schedule of the MD loop is not advanced. A rebuild wraps atoms into the cell, so
    /// callers should move atoms by increments rather than by assigning stored positions.
    pub fn evaluate(&mut self) -> Result<Evaluation, RunError> {
        self.neighbors
            .update_if_moved(&mut self.system)
            .map_err(|source| RunError::Neighbor {
                step: self.step,
                source,
            })?;
        self.compute_forces(ForceRequest::ALL)?;
        Ok(Evaluation {
            energy: self.forces.energy,
            virial: self.forces.virial,
        })
    }

    /// The thermodynamic state now, evaluating the energy first if the last
    /// force call did not.
    pub fn thermo(&mut self) -> Result<ThermoSample, RunError> {
        if self.energy_at != Some(self.step) {
            // neighbors are current for the current positions: re-evaluating must not
            // advance the rebuild schedule
            self.compute_forces(ForceRequest::ALL)?;
        }
        Ok(self.sample())
    }

    fn sample(&self) -> ThermoSample {
        ThermoSample::measure(
            &self.system,
            &self.units.constants(),
            self.step,
            self.forces.energy,
            &self.forces.virial,
            self.integrator.reservoir_energy(),
        )
    }

    /// Runs `n_steps`, reporting thermo every `thermo_every` steps (0 = first and last only).
    pub fn run(
        &mut self,
        n_steps: u64,
        thermo_every: u64,
        observer: &mut dyn RunObserver,
    ) -> Result<RunSummary, RunError> {
        let first = self.step;
        let last = first + n_steps;
        let builds_before = self.neighbors.stats();
        let units = self.units.constants();
        self.integrator
            .prepare_run(&self.system, &units, first, last)
            .map_err(|message| RunError::Integrator {
                step: first,
                integrator: self.integrator.name().to_string(),
                message,
            })?;
        let initial = self.thermo()?;
        observer.thermo_with_system(&initial, &self.system);
        observer.run_started(self.step, &self.system);
        if observer.wants_energy(self.step) {
            observer.energy_step(
                self.step,
                self.forces.energy,
                &self.forces.virial,
                &self.system,
            );
        }
        self.times = SectionTimes::default();
        let start = Instant::now();
        while self.step < last {
            let next = self.step + 1;
            let thermo_now =
                next == last || (thermo_every > 0 && next.is_multiple_of(thermo_every));
            let energy_now = observer.wants_energy(next);
            let request = if thermo_now || energy_now {
                ForceRequest::ALL
            } else {
                ForceRequest::FORCES
            };
            self.step(request)?;
            let t_out = Instant::now();
            if thermo_now {
                observer.thermo_with_system(&self.sample(), &self.system);
            }
            if energy_now {
                observer.energy_step(
                    self.step,
                    self.forces.energy,
                    &self.forces.virial,
                    &self.system,
                );
            }
            let stop = observer.step_done(self.step, &self.system).is_break()
                || observer.simulation_step_done(self).is_break();
            self.times.output += t_out.elapsed();
            if stop {
                return Err(RunError::Interrupted { step: self.step });
            }
        }
        let after = self.neighbors.stats();
        Ok(RunSummary {
            steps: n_steps,
            elapsed: start.elapsed(),
            neighbor: NeighborStats {
                builds: after.builds - builds_before.builds,
                dangerous: after.dangerous - builds_before.dangerous,
            },
            atoms: self.system.len(),
            sections: self.times,
        })
    }
}
