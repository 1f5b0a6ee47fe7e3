//! Reader for DYNAMO `setfl` files: `eam/alloy` and the Finnis-Sinclair variant `eam/fs`.
//!
//! Layout: three comment lines; `N element_1 ... element_N`; `nrho drho nr dr cutoff`;
//! then per element a line `Z mass [lattice-constant lattice-type]`, `F(rho)` at `nrho`
//! points and the density at `nr` points (for `eam/fs`, `N` density functions: the density
//! this element contributes at an atom of element 1..N); finally `r·phi(r)` at `nr`
//! points for each element pair `i ≥ j` in the order (1,1), (2,1), (2,2), (3,1), ...

use std::path::{Path, PathBuf};

use super::funcfl::check_grid;
use crate::files::{PotentialFileError, TokenReader, parse_f64, parse_usize};

/// The contents of a setfl (or Finnis-Sinclair) file, as tabulated there.
#[derive(Debug, Clone, PartialEq)]
pub struct SetflFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Element names in file order.
    pub elements: Vec<String>,
    /// Atomic masses, per element.
    pub masses: Vec<f64>,
    /// Grid spacing of the embedding functions.
    pub drho: f64,
    /// Grid spacing in distance.
    pub dr: f64,
    /// Cutoff distance.
    pub cutoff: f64,
    /// `frho[i]`: embedding energy of element `i` at `rho = k * drho`.
    pub frho: Vec<Vec<f64>>,
    /// Density functions at `r = k * dr`: `rhor[i]` for setfl; for Finnis-Sinclair,
    /// `rhor[i * N + j]` is the density that element `i` contributes at element `j`.
    pub rhor: Vec<Vec<f64>>,
    /// `r·phi(r)` for element pairs `i ≥ j`, at index `i (i + 1) / 2 + j`.
    pub z2r: Vec<Vec<f64>>,
    /// True for the Finnis-Sinclair layout.
    pub finnis_sinclair: bool,
}

/// Reads a setfl (`finnis_sinclair = false`) or `eam/fs` file from `path`.
pub fn read_setfl(path: &Path, finnis_sinclair: bool) -> Result<SetflFile, PotentialFileError> {
    let mut r = TokenReader::open(path)?;
    parse_setfl(&mut r, finnis_sinclair)
}

/// Parses setfl or `eam/fs` text from a [`TokenReader`].
pub fn parse_setfl(
    r: &mut TokenReader,
    finnis_sinclair: bool,
) -> Result<SetflFile, PotentialFileError> {
    let path = r.path().to_path_buf();
    for _ in 0..3 {
        r.raw_line()?;
    }
    let names = r.line_tokens(1)?;
    let line = names[0].1;
    let n = parse_usize(&path, &names[0].0, line, "the number of elements")?;
    if n == 0 || names.len() != n + 1 {
        return Err(r.error(
            line,
            format!(
                "the element line announces {n} elements but names {}",
                names.len() - 1
            ),
        ));
    }
    let elements: Vec<String> = names[1..].iter().map(|t| t.0.clone()).collect();
    let grid = r.line_tokens(5)?;
    let line = grid[0].1;
    let nrho = parse_usize(&path, &grid[0].0, line, "nrho")?;
    let drho = parse_f64(&path, &grid[1].0, line, "drho")?;
    let nr = parse_usize(&path, &grid[2].0, line, "nr")?;
    let dr = parse_f64(&path, &grid[3].0, line, "dr")?;
    let cutoff = parse_f64(&path, &grid[4].0, line, "the cutoff")?;
    check_grid(r, line, nrho, drho, nr, dr, cutoff)?;
    let mut masses = Vec::with_capacity(n);
    let mut frho = Vec::with_capacity(n);
    let mut rhor = Vec::new();
    let densities = if finnis_sinclair { n } else { 1 };
    for name in &elements {
        let head = r.line_tokens(2)?;
        masses.push(parse_f64(&path, &head[1].0, head[1].1, "the atomic mass")?);
        frho.push(r.floats(nrho, &format!("F(rho) of {name}"))?);
        for _ in 0..densities {
            rhor.push(r.floats(nr, &format!("rho(r) of {name}"))?);
        }
    }
    let mut z2r = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in 0..=i {
            let what = format!("r*phi(r) of {}-{}", elements[i], elements[j]);
            z2r.push(r.floats(nr, &what)?);
        }
    }
    Ok(SetflFile {
        path,
        elements,
        masses,
        drho,
        dr,
        cutoff,
        frho,
        rhor,
        z2r,
        finnis_sinclair,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(elements: &[&str], fs: bool, nr: usize) -> String {
        let n = elements.len();
        let row = |v: f64| vec![format!("{v}"); 5].join(" ");
        let mut s = format!(
            "c1\nc2\nc3\n{n} {}\n5 0.1 {nr} 0.2 0.8\n",
            elements.join(" ")
        );
        for (k, _) in elements.iter().enumerate() {
            s += &format!("{} {}.0 4.0 fcc\n{}\n", k + 1, 10 * (k + 1), row(k as f64));
            for j in 0..(if fs { n } else { 1 }) {
                s += &format!("{}\n", row((10 * k + j) as f64));
            }
        }
        for _ in 0..n * (n + 1) / 2 {
            s += &format!("{}\n", row(7.0));
        }
        s
    }

    #[test]
    fn reads_two_element_alloy_and_fs() {
        for fs in [false, true] {
            let text = sample(&["Al", "Cu"], fs, 5);
            let mut r = TokenReader::from_text(Path::new("a.eam.alloy"), &text);
            let f = parse_setfl(&mut r, fs).unwrap();
            assert_eq!(f.elements, vec!["Al", "Cu"]);
            assert_eq!(f.masses, vec![10.0, 20.0]);
            assert_eq!(f.frho[1][0], 1.0);
            assert_eq!(f.rhor.len(), if fs { 4 } else { 2 });
            if fs {
                assert_eq!(f.rhor[3][0], 11.0);
            }
            assert_eq!(f.z2r.len(), 3);
        }
    }

    #[test]
    fn wrong_element_count_and_short_tables_name_the_line() {
        let text = sample(&["Al", "Cu"], false, 5).replacen("2 Al Cu", "3 Al Cu", 1);
        let mut r = TokenReader::from_text(Path::new("a.eam.alloy"), &text);
        let e = parse_setfl(&mut r, false).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        // nr = 6 but only 5 values per table: the z2r tables run out at the end of the file
        let text = sample(&["Al"], false, 6);
        let mut r = TokenReader::from_text(Path::new("a.eam.alloy"), &text);
        let e = parse_setfl(&mut r, false).unwrap_err();
        assert!(e.to_string().contains("r*phi(r) of Al-Al"), "{e}");
    }
}
