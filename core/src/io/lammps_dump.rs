//! Reading LAMMPS text dumps (`dump atom` and `dump custom`), frame by frame.
//!
//! Each frame is `ITEM: TIMESTEP`, `ITEM: NUMBER OF ATOMS`, `ITEM: BOX BOUNDS` (with
//! `xy xz yz` and the bounding box of a tilted cell, as LAMMPS writes it) and
//! `ITEM: ATOMS` with named columns. Positions come from `x y z` (with `ix iy iz` image
//! flags when present), `xu yu zu` (unwrapped) or `xs ys zs` (scaled, as `dump atom`
//! writes them); `vx vy vz`, `fx fy fz`, `type` and `element` are read when present.
//! Errors name the 1-based line and the offending word.

use nalgebra::Vector3;

use crate::cell::{Cell, CellError};

/// A parse error at a 1-based line of a dump file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LammpsDumpError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> LammpsDumpError {
    LammpsDumpError {
        line,
        message: message.into(),
    }
}

/// One frame of a dump.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpFrame {
    /// Timestep.
    pub step: u64,
    /// Box lower bounds (of the untilted box, as in a data file).
    pub lo: Vector3<f64>,
    /// Box upper bounds.
    pub hi: Vector3<f64>,
    /// Tilt factors `[xy, xz, yz]`.
    pub tilt: [f64; 3],
    /// Periodicity per axis (`p` in the boundary words).
    pub periodic: [bool; 3],
    /// Atom ids (1, 2, ... when the dump has no `id` column).
    pub ids: Vec<u64>,
    /// 1-based types, when the dump has a `type` column.
    pub types: Option<Vec<usize>>,
    /// Element names, when the dump has an `element` column.
    pub elements: Option<Vec<String>>,
    /// Positions (as given: wrapped for `x`, unwrapped for `xu`).
    pub positions: Vec<Vector3<f64>>,
    /// Image flags (zero unless the dump has `ix iy iz`).
    pub images: Vec<[i32; 3]>,
    /// Whether the dump has `ix iy iz` columns.
    pub has_images: bool,
    /// Whether the positions are unwrapped (`xu yu zu` columns).
    pub unwrapped: bool,
    /// Velocities, when the dump has `vx vy vz`.
    pub velocities: Option<Vec<Vector3<f64>>>,
    /// Forces, when the dump has `fx fy fz`.
    pub forces: Option<Vec<Vector3<f64>>>,
}

impl DumpFrame {
    /// The frame's box as a cell (restricted triclinic when tilted).
    pub fn cell(&self) -> Result<Cell, CellError> {
        Ok(Cell::triclinic_lammps(self.lo, self.hi, self.tilt)?.with_periodicity(self.periodic))
    }
}

/// Line cursor over the text.
struct Lines<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Lines<'a> {
    /// The next line and its 1-based number, or an error saying what was expected.
    fn take(&mut self, expected: &str) -> Result<(usize, &'a str), LammpsDumpError> {
        let n = self.next;
        match self.lines.get(n) {
            Some(l) => {
                self.next += 1;
                Ok((n + 1, l))
            }
            None => Err(err(
                n + 1,
                format!("the file ends where {expected} was expected (truncated?)"),
            )),
        }
    }

    /// The next line, which must be exactly the item header `item` (with arguments after).
    fn item(&mut self, item: &str) -> Result<(usize, &'a str), LammpsDumpError> {
        let (n, l) = self.take(&format!("`ITEM: {item}`"))?;
        match l.trim_end().strip_prefix(&format!("ITEM: {item}")) {
            Some(rest) => Ok((n, rest)),
            None => Err(err(
                n,
                format!("expected `ITEM: {item}`, found `{}`", l.trim()),
            )),
        }
    }
}

fn parse<T: std::str::FromStr>(word: &str, line: usize, what: &str) -> Result<T, LammpsDumpError> {
    word.parse()
        .map_err(|_| err(line, format!("{what} `{word}` is not a valid number")))
}

/// Every frame of a dump file's text.
pub fn parse_lammps_dump(text: &str) -> Result<Vec<DumpFrame>, LammpsDumpError> {
    let mut lines = Lines {
        lines: text.lines().collect(),
        next: 0,
    };
    let mut frames = Vec::new();
    while lines.lines[lines.next..]
        .iter()
        .any(|l| !l.trim().is_empty())
    {
        while lines.lines[lines.next].trim().is_empty() {
            lines.next += 1;
        }
        frames.push(frame(&mut lines)?);
    }
    if frames.is_empty() {
        return Err(err(1, "no frames (expected `ITEM: TIMESTEP`)"));
    }
    Ok(frames)
}

fn frame(lines: &mut Lines<'_>) -> Result<DumpFrame, LammpsDumpError> {
    lines.item("TIMESTEP")?;
    let (n, l) = lines.take("the timestep")?;
    let step = parse(l.trim(), n, "timestep")?;
    lines.item("NUMBER OF ATOMS")?;
    let (n, l) = lines.take("the number of atoms")?;
    let count: usize = parse(l.trim(), n, "number of atoms")?;
    let (n, rest) = lines.item("BOX BOUNDS")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (tilted, flags) = match words.as_slice() {
        ["xy", "xz", "yz", f @ ..] => (true, f),
        f => (false, f),
    };
    let mut periodic = [true; 3];
    if !flags.is_empty() {
        if flags.len() != 3 {
            return Err(err(
                n,
                format!("expected three boundary words, found `{}`", rest.trim()),
            ));
        }
        for (p, f) in periodic.iter_mut().zip(flags) {
            *p = f.starts_with('p');
        }
    }
    let mut bounds = [[0.0; 3]; 3];
    for (axis, b) in bounds.iter_mut().enumerate() {
        let (n, l) = lines.take("a box bounds line")?;
        let w: Vec<&str> = l.split_whitespace().collect();
        let want = if tilted { 3 } else { 2 };
        if w.len() != want {
            return Err(err(
                n,
                format!(
                    "box bounds of axis {}: expected {want} numbers, found `{}`",
                    "xyz".as_bytes()[axis] as char,
                    l.trim()
                ),
            ));
        }
        for (k, v) in w.iter().enumerate() {
            b[k] = parse(v, n, "box bound")?;
        }
    }
    let tilt = if tilted {
        [bounds[0][2], bounds[1][2], bounds[2][2]]
    } else {
        [0.0; 3]
    };
    let [xy, xz, yz] = tilt;
    // undo LAMMPS's bounding box of the tilted cell
    let lo = Vector3::new(
        bounds[0][0] - 0f64.min(xy).min(xz).min(xy + xz),
        bounds[1][0] - 0f64.min(yz),
        bounds[2][0],
    );
    let hi = Vector3::new(
        bounds[0][1] - 0f64.max(xy).max(xz).max(xy + xz),
        bounds[1][1] - 0f64.max(yz),
        bounds[2][1],
    );
    let (n_header, rest) = lines.item("ATOMS")?;
    let columns: Vec<&str> = rest.split_whitespace().collect();
    let col = |name: &str| columns.iter().position(|c| *c == name);
    let triple = |names: [&str; 3]| -> Result<Option<[usize; 3]>, LammpsDumpError> {
        match names.map(col) {
            [Some(a), Some(b), Some(c)] => Ok(Some([a, b, c])),
            [None, None, None] => Ok(None),
            _ => Err(err(
                n_header,
                format!("columns {} must come together", names.join(" ")),
            )),
        }
    };
    let (pos_cols, kind) = if let Some(c) = triple(["x", "y", "z"])? {
        (c, 'x')
    } else if let Some(c) = triple(["xu", "yu", "zu"])? {
        (c, 'u')
    } else if let Some(c) = triple(["xs", "ys", "zs"])? {
        (c, 's')
    } else {
        return Err(err(
            n_header,
            "no positions: the dump needs x y z, xu yu zu or xs ys zs columns",
        ));
    };
    let image_cols = triple(["ix", "iy", "iz"])?;
    let vel_cols = triple(["vx", "vy", "vz"])?;
    let force_cols = triple(["fx", "fy", "fz"])?;
    let (id_col, type_col, element_col) = (col("id"), col("type"), col("element"));
    let cell = Cell::triclinic_lammps(lo, hi, tilt)
        .map_err(|e| err(n_header, format!("invalid box: {e}")))?;
    let mut f = DumpFrame {
        step,
        lo,
        hi,
        tilt,
        periodic,
        ids: Vec::with_capacity(count),
        types: type_col.map(|_| Vec::with_capacity(count)),
        elements: element_col.map(|_| Vec::with_capacity(count)),
        positions: Vec::with_capacity(count),
        images: Vec::with_capacity(count),
        has_images: image_cols.is_some(),
        unwrapped: kind == 'u',
        velocities: vel_cols.map(|_| Vec::with_capacity(count)),
        forces: force_cols.map(|_| Vec::with_capacity(count)),
    };
    for k in 0..count {
        let (n, l) = lines.take(&format!("atom {} of {count}", k + 1))?;
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.len() != columns.len() {
            return Err(err(
                n,
                format!(
                    "{} values for the {} columns `{}`",
                    w.len(),
                    columns.len(),
                    columns.join(" ")
                ),
            ));
        }
        let vec3 = |c: [usize; 3], what: &str| -> Result<Vector3<f64>, LammpsDumpError> {
            Ok(Vector3::new(
                parse(w[c[0]], n, what)?,
                parse(w[c[1]], n, what)?,
                parse(w[c[2]], n, what)?,
            ))
        };
        f.ids.push(match id_col {
            Some(c) => parse(w[c], n, "atom id")?,
            None => k as u64 + 1,
        });
        if let (Some(t), Some(c)) = (&mut f.types, type_col) {
            let ty: usize = parse(w[c], n, "atom type")?;
            if ty == 0 {
                return Err(err(n, "atom type 0: types start at 1"));
            }
            t.push(ty);
        }
        if let (Some(e), Some(c)) = (&mut f.elements, element_col) {
            e.push(w[c].to_string());
        }
        let p = vec3(pos_cols, "coordinate")?;
        f.positions.push(if kind == 's' {
            cell.to_cartesian(&p)
        } else {
            p
        });
        f.images.push(match image_cols {
            Some(c) => [
                parse(w[c[0]], n, "image flag")?,
                parse(w[c[1]], n, "image flag")?,
                parse(w[c[2]], n, "image flag")?,
            ],
            None => [0; 3],
        });
        if let (Some(v), Some(c)) = (&mut f.velocities, vel_cols) {
            v.push(vec3(c, "velocity")?);
        }
        if let (Some(v), Some(c)) = (&mut f.forces, force_cols) {
            v.push(vec3(c, "force")?);
        }
    }
    Ok(f)
}
