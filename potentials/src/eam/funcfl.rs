//! Reader for DYNAMO `funcfl` files (LAMMPS `pair_style eam`): one element per file.
//!
//! Layout: a comment line; `Z mass [lattice-constant lattice-type]`;
//! `nrho drho nr dr cutoff`; then `F(rho)` at `nrho` points, the effective charge
//! `Z(r)` at `nr` points and the density `rho(r)` at `nr` points, any number per line.

use std::path::{Path, PathBuf};

use crate::files::{PotentialFileError, TokenReader, parse_f64, parse_usize};

/// The contents of a funcfl file, as tabulated there.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncflFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Atomic mass.
    pub mass: f64,
    /// Grid spacing of the embedding function.
    pub drho: f64,
    /// Grid spacing in distance.
    pub dr: f64,
    /// Cutoff distance.
    pub cutoff: f64,
    /// Embedding energy `F` at `rho = k * drho`.
    pub frho: Vec<f64>,
    /// Effective charge `Z` at `r = k * dr` (sqrt of Hartree·Bohr).
    pub zr: Vec<f64>,
    /// Electron density contribution at `r = k * dr`.
    pub rhor: Vec<f64>,
}

/// Reads a funcfl file from `path`.
pub fn read_funcfl(path: &Path) -> Result<FuncflFile, PotentialFileError> {
    let mut r = TokenReader::open(path)?;
    parse_funcfl(&mut r)
}

/// Parses funcfl text from a [`TokenReader`].
pub fn parse_funcfl(r: &mut TokenReader) -> Result<FuncflFile, PotentialFileError> {
    let path = r.path().to_path_buf();
    r.raw_line()?;
    let head = r.line_tokens(2)?;
    let mass = parse_f64(&path, &head[1].0, head[1].1, "the atomic mass")?;
    let grid = r.line_tokens(5)?;
    let line = grid[0].1;
    let nrho = parse_usize(&path, &grid[0].0, line, "nrho")?;
    let drho = parse_f64(&path, &grid[1].0, line, "drho")?;
    let nr = parse_usize(&path, &grid[2].0, line, "nr")?;
    let dr = parse_f64(&path, &grid[3].0, line, "dr")?;
    let cutoff = parse_f64(&path, &grid[4].0, line, "the cutoff")?;
    check_grid(r, line, nrho, drho, nr, dr, cutoff)?;
    let frho = r.floats(nrho, "F(rho)")?;
    let zr = r.floats(nr, "Z(r)")?;
    let rhor = r.floats(nr, "rho(r)")?;
    Ok(FuncflFile {
        path,
        mass,
        drho,
        dr,
        cutoff,
        frho,
        zr,
        rhor,
    })
}

/// Checks the grid line of an EAM file.
pub(crate) fn check_grid(
    r: &TokenReader,
    line: usize,
    nrho: usize,
    drho: f64,
    nr: usize,
    dr: f64,
    cutoff: f64,
) -> Result<(), PotentialFileError> {
    if nrho < 5 || nr < 5 {
        return Err(r.error(
            line,
            format!("tables need at least 5 points (nrho = {nrho}, nr = {nr})"),
        ));
    }
    for (name, v) in [("drho", drho), ("dr", dr), ("cutoff", cutoff)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(r.error(line, format!("{name} = {v} must be positive")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> String {
        let nums: Vec<String> = (0..n).map(|k| format!("{}.5", k)).collect();
        format!(
            "comment\n 29 63.55 3.615 FCC\n 5 0.1 5 0.2 0.9\n{}\n{}\n{}\n",
            nums.join(" "),
            nums.join("  "),
            nums.join("\t")
        )
    }

    #[test]
    fn reads_header_and_tables() {
        let mut r = TokenReader::from_text(Path::new("x.eam"), &sample(5));
        let f = parse_funcfl(&mut r).unwrap();
        assert_eq!(f.mass, 63.55);
        assert_eq!((f.drho, f.dr, f.cutoff), (0.1, 0.2, 0.9));
        assert_eq!(f.frho, vec![0.5, 1.5, 2.5, 3.5, 4.5]);
        assert_eq!(f.rhor.len(), 5);
    }

    #[test]
    fn truncated_file_names_the_line() {
        let mut r = TokenReader::from_text(Path::new("x.eam"), &sample(4));
        let e = parse_funcfl(&mut r).unwrap_err();
        assert_eq!(e.line, Some(7), "{e}");
        assert!(
            e.to_string().starts_with("x.eam:7: unexpected end of file"),
            "{e}"
        );
    }
}
