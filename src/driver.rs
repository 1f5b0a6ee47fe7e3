//! Runs a deck: thermo table on an output stream, optional progress bar, LAMMPS-style summary.

use std::io::{self, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use ferromd_core::simulation::{RunObserver, RunSummary};
use ferromd_core::thermo::{ThermoSample, ThermoTable, format_g};
use ferromd_core::{RunError, System, UnitSystem};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::deck::{Deck, DeckError};

/// Why a deck run failed.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The deck is invalid.
    #[error("{0}")]
    Deck(#[from] DeckError),
    /// The simulation stopped with an error.
    #[error("{0}")]
    Run(#[from] RunError),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
}

/// Options of a run started from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverOptions {
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// Loads the deck at `path` and runs it, writing thermo output to `out`.
pub fn run_deck(
    path: &Path,
    out: &mut dyn Write,
    options: DriverOptions,
) -> Result<RunSummary, DriverError> {
    let deck = Deck::load(path)?;
    let units = deck.units;
    writeln!(
        out,
        "ferromd {} — deck {} ({} atoms, {} units, {} threads)",
        env!("CARGO_PKG_VERSION"),
        path.display(),
        deck.system.len(),
        units,
        rayon::current_num_threads()
    )?;
    let (mut sim, plan) = deck.into_simulation()?;
    writeln!(
        out,
        "potential {} (cutoff {}), integrator {}, timestep {}, skin {}",
        sim.potential().name(),
        sim.potential().cutoff(),
        sim.integrator().name(),
        sim.params.dt,
        sim.params.neighbor.skin
    )?;
    let table = ThermoTable::one(units == UnitSystem::Lj);
    writeln!(out, "{}", table.header())?;
    out.flush()?;
    let progress = make_progress(plan.steps, sim.system.len(), options.progress);
    let mut observer = ThermoWriter {
        out,
        table,
        error: None,
        progress,
        atoms: sim.system.len(),
        started: Instant::now(),
    };
    let result = sim.run(plan.steps, plan.thermo_every, &mut observer);
    observer.progress.finish_and_clear();
    if let Some(e) = observer.error.take() {
        return Err(e.into());
    }
    let summary = result?;
    let out = observer.out;
    write_summary(out, &summary, units, sim.params.dt)?;
    out.flush()?;
    Ok(summary)
}

fn make_progress(steps: u64, atoms: usize, wanted: bool) -> ProgressBar {
    if !wanted || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} steps  {msg}  ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(format!("{atoms} atoms"));
    bar
}

/// Writes thermo lines as they come, flushing each so no output is lost.
struct ThermoWriter<'a> {
    out: &'a mut dyn Write,
    table: ThermoTable,
    error: Option<io::Error>,
    progress: ProgressBar,
    atoms: usize,
    started: Instant,
}

impl RunObserver for ThermoWriter<'_> {
    fn thermo(&mut self, sample: &ThermoSample) {
        if self.error.is_some() {
            return;
        }
        let line = self.table.line(sample);
        let r = self
            .progress
            .suspend(|| writeln!(self.out, "{line}").and_then(|_| self.out.flush()));
        if let Err(e) = r {
            self.error = Some(e);
        }
    }

    fn step_done(&mut self, step: u64, _system: &System) -> ControlFlow<()> {
        if !self.progress.is_hidden() {
            self.progress.inc(1);
            if step.is_multiple_of(10) {
                let rate = self.atoms as f64 * self.progress.position() as f64
                    / self.started.elapsed().as_secs_f64().max(1e-9);
                self.progress
                    .set_message(format!("{} atom-steps/s", format_g(rate, 3)));
            }
        }
        if self.error.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

fn write_summary(
    out: &mut dyn Write,
    s: &RunSummary,
    units: UnitSystem,
    dt: f64,
) -> io::Result<()> {
    let secs = s.elapsed.as_secs_f64().max(1e-12);
    writeln!(
        out,
        "Loop time of {} on {} threads for {} steps with {} atoms\n",
        format_g(secs, 6),
        rayon::current_num_threads(),
        s.steps,
        s.atoms
    )?;
    let steps_per_s = s.steps as f64 / secs;
    let per_day = steps_per_s * dt * Duration::from_secs(86400).as_secs_f64();
    let rate = match units {
        UnitSystem::Lj => format!("{} tau/day", format_g(per_day, 6)),
        _ => {
            let ns_per_day = per_day * units.constants().time_to_fs * 1e-6;
            format!(
                "{} ns/day, {} hours/ns",
                format_g(ns_per_day, 6),
                format_g(24.0 / ns_per_day, 6)
            )
        }
    };
    writeln!(
        out,
        "Performance: {rate}, {} timesteps/s, {} atom-step/s",
        format_g(steps_per_s, 6),
        format_g(s.atom_steps_per_second(), 6)
    )?;
    writeln!(out, "Neighbor list builds = {}", s.neighbor.builds)?;
    writeln!(out, "Dangerous builds = {}", s.neighbor.dangerous)
}
