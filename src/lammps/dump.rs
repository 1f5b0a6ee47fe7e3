//! `dump atom|custom|xyz` in LAMMPS's exact text formats.

use std::fs::File;
use std::io::{BufWriter, Write};

use ferromd_core::System;

use super::cformat::cformat;
use super::error::{ScriptError, ScriptResult, fail};
use super::words::{integer, word, yes_no};

/// An active dump.
#[derive(Debug)]
pub struct Dump {
    /// Dump ID.
    pub id: String,
    style: String,
    every: u64,
    path: String,
    columns: Vec<String>,
    sort_by_id: bool,
    first: bool,
    elements: Vec<String>,
    formats: Option<Vec<String>>,
    writer: Option<BufWriter<File>>,
    last_written: Option<u64>,
}

const CUSTOM_COLUMNS: &[&str] = &[
    "id", "type", "element", "mass", "x", "y", "z", "xs", "ys", "zs", "xu", "yu", "zu", "ix", "iy",
    "iz", "vx", "vy", "vz", "fx", "fy", "fz",
];

impl Dump {
    /// Parses `dump ID GROUP STYLE N FILE [columns]` (all words after `dump`).
    pub fn parse(args: &[String]) -> ScriptResult<Self> {
        let id = word(args, 0, "dump ID")?.to_string();
        let group = word(args, 1, "dump group")?;
        if group != "all" {
            return Err(ScriptError::unsupported("dump group", group));
        }
        let style = word(args, 2, "dump style")?.to_string();
        let every = integer(args, 3, "dump interval")?;
        if every <= 0 {
            return fail(format!("dump interval {every} must be positive"));
        }
        let path = word(args, 4, "dump file")?.to_string();
        if path.contains('*') || path.contains('%') {
            return Err(ScriptError::unsupported("dump file name with", "* or %"));
        }
        let columns: Vec<String> = match style.as_str() {
            "atom" => ["id", "type", "xs", "ys", "zs"].map(String::from).to_vec(),
            "xyz" => ["element", "x", "y", "z"].map(String::from).to_vec(),
            "custom" => {
                let cols = args[5..].to_vec();
                if cols.is_empty() {
                    return fail("dump custom needs at least one column");
                }
                for c in &cols {
                    if !CUSTOM_COLUMNS.contains(&c.as_str()) {
                        return Err(ScriptError::unsupported("dump custom", c));
                    }
                }
                cols
            }
            other => return Err(ScriptError::unsupported("dump", other)),
        };
        Ok(Dump {
            id,
            style,
            every: every as u64,
            path,
            columns,
            sort_by_id: false,
            first: false,
            elements: Vec::new(),
            formats: None,
            writer: None,
            last_written: None,
        })
    }

    /// Applies `dump_modify` keywords (words after the dump ID).
    pub fn modify(&mut self, args: &[String]) -> ScriptResult<()> {
        let mut k = 0;
        while k < args.len() {
            match args[k].as_str() {
                "sort" => {
                    match word(args, k + 1, "dump_modify sort")? {
                        "id" => self.sort_by_id = true,
                        "off" => self.sort_by_id = false,
                        other => return Err(ScriptError::unsupported("dump_modify sort", other)),
                    }
                    k += 2;
                }
                "every" => {
                    let n = integer(args, k + 1, "dump_modify every")?;
                    if n <= 0 {
                        return fail("dump_modify every must be positive");
                    }
                    self.every = n as u64;
                    k += 2;
                }
                "first" => {
                    self.first = yes_no(args, k + 1, "dump_modify first")?;
                    k += 2;
                }
                "element" => {
                    self.elements = args[k + 1..].to_vec();
                    k = args.len();
                }
                "format" => match word(args, k + 1, "dump_modify format")? {
                    "line" => {
                        self.formats = Some(
                            word(args, k + 2, "dump_modify format line")?
                                .split_whitespace()
                                .map(String::from)
                                .collect(),
                        );
                        k += 3;
                    }
                    "none" => {
                        self.formats = None;
                        k += 2;
                    }
                    other => return Err(ScriptError::unsupported("dump_modify format", other)),
                },
                other => return Err(ScriptError::unsupported("dump_modify", other)),
            }
        }
        Ok(())
    }

    /// The first step after `step` at which this dump writes.
    #[cfg_attr(not(feature = "gpu"), allow(dead_code))]
    pub fn next_due(&self, step: u64) -> u64 {
        (step / self.every + 1) * self.every
    }

    /// Writes a snapshot if `step` is due (or `force`).
    pub fn maybe_write(
        &mut self,
        step: u64,
        system: &System,
        boundary: &str,
        force: bool,
    ) -> ScriptResult<()> {
        if !(force || step.is_multiple_of(self.every)) || self.last_written == Some(step) {
            return Ok(());
        }
        self.write(step, system, boundary)
            .map_err(|e| ScriptError::new(format!("cannot write dump file {}: {e}", self.path)))
    }

    fn write(&mut self, step: u64, system: &System, boundary: &str) -> std::io::Result<()> {
        if self.writer.is_none() {
            self.writer = Some(BufWriter::new(File::create(&self.path)?));
        }
        self.last_written = Some(step);
        let n = system.len();
        let mut order: Vec<usize> = (0..n).collect();
        if self.sort_by_id {
            order.sort_by_key(|&i| system.ids[i]);
        }
        let w = self.writer.as_mut().expect("opened above");
        if self.style == "xyz" {
            writeln!(w, "{n}")?;
            writeln!(w, " Atoms. Timestep: {step}")?;
        } else {
            writeln!(w, "ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{n}")?;
            let (lo, hi, tilt) = system.cell.lammps_bounds().unwrap_or_default();
            let e = |v: f64| format!("{v:.16e}").replace('e', "e+").replace("e+-", "e-");
            let e = |v: f64| fix_exponent(&e(v));
            if tilt == [0.0; 3] {
                writeln!(w, "ITEM: BOX BOUNDS {boundary}")?;
                for a in 0..3 {
                    writeln!(w, "{} {}", e(lo[a]), e(hi[a]))?;
                }
            } else {
                // LAMMPS writes the bounding box of the tilted cell
                let [xy, xz, yz] = tilt;
                let xlo_b = lo.x + 0f64.min(xy).min(xz).min(xy + xz);
                let xhi_b = hi.x + 0f64.max(xy).max(xz).max(xy + xz);
                let ylo_b = lo.y + 0f64.min(yz);
                let yhi_b = hi.y + 0f64.max(yz);
                writeln!(w, "ITEM: BOX BOUNDS xy xz yz {boundary}")?;
                writeln!(w, "{} {} {}", e(xlo_b), e(xhi_b), e(xy))?;
                writeln!(w, "{} {} {}", e(ylo_b), e(yhi_b), e(xz))?;
                writeln!(w, "{} {} {}", e(lo.z), e(hi.z), e(yz))?;
            }
            writeln!(w, "ITEM: ATOMS {}", self.columns.join(" "))?;
        }
        for &i in &order {
            let mut line = String::new();
            for (c, col) in self.columns.iter().enumerate() {
                if c > 0 {
                    line.push(' ');
                }
                let x = system.positions[i];
                let s = system.cell.to_fractional(&x);
                let u = system.unwrapped_position(i);
                let (value, integer) = match col.as_str() {
                    "id" => (system.ids[i] as f64, true),
                    "type" => ((system.types[i] + 1) as f64, true),
                    "element" => {
                        let t = system.types[i] as usize;
                        let name = self
                            .elements
                            .get(t)
                            .cloned()
                            .unwrap_or_else(|| (t + 1).to_string());
                        line.push_str(&name);
                        continue;
                    }
                    "mass" => (system.masses[i], false),
                    "x" => (x.x, false),
                    "y" => (x.y, false),
                    "z" => (x.z, false),
                    "xs" => (s.x, false),
                    "ys" => (s.y, false),
                    "zs" => (s.z, false),
                    "xu" => (u.x, false),
                    "yu" => (u.y, false),
                    "zu" => (u.z, false),
                    "ix" => (system.images[i][0] as f64, true),
                    "iy" => (system.images[i][1] as f64, true),
                    "iz" => (system.images[i][2] as f64, true),
                    "vx" => (system.velocities[i].x, false),
                    "vy" => (system.velocities[i].y, false),
                    "vz" => (system.velocities[i].z, false),
                    "fx" => (system.forces[i].x, false),
                    "fy" => (system.forces[i].y, false),
                    _ => (system.forces[i].z, false),
                };
                let fmt = self
                    .formats
                    .as_ref()
                    .and_then(|f| f.get(c).cloned())
                    .unwrap_or_else(|| if integer { "%d".into() } else { "%g".into() });
                line.push_str(&cformat(&fmt, value).unwrap_or_else(|| value.to_string()));
            }
            writeln!(w, "{line}")?;
        }
        w.flush()
    }
}

/// C prints at least two exponent digits: `1e+1` → `1e+01`.
fn fix_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.split_at(1);
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s.to_string(),
    }
}
