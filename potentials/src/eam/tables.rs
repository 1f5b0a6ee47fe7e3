//! The spline tables an EAM evaluation uses, on one common grid, and the per-type lookups.
//!
//! Funcfl files may use different grids: they are resampled onto the finest spacing and
//! the longest range among them, and pair terms of unlike files are built from the
//! product of their effective charges, `r·phi = 27.2·0.529·Z_i·Z_j` (Hartree·Bohr to
//! eV·Å). Setfl and Finnis-Sinclair files are already on one grid and are used as read.

use super::funcfl::FuncflFile;
use super::setfl::SetflFile;
use super::spline::{SplineTable, resample};

/// Hartree times Bohr radius in eV·Å, as the DYNAMO convention (and LAMMPS) rounds it.
const HARTREE_BOHR: f64 = 27.2 * 0.529;

/// Spline tables and the type-to-table maps of an EAM potential.
#[derive(Debug, Clone)]
pub struct EamTables {
    /// Number of type (not element) indices covered.
    pub n_types: usize,
    /// Knots of the embedding tables.
    pub nrho: usize,
    /// `1 / drho`.
    pub rdrho: f64,
    /// Largest tabulated density, `(nrho - 1) * drho`; `F` is continued linearly beyond.
    pub rhomax: f64,
    /// Knots of the distance tables.
    pub nr: usize,
    /// `1 / dr`.
    pub rdr: f64,
    /// Interaction cutoff.
    pub cutoff: f64,
    /// Embedding functions `F(rho)`.
    pub frho: Vec<SplineTable>,
    /// Density functions `rho(r)`.
    pub rhor: Vec<SplineTable>,
    /// Pair functions `r·phi(r)`.
    pub z2r: Vec<SplineTable>,
    /// Embedding table of each type.
    pub type2frho: Vec<usize>,
    /// `type2rhor[a * n_types + b]`: the density table for what an atom of type `a`
    /// contributes at an atom of type `b`.
    pub type2rhor: Vec<usize>,
    /// `type2z2r[a * n_types + b]`: the pair table of types `a`, `b` (symmetric).
    pub type2z2r: Vec<usize>,
}

/// Index of the lower-triangular pair `(max(a,b), min(a,b))` in row order.
fn triangle(a: usize, b: usize) -> usize {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    hi * (hi + 1) / 2 + lo
}

impl EamTables {
    /// Tables for funcfl `files`, type `t` using `files[type_to_file[t]]`; a `None` type
    /// is left out (see [`EamTables::from_setfl`]).
    ///
    /// # Panics
    /// If a `type_to_file` entry is out of range.
    pub fn from_funcfl(files: &[FuncflFile], type_to_file: &[Option<usize>]) -> Self {
        let n_types = type_to_file.len();
        assert!(type_to_file.iter().flatten().all(|&f| f < files.len()));
        let (mut dr, mut drho, mut rmax, mut rhomax) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for f in files {
            dr = dr.max(f.dr);
            drho = drho.max(f.drho);
            rmax = rmax.max((f.zr.len() - 1) as f64 * f.dr);
            rhomax = rhomax.max((f.frho.len() - 1) as f64 * f.drho);
        }
        // + 0.5: round the quotient of two rounded numbers to the nearest count
        let nr = (rmax / dr + 0.5) as usize;
        let nrho = (rhomax / drho + 0.5) as usize;
        let mut frho: Vec<SplineTable> = files
            .iter()
            .map(|f| SplineTable::new(&resample(&f.frho, f.drho, nrho, drho), drho))
            .collect();
        let mut rhor: Vec<SplineTable> = files
            .iter()
            .map(|f| SplineTable::new(&resample(&f.rhor, f.dr, nr, dr), dr))
            .collect();
        let charges: Vec<Vec<f64>> = files
            .iter()
            .map(|f| resample(&f.zr, f.dr, nr, dr))
            .collect();
        let mut z2r = Vec::new();
        for i in 0..files.len() {
            for j in 0..=i {
                let rphi: Vec<f64> = charges[i]
                    .iter()
                    .zip(&charges[j])
                    .map(|(zi, zj)| HARTREE_BOHR * zi * zj)
                    .collect();
                z2r.push(SplineTable::new(&rphi, dr));
            }
        }
        let zeros = Zeros::append(
            type_to_file,
            (&mut frho, nrho, drho),
            &mut rhor,
            &mut z2r,
            (nr, dr),
        );
        let mut type2rhor = Vec::with_capacity(n_types * n_types);
        let mut type2z2r = Vec::with_capacity(n_types * n_types);
        for &a in type_to_file {
            for &b in type_to_file {
                type2rhor.push(zeros.rhor(a, b, |a, _| a));
                type2z2r.push(zeros.z2r(a, b));
            }
        }
        EamTables {
            n_types,
            nrho,
            rdrho: 1.0 / drho,
            rhomax,
            nr,
            rdr: 1.0 / dr,
            cutoff: files.iter().map(|f| f.cutoff).fold(0.0, f64::max),
            frho,
            rhor,
            z2r,
            type2frho: zeros.frho_of(type_to_file),
            type2rhor,
            type2z2r,
        }
    }

    /// Tables for a setfl or Finnis-Sinclair `file`, type `t` being element `type_to_element[t]`.
    ///
    /// A `None` type (LAMMPS's `NULL`) is left out, as in LAMMPS: its embedding function,
    /// the densities it gives or receives and its pair functions are tables of zeros, so
    /// its atoms neither contribute nor feel anything.
    ///
    /// # Panics
    /// If a `type_to_element` entry is out of range.
    pub fn from_setfl(file: &SetflFile, type_to_element: &[Option<usize>]) -> Self {
        let n_types = type_to_element.len();
        let n_el = file.elements.len();
        assert!(type_to_element.iter().flatten().all(|&e| e < n_el));
        let nrho = file.frho[0].len();
        let nr = file.z2r[0].len();
        let mut frho: Vec<SplineTable> = file
            .frho
            .iter()
            .map(|v| SplineTable::new(v, file.drho))
            .collect();
        let mut rhor: Vec<SplineTable> = file
            .rhor
            .iter()
            .map(|v| SplineTable::new(v, file.dr))
            .collect();
        let mut z2r: Vec<SplineTable> = file
            .z2r
            .iter()
            .map(|v| SplineTable::new(v, file.dr))
            .collect();
        let zeros = Zeros::append(
            type_to_element,
            (&mut frho, nrho, file.drho),
            &mut rhor,
            &mut z2r,
            (nr, file.dr),
        );
        let fs = file.finnis_sinclair;
        let mut type2rhor = Vec::with_capacity(n_types * n_types);
        let mut type2z2r = Vec::with_capacity(n_types * n_types);
        for &a in type_to_element {
            for &b in type_to_element {
                type2rhor.push(zeros.rhor(a, b, |a, b| if fs { a * n_el + b } else { a }));
                type2z2r.push(zeros.z2r(a, b));
            }
        }
        EamTables {
            n_types,
            nrho,
            rdrho: 1.0 / file.drho,
            rhomax: (nrho - 1) as f64 * file.drho,
            nr,
            rdr: 1.0 / file.dr,
            cutoff: file.cutoff,
            frho,
            rhor,
            z2r,
            type2frho: zeros.frho_of(type_to_element),
            type2rhor,
            type2z2r,
        }
    }
}

/// The indices of the all-zero tables appended for types left out of the potential.
struct Zeros {
    frho: usize,
    rhor: usize,
    z2r: usize,
}

impl Zeros {
    /// Appends a zero embedding, density and pair table when some type of `map` is `None`
    /// (the indices are never used otherwise).
    fn append(
        map: &[Option<usize>],
        (frho, nrho, drho): (&mut Vec<SplineTable>, usize, f64),
        rhor: &mut Vec<SplineTable>,
        z2r: &mut Vec<SplineTable>,
        (nr, dr): (usize, f64),
    ) -> Self {
        let zeros = Zeros {
            frho: frho.len(),
            rhor: rhor.len(),
            z2r: z2r.len(),
        };
        if map.contains(&None) {
            frho.push(SplineTable::new(&vec![0.0; nrho], drho));
            rhor.push(SplineTable::new(&vec![0.0; nr], dr));
            z2r.push(SplineTable::new(&vec![0.0; nr], dr));
        }
        zeros
    }

    /// The embedding table of each type.
    fn frho_of(&self, map: &[Option<usize>]) -> Vec<usize> {
        map.iter().map(|t| t.unwrap_or(self.frho)).collect()
    }

    /// The density table for what a type mapped to `a` gives one mapped to `b`: `mapped`'s
    /// choice when both are mapped, zeros otherwise.
    fn rhor(
        &self,
        a: Option<usize>,
        b: Option<usize>,
        mapped: impl Fn(usize, usize) -> usize,
    ) -> usize {
        match (a, b) {
            (Some(a), Some(b)) => mapped(a, b),
            _ => self.rhor,
        }
    }

    /// The pair table of types mapped to `a` and `b`.
    fn z2r(&self, a: Option<usize>, b: Option<usize>) -> usize {
        match (a, b) {
            (Some(a), Some(b)) => triangle(a, b),
            _ => self.z2r,
        }
    }
}
