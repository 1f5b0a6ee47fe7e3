//! XYZ files (plain, and extended XYZ's `Lattice`/`pbc` comment keys).

use nalgebra::{Matrix3, Vector3};

/// One frame of an XYZ file.
#[derive(Debug, Clone, PartialEq)]
pub struct XyzFrame {
    /// Element symbols or labels.
    pub symbols: Vec<String>,
    /// Cartesian positions.
    pub positions: Vec<Vector3<f64>>,
    /// Cell vectors as columns, from an extended-XYZ `Lattice="..."` key.
    pub lattice: Option<Matrix3<f64>>,
    /// Periodicity from `pbc="T T T"` (defaults to periodic when a lattice is given).
    pub pbc: Option<[bool; 3]>,
}

/// A parse error at a 1-based line of the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XyzError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> XyzError {
    XyzError {
        line,
        message: message.into(),
    }
}

/// Parses the first frame of an XYZ or extended-XYZ text (see [`super::extxyz`], which
/// reads all frames and the per-atom properties too).
pub fn parse_xyz(text: &str) -> Result<XyzFrame, XyzError> {
    if text.trim().is_empty() {
        return Err(err(1, "empty file"));
    }
    let frame = super::extxyz::parse_first_frame(text).map_err(|e| err(e.line, e.message))?;
    Ok(XyzFrame {
        symbols: frame.symbols,
        positions: frame.positions,
        lattice: frame.lattice,
        pbc: frame.pbc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_extended_header() {
        let t = "2\nLattice=\"4 0 0 0 5 0 1 0 6\" Properties=species:S:1:pos:R:3 pbc=\"T T F\"\nAr 0 0 0\nAr 1.5 0 0.25\n";
        let f = parse_xyz(t).unwrap();
        assert_eq!(f.symbols, ["Ar", "Ar"]);
        let l = f.lattice.unwrap();
        assert_eq!(l.column(2).into_owned(), Vector3::new(1.0, 0.0, 6.0));
        assert_eq!(f.pbc, Some([true, true, false]));
    }

    #[test]
    fn truncated_file_names_line() {
        let e = parse_xyz("3\n\nAr 0 0 0\n").unwrap_err();
        assert_eq!(e.line, 4);
        let e = parse_xyz("1\n\nAr 0 x 0\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`x`"));
    }
}
