//! LAMMPS data files (`read_data` / `write_data` format): header, `Masses`, `Atoms`
//! (atom style `atomic` or `charge`) and `Velocities`.
//!
//! Header keywords read: `atoms`, `atom types`, `xlo xhi`, `ylo yhi`, `zlo zhi` and
//! `xy xz yz`; other header lines (bond counts and the like) are ignored. Sections other
//! than the three above are skipped. Errors name the 1-based line.
//!
//! [`write_lammps_data`] writes the same three sections (LAMMPS `write_data` layout,
//! numbers as C's `%.16e`, enough digits to read back the same doubles), the atoms in
//! style `charge` when the system has charges.

use nalgebra::Vector3;

use crate::cell::{Cell, CellError};
use crate::system::{Species, System};

/// A parse error at a 1-based line of a data file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LammpsDataError {
    /// 1-based line number (0 when the error concerns the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> LammpsDataError {
    LammpsDataError {
        line,
        message: message.into(),
    }
}

/// The layout of the `Atoms` section lines (LAMMPS `atom_style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AtomStyle {
    /// `id type x y z [ix iy iz]`.
    #[default]
    Atomic,
    /// `id type q x y z [ix iy iz]`.
    Charge,
}

impl AtomStyle {
    /// The LAMMPS name (`"atomic"`, `"charge"`).
    pub fn name(self) -> &'static str {
        match self {
            AtomStyle::Atomic => "atomic",
            AtomStyle::Charge => "charge",
        }
    }

    /// The style of a LAMMPS name, `None` if ferromd does not read it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "atomic" => Some(AtomStyle::Atomic),
            "charge" => Some(AtomStyle::Charge),
            _ => None,
        }
    }

    /// Fields before the coordinates (id, type and, for `charge`, q).
    fn leading(self) -> usize {
        match self {
            AtomStyle::Atomic => 2,
            AtomStyle::Charge => 3,
        }
    }
}

/// One line of the `Atoms` section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataAtom {
    /// Atom id.
    pub id: u64,
    /// 1-based atom type.
    pub type_index: usize,
    /// Charge (atom style `charge`), `None` for style `atomic`.
    pub charge: Option<f64>,
    /// Position.
    pub position: Vector3<f64>,
    /// Image flags (zero when the file gives none).
    pub image: [i32; 3],
}

/// The contents of a LAMMPS data file.
#[derive(Debug, Clone, PartialEq)]
pub struct LammpsData {
    /// Number of atom types.
    pub n_types: usize,
    /// Lower box bounds.
    pub lo: Vector3<f64>,
    /// Upper box bounds.
    pub hi: Vector3<f64>,
    /// Tilt factors `[xy, xz, yz]` (zero for an orthogonal box).
    pub tilt: [f64; 3],
    /// The atom style the `Atoms` section was read in.
    pub atom_style: AtomStyle,
    /// Mass of each type (index `type - 1`), if the file gives it.
    pub masses: Vec<Option<f64>>,
    /// Atoms in file order.
    pub atoms: Vec<DataAtom>,
    /// Velocities by atom id, in file order.
    pub velocities: Vec<(u64, Vector3<f64>)>,
}

const SECTIONS: [&str; 3] = ["Masses", "Atoms", "Velocities"];

/// Every section keyword LAMMPS writes; used to find the end of sections that are skipped.
const OTHER_SECTIONS: [&str; 18] = [
    "Pair Coeffs",
    "PairIJ Coeffs",
    "Bond Coeffs",
    "Angle Coeffs",
    "Dihedral Coeffs",
    "Improper Coeffs",
    "Bonds",
    "Angles",
    "Dihedrals",
    "Impropers",
    "Ellipsoids",
    "Lines",
    "Triangles",
    "Bodies",
    "BondBond Coeffs",
    "BondAngle Coeffs",
    "MiddleBondTorsion Coeffs",
    "EndBondTorsion Coeffs",
];

fn section_name(line: &str) -> Option<&str> {
    let head = line.split('#').next().unwrap_or("").trim();
    SECTIONS
        .iter()
        .chain(OTHER_SECTIONS.iter())
        .find(|s| **s == head)
        .copied()
}

fn num<T: std::str::FromStr>(tok: &str, line: usize, what: &str) -> Result<T, LammpsDataError> {
    tok.parse()
        .map_err(|_| err(line, format!("expected {what}, found `{tok}`")))
}

/// Parses the text of a LAMMPS data file. The atom style is the one the `Atoms # STYLE`
/// comment names, `atomic` if there is none.
pub fn parse_lammps_data(text: &str) -> Result<LammpsData, LammpsDataError> {
    parse_lammps_data_as(text, None)
}

/// Parses the text of a LAMMPS data file whose atoms are in `style` (as a LAMMPS
/// script's `atom_style` says); `None` takes the style from the `Atoms # STYLE` comment.
pub fn parse_lammps_data_as(
    text: &str,
    style: Option<AtomStyle>,
) -> Result<LammpsData, LammpsDataError> {
    let lines: Vec<&str> = text.lines().collect();
    // line of the `Velocities` header, if the file has one: its body must cover every atom
    let mut velocities_header = None;
    let mut n_atoms = None;
    let mut n_types = None;
    let mut lo = Vector3::zeros();
    let mut hi = Vector3::repeat(1.0);
    let mut tilt = [0.0; 3];
    let mut k = 1; // the first line is a comment
    // header
    while k < lines.len() && section_name(lines[k]).is_none() {
        let no = k + 1;
        let words: Vec<&str> = lines[k]
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        k += 1;
        match words.as_slice() {
            [] => {}
            [n, "atoms"] => n_atoms = Some(num::<usize>(n, no, "the atom count")?),
            [n, "atom", "types"] => n_types = Some(num::<usize>(n, no, "the type count")?),
            [a, b, lo_kw, _] if lo_kw.len() == 3 && lo_kw.ends_with("lo") => {
                let axis = match *lo_kw {
                    "xlo" => 0,
                    "ylo" => 1,
                    "zlo" => 2,
                    _ => return Err(err(no, format!("unknown header line `{}`", lines[no - 1]))),
                };
                lo[axis] = num(a, no, "a box bound")?;
                hi[axis] = num(b, no, "a box bound")?;
            }
            [a, b, c, "xy", "xz", "yz"] => {
                tilt = [
                    num(a, no, "a tilt factor")?,
                    num(b, no, "a tilt factor")?,
                    num(c, no, "a tilt factor")?,
                ];
            }
            _ => {} // counts of bonds, extra keywords: not needed here
        }
    }
    let n_atoms = n_atoms.ok_or_else(|| err(0, "the header gives no `N atoms` line"))?;
    let n_types = n_types.ok_or_else(|| err(0, "the header gives no `N atom types` line"))?;
    let mut data = LammpsData {
        n_types,
        lo,
        hi,
        tilt,
        atom_style: style.unwrap_or_default(),
        masses: vec![None; n_types],
        atoms: Vec::with_capacity(n_atoms),
        velocities: Vec::new(),
    };
    while k < lines.len() {
        let Some(section) = section_name(lines[k]) else {
            if lines[k].trim().is_empty() {
                k += 1;
                continue;
            }
            return Err(err(
                k + 1,
                format!("expected a section name, found `{}`", lines[k]),
            ));
        };
        if section == "Atoms" && style.is_none() {
            let comment = lines[k].split_once('#').map(|(_, c)| c.trim());
            if let Some(c) = comment.filter(|c| !c.is_empty()) {
                data.atom_style = AtomStyle::from_name(c).ok_or_else(|| {
                    err(
                        k + 1,
                        format!("atom style `{c}` is not supported (atomic, charge)"),
                    )
                })?;
            }
        }
        if section == "Velocities" {
            velocities_header = Some(k + 1);
        }
        k += 1;
        // body: after one blank line, until a blank line followed by a section or EOF
        while k < lines.len() && lines[k].trim().is_empty() {
            k += 1;
        }
        while k < lines.len() && section_name(lines[k]).is_none() {
            let no = k + 1;
            let words: Vec<&str> = lines[k]
                .split('#')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            k += 1;
            if words.is_empty() {
                continue;
            }
            match section {
                "Masses" => {
                    let t: usize = num(words[0], no, "a type")?;
                    if t == 0 || t > n_types || words.len() < 2 {
                        return Err(err(no, format!("bad Masses line for {n_types} types")));
                    }
                    data.masses[t - 1] = Some(num(words[1], no, "a mass")?);
                }
                "Atoms" => {
                    let style = data.atom_style;
                    let lead = style.leading();
                    if words.len() != lead + 3 && words.len() != lead + 6 {
                        let q = if style == AtomStyle::Charge { " q" } else { "" };
                        return Err(err(
                            no,
                            format!(
                                "expected `id type{q} x y z [ix iy iz]` (atom style {}), found {} fields",
                                style.name(),
                                words.len()
                            ),
                        ));
                    }
                    let type_index: usize = num(words[1], no, "a type")?;
                    if type_index == 0 || type_index > n_types {
                        return Err(err(
                            no,
                            format!("type {type_index} is not in 1..={n_types}"),
                        ));
                    }
                    let charge = match style {
                        AtomStyle::Atomic => None,
                        AtomStyle::Charge => Some(num(words[2], no, "a charge")?),
                    };
                    let mut image = [0; 3];
                    if words.len() == lead + 6 {
                        for d in 0..3 {
                            image[d] = num(words[lead + 3 + d], no, "an image flag")?;
                        }
                    }
                    data.atoms.push(DataAtom {
                        id: num(words[0], no, "an atom id")?,
                        type_index,
                        charge,
                        position: Vector3::new(
                            num(words[lead], no, "a coordinate")?,
                            num(words[lead + 1], no, "a coordinate")?,
                            num(words[lead + 2], no, "a coordinate")?,
                        ),
                        image,
                    });
                }
                "Velocities" => {
                    if words.len() < 4 {
                        return Err(err(no, "expected `id vx vy vz`"));
                    }
                    data.velocities.push((
                        num(words[0], no, "an atom id")?,
                        Vector3::new(
                            num(words[1], no, "a velocity")?,
                            num(words[2], no, "a velocity")?,
                            num(words[3], no, "a velocity")?,
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    if data.atoms.len() != n_atoms {
        return Err(err(
            0,
            format!(
                "the header announces {n_atoms} atoms but the Atoms section has {}",
                data.atoms.len()
            ),
        ));
    }
    if let Some(line) = velocities_header
        && data.velocities.len() != n_atoms
    {
        return Err(err(
            line,
            format!(
                "the Velocities section has {} lines for {n_atoms} atoms (truncated?)",
                data.velocities.len()
            ),
        ));
    }
    Ok(data)
}

impl LammpsData {
    /// The periodic cell of the box.
    pub fn cell(&self) -> Result<Cell, CellError> {
        Cell::triclinic_lammps(self.lo, self.hi, self.tilt)
    }

    /// A system with species named `"1"`, `"2"`, ... (masses from the file, 1 where it gives
    /// none), atoms in file order with their ids, image flags and velocities, and charges
    /// if the atom style is `charge`.
    pub fn to_system(&self) -> Result<System, CellError> {
        let species = self
            .masses
            .iter()
            .enumerate()
            .map(|(t, m)| Species::new((t + 1).to_string(), m.unwrap_or(1.0)))
            .collect();
        let mut system = System::new(self.cell()?, species);
        for a in &self.atoms {
            let k = system.push_atom_with_id((a.type_index - 1) as u32, a.position, a.id);
            system.images[k] = a.image;
        }
        if self.atom_style == AtomStyle::Charge {
            system.charges = Some(self.atoms.iter().map(|a| a.charge.unwrap_or(0.0)).collect());
        }
        if !self.velocities.is_empty() {
            let index: std::collections::HashMap<u64, usize> = system
                .ids
                .iter()
                .enumerate()
                .map(|(k, &id)| (id, k))
                .collect();
            for (id, v) in &self.velocities {
                if let Some(&k) = index.get(id) {
                    system.velocities[k] = *v;
                }
            }
        }
        Ok(system)
    }
}

/// Formats like C's `%.16e` (`-1.2345678901234567e+00`): 17 significant digits, so a
/// double read back is the same double.
pub fn format_e16(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{v:.16e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// Writes `system` as a data file (LAMMPS `write_data` layout): header with the box (tilt
/// factors if any), `Masses`, `Atoms # atomic` (or `# charge` with each atom's charge
/// after its type, when the system has charges; positions wrapped into the cell, with
/// image flags) and `Velocities`, atoms sorted by id.
///
/// # Errors
/// I/O errors, and `InvalidInput` if the cell is not in LAMMPS's restricted triclinic
/// form (`a` along x, `b` in the xy plane).
pub fn write_lammps_data(
    w: &mut dyn std::io::Write,
    system: &System,
    step: u64,
) -> std::io::Result<()> {
    let (lo, hi, tilt) = system.cell.lammps_bounds().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the cell is not in LAMMPS's restricted triclinic form",
        )
    })?;
    let e = format_e16;
    let mut s = String::with_capacity(128 * (system.len() + 8));
    use std::fmt::Write as _;
    let _ = writeln!(
        s,
        "LAMMPS data file via write_data, ferromd {}, timestep = {step}\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "{} atoms\n{} atom types\n",
        system.len(),
        system.n_types()
    );
    for (a, n) in ["x", "y", "z"].iter().enumerate() {
        let _ = writeln!(s, "{} {} {n}lo {n}hi", e(lo[a]), e(hi[a]));
    }
    if tilt != [0.0; 3] {
        let _ = writeln!(s, "{} {} {} xy xz yz", e(tilt[0]), e(tilt[1]), e(tilt[2]));
    }
    let _ = writeln!(s, "\nMasses\n");
    for (t, sp) in system.species.iter().enumerate() {
        let _ = writeln!(s, "{} {}", t + 1, crate::thermo::format_g(sp.mass, 15));
    }
    let mut order: Vec<usize> = (0..system.len()).collect();
    order.sort_by_key(|&i| system.ids[i]);
    let style = if system.charges.is_some() {
        AtomStyle::Charge
    } else {
        AtomStyle::Atomic
    };
    let _ = writeln!(s, "\nAtoms # {}\n", style.name());
    for &i in &order {
        let mut img = system.images[i];
        let x = system.cell.wrap(&system.positions[i], &mut img);
        let _ = write!(s, "{} {} ", system.ids[i], system.types[i] + 1);
        if let Some(q) = &system.charges {
            let _ = write!(s, "{} ", e(q[i]));
        }
        let _ = writeln!(
            s,
            "{} {} {} {} {} {}",
            e(x.x),
            e(x.y),
            e(x.z),
            img[0],
            img[1],
            img[2]
        );
    }
    let _ = writeln!(s, "\nVelocities\n");
    for &i in &order {
        let v = system.velocities[i];
        let _ = writeln!(s, "{} {} {} {}", system.ids[i], e(v.x), e(v.y), e(v.z));
    }
    w.write_all(s.as_bytes())
}

/// Writes a data file atomically: to a temporary file next to `path`, then renamed.
pub fn write_lammps_data_file(
    path: &std::path::Path,
    system: &System,
    step: u64,
) -> std::io::Result<()> {
    let tmp = path.with_extension("ferromd-tmp");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write_lammps_data(&mut f, system, step)?;
        std::io::Write::flush(&mut f)?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "LAMMPS data file\n\n3 atoms\n2 atom types\n\n0 10 xlo xhi\n-1 9 ylo yhi\n0 8 zlo zhi\n1 -0.5 0.25 xy xz yz\n\nMasses\n\n1 63.5\n2 27\n\nAtoms # atomic\n\n1 1 0 0 0 0 0 0\n3 2 1 2 3 1 -1 0\n2 1 4.5 5 6\n\nVelocities\n\n3 0.1 0.2 0.3\n1 0 0 0\n2 0 0 0\n";

    #[test]
    fn reads_box_masses_atoms_velocities() {
        let d = parse_lammps_data(SAMPLE).unwrap();
        assert_eq!(d.n_types, 2);
        assert_eq!(d.tilt, [1.0, -0.5, 0.25]);
        assert_eq!(d.lo, Vector3::new(0.0, -1.0, 0.0));
        assert_eq!(d.masses, vec![Some(63.5), Some(27.0)]);
        assert_eq!(d.atoms[1].image, [1, -1, 0]);
        let s = d.to_system().unwrap();
        assert_eq!(s.ids, vec![1, 3, 2]);
        assert_eq!(s.types, vec![0, 1, 0]);
        assert_eq!(s.velocities[1], Vector3::new(0.1, 0.2, 0.3));
        assert_eq!(s.masses[1], 27.0);
        // LAMMPS reads one Velocities line per atom: fewer is a truncated file
        let short = SAMPLE.replace("1 0 0 0\n", "");
        let e = parse_lammps_data(&short).unwrap_err();
        assert_eq!(e.line, 22, "{e}");
        assert!(e.message.contains("2 lines for 3 atoms"), "{e}");
    }

    #[test]
    fn e16_matches_c() {
        assert_eq!(format_e16(1.0), "1.0000000000000000e+00");
        assert_eq!(format_e16(-0.00123), "-1.2300000000000000e-03");
        assert_eq!(format_e16(1e100), "1.0000000000000000e+100");
        assert_eq!(format_e16(6.02e123), "6.0199999999999995e+123");
        assert_eq!(format_e16(0.0), "0.0000000000000000e+00");
    }

    #[test]
    fn write_read_round_trip_is_exact() {
        let d = parse_lammps_data(SAMPLE).unwrap();
        let mut s = d.to_system().unwrap();
        s.positions[0] = Vector3::new(1.0 / 3.0, -0.1, 7.999_999_999_999_999);
        s.velocities[2] = Vector3::new(std::f64::consts::PI, -1e-300, 2.0f64.sqrt());
        let mut buf = Vec::new();
        write_lammps_data(&mut buf, &s, 42).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.contains("timestep = 42") && text.contains("xy xz yz"),
            "{text}"
        );
        let back = parse_lammps_data(&text).unwrap().to_system().unwrap();
        assert_eq!(back.cell, s.cell);
        assert_eq!(back.masses.len(), 3);
        for (j, &id) in back.ids.iter().enumerate() {
            let i = s.ids.iter().position(|&x| x == id).unwrap();
            let mut img = s.images[i];
            let wrapped = s.cell.wrap(&s.positions[i], &mut img);
            assert_eq!(back.positions[j], wrapped);
            assert_eq!(back.images[j], img);
            assert_eq!(back.velocities[j], s.velocities[i]);
            assert_eq!(back.types[j], s.types[i]);
        }
        // sorted by id
        assert_eq!(back.ids, vec![1, 2, 3]);
    }

    #[test]
    fn charge_style_round_trip_is_exact() {
        let mut s = parse_lammps_data(SAMPLE).unwrap().to_system().unwrap();
        assert!(s.charges.is_none());
        *s.enable_charges() = vec![0.5, -1.0 / 3.0, 1e-300];
        let mut buf = Vec::new();
        write_lammps_data(&mut buf, &s, 0).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.contains("Atoms # charge"), "{text}");
        let d = parse_lammps_data(&text).unwrap();
        assert_eq!(d.atom_style, AtomStyle::Charge);
        let back = d.to_system().unwrap();
        let q = back.charges.as_ref().unwrap();
        for (j, &id) in back.ids.iter().enumerate() {
            let i = s.ids.iter().position(|&x| x == id).unwrap();
            assert_eq!(q[j].to_bits(), s.charges.as_ref().unwrap()[i].to_bits());
            assert_eq!(back.types[j], s.types[i]);
        }
        // the same text read as atomic is an error naming the first Atoms line
        let e = parse_lammps_data_as(&text, Some(AtomStyle::Atomic)).unwrap_err();
        let first = text.lines().position(|l| l.starts_with("1 1 ")).unwrap() + 1;
        assert_eq!(e.line, first, "{e}");
        assert!(e.message.contains("atom style atomic"), "{e}");
        // an atomic file read as charge: the fields do not fit either
        assert!(parse_lammps_data_as(SAMPLE, Some(AtomStyle::Charge)).is_err());
        // an unknown style comment is named
        let full = SAMPLE.replace("Atoms # atomic", "Atoms # full");
        assert!(
            parse_lammps_data(&full)
                .unwrap_err()
                .message
                .contains("full")
        );
    }

    #[test]
    fn errors_name_the_line() {
        let bad = SAMPLE.replace("3 2 1 2 3 1 -1 0", "3 7 1 2 3 1 -1 0");
        assert_eq!(parse_lammps_data(&bad).unwrap_err().line, 19);
        let bad = SAMPLE.replace("4.5 5 6", "4.5 five 6");
        let e = parse_lammps_data(&bad).unwrap_err();
        assert_eq!(e.line, 20);
        assert!(e.message.contains("`five`"), "{e}");
        let short = SAMPLE.replace("3 atoms", "4 atoms");
        assert!(
            parse_lammps_data(&short)
                .unwrap_err()
                .message
                .contains("announces 4")
        );
    }
}
