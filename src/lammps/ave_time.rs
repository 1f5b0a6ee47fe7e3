//! `fix ID group ave/time Nevery Nrepeat Nfreq c_ID[n]|f_ID[n]|v_name... [mode
//! scalar|vector] [ave one|running|window M] [file F | append F]`: time averages of
//! compute outputs, other averages and equal-style variables written in LAMMPS's
//! ave/time file layout. An `f_ID` read before fix ID has written its first average
//! reads zeros, as in LAMMPS.
//!
//! The whole averaging state (schedule, partial window, combined windows, file length)
//! is saved by `write_restart`; a fix of the same ID defined after `read_restart`
//! continues it, and with `append F` continues its file from the recorded length without
//! a second header, so the file equals an uninterrupted run's.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};

use ferromd_core::observables::ObservableError;
use ferromd_core::observables::average::{AveragingSchedule, ScheduleAction};
use ferromd_core::observables::saved::SavedState;

use super::ave_combine::{Combine, CombinedAverage};
use super::cformat::cformat;
use super::computes::{Compute, Shape};
use super::error::{ScriptError, ScriptResult, fail};
use super::step_values::StepValues;
use super::words::{integer, word};

/// Where an averaged input comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// `c_ID`: a compute.
    Compute(String),
    /// `f_ID`: the latest output of an earlier `fix ave/time`.
    Fix(String),
    /// `v_name`: an equal-style variable.
    Variable(String),
}

/// One averaged input: a compute or fix and an optional 1-based index into its vector
/// or array.
#[derive(Debug, Clone, PartialEq)]
struct Value {
    source: Source,
    index: Option<usize>,
    label: String,
}

/// Scalar mode averages single numbers; vector mode averages whole columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Scalar,
    Vector,
}

/// The output file of a `fix ave/time`, flushed at every write, and its length.
#[derive(Debug)]
struct AveFile {
    path: String,
    w: BufWriter<File>,
    len: u64,
}

impl AveFile {
    /// Creates `path` (or, with `append`, opens it for appending) and writes `header`;
    /// a continued fix (`keep`: the length its file had at `write_restart`) cuts an
    /// appended file back to that length and writes no header.
    fn open(path: &str, append: bool, keep: Option<u64>, header: &str) -> ScriptResult<Self> {
        let err = |what: &str, e: std::io::Error| {
            ScriptError::new(format!("fix ave/time: cannot {what} {path}: {e}"))
        };
        let (file, len, header) = match (append, keep) {
            (true, Some(len)) => {
                let mut f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(path)
                    .map_err(|e| err("reopen", e))?;
                let have = f.metadata().map_err(|e| err("read", e))?.len();
                if have < len {
                    return fail(format!(
                        "fix ave/time: {path} has {have} bytes but the restart file recorded \
                         {len}; it is not the file the restarted run wrote"
                    ));
                }
                f.set_len(len).map_err(|e| err("truncate", e))?;
                f.seek(SeekFrom::End(0)).map_err(|e| err("seek", e))?;
                (f, len, "")
            }
            (true, None) => {
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| err("open", e))?;
                let len = f.metadata().map_err(|e| err("read", e))?.len();
                (f, len, header)
            }
            (false, _) => (File::create(path).map_err(|e| err("create", e))?, 0, header),
        };
        let mut f = AveFile {
            path: path.to_string(),
            w: BufWriter::new(file),
            len,
        };
        f.write(header)?;
        Ok(f)
    }

    fn write(&mut self, text: &str) -> ScriptResult<()> {
        self.w
            .write_all(text.as_bytes())
            .and_then(|_| self.w.flush())
            .map_err(|e| ScriptError::new(format!("cannot write {}: {e}", self.path)))?;
        self.len += text.len() as u64;
        Ok(())
    }
}

/// A `fix ave/time`.
#[derive(Debug)]
pub struct AveTime {
    /// The fix ID.
    pub id: String,
    schedule: AveragingSchedule,
    values: Vec<Value>,
    mode: Mode,
    format: String,
    file: Option<AveFile>,
    /// Running sums: one row per scalar-mode output line, or the rows of vector mode.
    sums: Vec<Vec<f64>>,
    /// How finished windows combine (`ave one|running|window M`).
    combined: CombinedAverage,
    /// The latest output rows, which `f_ID` of later fixes read.
    latest: Option<Vec<Vec<f64>>>,
    /// The rows of the output in vector mode (what `f_ID` reads as zeros before the
    /// first output).
    rows: usize,
}

/// Splits `c_ID` / `c_ID[n]` / `c_ID[*]` (and `f_`, `v_` likewise) into the prefix
/// (`c`, `f` or `v`), the ID and the index.
fn parse_reference(w: &str) -> ScriptResult<(char, String, Option<String>)> {
    let (prefix, rest) = if let Some(rest) = w.strip_prefix("c_") {
        ('c', rest)
    } else if let Some(rest) = w.strip_prefix("f_") {
        ('f', rest)
    } else if let Some(rest) = w.strip_prefix("v_") {
        ('v', rest)
    } else {
        return fail(format!(
            "fix ave/time: `{w}` is not a c_ID, f_ID or v_name value"
        ));
    };
    match rest.split_once('[') {
        Some((id, idx)) => {
            let idx = idx
                .strip_suffix(']')
                .ok_or_else(|| ScriptError::new(format!("fix ave/time: malformed `{w}`")))?;
            Ok((prefix, id.to_string(), Some(idx.to_string())))
        }
        None => Ok((prefix, rest.to_string(), None)),
    }
}

impl AveTime {
    /// Parses the fix arguments after the style (`Nevery Nrepeat Nfreq values... keywords`)
    /// against the defined `computes` and `averages` (which `f_ID` may name), at the
    /// current `step`; continues from `saved` (the state `write_restart` recorded for this
    /// fix ID) when given; opens the file and writes its header.
    pub fn parse(
        id: &str,
        args: &[String],
        (computes, averages): (&[Compute], &[AveTime]),
        step: u64,
        saved: Option<&SavedState>,
    ) -> ScriptResult<Self> {
        let count = |i: usize, what: &str| -> ScriptResult<u64> {
            let v = integer(args, i, what)?;
            if v < 1 {
                return fail(format!("fix ave/time: {what} {v} must be positive"));
            }
            Ok(v as u64)
        };
        let every = count(0, "Nevery")?;
        let repeat = count(1, "Nrepeat")?;
        let freq = count(2, "Nfreq")?;
        let schedule = AveragingSchedule::new(every, repeat, freq, step)
            .map_err(|e| ScriptError::new(format!("fix ave/time: {e}")))?;
        let mut k = 3;
        let mut refs = Vec::new();
        while k < args.len() && args[k].contains('_') && !is_keyword(&args[k]) {
            refs.push(parse_reference(&args[k])?);
            k += 1;
        }
        if refs.is_empty() {
            return fail("fix ave/time needs at least one value");
        }
        let mut mode = Mode::Scalar;
        let mut file = None;
        let mut combine = Combine::One;
        let mut format = " %g".to_string();
        let mut titles: [Option<String>; 3] = [None, None, None];
        while k < args.len() {
            let key = args[k].as_str();
            if key == "ave" {
                let (c, used) = Combine::parse(args, k + 1)?;
                combine = c;
                k += 1 + used;
                continue;
            }
            let value = word(args, k + 1, key)?;
            match key {
                "mode" => {
                    mode = match value {
                        "scalar" => Mode::Scalar,
                        "vector" => Mode::Vector,
                        other => return fail(format!("fix ave/time: unknown mode `{other}`")),
                    }
                }
                "file" => file = Some((value.to_string(), false)),
                "append" => file = Some((value.to_string(), true)),
                "format" => {
                    cformat(value, 1.0).ok_or_else(|| {
                        ScriptError::new(format!("fix ave/time: invalid format `{value}`"))
                    })?;
                    format = value.to_string();
                }
                "title1" => titles[0] = Some(value.to_string()),
                "title2" => titles[1] = Some(value.to_string()),
                "title3" => titles[2] = Some(value.to_string()),
                other => return Err(ScriptError::unsupported("fix ave/time", other)),
            }
            k += 2;
        }
        let mut values = Vec::new();
        // vector mode: the rows of the first value's source
        let mut rows = None;
        for (prefix, cid, index) in refs {
            if prefix == 'v' {
                let what = format!("v_{cid} (vector-style variables)");
                if mode == Mode::Vector {
                    return Err(ScriptError::unsupported(
                        "fix ave/time mode vector with",
                        &what,
                    ));
                }
                if index.is_some() {
                    return Err(ScriptError::unsupported("fix ave/time input", &what));
                }
                values.push(Value {
                    source: Source::Variable(cid.clone()),
                    index: None,
                    label: format!("v_{cid}"),
                });
                continue;
            }
            let (source, shape, what) = if prefix == 'c' {
                let compute = computes
                    .iter()
                    .find(|c| c.id == cid)
                    .ok_or_else(|| ScriptError::new(format!("fix ave/time: no compute `{cid}`")))?;
                rows.get_or_insert(compute.rows());
                (Source::Compute(cid.clone()), compute.shape(), "compute")
            } else {
                let fix = averages.iter().find(|a| a.id == cid).ok_or_else(|| {
                    ScriptError::new(format!(
                        "fix ave/time: no fix ave/time `{cid}` defined before fix {id}"
                    ))
                })?;
                if !every.is_multiple_of(fix.schedule.freq()) {
                    return fail(format!(
                        "fix ave/time: fix {cid} is not computed at compatible times: Nevery \
                         ({every}) must be a multiple of its Nfreq ({})",
                        fix.schedule.freq()
                    ));
                }
                rows.get_or_insert(fix.output_rows());
                (Source::Fix(cid.clone()), fix.shape(), "fix")
            };
            let width = match (mode, shape) {
                (Mode::Scalar, Shape::Scalar) if index.is_none() => 0,
                (Mode::Scalar, Shape::Vector(n)) | (Mode::Vector, Shape::Array(n)) => n,
                (Mode::Vector, Shape::Vector(_)) if index.is_none() => 0,
                (m, _) => {
                    return fail(format!(
                        "fix ave/time mode {}: {what} {cid} does not give {}",
                        if m == Mode::Scalar {
                            "scalar"
                        } else {
                            "vector"
                        },
                        if m == Mode::Scalar {
                            "a vector whose elements can be averaged"
                        } else {
                            "an array or vector"
                        }
                    ));
                }
            };
            match index.as_deref() {
                Some("*") => values.extend((1..=width).map(|n| Value {
                    source: source.clone(),
                    index: Some(n),
                    label: format!("{prefix}_{cid}[{n}]"),
                })),
                Some(n) => {
                    let n: usize = n
                        .parse()
                        .ok()
                        .filter(|n| (1..=width).contains(n))
                        .ok_or_else(|| {
                            ScriptError::new(format!(
                                "fix ave/time: index `{n}` of {prefix}_{cid} is outside \
                                 1..{width}"
                            ))
                        })?;
                    values.push(Value {
                        source,
                        index: Some(n),
                        label: format!("{prefix}_{cid}[{n}]"),
                    });
                }
                None if mode == Mode::Vector || shape == Shape::Scalar => values.push(Value {
                    source,
                    index: None,
                    label: format!("{prefix}_{cid}"),
                }),
                None => {
                    return fail(format!(
                        "fix ave/time: {prefix}_{cid} is not a scalar; give an index \
                         {prefix}_{cid}[n]"
                    ));
                }
            }
        }
        let mut fix = AveTime {
            id: id.to_string(),
            schedule,
            values,
            mode,
            format,
            file: None,
            sums: Vec::new(),
            combined: CombinedAverage::new(combine),
            latest: None,
            rows: rows.unwrap_or(1),
        };
        let keep = match saved {
            Some(state) => fix.restore(state).map_err(|e| {
                ScriptError::new(format!(
                    "fix {id} ave/time: the restart file's state of fix {id} does not fit \
                     this definition ({e}); define it as before, or use another fix ID to \
                     start a fresh average"
                ))
            })?,
            None => None,
        };
        if let Some((path, append)) = file {
            let labels: Vec<&str> = fix.values.iter().map(|v| v.label.as_str()).collect();
            let header = header_lines(id, mode, &labels, &titles);
            fix.file = Some(AveFile::open(&path, append, keep, &header)?);
        }
        Ok(fix)
    }

    /// What `f_ID` gives: a scalar or vector in scalar mode, a vector or array (rows known
    /// only when written) in vector mode, as LAMMPS's fix ave/time.
    pub fn shape(&self) -> Shape {
        match (self.mode, self.values.len()) {
            (Mode::Scalar, 1) => Shape::Scalar,
            (Mode::Scalar, n) => Shape::Vector(n),
            (Mode::Vector, 1) => Shape::Vector(0),
            (Mode::Vector, n) => Shape::Array(n),
        }
    }

    /// The length of the vector `f_ID` reads in vector mode: the values of a scalar-mode
    /// fix, the rows of a vector-mode one.
    fn output_rows(&self) -> usize {
        match self.mode {
            Mode::Scalar => self.values.len(),
            Mode::Vector => self.rows,
        }
    }

    /// Whether any value is an equal-style variable, which needs the thermodynamic state
    /// (energy and pressure) at the sampling steps.
    pub fn reads_variables(&self) -> bool {
        self.values
            .iter()
            .any(|v| matches!(v.source, Source::Variable(_)))
    }

    /// Whether the fix samples at `step`.
    pub fn samples_at(&self, step: u64) -> bool {
        self.schedule.clone().at(step) != ScheduleAction::Skip
    }

    /// The averaging state for `write_restart`: schedule, partial window, combined
    /// windows and the length of the file written so far.
    pub fn save(&self) -> SavedState {
        let mut s = SavedState::default();
        self.schedule.save_into(&mut s.integers);
        // whether there was a file, and its length
        s.integers.push(self.file.is_some() as u64);
        s.integers.push(self.file.as_ref().map_or(0, |f| f.len));
        s.push_rows(&self.sums);
        self.combined.save_into(&mut s);
        s
    }

    /// Continues from [`AveTime::save`]; returns the length of the file then, if the fix
    /// had one.
    fn restore(&mut self, state: &SavedState) -> Result<Option<u64>, ObservableError> {
        let mut r = state.reader();
        self.schedule.restore_from(&mut r)?;
        let had_file = r.integer("the file flag")? == 1;
        let len = r.integer("the file length")?;
        let cols = self.values.len();
        self.sums = r.rows(cols, "the partial window")?;
        self.combined.restore_from(&mut r, cols)?;
        r.finish()?;
        Ok(had_file.then_some(len))
    }

    /// Catches up with a run starting at `step` (LAMMPS restarts a window left unfinished).
    pub fn run_starting(&mut self, step: u64) {
        let before = self.schedule.clone();
        self.schedule.resume_at(step);
        if self.schedule != before {
            self.sums.clear();
        }
    }

    /// Samples and writes as the schedule says at `step`, reading compute outputs and
    /// variables through `now`; `f_ID` inputs read the fixes in `earlier` (defined before
    /// this one, so already done with `step`).
    pub fn step(
        &mut self,
        step: u64,
        now: &mut StepValues<'_>,
        earlier: &[AveTime],
    ) -> ScriptResult<()> {
        let action = self.schedule.at(step);
        if action == ScheduleAction::Skip {
            return Ok(());
        }
        let sample = self.sample(now, earlier)?;
        if self.sums.is_empty() {
            self.sums = sample;
        } else {
            if sample.len() != self.sums.len() {
                return fail(format!("fix {}: the number of rows changed", self.id));
            }
            for (s, row) in self.sums.iter_mut().zip(sample) {
                for (a, b) in s.iter_mut().zip(row) {
                    *a += b;
                }
            }
        }
        if action == ScheduleAction::SampleAndWrite {
            let n = self.schedule.repeat() as f64;
            let average = std::mem::take(&mut self.sums)
                .into_iter()
                .map(|row| row.into_iter().map(|v| v / n).collect())
                .collect();
            let rows = self.combined.add(average)?;
            self.write(step, &rows)?;
            self.latest = Some(rows);
        }
        Ok(())
    }

    /// One sample: a single row in scalar mode, one row per vector element or array row
    /// in vector mode, columns in value order.
    fn sample(&self, now: &mut StepValues<'_>, earlier: &[AveTime]) -> ScriptResult<Vec<Vec<f64>>> {
        // another fix and its latest output (None before its first average: LAMMPS's
        // fix ave/time gives zeros then)
        let fix_output = |id: &str| -> ScriptResult<(&AveTime, Option<&Vec<Vec<f64>>>)> {
            let fix = earlier.iter().find(|a| a.id == id).ok_or_else(|| {
                ScriptError::new(format!(
                    "fix {}: fix {id} was deleted or redefined after it",
                    self.id
                ))
            })?;
            Ok((fix, fix.latest.as_ref()))
        };
        let user = self.id.as_str();
        match self.mode {
            Mode::Scalar => {
                let mut row = Vec::with_capacity(self.values.len());
                for v in &self.values {
                    let k = v.index.unwrap_or(1);
                    row.push(match &v.source {
                        Source::Compute(id) => now.element(id, k, user)?,
                        Source::Fix(id) => fix_output(id)?.1.map_or(0.0, |rows| rows[0][k - 1]),
                        Source::Variable(name) => now.variable(name, user)?,
                    });
                }
                Ok(vec![row])
            }
            Mode::Vector => {
                let mut columns: Vec<Vec<f64>> = Vec::with_capacity(self.values.len());
                for v in &self.values {
                    columns.push(match (&v.source, v.index) {
                        (Source::Compute(id), Some(n)) => {
                            now.array(id, user)?.iter().map(|r| r[n - 1]).collect()
                        }
                        (Source::Compute(id), None) => now.vector(id, user)?.to_vec(),
                        (Source::Fix(id), n) => match fix_output(id)? {
                            (fix, None) => vec![0.0; fix.output_rows()],
                            // a scalar-mode fix of several values gives one vector
                            (fix, Some(rows)) if fix.mode == Mode::Scalar => rows[0].clone(),
                            (_, Some(rows)) => rows.iter().map(|r| r[n.unwrap_or(1) - 1]).collect(),
                        },
                        (Source::Variable(name), _) => {
                            return fail(format!("fix {user}: v_{name} in vector mode"));
                        }
                    });
                }
                let rows = columns[0].len();
                if columns.iter().any(|c| c.len() != rows) {
                    return fail(format!(
                        "fix {}: the values have different numbers of rows",
                        self.id
                    ));
                }
                Ok((0..rows)
                    .map(|r| columns.iter().map(|c| c[r]).collect())
                    .collect())
            }
        }
    }

    fn write(&mut self, step: u64, rows: &[Vec<f64>]) -> ScriptResult<()> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        let fmt = &self.format;
        let number = |v: f64| cformat(fmt, v).unwrap_or_default();
        let mut text = String::new();
        match self.mode {
            Mode::Scalar => {
                text.push_str(&step.to_string());
                for v in &rows[0] {
                    text.push_str(&number(*v));
                }
                text.push('\n');
            }
            Mode::Vector => {
                text.push_str(&format!("{step} {}\n", rows.len()));
                for (r, row) in rows.iter().enumerate() {
                    text.push_str(&(r + 1).to_string());
                    for v in row {
                        text.push_str(&number(*v));
                    }
                    text.push('\n');
                }
            }
        }
        file.write(&text)
    }
}

/// The keywords that end the value list.
fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "mode"
            | "file"
            | "ave"
            | "format"
            | "title1"
            | "title2"
            | "title3"
            | "start"
            | "off"
            | "overwrite"
            | "append"
    )
}

/// LAMMPS's three comment lines (the third only in vector mode).
fn header_lines(id: &str, mode: Mode, labels: &[&str], titles: &[Option<String>; 3]) -> String {
    let mut h = String::new();
    match &titles[0] {
        Some(t) => h.push_str(&format!("{t}\n")),
        None => h.push_str(&format!("# Time-averaged data for fix {id}\n")),
    }
    match (&titles[1], mode) {
        (Some(t), _) => h.push_str(&format!("{t}\n")),
        (None, Mode::Scalar) => h.push_str(&format!("# TimeStep {}\n", labels.join(" "))),
        (None, Mode::Vector) => h.push_str("# TimeStep Number-of-rows\n"),
    }
    if mode == Mode::Vector {
        match &titles[2] {
            Some(t) => h.push_str(&format!("{t}\n")),
            None => h.push_str(&format!("# Row {}\n", labels.join(" "))),
        }
    }
    h
}
