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

/// Parses the first frame of an XYZ or extended-XYZ text.
pub fn parse_xyz(text: &str) -> Result<XyzFrame, XyzError> {
    let mut lines = text.lines();
    let first = lines.next().ok_or_else(|| err(1, "empty file"))?;
    let n: usize = first.trim().parse().map_err(|_| {
        err(
            1,
            format!("expected the atom count, found `{}`", first.trim()),
        )
    })?;
    let comment = lines.next().ok_or_else(|| err(2, "missing comment line"))?;
    let lattice = match comment_value(comment, "Lattice") {
        Some(v) => Some(parse_lattice(&v).map_err(|m| err(2, m))?),
        None => None,
    };
    let pbc = match comment_value(comment, "pbc") {
        Some(v) => Some(parse_pbc(&v).map_err(|m| err(2, m))?),
        None => None,
    };
    let mut symbols = Vec::with_capacity(n);
    let mut positions = Vec::with_capacity(n);
    for k in 0..n {
        let line_no = k + 3;
        let line = lines.next().ok_or_else(|| {
            err(
                line_no,
                format!("file ends after {k} of {n} atoms (truncated?)"),
            )
        })?;
        let mut words = line.split_whitespace();
        let sym = words
            .next()
            .ok_or_else(|| err(line_no, "empty atom line"))?;
        let mut x = [0.0; 3];
        for (c, xc) in x.iter_mut().enumerate() {
            let w = words.next().ok_or_else(|| {
                err(
                    line_no,
                    format!(
                        "atom line needs a symbol and 3 coordinates, found {}",
                        c + 1
                    ),
                )
            })?;
            *xc = w
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| err(line_no, format!("`{w}` is not a finite number")))?;
        }
        symbols.push(sym.to_string());
        positions.push(Vector3::from(x));
    }
    Ok(XyzFrame {
        symbols,
        positions,
        lattice,
        pbc,
    })
}

/// Extracts `key=value` or `key="quoted value"` from an extended-XYZ comment line.
fn comment_value(comment: &str, key: &str) -> Option<String> {
    let lower = comment.to_ascii_lowercase();
    let pat = format!("{}=", key.to_ascii_lowercase());
    let mut search = 0;
    while let Some(pos) = lower[search..].find(&pat) {
        let at = search + pos;
        let boundary = at == 0 || comment.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = &comment[at + pat.len()..];
        if boundary {
            return Some(if let Some(q) = rest.strip_prefix('"') {
                q.split('"').next().unwrap_or("").to_string()
            } else {
                rest.split_whitespace().next().unwrap_or("").to_string()
            });
        }
        search = at + pat.len();
    }
    None
}

fn parse_lattice(v: &str) -> Result<Matrix3<f64>, String> {
    let nums: Vec<f64> = v
        .split_whitespace()
        .map(|w| {
            w.parse::<f64>()
                .map_err(|_| format!("bad Lattice entry `{w}`"))
        })
        .collect::<Result<_, _>>()?;
    if nums.len() != 9 {
        return Err(format!("Lattice needs 9 numbers, found {}", nums.len()));
    }
    // extended XYZ lists a, b, c one after the other: they become columns
    Ok(Matrix3::from_column_slice(&nums))
}

fn parse_pbc(v: &str) -> Result<[bool; 3], String> {
    let flags: Vec<bool> = v
        .split_whitespace()
        .map(|w| match w {
            "T" | "t" | "True" | "true" | "1" => Ok(true),
            "F" | "f" | "False" | "false" | "0" => Ok(false),
            _ => Err(format!("bad pbc flag `{w}`")),
        })
        .collect::<Result<_, _>>()?;
    flags
        .try_into()
        .map_err(|f: Vec<bool>| format!("pbc needs 3 flags, found {}", f.len()))
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
