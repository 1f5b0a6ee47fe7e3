//! Samples a deck's `[[observables]]` during a run and keeps their files up to date.
//!
//! Samples only accumulate; [`ObservableFiles::write_files`] rewrites (through a temporary
//! file and a rename) the file of every observable sampled since its last write with the
//! average so far. The driver writes them at the first step, at thermo steps, before
//! every checkpoint and at the last step, so files are always complete and the cost of
//! formatting whole tables is paid per thermo interval, not per sample (dense sampling
//! of msd/vacf made small runs several times slower when every sample rewrote them).
//! The accumulated sums go into checkpoints ([`ObservableFiles::save`]), so a resumed run
//! continues the averages and rewrites the files exactly as an uninterrupted run would.
//!
//! * rdf: `# r g(A-B) N(A-B) ...`, one row per shell: `g(r)` averaged over the samples
//!   and the running coordination number.
//! * msd: `# lag_steps lag_time msd_x msd_y msd_z msd origins`, averaged over atoms and
//!   time origins.
//! * vacf: `# lag_steps lag_time vacf_x vacf_y vacf_z vacf origins`, likewise.

use std::io::Write;
use std::path::{Path, PathBuf};

use ferromd_core::System;
use ferromd_core::observables::ObservableError;
use ferromd_core::observables::correlation::{CorrelationKind, TimeCorrelation};
use ferromd_core::observables::rdf::Rdf;
use ferromd_core::observables::saved::SavedState;

use crate::deck::observables::{ObservableKind, ObservablePlan};

/// A number with all its digits (shortest round trip).
fn full(x: f64) -> String {
    format!("{x:?}")
}

/// Running state of one observable.
enum Accumulator {
    Rdf {
        rdf: Rdf,
        labels: Vec<String>,
        sum: Vec<Vec<f64>>,
        samples: u64,
    },
    Correlation {
        corr: TimeCorrelation,
        name: &'static str,
    },
}

struct Item {
    file: PathBuf,
    every: u64,
    start: u64,
    acc: Accumulator,
    /// The step of the latest sample not yet in the file.
    unwritten: Option<u64>,
}

/// The observables of one run.
pub struct ObservableFiles {
    items: Vec<Item>,
    dt: f64,
}

impl ObservableFiles {
    /// State for `plans` in a run with timestep `dt`.
    pub fn new(plans: &[ObservablePlan], dt: f64) -> Self {
        let items = plans
            .iter()
            .map(|p| {
                let acc = match &p.kind {
                    ObservableKind::Rdf { rdf, labels } => Accumulator::Rdf {
                        rdf: rdf.clone(),
                        labels: labels.clone(),
                        sum: Vec::new(),
                        samples: 0,
                    },
                    ObservableKind::Msd {
                        com,
                        window,
                        origins,
                    } => Accumulator::Correlation {
                        corr: TimeCorrelation::new(
                            CorrelationKind::Displacement { com: *com },
                            p.every,
                            *window,
                            *origins,
                        )
                        .expect("checked when the deck was read"),
                        name: "msd",
                    },
                    ObservableKind::Vacf { window, origins } => Accumulator::Correlation {
                        corr: TimeCorrelation::new(
                            CorrelationKind::Velocity,
                            p.every,
                            *window,
                            *origins,
                        )
                        .expect("checked when the deck was read"),
                        name: "vacf",
                    },
                };
                Item {
                    file: p.file.clone(),
                    every: p.every,
                    start: p.start,
                    acc,
                    unwritten: None,
                }
            })
            .collect();
        ObservableFiles { items, dt }
    }

    /// The checkpoint key of `item`: its kind and file.
    fn key(item: &Item) -> String {
        let kind = match &item.acc {
            Accumulator::Rdf { .. } => "rdf",
            Accumulator::Correlation { name, .. } => name,
        };
        format!("observable:{kind}:{}", item.file.display())
    }

    /// The accumulated state of every observable, keyed by its file, for a checkpoint.
    pub fn save(&self) -> Vec<(String, SavedState)> {
        self.items
            .iter()
            .map(|item| {
                let state = match &item.acc {
                    Accumulator::Rdf { sum, samples, .. } => {
                        let mut s = SavedState::default();
                        s.integers.push(*samples);
                        s.push_rows(sum);
                        s
                    }
                    Accumulator::Correlation { corr, .. } => corr.save_state(),
                };
                (Self::key(item), state)
            })
            .collect()
    }

    /// Continues the averages from a checkpoint's observable states; every observable of
    /// the deck must find its own (a checkpoint from other `[[observables]]`, or from a
    /// ferromd that did not save them, cannot continue the averages).
    pub fn restore(&mut self, saved: &[(String, SavedState)]) -> Result<(), String> {
        for item in &mut self.items {
            let key = Self::key(item);
            let state = saved.iter().find(|(k, _)| *k == key).map(|(_, s)| s);
            let Some(state) = state else {
                return Err(format!(
                    "the checkpoint holds no averages of the observable writing {} (it was \
                     written with other [[observables]] or by an older ferromd); resume with \
                     the deck that wrote it",
                    item.file.display()
                ));
            };
            let fail = |e: String| format!("{}: {e}", item.file.display());
            match &mut item.acc {
                Accumulator::Rdf {
                    rdf,
                    labels,
                    sum,
                    samples,
                } => {
                    let (n, restored) =
                        rdf_sums(state, 1 + 2 * labels.len()).map_err(|e| fail(e.to_string()))?;
                    if n > 0 && restored.len() != rdf.bins() {
                        return Err(fail(format!(
                            "the checkpoint holds {} rdf rows for {} bins",
                            restored.len(),
                            rdf.bins()
                        )));
                    }
                    *samples = n;
                    *sum = restored;
                }
                Accumulator::Correlation { corr, .. } => {
                    corr.restore_state(state).map_err(|e| fail(e.to_string()))?
                }
            }
        }
        Ok(())
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Samples every observable due at `step` (the files are written by
    /// [`ObservableFiles::write_files`]).
    pub fn sample(&mut self, step: u64, system: &System) -> Result<(), String> {
        for item in &mut self.items {
            if step < item.start || !step.is_multiple_of(item.every) {
                continue;
            }
            match &mut item.acc {
                Accumulator::Rdf {
                    rdf, sum, samples, ..
                } => {
                    let rows = rdf
                        .compute(system)
                        .map_err(|e| format!("{}: rdf at step {step}: {e}", item.file.display()))?
                        .rows();
                    if sum.is_empty() {
                        *sum = rows;
                    } else {
                        // column 0 is r, the same in every sample: kept, not summed
                        for (s, r) in sum.iter_mut().zip(rows) {
                            for (a, b) in s.iter_mut().zip(r).skip(1) {
                                *a += b;
                            }
                        }
                    }
                    *samples += 1;
                }
                Accumulator::Correlation { corr, name } => {
                    corr.sample(step, system).map_err(|e| {
                        format!("{}: {name} at step {step}: {e}", item.file.display())
                    })?;
                }
            }
            item.unwritten = Some(step);
        }
        Ok(())
    }

    /// Rewrites the file of every observable sampled since its last write with the
    /// average so far.
    pub fn write_files(&mut self) -> Result<(), String> {
        let dt = self.dt;
        for item in &mut self.items {
            let Some(step) = item.unwritten else {
                continue;
            };
            let text = match &item.acc {
                Accumulator::Rdf {
                    labels,
                    sum,
                    samples,
                    ..
                } => rdf_text(labels, sum, *samples, step),
                Accumulator::Correlation { corr, name } => correlation_text(name, corr, dt),
            };
            replace_file(&item.file, &text)
                .map_err(|e| format!("cannot write {}: {e}", item.file.display()))?;
            item.unwritten = None;
        }
        Ok(())
    }
}

/// The sample count and summed rows saved by [`ObservableFiles::save`] for an rdf of
/// `cols` columns.
fn rdf_sums(state: &SavedState, cols: usize) -> Result<(u64, Vec<Vec<f64>>), ObservableError> {
    let mut r = state.reader();
    let samples = r.integer("the sample count")?;
    let sums = r.rows(cols, "the rdf sums")?;
    r.finish()?;
    Ok((samples, sums))
}

fn rdf_text(labels: &[String], sum: &[Vec<f64>], samples: u64, step: u64) -> String {
    let mut t = format!("# rdf averaged over {samples} samples up to step {step}\n# r");
    for l in labels {
        t.push_str(&format!(" g({l}) N({l})"));
    }
    t.push('\n');
    let n = samples as f64;
    for row in sum {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(k, v)| full(if k == 0 { *v } else { *v / n }))
            .collect();
        t.push_str(&cells.join(" "));
        t.push('\n');
    }
    t
}

fn correlation_text(name: &str, corr: &TimeCorrelation, dt: f64) -> String {
    let mut t = format!(
        "# {name} averaged over atoms and time origins\n\
         # lag_steps lag_time {name}_x {name}_y {name}_z {name} origins\n"
    );
    for (lag, v, origins) in corr.rows() {
        t.push_str(&format!(
            "{lag} {} {} {} {} {} {origins}\n",
            full(lag as f64 * dt),
            full(v[0]),
            full(v[1]),
            full(v[2]),
            full(v[3])
        ));
    }
    t
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.flush()?;
    drop(f);
    std::fs::rename(&tmp, path)
}
