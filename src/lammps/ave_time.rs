//! `fix ID group ave/time Nevery Nrepeat Nfreq c_ID[n]... [mode scalar|vector] [file F]`:
//! time averages of compute outputs written in LAMMPS's ave/time file layout.

use std::fs::File;
use std::io::{BufWriter, Write};

use ferromd_core::System;
use ferromd_core::observables::average::{AveragingSchedule, ScheduleAction};

use super::cformat::cformat;
use super::computes::{Compute, Shape};
use super::error::{ScriptError, ScriptResult, fail};
use super::words::{integer, word};

/// One averaged input: a compute and an optional 1-based index into its vector or array.
#[derive(Debug, Clone, PartialEq)]
struct Value {
    compute: String,
    index: Option<usize>,
    label: String,
}

/// Scalar mode averages single numbers; vector mode averages whole columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Scalar,
    Vector,
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
    file: Option<(String, BufWriter<File>)>,
    /// Running sums: one row per scalar-mode output line, or the rows of vector mode.
    sums: Vec<Vec<f64>>,
}

/// Splits `c_ID` / `c_ID[n]` / `c_ID[*]`.
fn parse_reference(w: &str) -> ScriptResult<(String, Option<String>)> {
    let Some(rest) = w.strip_prefix("c_") else {
        if w.starts_with("f_") || w.starts_with("v_") {
            return Err(ScriptError::unsupported("fix ave/time input", w));
        }
        return fail(format!("fix ave/time: `{w}` is not a c_ID value"));
    };
    match rest.split_once('[') {
        Some((id, idx)) => {
            let idx = idx
                .strip_suffix(']')
                .ok_or_else(|| ScriptError::new(format!("fix ave/time: malformed `{w}`")))?;
            Ok((id.to_string(), Some(idx.to_string())))
        }
        None => Ok((rest.to_string(), None)),
    }
}

impl AveTime {
    /// Parses the fix arguments after the style (`Nevery Nrepeat Nfreq values... keywords`)
    /// against the defined `computes`, at the current `step`; opens the file and writes its
    /// header.
    pub fn parse(id: &str, args: &[String], computes: &[Compute], step: u64) -> ScriptResult<Self> {
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
        let mut format = " %g".to_string();
        let mut titles: [Option<String>; 3] = [None, None, None];
        while k < args.len() {
            let key = args[k].as_str();
            let value = word(args, k + 1, key)?;
            match key {
                "mode" => {
                    mode = match value {
                        "scalar" => Mode::Scalar,
                        "vector" => Mode::Vector,
                        other => return fail(format!("fix ave/time: unknown mode `{other}`")),
                    }
                }
                "file" => file = Some(value.to_string()),
                "ave" => {
                    if value != "one" {
                        return Err(ScriptError::unsupported("fix ave/time ave", value));
                    }
                }
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
        for (cid, index) in refs {
            let compute = computes
                .iter()
                .find(|c| c.id == cid)
                .ok_or_else(|| ScriptError::new(format!("fix ave/time: no compute `{cid}`")))?;
            let width = match (mode, compute.shape()) {
                (Mode::Scalar, Shape::Vector(n)) | (Mode::Vector, Shape::Array(n)) => n,
                (Mode::Vector, Shape::Vector(_)) if index.is_none() => 0,
                (m, _) => {
                    return fail(format!(
                        "fix ave/time mode {}: compute {cid} does not give {}",
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
                    compute: cid.clone(),
                    index: Some(n),
                    label: format!("c_{cid}[{n}]"),
                })),
                Some(n) => {
                    let n: usize = n
                        .parse()
                        .ok()
                        .filter(|n| (1..=width).contains(n))
                        .ok_or_else(|| {
                            ScriptError::new(format!(
                                "fix ave/time: index `{n}` of c_{cid} is outside 1..{width}"
                            ))
                        })?;
                    values.push(Value {
                        compute: cid.clone(),
                        index: Some(n),
                        label: format!("c_{cid}[{n}]"),
                    });
                }
                None if mode == Mode::Vector => values.push(Value {
                    compute: cid.clone(),
                    index: None,
                    label: format!("c_{cid}"),
                }),
                None => {
                    return fail(format!(
                        "fix ave/time: c_{cid} is not a scalar; give an index c_{cid}[n]"
                    ));
                }
            }
        }
        let file = match file {
            Some(path) => {
                let f = File::create(&path).map_err(|e| {
                    ScriptError::new(format!("fix ave/time: cannot create {path}: {e}"))
                })?;
                let mut w = BufWriter::new(f);
                let labels: Vec<&str> = values.iter().map(|v| v.label.as_str()).collect();
                let header = header_lines(id, mode, &labels, &titles);
                w.write_all(header.as_bytes())
                    .and_then(|_| w.flush())
                    .map_err(|e| ScriptError::new(format!("cannot write {path}: {e}")))?;
                Some((path, w))
            }
            None => None,
        };
        Ok(AveTime {
            id: id.to_string(),
            schedule,
            values,
            mode,
            format,
            file,
            sums: Vec::new(),
        })
    }

    /// Catches up with a run starting at `step` (LAMMPS restarts a window left unfinished).
    pub fn run_starting(&mut self, step: u64) {
        let before = self.schedule.clone();
        self.schedule.resume_at(step);
        if self.schedule != before {
            self.sums.clear();
        }
    }

    /// Samples and writes as the schedule says at `step`.
    pub fn step(&mut self, step: u64, system: &System, computes: &[Compute]) -> ScriptResult<()> {
        let action = self.schedule.at(step);
        if action == ScheduleAction::Skip {
            return Ok(());
        }
        let sample = self.sample(system, computes)?;
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
            let rows = std::mem::take(&mut self.sums);
            self.write(step, &rows, n)?;
        }
        Ok(())
    }

    /// One sample: a single row in scalar mode, one row per vector element or array row
    /// in vector mode, columns in value order.
    fn sample(&self, system: &System, computes: &[Compute]) -> ScriptResult<Vec<Vec<f64>>> {
        let find = |id: &str| {
            computes.iter().find(|c| c.id == id).ok_or_else(|| {
                ScriptError::new(format!("fix {}: compute {id} was deleted", self.id))
            })
        };
        match self.mode {
            Mode::Scalar => {
                let mut row = Vec::with_capacity(self.values.len());
                for v in &self.values {
                    row.push(find(&v.compute)?.element(v.index.unwrap_or(1), system)?);
                }
                Ok(vec![row])
            }
            Mode::Vector => {
                let mut columns: Vec<Vec<f64>> = Vec::with_capacity(self.values.len());
                for v in &self.values {
                    let c = find(&v.compute)?;
                    columns.push(match v.index {
                        Some(n) => c.array(system)?.iter().map(|r| r[n - 1]).collect(),
                        None => c.vector(system)?,
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

    fn write(&mut self, step: u64, rows: &[Vec<f64>], n: f64) -> ScriptResult<()> {
        let Some((path, w)) = &mut self.file else {
            return Ok(());
        };
        let fmt = &self.format;
        let number = |v: f64| cformat(fmt, v / n).unwrap_or_default();
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
        w.write_all(text.as_bytes())
            .and_then(|_| w.flush())
            .map_err(|e| ScriptError::new(format!("cannot write {path}: {e}")))
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
