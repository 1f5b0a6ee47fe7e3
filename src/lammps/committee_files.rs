//! The files of `pair_style committee` in a script session: DeePMD-kit's
//! `model_devi.out` every `out_freq` steps and the uncertain frames past `threshold`.
//!
//! Both are created (truncated) by the `pair_style committee` command, as `pair_style
//! deepmd` creates its file, and every later `run` appends; each step is written once,
//! even when a run starts where the last one stopped. After `read_restart` the next
//! `pair_style committee` continues the files instead: it keeps what they hold before the
//! restart step and appends from there, so a restarted run leaves the files an
//! uninterrupted run would have written.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};

use ferromd_core::System;
use ferromd_potentials::{CommitteeRecord, ModelDeviation, model_deviation::atom_deviations};

use super::error::{ScriptError, ScriptResult, fail};
use super::pair_committee::CommitteeSettings;
use crate::committee_output::{
    in_id_order, model_devi_header, model_devi_line, uncertain_frame_text,
};

/// A file written line by line, flushed at every write.
#[derive(Debug)]
struct FlushedFile {
    path: String,
    w: BufWriter<File>,
}

impl FlushedFile {
    /// Creates `path` and writes `header`, or, continuing after a restart at `step`, cuts
    /// the file back to what `keep_len` says it held before that step and appends (a
    /// missing file is created with its header).
    fn open(
        path: &str,
        header: &str,
        continue_at: Option<u64>,
        keep_len: impl Fn(&str, u64) -> ScriptResult<usize>,
    ) -> ScriptResult<Self> {
        let err = |what: &str, e: std::io::Error| {
            ScriptError::new(format!("pair_style committee: cannot {what} {path}: {e}"))
        };
        let existing = match continue_at {
            Some(step) => match std::fs::read_to_string(path) {
                Ok(text) => Some(keep_len(&text, step)?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(err("read", e)),
            },
            None => None,
        };
        let mut f = match existing {
            Some(len) => {
                let mut file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| err("reopen", e))?;
                file.set_len(len as u64).map_err(|e| err("truncate", e))?;
                file.seek(SeekFrom::End(0)).map_err(|e| err("seek", e))?;
                FlushedFile {
                    path: path.to_string(),
                    w: BufWriter::new(file),
                }
            }
            None => {
                let mut f = FlushedFile {
                    path: path.to_string(),
                    w: BufWriter::new(File::create(path).map_err(|e| err("create", e))?),
                };
                f.write(header)?;
                f
            }
        };
        f.w.flush().map_err(|e| err("write", e))?;
        Ok(f)
    }

    fn write(&mut self, text: &str) -> ScriptResult<()> {
        self.w
            .write_all(text.as_bytes())
            .and_then(|_| self.w.flush())
            .map_err(|e| ScriptError::new(format!("cannot write {}: {e}", self.path)))
    }
}

/// The bytes of a `model_devi.out` text before its first line of step `step` or later.
fn devi_lines_before(path: &str, text: &str, step: u64) -> ScriptResult<usize> {
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if !line.starts_with('#') {
            let first = line.split_whitespace().next().unwrap_or("");
            let Ok(s) = first.parse::<u64>() else {
                return fail(format!(
                    "pair_style committee: {path} line {} starts with `{first}`, not a step; \
                     it is not a model-deviation file this run can continue",
                    n + 1
                ));
            };
            if s >= step {
                break;
            }
        }
        offset += line.len();
    }
    Ok(offset)
}

/// The bytes of an extended XYZ text of uncertain frames before its first frame of step
/// `step` or later.
fn frames_before(path: &str, text: &str, step: u64) -> ScriptResult<usize> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bad = |n: usize, what: &str| {
        fail(format!(
            "pair_style committee: {path} line {}: {what}; it is not a frames file this run \
             can continue",
            n + 1
        ))
    };
    let (mut offset, mut n) = (0, 0);
    while n < lines.len() {
        let Ok(atoms) = lines[n].trim().parse::<usize>() else {
            return bad(n, "expected an atom count");
        };
        let Some(comment) = lines.get(n + 1) else {
            return bad(n, "a frame without its comment line");
        };
        let frame_step = comment
            .split_whitespace()
            .find_map(|w| w.strip_prefix("step="))
            .and_then(|s| s.parse::<u64>().ok());
        let Some(frame_step) = frame_step else {
            return bad(n + 1, "no step= in the comment line");
        };
        if frame_step >= step || n + 2 + atoms > lines.len() {
            break;
        }
        offset += lines[n..n + 2 + atoms]
            .iter()
            .map(|l| l.len())
            .sum::<usize>();
        n += 2 + atoms;
    }
    Ok(offset)
}

/// The output files of a `pair_style committee` and what they need from a run.
#[derive(Debug)]
pub struct CommitteeFiles {
    settings: CommitteeSettings,
    model_devi: Option<FlushedFile>,
    frames: Option<(FlushedFile, f64)>,
    /// The last step written to each file (each step is written once).
    last_devi: Option<u64>,
    last_frame: Option<u64>,
}

impl CommitteeFiles {
    /// Opens the files `settings` names: new files, or, after `read_restart` at step
    /// `continue_at`, the existing ones cut back to before that step.
    pub fn open(settings: &CommitteeSettings, continue_at: Option<u64>) -> ScriptResult<Self> {
        let model_devi = if settings.out_freq > 0 {
            let path = settings.out_file.as_str();
            Some(FlushedFile::open(
                path,
                &model_devi_header(),
                continue_at,
                |text, step| devi_lines_before(path, text, step),
            )?)
        } else {
            None
        };
        let frames = match &settings.frames {
            Some((path, threshold)) => Some((
                FlushedFile::open(path, "", continue_at, |text, step| {
                    frames_before(path, text, step)
                })?,
                *threshold,
            )),
            None => None,
        };
        Ok(CommitteeFiles {
            settings: settings.clone(),
            model_devi,
            frames,
            last_devi: None,
            last_frame: None,
        })
    }

    /// True at the steps that get a model-deviation line (their virials are needed).
    pub fn wants_deviation(&self, step: u64) -> bool {
        self.model_devi.is_some() && step.is_multiple_of(self.settings.out_freq)
    }

    /// The model deviation of the latest evaluation, with the committee's `relative`
    /// settings (`None` before the first evaluation).
    pub fn deviation(&self, record: &CommitteeRecord) -> Option<ModelDeviation> {
        record.with_members(|r| ModelDeviation::of(r, self.settings.scale))
    }

    /// Writes the model-deviation line of `step` (the latest evaluation) if it is due and
    /// not written yet.
    pub fn write_deviation(
        &mut self,
        step: u64,
        system: &System,
        record: &CommitteeRecord,
    ) -> ScriptResult<()> {
        if !self.wants_deviation(step) {
            return Ok(());
        }
        self.write_line(step, system, record)
    }

    /// Writes what a minimization's thermo step (its first and its last) gets: the
    /// model-deviation line, whatever `out_freq`'s multiples (unless `out_freq` is 0, no
    /// file), and the uncertain frame past the threshold; each step once. Minimizers
    /// report no steps in between, and a relaxed structure's deviation is what
    /// active learning asks of a minimization.
    pub fn write_minimization_step(
        &mut self,
        step: u64,
        system: &System,
        record: &CommitteeRecord,
    ) -> ScriptResult<()> {
        if self.model_devi.is_some() {
            self.write_line(step, system, record)?;
        }
        self.record_frame(step, system, record)
    }

    /// Writes the model-deviation line of `step` (the latest evaluation) unless written.
    fn write_line(
        &mut self,
        step: u64,
        system: &System,
        record: &CommitteeRecord,
    ) -> ScriptResult<()> {
        if self.last_devi.is_some_and(|s| s >= step) {
            return Ok(());
        }
        let (scale, atomic) = (self.settings.scale, self.settings.atomic);
        let line = record.with_members(|r| {
            if r.virials.is_none() {
                return Err(ScriptError::new(format!(
                    "pair_style committee: the members computed no virials at step {step}"
                )));
            }
            let d = ModelDeviation::of(r, scale);
            let per_atom = atomic.then(|| in_id_order(system, &atom_deviations(r, scale)));
            Ok(model_devi_line(step, &d, per_atom.as_deref()))
        });
        let Some(line) = line else {
            return fail(format!(
                "pair_style committee: no committee evaluation at step {step}"
            ));
        };
        if let Some(f) = &mut self.model_devi {
            f.write(&line?)?;
        }
        self.last_devi = Some(step);
        Ok(())
    }

    /// Appends the frame of `step` to the frames file if its largest force deviation
    /// exceeds the threshold (once per step).
    pub fn record_frame(
        &mut self,
        step: u64,
        system: &System,
        record: &CommitteeRecord,
    ) -> ScriptResult<()> {
        let Some((file, threshold)) = &mut self.frames else {
            return Ok(());
        };
        if self.last_frame.is_some_and(|s| s >= step) {
            return Ok(());
        }
        let text = uncertain_frame_text(step, system, record, *threshold)
            .map_err(|e| ScriptError::new(format!("cannot write {}: {e}", file.path)))?;
        if let Some(text) = text {
            file.write(&text)?;
        }
        self.last_frame = Some(step);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_keeps_what_came_before_the_step() {
        let text = "# header\n           0 1 2 3 4 5 6\n          10 1 2 3 4 5 6\n          20 1\n";
        let kept = "# header\n           0 1 2 3 4 5 6\n".len();
        assert_eq!(devi_lines_before("f", text, 10).unwrap(), kept);
        assert_eq!(devi_lines_before("f", text, 30).unwrap(), text.len());
        assert!(
            devi_lines_before("f", "# h\nabc\n", 5)
                .unwrap_err()
                .message
                .contains("`abc`")
        );
        let frames = "1\nProperties=x step=3 a=1\nH 0 0 0\n1\nstep=8\nH 0 0 0\n";
        let first = "1\nProperties=x step=3 a=1\nH 0 0 0\n".len();
        assert_eq!(frames_before("f", frames, 5).unwrap(), first);
        assert_eq!(frames_before("f", frames, 3).unwrap(), 0);
        assert_eq!(frames_before("f", frames, 9).unwrap(), frames.len());
        assert!(frames_before("f", "x\n", 1).is_err());
    }
}
