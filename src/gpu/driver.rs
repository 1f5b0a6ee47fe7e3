//! Running a deck on the GPU path: thermo sums at the thermo interval and the atoms at
//! the trajectory interval go to the CPU driver's observer; the atoms stay on the
//! device in between.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use std::ops::ControlFlow;

use ferromd_core::UnitSystem;
use ferromd_core::checkpoint::Checkpoint;
use ferromd_core::neighbor::NeighborStats;
use ferromd_core::simulation::{IntegrationParameters, RunObserver, RunSummary, SectionTimes};
use ferromd_gpu::{GpuContext, GpuError, GpuPotential, GpuRunSettings, GpuSimulation};

use super::convert::{device_thermostat, eam_tables, lj_table, morse_table};
use crate::deck::{Deck, DevicePotential};

/// The GPU form of a deck's potential, or why there is none.
pub fn device_potential(p: &DevicePotential) -> Result<GpuPotential, GpuError> {
    match p {
        DevicePotential::LjCut { builder, shift } => {
            Ok(GpuPotential::Pair(lj_table(builder, *shift)?))
        }
        DevicePotential::Morse {
            n_types,
            pairs,
            shift,
        } => Ok(GpuPotential::Pair(morse_table(*n_types, pairs, *shift)?)),
        DevicePotential::Eam(t) => Ok(GpuPotential::Eam(eam_tables(t))),
        DevicePotential::Unsupported(name) => Err(GpuError::Unsupported(format!(
            "potential style `{name}` has no GPU implementation (GPU styles: lj/cut, morse, eam, eam/alloy, eam/fs)"
        ))),
    }
}

/// Checks that the deck's outputs and options are available on the GPU path (the
/// thermo file and the trajectory are; per-step measurements are not).
fn check_supported(deck: &Deck) -> Result<(), GpuError> {
    let o = &deck.output;
    let unsupported = [
        (!deck.observables.is_empty(), "[[observables]]"),
        (o.uncertain.is_some(), "[output] uncertain_frames"),
        (o.model_deviation.is_some(), "[output] model_deviation"),
    ];
    if let Some((_, key)) = unsupported.iter().find(|(set, _)| *set) {
        return Err(GpuError::Unsupported(format!(
            "{key} is not computed by the GPU path yet; remove it or use backend = \"cpu\""
        )));
    }
    Ok(())
}

/// Steps between two looks at a stop request (Ctrl-C) during a GPU run: one queue
/// submission of the default settings.
const STOP_CHECK_STEPS: u64 = 100;

/// The driver's side of a GPU deck run besides the [`RunObserver`] callbacks: the
/// checkpoints (at an interval or on request) and stopping on request.
pub trait GpuDeckObserver: RunObserver {
    /// The checkpoint interval in steps (0: only on request).
    fn checkpoint_every(&self) -> u64;
    /// True when a checkpoint is due after `step` (interval, or a stop was requested).
    fn checkpoint_due(&self, step: u64) -> bool;
    /// Completes (output-file lengths) and writes the checkpoint `ck` of `step`;
    /// `Break` stops the run (a stop request, or an error the observer keeps).
    fn write_checkpoint(&mut self, step: u64, ck: Checkpoint) -> ControlFlow<()>;
}

/// A deck set up on the device, ready to run: the atoms stay on the device and are read
/// back only at the steps an observer wants them.
pub struct GpuDeckRun {
    sim: GpuSimulation,
    /// What a checkpoint records of the deck (the CPU path's names, so either path
    /// continues it).
    units: UnitSystem,
    params: IntegrationParameters,
    potential_name: String,
    potential_cutoff: f64,
    integrator_name: String,
    /// The deck's last step.
    last: u64,
    /// Thermo interval (0: the first and last step only).
    thermo_every: u64,
    /// Trajectory interval when the deck writes a trajectory (else 0).
    dump_every: u64,
}

/// Sets `deck` up on the GPU and writes a line naming the adapter and the run's settings
/// to `out`.
pub fn prepare_deck_on_gpu(deck: Deck, out: &mut dyn Write) -> Result<GpuDeckRun, GpuError> {
    let thermostat = device_thermostat(&deck.device_integrator)?;
    check_supported(&deck)?;
    let potential = device_potential(&deck.device_potential)?;
    let ctx = Arc::new(GpuContext::new()?);
    writeln!(
        out,
        "GPU backend: {}; potential {} (cutoff {}), integrator {}, timestep {}, skin {}",
        ctx.description(),
        deck.potential.name(),
        potential.cutoff(),
        thermostat.name(),
        deck.params.dt,
        deck.params.neighbor.skin
    )
    .map_err(io_error)?;
    let mut settings =
        GpuRunSettings::new(deck.params.dt, deck.params.neighbor, deck.units.constants());
    settings.thermostat = thermostat;
    let mut sim = GpuSimulation::new(ctx, deck.system, &potential, settings)?;
    sim.set_thermostat_span(0, deck.steps);
    Ok(GpuDeckRun {
        sim,
        units: deck.units,
        params: deck.params,
        potential_name: deck.potential.name().to_string(),
        potential_cutoff: deck.potential.cutoff(),
        integrator_name: deck.integrator.name().to_string(),
        last: deck.steps,
        thermo_every: deck.thermo_every,
        dump_every: if deck.output.trajectory.is_some() {
            deck.output.every
        } else {
            0
        },
    })
}

fn io_error(e: std::io::Error) -> GpuError {
    GpuError::Readback(format!("cannot write output: {e}"))
}

impl GpuDeckRun {
    /// The next step after `step` at which the run stops on the host: a multiple of the
    /// thermo, trajectory or checkpoint interval, at most [`STOP_CHECK_STEPS`] later, or
    /// the last step.
    fn next_stop(&self, step: u64, checkpoint_every: u64) -> u64 {
        [self.thermo_every, self.dump_every, checkpoint_every]
            .into_iter()
            .filter(|&every| every > 0)
            .map(|every| (step / every + 1) * every)
            .fold(self.last.min(step + STOP_CHECK_STEPS), u64::min)
    }

    /// Continues the run of checkpoint `ck` (whose atoms the deck was set up with): its
    /// step numbering and its thermostat state.
    pub fn continue_from(&mut self, ck: &Checkpoint) -> Result<(), GpuError> {
        self.sim.set_step(ck.step);
        self.sim.set_thermostat_state(&ck.integrator_state)
    }

    /// The checkpoint of the current step in the CPU path's format: the atoms read back
    /// (forces of the last evaluation), the energy and virial at this step, the
    /// thermostat state read back from the device; no neighbor-list record (a resumed
    /// run builds its list afresh), no output-file lengths (the driver adds them).
    pub fn checkpoint(&mut self) -> Result<Checkpoint, GpuError> {
        let (sample, virial) = self.sim.thermo_and_virial()?;
        let integrator_state = self.sim.thermostat_state()?;
        let system = self.sim.download()?.clone();
        Ok(Checkpoint {
            step: self.sim.step(),
            units: self.units,
            params: self.params,
            system,
            energy: Some(sample.pe),
            virial: Some(virial),
            neighbor: None,
            integrator_name: self.integrator_name.clone(),
            integrator_state,
            potential_name: self.potential_name.clone(),
            potential_cutoff: self.potential_cutoff,
            extra: Vec::new(),
            observables: Vec::new(),
        })
    }

    /// Runs the deck's steps from the current one as the CPU path's `Simulation::run`
    /// reports them: thermo samples (device sums) to `observer` at the first and last
    /// step and every thermo interval; at the stops where [`RunObserver::wants_energy`]
    /// says so (asked at the first step, the thermo and trajectory intervals and the
    /// last step) the atoms read back with the energy and virial to
    /// [`RunObserver::energy_step`]; checkpoints when [`GpuDeckObserver::checkpoint_due`]
    /// (looked at every 100 steps at most), stopping when the observer
    /// says so.
    pub fn run(&mut self, observer: &mut dyn GpuDeckObserver) -> Result<RunSummary, GpuError> {
        let started = Instant::now();
        let first = self.sim.step();
        let checkpoint_every = observer.checkpoint_every();
        self.report(true, observer)?;
        while self.sim.step() < self.last {
            let next = self.next_stop(self.sim.step(), checkpoint_every);
            self.sim.advance(next - self.sim.step())?;
            let thermo_now = next == self.last
                || (self.thermo_every > 0 && next.is_multiple_of(self.thermo_every));
            self.report(thermo_now, observer)?;
            if observer.checkpoint_due(next) {
                let ck = self.checkpoint()?;
                if observer.write_checkpoint(next, ck).is_break() {
                    break;
                }
            }
        }
        let stats = self.sim.stats();
        Ok(RunSummary {
            steps: self.sim.step() - first,
            elapsed: started.elapsed(),
            neighbor: NeighborStats {
                builds: stats.builds,
                dangerous: 0,
            },
            atoms: self.sim.host_system().len(),
            sections: SectionTimes::default(),
        })
    }

    /// Hands the current step's thermo sample and, when wanted, its atoms to `observer`.
    fn report(
        &mut self,
        thermo_now: bool,
        observer: &mut dyn GpuDeckObserver,
    ) -> Result<(), GpuError> {
        let step = self.sim.step();
        let energy_now = observer.wants_energy(step);
        if !thermo_now && !energy_now {
            return Ok(());
        }
        let (sample, virial) = self.sim.thermo_and_virial()?;
        if thermo_now {
            observer.thermo(&sample);
        }
        if energy_now {
            let system = self.sim.download()?;
            observer.energy_step(step, sample.pe, &virial, system);
        }
        Ok(())
    }

    /// Writes the device neighbor lists' statistics to `out`.
    pub fn write_stats(&self, out: &mut dyn Write) -> Result<(), GpuError> {
        let stats = self.sim.stats();
        writeln!(
            out,
            "GPU neighbor lists: {} builds, {} regrowths (capacity {} neighbors, {} per bin, {} list buffers)",
            stats.builds, stats.regrowths, stats.neighbor_capacity, stats.bin_capacity, stats.list_chunks
        )
        .map_err(io_error)
    }
}
