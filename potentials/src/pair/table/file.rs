//! Reading one section of a LAMMPS `pair_style table` file.
//!
//! A table file holds any number of sections. Each starts with a line whose first word is
//! the section's keyword, then a parameter line `N n [R|RSQ lo hi] [FPRIME fplo fphi]`, a
//! blank line, and `n` lines `index r energy force`. `#` starts a comment and blank lines
//! between data lines are skipped, as LAMMPS's table reader does. With `R` or `RSQ` the
//! distances are recomputed on a grid even in `r` or in `r²` from `lo` to `hi` and the
//! file's second column only has to be present. The first line may carry a
//! `UNITS: style` tag naming the unit system the numbers are in.

use std::path::{Path, PathBuf};

use crate::files::{PotentialFileError, parse_f64, parse_usize};

/// How the distances of a table section are given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DistanceGrid {
    /// Read from the second column of each line.
    File,
    /// `R lo hi`: evenly spaced in `r`.
    Linear {
        /// First distance.
        lo: f64,
        /// Last distance.
        hi: f64,
    },
    /// `RSQ lo hi`: evenly spaced in `r²`.
    Squared {
        /// First distance.
        lo: f64,
        /// Last distance.
        hi: f64,
    },
}

/// One section of a table file: distances, energies and forces at `n` points.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSection {
    /// The file it was read from.
    pub path: PathBuf,
    /// The section keyword.
    pub keyword: String,
    /// How the distances were given.
    pub grid: DistanceGrid,
    /// `FPRIME fplo fphi`: the derivative of the force at the first and last point.
    pub fprime: Option<(f64, f64)>,
    /// Distances, strictly increasing.
    pub r: Vec<f64>,
    /// Energies.
    pub energy: Vec<f64>,
    /// Forces `-dE/dr`.
    pub force: Vec<f64>,
    /// The unit style named by a `UNITS:` tag on the file's first line, if any.
    pub units: Option<String>,
}

impl TableSection {
    /// Multiplies the energies and forces by `factor` (a change of energy unit at fixed
    /// length unit). `FPRIME` values are kept as written, as LAMMPS keeps them when it
    /// converts a table's units.
    pub fn scale_energies(&mut self, factor: f64) {
        for v in self.energy.iter_mut().chain(self.force.iter_mut()) {
            *v *= factor;
        }
    }

    /// Reads the section `keyword` of the table file at `path` (already resolved).
    pub fn read(path: &Path, keyword: &str) -> Result<Self, PotentialFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PotentialFileError::file(path, format!("cannot read: {e}")))?;
        Self::parse(path, &text, keyword)
    }

    /// Parses the section `keyword` of `text`, reporting errors against `path`.
    pub fn parse(path: &Path, text: &str, keyword: &str) -> Result<Self, PotentialFileError> {
        let lines: Vec<&str> = text.lines().collect();
        let content = |k: usize| lines[k].split('#').next().unwrap_or("");
        let err = |k: usize, message: String| PotentialFileError::at(path, k + 1, message);
        let start = (0..lines.len())
            .find(|&k| content(k).split_whitespace().next() == Some(keyword))
            .ok_or_else(|| {
                PotentialFileError::file(path, format!("no section `{keyword}` in table file"))
            })?;
        // the parameter line: the next line with content
        let mut k = start + 1;
        while k < lines.len() && content(k).trim().is_empty() {
            k += 1;
        }
        if k == lines.len() {
            return Err(err(k, format!("section `{keyword}` has no parameter line")));
        }
        let (n, grid, fprime) = parameters(path, content(k), k + 1)?;
        // LAMMPS skips exactly one line after the parameters: it must be blank
        k += 1;
        if k < lines.len() && !lines[k].trim().is_empty() {
            return Err(err(
                k,
                format!(
                    "expected a blank line after the parameter line of section `{keyword}`, found `{}`",
                    lines[k].trim()
                ),
            ));
        }
        let (mut r, mut energy, mut force) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        while r.len() < n {
            k += 1;
            if k >= lines.len() {
                return Err(err(
                    k,
                    format!(
                        "unexpected end of file: section `{keyword}` has {} of its N = {n} lines",
                        r.len()
                    ),
                ));
            }
            let words: Vec<&str> = content(k).split_whitespace().collect();
            if words.is_empty() {
                continue;
            }
            if words.len() < 4 {
                return Err(err(
                    k,
                    format!(
                        "expected `index r energy force`, found `{}` (section `{keyword}` line {} of {n})",
                        words.join(" "),
                        r.len() + 1
                    ),
                ));
            }
            parse_usize(path, words[0], k + 1, "table index")?;
            let i = r.len();
            let file_r = parse_f64(path, words[1], k + 1, "table distance")?;
            r.push(match grid {
                DistanceGrid::File => file_r,
                DistanceGrid::Linear { lo, hi } => lo + (hi - lo) * i as f64 / (n - 1) as f64,
                DistanceGrid::Squared { lo, hi } => {
                    (lo * lo + (hi * hi - lo * lo) * i as f64 / (n - 1) as f64).sqrt()
                }
            });
            energy.push(parse_f64(path, words[2], k + 1, "table energy")?);
            force.push(parse_f64(path, words[3], k + 1, "table force")?);
            if i > 0 && (r[i] <= r[i - 1] || r[i].is_nan()) {
                return Err(err(
                    k,
                    format!(
                        "distance {} does not increase from the previous line's {} (section `{keyword}`)",
                        r[i],
                        r[i - 1]
                    ),
                ));
            }
        }
        if r[0] <= 0.0 || r[0].is_nan() {
            return Err(PotentialFileError::at(
                path,
                start + 2,
                format!(
                    "section `{keyword}`: the first distance {} must be positive",
                    r[0]
                ),
            ));
        }
        Ok(TableSection {
            path: path.to_path_buf(),
            keyword: keyword.to_string(),
            grid,
            fprime,
            r,
            energy,
            force,
            units: units_tag(lines.first().copied().unwrap_or("")),
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.r.len()
    }

    /// True if the section has no points (never the case for a parsed section).
    pub fn is_empty(&self) -> bool {
        self.r.is_empty()
    }

    /// The distance range the section covers: `lo..=hi` of `R`/`RSQ`, else the first and
    /// last distance.
    pub fn range(&self) -> (f64, f64) {
        match self.grid {
            DistanceGrid::File => (self.r[0], self.r[self.r.len() - 1]),
            DistanceGrid::Linear { lo, hi } | DistanceGrid::Squared { lo, hi } => (lo, hi),
        }
    }
}

type Parameters = (usize, DistanceGrid, Option<(f64, f64)>);

/// Parses `N n [R|RSQ lo hi] [FPRIME fplo fphi]` at 1-based `line`.
fn parameters(path: &Path, text: &str, line: usize) -> Result<Parameters, PotentialFileError> {
    let err = |message: String| PotentialFileError::at(path, line, message);
    let words: Vec<&str> = text.split_whitespace().collect();
    let value = |k: usize, what: &str| -> Result<f64, PotentialFileError> {
        let w = words
            .get(k)
            .ok_or_else(|| err(format!("`{}` needs a value for {what}", words[k - 1])))?;
        parse_f64(path, w, line, what)
    };
    let (mut n, mut grid, mut fprime) = (None, DistanceGrid::File, None);
    let mut k = 0;
    while k < words.len() {
        match words[k] {
            "N" => {
                let w = words
                    .get(k + 1)
                    .ok_or_else(|| err("`N` needs the number of table lines".into()))?;
                n = Some(parse_usize(path, w, line, "table length N")?);
                k += 2;
            }
            "R" | "RSQ" => {
                let (lo, hi) = (
                    value(k + 1, "lowest distance")?,
                    value(k + 2, "highest distance")?,
                );
                if !(lo > 0.0 && hi > lo) {
                    return Err(err(format!(
                        "{} {lo} {hi}: distances must satisfy 0 < lo < hi",
                        words[k]
                    )));
                }
                grid = if words[k] == "R" {
                    DistanceGrid::Linear { lo, hi }
                } else {
                    DistanceGrid::Squared { lo, hi }
                };
                k += 3;
            }
            "FPRIME" => {
                fprime = Some((
                    value(k + 1, "force derivative at the first point")?,
                    value(k + 2, "force derivative at the last point")?,
                ));
                k += 3;
            }
            "BITMAP" => {
                return Err(err(
                    "BITMAP tables are not supported by ferromd (use R or RSQ)".into(),
                ));
            }
            other => {
                return Err(err(format!(
                    "unknown table parameter `{other}` (expected N, R, RSQ or FPRIME)"
                )));
            }
        }
    }
    match n {
        None => Err(err("the table parameters do not set N".into())),
        Some(n) if n < 2 => Err(err(format!(
            "table length N = {n}: needs at least 2 points"
        ))),
        Some(n) => Ok((n, grid, fprime)),
    }
}

/// The unit style of a `UNITS: style` tag in `first_line`.
fn units_tag(first_line: &str) -> Option<String> {
    let mut words = first_line.split_whitespace();
    words.find(|w| *w == "UNITS:")?;
    words.next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# DATE: 2026-01-01 UNITS: lj CONTRIBUTOR: test\n\
                        # comment\n\n\
                        OTHER\nN 2\n\n1 1.0 0 0\n2 2.0 0 0\n\n\
                        LJ  # a comment\nN 3 RSQ 1.0 2.0 FPRIME -1 0.5\n\n\
                        1 9.0 1.0 -2.0\n# skipped\n\n2 9.0 0.5 -1.0\n3 9.0 0.25 -0.5\n";

    #[test]
    fn reads_a_section_with_recomputed_distances() {
        let t = TableSection::parse(Path::new("t.table"), TEXT, "LJ").unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.grid, DistanceGrid::Squared { lo: 1.0, hi: 2.0 });
        assert_eq!(t.fprime, Some((-1.0, 0.5)));
        assert_eq!(t.r[1], 2.5f64.sqrt());
        assert_eq!(t.energy, vec![1.0, 0.5, 0.25]);
        assert_eq!(t.force, vec![-2.0, -1.0, -0.5]);
        assert_eq!(t.units.as_deref(), Some("lj"));
        assert_eq!(t.range(), (1.0, 2.0));
        let o = TableSection::parse(Path::new("t.table"), TEXT, "OTHER").unwrap();
        assert_eq!(o.r, vec![1.0, 2.0]);
    }

    #[test]
    fn errors_name_file_line_and_word() {
        let bad = |text: &str, keyword: &str| {
            TableSection::parse(Path::new("t.table"), text, keyword)
                .unwrap_err()
                .to_string()
        };
        let e = bad(TEXT, "MISSING");
        assert!(
            e.contains("t.table") && e.contains("no section `MISSING`"),
            "{e}"
        );
        let e = bad("A\nN 2 X 3\n\n1 1 0 0\n2 2 0 0\n", "A");
        assert!(e.starts_with("t.table:2:") && e.contains("`X`"), "{e}");
        let e = bad("A\nN 2\n\n1 1 0 0\n2 2 zero 0\n", "A");
        assert!(e.starts_with("t.table:5:") && e.contains("`zero`"), "{e}");
        let e = bad("A\nN 3\n\n1 1 0 0\n2 2 0 0\n", "A");
        assert!(
            e.contains("end of file") && e.contains("2 of its N = 3"),
            "{e}"
        );
        let e = bad("A\nN 2\n\n1 1 0 0\n2 0.5 0 0\n", "A");
        assert!(
            e.starts_with("t.table:5:") && e.contains("does not increase"),
            "{e}"
        );
        let e = bad("A\nN 2\n1 1 0 0\n2 2 0 0\n", "A");
        assert!(
            e.starts_with("t.table:3:") && e.contains("blank line"),
            "{e}"
        );
        let e = bad("A\nN 2\n\n1 1 0\n2 2 0 0\n", "A");
        assert!(
            e.starts_with("t.table:4:") && e.contains("index r energy force"),
            "{e}"
        );
        let e = bad("A\nR 1 2\n\n1 1 0 0\n", "A");
        assert!(e.contains("do not set N"), "{e}");
        let e = bad("A\nN 2 BITMAP 1 2\n\n", "A");
        assert!(e.contains("BITMAP"), "{e}");
    }
}
