//! Running a deck on the GPU path: thermo sums at the thermo interval and the atoms at
//! the trajectory interval go to the CPU driver's observer; the atoms stay on the
//! device in between.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use ferromd_core::neighbor::NeighborStats;
use ferromd_core::simulation::{RunObserver, RunSummary, SectionTimes};
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

/// A deck set up on the device, ready to run: the atoms stay on the device and are read
/// back only at the steps an observer wants them.
pub struct GpuDeckRun {
    sim: GpuSimulation,
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
    /// thermo or trajectory interval, or the last step.
    fn next_stop(&self, step: u64) -> u64 {
        [self.thermo_every, self.dump_every]
            .into_iter()
            .filter(|&every| every > 0)
            .map(|every| (step / every + 1) * every)
            .fold(self.last, u64::min)
    }

    /// Runs the deck's steps as the CPU path's `Simulation::run` reports them: thermo
    /// samples (device sums) to `observer` at the first and last step and every thermo
    /// interval, and at the stops where [`RunObserver::wants_energy`] says so (asked at
    /// the first step, the thermo and trajectory intervals and the last step) the atoms
    /// read back with the energy and virial to [`RunObserver::energy_step`].
    pub fn run(&mut self, observer: &mut dyn RunObserver) -> Result<RunSummary, GpuError> {
        let started = Instant::now();
        let first = self.sim.step();
        self.report(true, observer)?;
        while self.sim.step() < self.last {
            let next = self.next_stop(self.sim.step());
            self.sim.advance(next - self.sim.step())?;
            let thermo_now = next == self.last
                || (self.thermo_every > 0 && next.is_multiple_of(self.thermo_every));
            self.report(thermo_now, observer)?;
        }
        let stats = self.sim.stats();
        Ok(RunSummary {
            steps: self.last - first,
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
    fn report(&mut self, thermo_now: bool, observer: &mut dyn RunObserver) -> Result<(), GpuError> {
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
