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
    /// Tables for funcfl `files`, type `t` using `files[type_to_file[t]]`.
    ///
    /// # Panics
    /// If a `type_to_file` entry is out of range.
    pub fn from_funcfl(files: &[FuncflFile], type_to_file: &[usize]) -> Self {
        let n_types = type_to_file.len();
        assert!(type_to_file.iter().all(|&f| f < files.len()));
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
        let frho = files
            .iter()
            .map(|f| SplineTable::new(&resample(&f.frho, f.drho, nrho, drho), drho))
            .collect();
        let rhor = files
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
        let mut type2rhor = Vec::with_capacity(n_types * n_types);
        let mut type2z2r = Vec::with_capacity(n_types * n_types);
        for &a in type_to_file {
            for &b in type_to_file {
                type2rhor.push(a);
                type2z2r.push(triangle(a, b));
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
            type2frho: type_to_file.to_vec(),
            type2rhor,
            type2z2r,
        }
    }

    /// Tables for a setfl or Finnis-Sinclair `file`, type `t` being element `type_to_element[t]`.
    ///
    /// # Panics
    /// If a `type_to_element` entry is out of range.
    pub fn from_setfl(file: &SetflFile, type_to_element: &[usize]) -> Self {
        let n_types = type_to_element.len();
        let n_el = file.elements.len();
        assert!(type_to_element.iter().all(|&e| e < n_el));
        let nrho = file.frho[0].len();
        let nr = file.z2r[0].len();
        let frho = file
            .frho
            .iter()
            .map(|v| SplineTable::new(v, file.drho))
            .collect();
        let rhor = file
            .rhor
            .iter()
            .map(|v| SplineTable::new(v, file.dr))
            .collect();
        let z2r = file
            .z2r
            .iter()
            .map(|v| SplineTable::new(v, file.dr))
            .collect();
        let mut type2rhor = Vec::with_capacity(n_types * n_types);
        let mut type2z2r = Vec::with_capacity(n_types * n_types);
        for &a in type_to_element {
            for &b in type_to_element {
                type2rhor.push(if file.finnis_sinclair {
                    a * n_el + b
                } else {
                    a
                });
                type2z2r.push(triangle(a, b));
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
            type2frho: type_to_element.to_vec(),
            type2rhor,
            type2z2r,
        }
    }
}
