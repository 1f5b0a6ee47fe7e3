//! Extended XYZ, as ASE (`ase.io.read`/`ase.io.write`), OVITO and MLIP training codes
//! read and write it: multi-frame trajectories with a `Lattice`, `Properties`, `pbc`,
//! per-frame `energy` and `stress`, and per-atom positions, velocities and forces.
//!
//! One frame is
//!
//! ```text
//! 2
//! Lattice="4 0 0 0 5 0 0 0 6" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.5 stress="..." pbc="T T T"
//! Ar 0.0 0.0 0.0 0.1 0.0 0.0
//! Ar 1.5 0.0 0.25 -0.1 0.0 0.0
//! ```
//!
//! * `Lattice` lists the cell vectors a, b, c one after the other (they become the
//!   columns of [`Cell::matrix`](crate::cell::Cell::matrix));
//! * `Properties` names the per-atom columns as `name:type:count` triplets (types `S`
//!   string, `R` real, `I` integer, `L` logical). `species` and `pos` are required;
//!   `velocities` (or `velo`) and `forces` (or `force`) are read; other columns are
//!   checked for their count and skipped. Without `Properties` the file is plain XYZ:
//!   `symbol x y z`, further columns ignored;
//! * `energy` is the potential energy and `stress` the 9 components of the stress
//!   tensor, row by row, in ASE's convention: `stress = -virial / V` (energy per volume,
//!   eV/Å³ in metal units), positive under tension;
//! * other `key=value` pairs are kept in [`ExtXyzFrame::info`] and written back.
//!
//! Numbers are written in Rust's shortest round-trip form, so writing and reading a frame
//! gives back the same bits. Errors name the 1-based line (and, for files, the path).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use nalgebra::{Matrix3, Vector3};

use crate::potential::Virial;

/// One frame of an extended XYZ file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExtXyzFrame {
    /// Element symbols or labels.
    pub symbols: Vec<String>,
    /// Cartesian positions.
    pub positions: Vec<Vector3<f64>>,
    /// Velocities (`velocities:R:3` column), if present.
    pub velocities: Option<Vec<Vector3<f64>>>,
    /// Forces (`forces:R:3` column), if present.
    pub forces: Option<Vec<Vector3<f64>>>,
    /// Cell vectors as columns, from `Lattice="..."`.
    pub lattice: Option<Matrix3<f64>>,
    /// Periodicity from `pbc="T T T"`.
    pub pbc: Option<[bool; 3]>,
    /// Potential energy (`energy=`).
    pub energy: Option<f64>,
    /// Stress tensor (`stress="..."`, 9 numbers row by row), ASE's sign convention.
    pub stress: Option<Matrix3<f64>>,
    /// Other comment-line pairs, in file order, values unquoted (a bare key has value `"T"`).
    pub info: Vec<(String, String)>,
    /// Other real per-atom columns (`name:R:width`), written after the standard ones.
    pub arrays: Vec<RealArray>,
}

/// A real per-atom column of an extended XYZ frame besides positions, velocities and
/// forces (e.g. each committee member's forces), which ASE reads into `atoms.arrays`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RealArray {
    /// Property name (no `:` or whitespace).
    pub name: String,
    /// Numbers per atom.
    pub width: usize,
    /// `width` numbers per atom, atom after atom.
    pub values: Vec<f64>,
}

impl RealArray {
    /// A column of one 3-vector per atom.
    pub fn vectors(name: impl Into<String>, v: &[Vector3<f64>]) -> Self {
        RealArray {
            name: name.into(),
            width: 3,
            values: v.iter().flat_map(|x| [x.x, x.y, x.z]).collect(),
        }
    }

    /// A column of one number per atom.
    pub fn scalars(name: impl Into<String>, v: &[f64]) -> Self {
        RealArray {
            name: name.into(),
            width: 1,
            values: v.to_vec(),
        }
    }
}

/// A parse error at a 1-based line of an extended XYZ text or file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}line {line}: {message}", path.as_ref().map(|p| format!("{}:", p.display())).unwrap_or_default())]
pub struct ExtXyzError {
    /// The file, when reading one.
    pub path: Option<PathBuf>,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> ExtXyzError {
    ExtXyzError {
        path: None,
        line,
        message: message.into(),
    }
}

/// ASE's stress from a virial `[xx, yy, zz, xy, xz, yz]` (energy units) and a volume:
/// `-virial / V`, as a symmetric 3×3 matrix.
pub fn stress_from_virial(virial: &Virial, volume: f64) -> Matrix3<f64> {
    let [xx, yy, zz, xy, xz, yz] = virial.map(|w| -w / volume);
    Matrix3::new(xx, xy, xz, xy, yy, yz, xz, yz, zz)
}

/// One column group of a `Properties` specification.
#[derive(Debug, Clone, PartialEq)]
struct Property {
    name: String,
    kind: char,
    count: usize,
}

fn parse_properties(v: &str) -> Result<Vec<Property>, String> {
    let parts: Vec<&str> = v.split(':').collect();
    if !parts.len().is_multiple_of(3) || parts.is_empty() {
        return Err(format!("Properties=`{v}` must be name:type:count triplets"));
    }
    parts
        .chunks(3)
        .map(|c| {
            let kind = match c[1] {
                "S" | "R" | "I" | "L" => c[1].chars().next().unwrap_or('S'),
                other => {
                    return Err(format!(
                        "property `{}` has type `{other}`; expected S, R, I or L",
                        c[0]
                    ));
                }
            };
            let count = c[2]
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("property `{}` has a bad column count `{}`", c[0], c[2]))?;
            Ok(Property {
                name: c[0].to_string(),
                kind,
                count,
            })
        })
        .collect()
}

/// Splits an extended-XYZ comment line into `key=value` pairs. Values may be bare words
/// or quoted with `"` (backslash escapes the next character); a bare key gets `"T"`.
fn parse_comment(comment: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = comment.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            out.push((key, "T".to_string()));
            continue;
        }
        chars.next();
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        match chars.peek() {
            Some(&q @ ('"' | '\'' | '{' | '[')) => {
                let close = match q {
                    '{' => '}',
                    '[' => ']',
                    other => other,
                };
                chars.next();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    } else if c == close {
                        closed = true;
                        break;
                    } else {
                        value.push(c);
                    }
                }
                if !closed {
                    return Err(format!("the value of `{key}` has no closing {close}"));
                }
                if matches!(q, '{' | '[') {
                    // ASE's array notation: commas separate the numbers
                    value = value.replace(',', " ");
                }
            }
            _ => {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        out.push((key, value));
    }
}

fn parse_numbers(key: &str, v: &str, n: usize) -> Result<Vec<f64>, String> {
    let nums: Vec<f64> = v
        .split_whitespace()
        .map(|w| {
            w.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{key}: `{w}` is not a finite number"))
        })
        .collect::<Result<_, _>>()?;
    if nums.len() != n {
        return Err(format!("{key} needs {n} numbers, found {}", nums.len()));
    }
    Ok(nums)
}

fn parse_bool(w: &str) -> Option<bool> {
    match w {
        "T" | "t" | "True" | "true" | "TRUE" | "1" => Some(true),
        "F" | "f" | "False" | "false" | "FALSE" | "0" => Some(false),
        _ => None,
    }
}

fn parse_pbc(v: &str) -> Result<[bool; 3], String> {
    let flags: Vec<bool> = v
        .split_whitespace()
        .map(|w| parse_bool(w).ok_or_else(|| format!("bad pbc flag `{w}`")))
        .collect::<Result<_, _>>()?;
    flags
        .try_into()
        .map_err(|f: Vec<bool>| format!("pbc needs 3 flags, found {}", f.len()))
}

/// Parses every frame of an extended XYZ (or plain XYZ) text. Blank lines after the last
/// frame are allowed; an empty text gives no frames.
pub fn parse_extxyz(text: &str) -> Result<Vec<ExtXyzFrame>, ExtXyzError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut frames = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        if lines[k].trim().is_empty() {
            // only trailing blank lines may follow the last frame
            if lines[k..].iter().all(|l| l.trim().is_empty()) {
                break;
            }
            return Err(err(k + 1, "blank line where an atom count was expected"));
        }
        let (frame, next) = parse_frame(&lines, k)?;
        frames.push(frame);
        k = next;
    }
    Ok(frames)
}

/// Parses only the first frame of a text (whatever follows it is not read).
pub fn parse_first_frame(text: &str) -> Result<ExtXyzFrame, ExtXyzError> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return Err(err(1, "empty file"));
    }
    parse_frame(&lines, 0).map(|(f, _)| f)
}

/// Parses the frame starting at 0-based line `start`; returns it and the next line index.
fn parse_frame(lines: &[&str], start: usize) -> Result<(ExtXyzFrame, usize), ExtXyzError> {
    let count_line = start + 1;
    let n: usize = lines[start].trim().parse().map_err(|_| {
        err(
            count_line,
            format!("expected the atom count, found `{}`", lines[start].trim()),
        )
    })?;
    let comment_no = start + 2;
    let comment = lines
        .get(start + 1)
        .ok_or_else(|| err(comment_no, "missing comment line (truncated?)"))?;
    let cerr = |m: String| err(comment_no, m);
    let pairs = parse_comment(comment).map_err(cerr)?;
    let mut frame = ExtXyzFrame::default();
    let mut properties: Option<Vec<Property>> = None;
    for (key, value) in pairs {
        match key.to_ascii_lowercase().as_str() {
            "lattice" => {
                let v = parse_numbers("Lattice", &value, 9).map_err(cerr)?;
                frame.lattice = Some(Matrix3::from_column_slice(&v));
            }
            "properties" => properties = Some(parse_properties(&value).map_err(cerr)?),
            "pbc" => frame.pbc = Some(parse_pbc(&value).map_err(cerr)?),
            "energy" => {
                frame.energy = Some(parse_numbers("energy", &value, 1).map_err(cerr)?[0]);
            }
            "stress" => {
                let n_values = value.split_whitespace().count();
                let v = parse_numbers("stress", &value, if n_values == 6 { 6 } else { 9 })
                    .map_err(cerr)?;
                frame.stress = Some(if v.len() == 6 {
                    // Voigt order xx yy zz yz xz xy
                    Matrix3::new(v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2])
                } else {
                    Matrix3::from_row_slice(&v)
                });
            }
            _ => frame.info.push((key, value)),
        }
    }
    let plain = properties.is_none();
    let props = properties.unwrap_or_else(|| {
        vec![
            Property {
                name: "species".into(),
                kind: 'S',
                count: 1,
            },
            Property {
                name: "pos".into(),
                kind: 'R',
                count: 3,
            },
        ]
    });
    let width: usize = props.iter().map(|p| p.count).sum();
    let find = |names: &[&str], what: &str| -> Result<Option<usize>, ExtXyzError> {
        let mut col = 0;
        for p in &props {
            if names.contains(&p.name.as_str()) {
                let expected = if what == "species" { 1 } else { 3 };
                let kind = if what == "species" { 'S' } else { 'R' };
                if p.count != expected || p.kind != kind {
                    return Err(err(
                        comment_no,
                        format!("property `{}` must be {}:{kind}:{expected}", p.name, p.name),
                    ));
                }
                return Ok(Some(col));
            }
            col += p.count;
        }
        Ok(None)
    };
    let species_col = find(&["species"], "species")?
        .ok_or_else(|| err(comment_no, "Properties has no `species` column"))?;
    let pos_col = find(&["pos", "positions"], "pos")?
        .ok_or_else(|| err(comment_no, "Properties has no `pos` column"))?;
    let vel_col = find(&["velocities", "velo"], "velocities")?;
    let force_col = find(&["forces", "force"], "forces")?;
    // real columns other than the standard ones, with their first column
    let mut extra_real = Vec::new();
    let mut col = 0;
    for p in &props {
        let standard = [
            "species",
            "pos",
            "positions",
            "velocities",
            "velo",
            "forces",
            "force",
        ];
        if p.kind == 'R' && !standard.contains(&p.name.as_str()) {
            extra_real.push((
                col,
                RealArray {
                    name: p.name.clone(),
                    width: p.count,
                    values: Vec::with_capacity(n * p.count),
                },
            ));
        }
        col += p.count;
    }
    frame.symbols.reserve(n);
    frame.positions.reserve(n);
    let mut velocities = vel_col.map(|_| Vec::with_capacity(n));
    let mut forces = force_col.map(|_| Vec::with_capacity(n));
    let mut words: Vec<&str> = Vec::with_capacity(width);
    for a in 0..n {
        let line_no = start + 3 + a;
        let line = lines.get(start + 2 + a).ok_or_else(|| {
            err(
                line_no,
                format!("file ends after {a} of {n} atoms (truncated?)"),
            )
        })?;
        words.clear();
        words.extend(line.split_whitespace());
        if words.len() < width || (!plain && words.len() != width) {
            return Err(err(
                line_no,
                format!(
                    "atom line has {} columns; Properties announces {width}",
                    words.len()
                ),
            ));
        }
        let vec3 = |col: usize| -> Result<Vector3<f64>, ExtXyzError> {
            let mut x = [0.0; 3];
            for (c, xc) in x.iter_mut().enumerate() {
                let w = words[col + c];
                *xc = w
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| err(line_no, format!("`{w}` is not a finite number")))?;
            }
            Ok(Vector3::from(x))
        };
        frame.symbols.push(words[species_col].to_string());
        frame.positions.push(vec3(pos_col)?);
        if let (Some(v), Some(col)) = (&mut velocities, vel_col) {
            v.push(vec3(col)?);
        }
        if let (Some(f), Some(col)) = (&mut forces, force_col) {
            f.push(vec3(col)?);
        }
        for (col, a) in &mut extra_real {
            for w in &words[*col..*col + a.width] {
                let x = w
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| err(line_no, format!("`{w}` is not a finite number")))?;
                a.values.push(x);
            }
        }
        // other columns: check integers and logicals so that a damaged file is noticed
        let mut col = 0;
        for p in &props {
            for &w in &words[col..col + p.count] {
                let ok = match p.kind {
                    'I' => w.parse::<i64>().is_ok(),
                    'L' => parse_bool(w).is_some(),
                    'R' => w.parse::<f64>().is_ok(),
                    _ => true,
                };
                if !ok {
                    return Err(err(
                        line_no,
                        format!("`{w}` is not a valid {} value of `{}`", p.kind, p.name),
                    ));
                }
            }
            col += p.count;
        }
    }
    frame.velocities = velocities;
    frame.forces = forces;
    frame.arrays = extra_real.into_iter().map(|(_, a)| a).collect();
    Ok((frame, start + 2 + n))
}

/// Reads every frame of the extended XYZ file at `path`; errors name the file and line.
pub fn read_extxyz(path: &Path) -> Result<Vec<ExtXyzFrame>, ExtXyzError> {
    let text = std::fs::read_to_string(path).map_err(|e| ExtXyzError {
        path: Some(path.to_path_buf()),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse_extxyz(&text).map_err(|mut e| {
        e.path = Some(path.to_path_buf());
        e
    })
}

/// Appends `x` in shortest round-trip form (`1.5`, `-2.0000000000000004`, `1e-7`).
fn push_f64(s: &mut String, x: f64) {
    let _ = write!(s, "{x:?}");
}

fn quoted_if_needed(v: &str) -> String {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c == '"' || c == '=') {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

impl ExtXyzFrame {
    /// The comment line of this frame (without newline).
    pub fn comment_line(&self) -> String {
        let mut s = String::new();
        if let Some(h) = &self.lattice {
            s.push_str("Lattice=\"");
            for (k, x) in h.as_slice().iter().enumerate() {
                if k > 0 {
                    s.push(' ');
                }
                push_f64(&mut s, *x);
            }
            s.push_str("\" ");
        }
        s.push_str("Properties=species:S:1:pos:R:3");
        if self.velocities.is_some() {
            s.push_str(":velocities:R:3");
        }
        if self.forces.is_some() {
            s.push_str(":forces:R:3");
        }
        for a in &self.arrays {
            let _ = write!(s, ":{}:R:{}", a.name, a.width);
        }
        if let Some(e) = self.energy {
            s.push_str(" energy=");
            push_f64(&mut s, e);
        }
        if let Some(st) = &self.stress {
            s.push_str(" stress=\"");
            for r in 0..3 {
                for c in 0..3 {
                    if r + c > 0 {
                        s.push(' ');
                    }
                    push_f64(&mut s, st[(r, c)]);
                }
            }
            s.push('"');
        }
        for (k, v) in &self.info {
            let _ = write!(s, " {k}={}", quoted_if_needed(v));
        }
        if let Some(p) = self.pbc {
            let f = p.map(|b| if b { "T" } else { "F" });
            let _ = write!(s, " pbc=\"{} {} {}\"", f[0], f[1], f[2]);
        }
        s
    }

    /// Checks that the per-atom arrays have one entry per symbol.
    fn check_lengths(&self) -> Result<(), String> {
        let n = self.symbols.len();
        let lens = [
            ("positions", Some(self.positions.len())),
            ("velocities", self.velocities.as_ref().map(Vec::len)),
            ("forces", self.forces.as_ref().map(Vec::len)),
        ];
        for (name, len) in lens {
            if let Some(len) = len
                && len != n
            {
                return Err(format!("{name} has {len} entries for {n} atoms"));
            }
        }
        for a in &self.arrays {
            if a.width == 0 || a.values.len() != a.width * n {
                return Err(format!(
                    "array `{}` has {} numbers for {n} atoms of width {}",
                    a.name,
                    a.values.len(),
                    a.width
                ));
            }
            if a.name.is_empty() || a.name.contains(|c: char| c == ':' || c.is_whitespace()) {
                return Err(format!(
                    "array name `{}` is empty or has `:` or whitespace",
                    a.name
                ));
            }
        }
        if let Some(s) = self
            .symbols
            .iter()
            .find(|s| s.is_empty() || s.contains(char::is_whitespace))
        {
            return Err(format!("species `{s}` is empty or contains whitespace"));
        }
        Ok(())
    }

    /// Writes the frame as extended XYZ text.
    ///
    /// # Errors
    /// I/O errors, and `InvalidInput` if the per-atom arrays have different lengths.
    pub fn write(&self, w: &mut dyn Write) -> std::io::Result<()> {
        self.check_lengths()
            .map_err(|m| std::io::Error::new(std::io::ErrorKind::InvalidInput, m))?;
        let mut s = String::with_capacity(64 * (self.symbols.len() + 2));
        let _ = writeln!(s, "{}", self.symbols.len());
        s.push_str(&self.comment_line());
        s.push('\n');
        for (i, sym) in self.symbols.iter().enumerate() {
            s.push_str(sym);
            let mut cols = |v: &Vector3<f64>| {
                for x in v.iter() {
                    s.push(' ');
                    push_f64(&mut s, *x);
                }
            };
            cols(&self.positions[i]);
            if let Some(v) = &self.velocities {
                cols(&v[i]);
            }
            if let Some(f) = &self.forces {
                cols(&f[i]);
            }
            for a in &self.arrays {
                for x in &a.values[a.width * i..a.width * (i + 1)] {
                    s.push(' ');
                    push_f64(&mut s, *x);
                }
            }
            s.push('\n');
        }
        w.write_all(s.as_bytes())
    }

    /// The frame of a system's current state: symbols from its species, positions, the
    /// cell as `Lattice` and `pbc`, velocities if `with_velocities`, forces (from
    /// `system.forces`) if `with_forces`. Energy and stress are left to the caller.
    /// A cell origin other than zero is kept as an `origin` info key.
    pub fn from_system(
        system: &crate::system::System,
        with_velocities: bool,
        with_forces: bool,
    ) -> Self {
        let origin = system.cell.origin();
        let mut info = Vec::new();
        if origin != Vector3::zeros() {
            info.push((
                "origin".to_string(),
                origin
                    .iter()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ));
        }
        ExtXyzFrame {
            symbols: system
                .types
                .iter()
                .map(|&t| system.species[t as usize].name.clone())
                .collect(),
            positions: system.positions.clone(),
            velocities: with_velocities.then(|| system.velocities.clone()),
            forces: with_forces.then(|| system.forces.clone()),
            lattice: Some(*system.cell.matrix()),
            pbc: Some(system.cell.periodic()),
            energy: None,
            stress: None,
            info,
            arrays: Vec::new(),
        }
    }

    /// The value of an [`ExtXyzFrame::info`] key (case-sensitive).
    pub fn info(&self, key: &str) -> Option<&str> {
        self.info
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Writes all `frames` to `w`.
pub fn write_extxyz(w: &mut dyn Write, frames: &[ExtXyzFrame]) -> std::io::Result<()> {
    for f in frames {
        f.write(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ExtXyzFrame {
        let h = Matrix3::new(4.1, 0.3, -0.2, 0.0, 5.0 / 3.0, 0.1, 0.0, 0.0, 6.0);
        ExtXyzFrame {
            symbols: vec!["Cu".into(), "Ag".into(), "Cu".into()],
            positions: vec![
                Vector3::new(0.1, 0.2, 1.0 / 3.0),
                Vector3::new(-1e-17, 2.0f64.sqrt(), 1e300),
                Vector3::new(std::f64::consts::PI, -0.0, 7.0),
            ],
            velocities: Some(vec![Vector3::new(1.0 / 7.0, 0.0, -2.5); 3]),
            forces: Some(vec![
                Vector3::new(1e-9, -3.0, 0.1 + 0.2),
                Vector3::zeros(),
                Vector3::new(5.0, 6.0, 7.0),
            ]),
            lattice: Some(h),
            pbc: Some([true, true, false]),
            energy: Some(-3.000_000_000_000_000_4),
            stress: Some(stress_from_virial(
                &[1.0, 2.0, 3.0, 0.5, -0.25, 1.0 / 3.0],
                12.3,
            )),
            info: vec![
                ("config_type".into(), "bulk crystal".into()),
                ("step".into(), "10".into()),
            ],
            arrays: vec![
                RealArray::vectors("forces_1", &[Vector3::new(0.5, -1e-300, 2.0); 3]),
                RealArray::scalars("force_dev", &[0.25, 1.0 / 3.0, 0.0]),
            ],
        }
    }

    #[test]
    fn round_trip_is_bit_exact_for_several_frames() {
        let a = sample();
        let mut b = sample();
        b.velocities = None;
        b.energy = None;
        b.stress = None;
        b.pbc = None;
        b.info.clear();
        b.arrays.clear();
        b.positions[0].x = 123.456_789_012_345_67;
        let mut buf = Vec::new();
        write_extxyz(&mut buf, &[a.clone(), b.clone()]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let back = parse_extxyz(&text).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0], a, "{text}");
        assert_eq!(back[1], b);
        // bit-for-bit, including the sign of zero
        assert_eq!(back[0].positions[2].y.to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn reads_ase_style_header_and_stress() {
        let t = "2\nLattice=\"4.0 0.0 0.0 0.0 5.0 0.0 1.0 0.0 6.0\" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.25 stress=\"1 2 3 2 5 6 3 6 9\" free_energy=-1.25 pbc=\"T T F\"\nAr 0.0 0.0 0.0 0.1 0.2 0.3\nAr 1.5 0.0 0.25 -0.1 -0.2 -0.3\n";
        let f = &parse_extxyz(t).unwrap()[0];
        assert_eq!(
            f.lattice.unwrap().column(2).into_owned(),
            Vector3::new(1.0, 0.0, 6.0)
        );
        assert_eq!(f.pbc, Some([true, true, false]));
        assert_eq!(f.energy, Some(-1.25));
        assert_eq!(f.stress.unwrap()[(1, 2)], 6.0);
        assert_eq!(
            f.forces.as_ref().unwrap()[1],
            Vector3::new(-0.1, -0.2, -0.3)
        );
        assert_eq!(f.info("free_energy"), Some("-1.25"));
        assert!(f.velocities.is_none());
    }

    #[test]
    fn stress_is_minus_virial_over_volume() {
        let s = stress_from_virial(&[2.0, 4.0, 6.0, 1.0, -1.0, 0.5], 2.0);
        assert_eq!(
            s,
            Matrix3::new(-1.0, -0.5, 0.5, -0.5, -2.0, -0.25, 0.5, -0.25, -3.0)
        );
        // pressure = -trace(stress)/3 = trace(virial)/(3V)
        assert_eq!(-s.trace() / 3.0, 12.0 / 6.0);
    }

    #[test]
    fn skips_unknown_columns_and_reads_plain_xyz() {
        let t = "1\nProperties=species:S:1:pos:R:3:Z:I:1:tags:L:1:charge:R:1\nO 1 2 3 8 T -0.5\n";
        let f = &parse_extxyz(t).unwrap()[0];
        assert_eq!(f.positions[0], Vector3::new(1.0, 2.0, 3.0));
        // a real column is kept as an array; integer and logical columns are skipped
        assert_eq!(f.arrays, [RealArray::scalars("charge", &[-0.5])]);
        let plain = "1\na comment\nO 1 2 3 extra stuff\n\n\n";
        let f = parse_extxyz(plain).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].symbols, ["O"]);
    }

    #[test]
    fn errors_name_the_line() {
        let mut buf = Vec::new();
        write_extxyz(&mut buf, &[sample(), sample()]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        // truncate inside the second frame: 3 + 2 lines per frame
        let cut: String = text.lines().take(8).map(|l| format!("{l}\n")).collect();
        let e = parse_extxyz(&cut).unwrap_err();
        assert_eq!(e.line, 9, "{e}");
        assert!(e.message.contains("truncated"), "{e}");
        let bad = text.replacen(" 7.0", " seven", 1);
        let e = parse_extxyz(&bad).unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        assert!(e.message.contains("`seven`"));
        let e = parse_extxyz("1\nLattice=\"1 2 3\"\nH 0 0 0\n").unwrap_err();
        assert_eq!((e.line, e.message.contains("9 numbers")), (2, true), "{e}");
        let e =
            parse_extxyz("1\nProperties=species:S:1:pos:R:3:forces:R:3\nH 0 0 0\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e =
            parse_extxyz("1\nProperties=species:S:1:pos:R:3 energy=\"1\nH 0 0 0\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_extxyz("x\n\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn file_errors_name_the_path() {
        let dir = std::env::temp_dir().join(format!("ferromd-extxyz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("bad.extxyz");
        std::fs::write(&p, "2\n\nH 0 0 0\n").unwrap();
        let e = read_extxyz(&p).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{}:line 4:", p.display())),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
