//! Runs a deck: thermo table on an output stream, optional progress bar, LAMMPS-style
//! summary; `[output]` files (extended XYZ trajectory, thermo file in LAMMPS, CSV or JSON
//! lines format), checkpoints every N steps, resuming from a checkpoint, and a clean stop
//! with a checkpoint when asked to (Ctrl-C).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Seek, SeekFrom, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ferromd_core::checkpoint::{Checkpoint, CheckpointError};
use ferromd_core::io::extxyz::{ExtXyzFrame, stress_from_virial};
use ferromd_core::observables::saved::SavedState;
use ferromd_core::potential::Virial;
use ferromd_core::simulation::{RunObserver, RunSummary};
use ferromd_core::thermo::{ThermoSample, ThermoTable, format_g};
use ferromd_core::{RunError, Simulation, System, UnitSystem};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use ferromd_potentials::model_deviation::atom_deviations;
use ferromd_potentials::{CommitteeRecord, ModelDeviation};

use crate::committee_output::{
    in_id_order, model_devi_header, model_devi_line, uncertain_frame_text,
};
use crate::deck::{Backend, Deck, DeckError, ModelDeviationFile, OutputPlan, ThermoFormat};
use crate::observable_files::ObservableFiles;

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
    /// An observable could not be measured or its file written.
    #[error("{0}")]
    Observable(String),
    /// A checkpoint could not be written, read or used.
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
    /// The GPU path cannot run the deck (no adapter, unsupported style, no `gpu` feature).
    #[error("GPU backend: {0}")]
    Gpu(String),
    /// The run was stopped on request (a signal) after writing a checkpoint.
    #[error(
        "interrupted after step {step}; checkpoint written to {checkpoint}\n  \
         resume with: ferromd run {deck} --resume {checkpoint}"
    )]
    Interrupted {
        /// The last completed step.
        step: u64,
        /// The checkpoint written.
        checkpoint: PathBuf,
        /// The deck.
        deck: PathBuf,
    },
}

/// Options of a run started from the command line.
#[derive(Debug, Clone, Default)]
pub struct DriverOptions {
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Checkpoint file (default for interrupts: the deck's name with `.ckpt`, in the
    /// working directory). Written every `checkpoint_every` steps and at the end.
    pub checkpoint: Option<PathBuf>,
    /// Write a checkpoint every this many steps (0: only at the end and on interrupts).
    pub checkpoint_every: u64,
    /// Continue from this checkpoint instead of starting at step 0.
    pub resume: Option<PathBuf>,
    /// Run on the GPU path whatever the deck's `backend` says (CLI `--gpu`).
    pub gpu: bool,
    /// When set (e.g. by a SIGINT handler), the run finishes its current step, writes a
    /// checkpoint, flushes every output and stops with [`DriverError::Interrupted`].
    pub stop: Option<Arc<AtomicBool>>,
}

/// The checkpoint file used when none is given: `DECK_STEM.ckpt` in the working directory.
pub fn default_checkpoint(deck: &Path) -> PathBuf {
    let stem = deck
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ferromd".into());
    PathBuf::from(format!("{stem}.ckpt"))
}

/// Keys of [`Checkpoint::extra`] under which the lengths of the output files are kept.
const TRAJECTORY_KEY: &str = "output.trajectory.bytes";
const THERMO_KEY: &str = "output.thermo_file.bytes";
const UNCERTAIN_KEY: &str = "output.uncertain_frames.bytes";
const MODEL_DEVIATION_KEY: &str = "output.model_deviation.bytes";

/// An output file that is flushed at every write and knows its length.
struct OutputFile {
    path: PathBuf,
    w: BufWriter<File>,
    len: u64,
}

impl OutputFile {
    /// Creates (truncates) `path`, or, when resuming, cuts it back to `keep` bytes (its
    /// length when the checkpoint was written) and appends.
    fn open(path: &Path, keep: Option<u64>) -> io::Result<Self> {
        let annotate = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let (file, len) = match keep {
            None => (File::create(path).map_err(annotate)?, 0),
            Some(len) => {
                let mut f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(path)
                    .map_err(annotate)?;
                let have = f.metadata().map_err(annotate)?.len();
                if have < len {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "{}: the checkpoint expects {len} bytes of output but the file has {have}",
                            path.display()
                        ),
                    ));
                }
                f.set_len(len).map_err(annotate)?;
                f.seek(SeekFrom::End(0)).map_err(annotate)?;
                (f, len)
            }
        };
        Ok(OutputFile {
            path: path.to_path_buf(),
            w: BufWriter::new(file),
            len,
        })
    }

    fn write(&mut self, text: &str) -> io::Result<()> {
        self.w
            .write_all(text.as_bytes())
            .and_then(|_| self.w.flush())
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))?;
        self.len += text.len() as u64;
        Ok(())
    }
}

/// A number with all its digits (shortest round trip), `null`-able for JSON.
fn full(x: f64, json: bool) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else if json {
        "null".into()
    } else {
        format!("{x}")
    }
}

const CSV_COLUMNS: [&str; 8] = [
    "step",
    "temp",
    "pe",
    "ke",
    "etotal",
    "press",
    "vol",
    "econserve",
];

/// Thermo-file columns a committee potential adds: the largest and the mean atomic force
/// deviation across the members (screen labels `ForceDevMax`, `ForceDevMean`).
const COMMITTEE_COLUMNS: [(&str, &str); 2] = [
    ("force_dev_max", "ForceDevMax"),
    ("force_dev_mean", "ForceDevMean"),
];

fn csv_values(s: &ThermoSample) -> [f64; 7] {
    [
        s.temp,
        s.pe,
        s.ke,
        s.etotal(),
        s.press,
        s.vol,
        s.econserve(),
    ]
}

/// Loads the deck at `path` and runs it, writing thermo output to `out`.
pub fn run_deck(
    path: &Path,
    out: &mut dyn Write,
    options: DriverOptions,
) -> Result<RunSummary, DriverError> {
    let deck = Deck::load(path)?;
    let committee = deck.committee.clone();
    let units = deck.units;
    let output = deck.output.clone();
    let mut observables = ObservableFiles::new(&deck.observables, deck.params.dt);
    let (steps, thermo_every) = (deck.steps, deck.thermo_every);
    writeln!(
        out,
        "ferromd {} — deck {} ({} atoms, {} units, {} threads)",
        env!("CARGO_PKG_VERSION"),
        path.display(),
        deck.system.len(),
        units,
        rayon::current_num_threads()
    )?;
    if options.gpu || deck.backend == Backend::Gpu {
        return run_on_gpu(deck, out, &options, path);
    }
    let (mut sim, resumed) = match &options.resume {
        None => (deck.into_simulation()?.0, None),
        Some(file) => {
            let (sim, ck_extra, saved) = resume(deck, file)?;
            observables
                .restore(&saved)
                .map_err(|e| CheckpointError::general(e).in_file(file))?;
            writeln!(
                out,
                "resuming from {} at step {}",
                file.display(),
                sim.current_step()
            )?;
            (sim, Some(ck_extra))
        }
    };
    let first = sim.current_step();
    writeln!(
        out,
        "potential {} (cutoff {}), integrator {}, timestep {}, skin {}",
        sim.potential().name(),
        sim.potential().cutoff(),
        sim.integrator().name(),
        sim.params.dt,
        sim.params.neighbor.skin
    )?;
    let remaining = steps - first;
    let checkpoint_path = options
        .checkpoint
        .clone()
        .unwrap_or_else(|| default_checkpoint(path));
    let mut observer = open_writer(
        out,
        RunOutputs {
            units,
            dt: sim.params.dt,
            atoms: sim.system.len(),
            first,
            last: steps,
            thermo_every,
            resumed,
            checkpoint: checkpoint_path.clone(),
            options: &options,
        },
        output,
        committee,
        observables,
    )?;
    let result = sim.run(remaining, thermo_every, &mut observer);
    observer.progress.finish_and_clear();
    observer.outcome(path)?;
    let summary = result?;
    if options.checkpoint.is_some() {
        observer.checkpoint(&sim).write(&checkpoint_path)?;
    }
    let out = observer.out;
    write_summary(out, &summary, units, sim.params.dt)?;
    out.flush()?;
    Ok(summary)
}

/// What a run's [`ThermoWriter`] needs to know besides its outputs.
struct RunOutputs<'o> {
    units: UnitSystem,
    dt: f64,
    atoms: usize,
    /// The step the run starts from, and the last step.
    first: u64,
    last: u64,
    thermo_every: u64,
    /// The extra entries (output-file lengths) of the checkpoint the run resumes from.
    resumed: Option<Vec<(String, u64)>>,
    checkpoint: PathBuf,
    options: &'o DriverOptions,
}

/// Writes the thermo header to `out`, opens the `[output]` files (cut back to the
/// checkpoint's lengths when resuming) with their headers, and returns the observer that
/// writes them; both the CPU and the GPU path report through it.
fn open_writer<'a>(
    out: &'a mut dyn Write,
    run: RunOutputs<'_>,
    output: OutputPlan,
    committee: Option<Arc<CommitteeRecord>>,
    observables: ObservableFiles,
) -> Result<ThermoWriter<'a>, DriverError> {
    let RunOutputs {
        units,
        dt,
        atoms,
        first,
        last,
        thermo_every,
        resumed,
        checkpoint,
        options,
    } = run;
    let table = ThermoTable::one(units == UnitSystem::Lj);
    let mut header = table.header();
    let mut csv_header = CSV_COLUMNS.join(",");
    if committee.is_some() {
        for (csv, screen) in COMMITTEE_COLUMNS {
            header.push_str(screen);
            header.push(' ');
            csv_header.push(',');
            csv_header.push_str(csv);
        }
    }
    writeln!(out, "{header}")?;
    out.flush()?;
    let keep = |key: &str| -> Result<Option<u64>, DriverError> {
        match &resumed {
            None => Ok(None),
            Some(extra) => Ok(Some(
                extra
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|e| e.1)
                    .ok_or_else(|| {
                        CheckpointError::general(format!(
                            "the checkpoint does not record the output file of `{key}`; \
                         it was written by a run with other [output] settings"
                        ))
                    })?,
            )),
        }
    };
    let trajectory = match &output.trajectory {
        Some(p) => Some(OutputFile::open(p, keep(TRAJECTORY_KEY)?)?),
        None => None,
    };
    let mut thermo_file = match &output.thermo_file {
        Some(p) => Some(OutputFile::open(p, keep(THERMO_KEY)?)?),
        None => None,
    };
    let model_deviation = match &output.model_deviation {
        Some(m) => {
            let mut f = OutputFile::open(&m.path, keep(MODEL_DEVIATION_KEY)?)?;
            if resumed.is_none() {
                f.write(&model_devi_header())?;
            }
            Some((f, m.clone()))
        }
        None => None,
    };
    let uncertain = match &output.uncertain {
        Some(u) => Some((
            OutputFile::open(&u.path, keep(UNCERTAIN_KEY)?)?,
            u.threshold,
        )),
        None => None,
    };
    if let Some(f) = &mut thermo_file
        && resumed.is_none()
    {
        match output.thermo_format {
            ThermoFormat::Lammps => f.write(&format!("{header}\n"))?,
            ThermoFormat::Csv => f.write(&format!("{csv_header}\n"))?,
            ThermoFormat::Jsonl => {}
        }
    }
    let progress = make_progress(last - first, atoms, options.progress);
    Ok(ThermoWriter {
        out,
        table,
        error: None,
        progress,
        atoms,
        started: Instant::now(),
        per_day: if units == UnitSystem::Lj {
            (dt * 86400.0, "tau/day")
        } else {
            (dt * units.constants().time_to_fs * 1e-6 * 86400.0, "ns/day")
        },
        output,
        trajectory,
        thermo_file,
        committee,
        uncertain,
        model_deviation,
        first,
        last,
        resumed: resumed.is_some(),
        checkpoint,
        checkpoint_every: if options.checkpoint.is_some() {
            options.checkpoint_every
        } else {
            0
        },
        stop: options.stop.clone(),
        interrupted: None,
        observables,
        thermo_every,
    })
}

/// Runs `deck` on the GPU path: thermo on screen and the `[output]` files through the
/// CPU path's [`ThermoWriter`], then the performance summary.
#[cfg(feature = "gpu")]
fn run_on_gpu(
    mut deck: Deck,
    out: &mut dyn Write,
    options: &DriverOptions,
    path: &Path,
) -> Result<RunSummary, DriverError> {
    let gpu = |e: ferromd_gpu::GpuError| DriverError::Gpu(e.to_string());
    let (units, dt, last, thermo_every) =
        (deck.units, deck.params.dt, deck.steps, deck.thermo_every);
    let atoms = deck.system.len();
    let resumed = match &options.resume {
        None => None,
        Some(file) => {
            let ck = read_checkpoint(&deck, file)?;
            ck.check_kinds(
                deck.potential.name(),
                deck.potential.cutoff(),
                deck.integrator.name(),
            )
            .map_err(|e| e.in_file(file))?;
            writeln!(out, "resuming from {} at step {}", file.display(), ck.step)?;
            deck.system = ck.system.clone();
            Some(ck)
        }
    };
    let output = deck.output.clone();
    let committee = deck.committee.clone();
    let observables = ObservableFiles::new(&deck.observables, dt);
    let mut run = crate::gpu::prepare_deck_on_gpu(deck, out).map_err(gpu)?;
    if let Some(ck) = &resumed {
        run.continue_from(ck).map_err(gpu)?;
    }
    let checkpoint_path = options
        .checkpoint
        .clone()
        .unwrap_or_else(|| default_checkpoint(path));
    let run_outputs = RunOutputs {
        units,
        dt,
        atoms,
        first: resumed.as_ref().map_or(0, |ck| ck.step),
        last,
        thermo_every,
        resumed: resumed.map(|ck| ck.extra),
        checkpoint: checkpoint_path.clone(),
        // the bar counts steps, which the GPU path does not report one by one
        options: &DriverOptions {
            progress: false,
            ..options.clone()
        },
    };
    let mut observer = open_writer(out, run_outputs, output, committee, observables)?;
    let result = run.run(&mut observer);
    observer.outcome(path)?;
    let summary = result.map_err(gpu)?;
    if options.checkpoint.is_some() {
        let ck = run.checkpoint().map_err(gpu)?;
        observer.with_outputs(ck).write(&checkpoint_path)?;
    }
    let out = observer.out;
    run.write_stats(out).map_err(gpu)?;
    write_summary(out, &summary, units, dt)?;
    out.flush()?;
    Ok(summary)
}

/// Without the `gpu` feature the GPU path is a clear error.
#[cfg(not(feature = "gpu"))]
fn run_on_gpu(
    _deck: Deck,
    _out: &mut dyn Write,
    _options: &DriverOptions,
    _path: &Path,
) -> Result<RunSummary, DriverError> {
    Err(DriverError::Gpu(
        "this ferromd was built without the `gpu` feature; rebuild with `cargo build --release --features gpu`".into(),
    ))
}

/// The simulation of `deck` continued from the checkpoint `file`, the checkpoint's extra
/// entries and its observable states.
type Resumed = (Simulation, Vec<(String, u64)>, Vec<(String, SavedState)>);

fn resume(deck: Deck, file: &Path) -> Result<Resumed, DriverError> {
    let mut ck = read_checkpoint(&deck, file)?;
    let extra = ck.extra.clone();
    let saved = std::mem::take(&mut ck.observables);
    let sim = Simulation::from_checkpoint(ck, deck.potential, deck.integrator)
        .map_err(|e| e.in_file(file))?;
    Ok((sim, extra, saved))
}

/// Reads the checkpoint `file` and checks that `deck` can continue it: same units,
/// timestep and neighbor settings, atom count, and a step within the deck's run.
fn read_checkpoint(deck: &Deck, file: &Path) -> Result<Checkpoint, DriverError> {
    let ck = Checkpoint::read(file)?;
    let mismatch = |what: &str, ck: String, deck_value: String| -> DriverError {
        CheckpointError::general(format!(
            "the checkpoint was written with {what} {ck}, the deck has {deck_value}; \
             resume with the deck that wrote it"
        ))
        .in_file(file)
        .into()
    };
    if ck.units != deck.units {
        return Err(mismatch(
            "units",
            ck.units.to_string(),
            deck.units.to_string(),
        ));
    }
    if ck.params != deck.params {
        return Err(mismatch(
            "timestep and neighbor settings",
            format!("{:?}", ck.params),
            format!("{:?}", deck.params),
        ));
    }
    if ck.system.len() != deck.system.len() {
        return Err(mismatch(
            "atom count",
            ck.system.len().to_string(),
            deck.system.len().to_string(),
        ));
    }
    if ck.step > deck.steps {
        return Err(CheckpointError::general(format!(
            "the checkpoint is at step {}, past the deck's {} steps",
            ck.step, deck.steps
        ))
        .into());
    }
    Ok(ck)
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

/// Writes thermo lines and output files as they come, flushing each so no output is lost;
/// writes checkpoints and stops on request.
struct ThermoWriter<'a> {
    out: &'a mut dyn Write,
    table: ThermoTable,
    error: Option<DriverError>,
    progress: ProgressBar,
    atoms: usize,
    started: Instant,
    /// Simulated time per day for one step per second, and its unit (`ns/day`, `tau/day`).
    per_day: (f64, &'static str),
    output: OutputPlan,
    trajectory: Option<OutputFile>,
    thermo_file: Option<OutputFile>,
    /// The record of a committee potential (its deviations become thermo columns).
    committee: Option<Arc<CommitteeRecord>>,
    /// Where frames whose largest force deviation exceeds the threshold go.
    uncertain: Option<(OutputFile, f64)>,
    /// DeePMD-kit's `model_devi.out` and its settings (interval, relative, atomic).
    model_deviation: Option<(OutputFile, ModelDeviationFile)>,
    /// The step the run starts from, and the last step.
    first: u64,
    last: u64,
    /// Continuing from a checkpoint: the outputs already hold the starting step.
    resumed: bool,
    checkpoint: PathBuf,
    checkpoint_every: u64,
    stop: Option<Arc<AtomicBool>>,
    interrupted: Option<u64>,
    /// `[[observables]]`, whose averages travel in the checkpoints.
    observables: ObservableFiles,
    /// The thermo interval, at which the observables' files are rewritten (0: only at
    /// the first and last step and at checkpoints).
    thermo_every: u64,
}

impl ThermoWriter<'_> {
    /// True at the steps that get a trajectory frame.
    fn trajectory_due(&self, step: u64) -> bool {
        self.trajectory.is_some()
            && (step == self.last
                || step == self.first
                || (self.output.every > 0 && step.is_multiple_of(self.output.every)))
    }

    fn fail(&mut self, e: impl Into<DriverError>) {
        if self.error.is_none() {
            self.error = Some(e.into());
        }
    }

    /// The checkpoint's record of the output files.
    fn extra(&self) -> Vec<(String, u64)> {
        let mut v = Vec::new();
        if let Some(t) = &self.trajectory {
            v.push((TRAJECTORY_KEY.to_string(), t.len));
        }
        if let Some(t) = &self.thermo_file {
            v.push((THERMO_KEY.to_string(), t.len));
        }
        if let Some((u, _)) = &self.uncertain {
            v.push((UNCERTAIN_KEY.to_string(), u.len));
        }
        if let Some((m, _)) = &self.model_deviation {
            v.push((MODEL_DEVIATION_KEY.to_string(), m.len));
        }
        v
    }

    /// Rewrites the observables' files with their averages so far.
    fn write_observables(&mut self) {
        if self.error.is_none()
            && let Err(e) = self.observables.write_files()
        {
            self.fail(DriverError::Observable(e));
        }
    }

    /// The checkpoint of `sim` with the output-file lengths and the observables' state.
    fn checkpoint(&self, sim: &Simulation) -> Checkpoint {
        self.with_outputs(sim.checkpoint(Vec::new()))
    }

    /// `ck` with the output-file lengths and the observables' state.
    fn with_outputs(&self, mut ck: Checkpoint) -> Checkpoint {
        ck.extra = self.extra();
        ck.observables = self.observables.save();
        ck
    }

    /// The error the outputs met, or the stop on request (naming the checkpoint and
    /// the `deck` to resume), once the run is over.
    fn outcome(&mut self, deck: &Path) -> Result<(), DriverError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(step) = self.interrupted {
            self.out.flush()?;
            return Err(DriverError::Interrupted {
                step,
                checkpoint: self.checkpoint.clone(),
                deck: deck.to_path_buf(),
            });
        }
        Ok(())
    }

    /// True when a stop was requested (Ctrl-C).
    fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst))
    }

    /// True when a checkpoint is due after `step`: at the interval or on a stop request.
    fn checkpoint_due(&self, step: u64) -> bool {
        self.stop_requested()
            || (self.checkpoint_every > 0 && step.is_multiple_of(self.checkpoint_every))
    }

    /// After `step`: when a checkpoint is due, brings the observables' files up to date
    /// and writes the checkpoint `make` builds; on a stop request, stops (`Break`).
    fn checkpoint_step(
        &mut self,
        step: u64,
        make: impl FnOnce(&Self) -> Checkpoint,
    ) -> ControlFlow<()> {
        let stop = self.stop_requested();
        if self.checkpoint_due(step) && self.error.is_none() {
            // every output is flushed at each write, so the recorded lengths are on disk;
            // the observables' files are brought up to the averages the checkpoint holds
            self.write_observables();
            if self.error.is_some() {
                return ControlFlow::Break(());
            }
            if let Err(e) = make(self).write(&self.checkpoint) {
                self.fail(e);
                return ControlFlow::Break(());
            }
        }
        if stop {
            self.interrupted = Some(step);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// The committee columns' values now (NaN when the committee has not evaluated, as
    /// right after resuming from a checkpoint); empty without a committee.
    fn committee_values(&self) -> Vec<f64> {
        let Some(record) = &self.committee else {
            return Vec::new();
        };
        let d = record.deviation();
        vec![
            d.map_or(f64::NAN, |d| d.max),
            d.map_or(f64::NAN, |d| d.mean),
        ]
    }

    /// Writes the current frame to the uncertain-frames file if the committee's largest
    /// force deviation exceeds the threshold.
    fn record_uncertain(&mut self, step: u64, system: &System) -> io::Result<()> {
        let (Some((file, threshold)), Some(record)) = (&mut self.uncertain, &self.committee) else {
            return Ok(());
        };
        match uncertain_frame_text(step, system, record, *threshold)? {
            Some(text) => file.write(&text),
            None => Ok(()),
        }
    }

    /// True at the steps that get a `model_devi.out` line: the multiples of the interval
    /// (as `pair_style deepmd`'s `out_freq`), or the first and last step for 0.
    fn model_deviation_due(&self, step: u64) -> bool {
        self.model_deviation
            .as_ref()
            .is_some_and(|(_, m)| match m.every {
                0 => step == self.first || step == self.last,
                n => step.is_multiple_of(n),
            })
    }

    /// Writes the `model_devi.out` line of the latest evaluation, at `step`.
    fn write_model_deviation(&mut self, step: u64, system: &System) -> io::Result<()> {
        let (Some((file, m)), Some(record)) = (&mut self.model_deviation, &self.committee) else {
            return Ok(());
        };
        let line = record
            .with_members(|r| {
                let d = ModelDeviation::of(r, m.scale);
                let per_atom = m
                    .atomic
                    .then(|| in_id_order(system, &atom_deviations(r, m.scale)));
                model_devi_line(step, &d, per_atom.as_deref())
            })
            .ok_or_else(|| io::Error::other(format!("no committee evaluation at step {step}")))?;
        file.write(&line)
    }

    fn thermo_file_line(&mut self, sample: &ThermoSample) -> io::Result<()> {
        if self.thermo_file.is_none() {
            return Ok(());
        }
        let committee = self.committee_values();
        let line = match self.output.thermo_format {
            ThermoFormat::Lammps => screen_line(&self.table, sample, &committee),
            ThermoFormat::Csv => {
                let mut l = sample.step.to_string();
                for x in csv_values(sample).into_iter().chain(committee) {
                    l.push(',');
                    l.push_str(&full(x, false));
                }
                l
            }
            ThermoFormat::Jsonl => {
                let mut l = format!("{{\"step\":{}", sample.step);
                let names = CSV_COLUMNS[1..]
                    .iter()
                    .chain(COMMITTEE_COLUMNS.iter().map(|(csv, _)| csv));
                let values = csv_values(sample).into_iter().chain(committee);
                for (k, x) in names.zip(values) {
                    l.push_str(&format!(",\"{k}\":{}", full(x, true)));
                }
                l.push('}');
                l
            }
        };
        let Some(f) = &mut self.thermo_file else {
            return Ok(());
        };
        f.write(&format!("{line}\n"))
    }
}

impl RunObserver for ThermoWriter<'_> {
    fn thermo(&mut self, sample: &ThermoSample) {
        if self.error.is_some() {
            return;
        }
        let line = screen_line(&self.table, sample, &self.committee_values());
        let r = self
            .progress
            .suspend(|| writeln!(self.out, "{line}").and_then(|_| self.out.flush()));
        if let Err(e) = r {
            return self.fail(e);
        }
        // a resumed run's first row is already in the thermo file
        if !(self.resumed && sample.step == self.first)
            && let Err(e) = self.thermo_file_line(sample)
        {
            self.fail(e);
        }
    }

    fn wants_energy(&self, step: u64) -> bool {
        self.trajectory_due(step) || self.model_deviation_due(step)
    }

    fn energy_step(&mut self, step: u64, energy: f64, virial: &Virial, system: &System) {
        if self.error.is_some() || (self.resumed && step == self.first) {
            return;
        }
        if self.model_deviation_due(step)
            && let Err(e) = self.write_model_deviation(step, system)
        {
            return self.fail(e);
        }
        if !self.trajectory_due(step) {
            return;
        }
        let Some(t) = &mut self.trajectory else {
            return;
        };
        let mut frame = ExtXyzFrame::from_system(system, true, true);
        frame.energy = Some(energy);
        frame.stress = Some(stress_from_virial(virial, system.volume()));
        frame.info.push(("step".into(), step.to_string()));
        let mut buf = Vec::new();
        let r = frame
            .write(&mut buf)
            .and_then(|_| t.write(&String::from_utf8_lossy(&buf)));
        if let Err(e) = r {
            self.fail(e);
        }
    }

    fn run_started(&mut self, step: u64, system: &System) {
        // a resumed run's first step was sampled before the checkpoint was written
        if self.resumed {
            return;
        }
        if let Err(e) = self.observables.sample(step, system) {
            self.fail(DriverError::Observable(e));
        }
        self.write_observables();
        // a resumed run's first frame is already in the file (and not re-evaluated)
        if !self.resumed
            && let Err(e) = self.record_uncertain(step, system)
        {
            self.fail(e);
        }
    }

    fn step_done(&mut self, step: u64, system: &System) -> ControlFlow<()> {
        if self.error.is_none()
            && let Err(e) = self.record_uncertain(step, system)
        {
            self.fail(e);
        }
        if !self.observables.is_empty()
            && self.error.is_none()
            && let Err(e) = self.observables.sample(step, system)
        {
            self.fail(DriverError::Observable(e));
        }
        let thermo_step = self.thermo_every > 0 && step.is_multiple_of(self.thermo_every);
        if !self.observables.is_empty() && (thermo_step || step == self.last) {
            self.write_observables();
        }
        if !self.progress.is_hidden() {
            self.progress.inc(1);
            if step.is_multiple_of(10) {
                let steps_per_s = self.progress.position() as f64
                    / self.started.elapsed().as_secs_f64().max(1e-9);
                let rate = self.atoms as f64 * steps_per_s;
                let (per_day, unit) = self.per_day;
                self.progress.set_message(format!(
                    "{} atom-steps/s, {} {unit}",
                    format_g(rate, 3),
                    format_g(steps_per_s * per_day, 4)
                ));
            }
        }
        if self.error.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn simulation_step_done(&mut self, sim: &Simulation) -> ControlFlow<()> {
        self.checkpoint_step(sim.current_step(), |w| w.checkpoint(sim))
    }
}

#[cfg(feature = "gpu")]
impl crate::gpu::GpuDeckObserver for ThermoWriter<'_> {
    fn checkpoint_every(&self) -> u64 {
        self.checkpoint_every
    }

    fn checkpoint_due(&self, step: u64) -> bool {
        ThermoWriter::checkpoint_due(self, step)
    }

    fn write_checkpoint(&mut self, step: u64, ck: Checkpoint) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        self.checkpoint_step(step, |w| w.with_outputs(ck))
    }
}

/// A screen thermo line: the table's columns, then the committee's (if any).
fn screen_line(table: &ThermoTable, sample: &ThermoSample, committee: &[f64]) -> String {
    let mut line = table.line(sample);
    for x in committee {
        line.push_str(&format!("{:>12} ", format_g(*x, 8)));
    }
    line
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
