//! Locating and tokenizing potential files.
//!
//! [`find_potential_file`] resolves a file name the way users expect from LAMMPS:
//! the path as given, then the directories in `$FERROMD_POTENTIALS`, then
//! `./potentials/`. [`TokenReader`] walks a text file number by number while
//! remembering line numbers, so that every error names the file and the line.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Environment variable holding extra directories searched for potential files.
pub const POTENTIALS_ENV: &str = "FERROMD_POTENTIALS";

/// The element name that leaves an atom type out of a potential read from a file with an
/// element per type (`pair_coeff * * file El1 NULL ...`, for types another sub-style of
/// `pair_style hybrid` handles): that type's atoms take part in none of its terms.
pub const NULL_ELEMENT: &str = "NULL";

/// An error reading a potential file, naming the file and (when known) the 1-based line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PotentialFileError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, if the error is tied to one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl PotentialFileError {
    /// An error at `line` of `path`.
    pub fn at(path: &Path, line: usize, message: impl Into<String>) -> Self {
        PotentialFileError {
            path: path.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about `path` as a whole.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        PotentialFileError {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }
}

/// The directories searched after the path itself: each entry of `$FERROMD_POTENTIALS`
/// (a list separated like `PATH`), then `./potentials`, then `$LAMMPS_POTENTIALS` (so
/// LAMMPS users' existing set-up keeps working).
pub fn search_directories() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os(POTENTIALS_ENV)
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    dirs.push(PathBuf::from("potentials"));
    if let Some(v) = std::env::var_os("LAMMPS_POTENTIALS") {
        dirs.extend(std::env::split_paths(&v));
    }
    dirs
}

/// Resolves a potential file: `name` itself if it exists, else `name` inside each of
/// [`search_directories`] in turn. Absolute paths are not searched for.
pub fn find_potential_file(name: impl AsRef<Path>) -> Result<PathBuf, PotentialFileError> {
    let name = name.as_ref();
    if name.is_file() {
        return Ok(name.to_path_buf());
    }
    let mut tried = vec![name.display().to_string()];
    if name.is_relative() {
        for dir in search_directories() {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
            tried.push(candidate.display().to_string());
        }
    }
    Err(PotentialFileError::file(
        name,
        format!(
            "potential file not found (tried {}; set ${POTENTIALS_ENV} to add directories)",
            tried.join(", ")
        ),
    ))
}

/// Reads a text file and hands out whitespace-separated tokens with their line numbers.
///
/// Header lines can be skipped whole; after that, `#` starts a comment that runs to the
/// end of the line, and blank lines are ignored.
#[derive(Debug)]
pub struct TokenReader {
    path: PathBuf,
    lines: Vec<String>,
    next_line: usize,
    pending: VecDeque<(String, usize)>,
}

impl TokenReader {
    /// Opens and reads `path` (already resolved; see [`find_potential_file`]).
    pub fn open(path: &Path) -> Result<Self, PotentialFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PotentialFileError::file(path, format!("cannot read: {e}")))?;
        Ok(Self::from_text(path, &text))
    }

    /// A reader over `text`, reporting errors against `path`.
    pub fn from_text(path: &Path, text: &str) -> Self {
        TokenReader {
            path: path.to_path_buf(),
            lines: text.lines().map(str::to_owned).collect(),
            next_line: 0,
            pending: VecDeque::new(),
        }
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error at `line` of this file.
    pub fn error(&self, line: usize, message: impl Into<String>) -> PotentialFileError {
        PotentialFileError::at(&self.path, line, message)
    }

    /// The 1-based number of the last line consumed (0 before any).
    pub fn line(&self) -> usize {
        self.next_line
    }

    /// Returns the next raw line (comments kept) and its number, dropping any unread tokens.
    pub fn raw_line(&mut self) -> Result<(String, usize), PotentialFileError> {
        self.pending.clear();
        let Some(text) = self.lines.get(self.next_line) else {
            return Err(self.error(self.next_line + 1, "unexpected end of file"));
        };
        self.next_line += 1;
        Ok((text.clone(), self.next_line))
    }

    /// Reads whole lines until at least `n` tokens are collected and returns all tokens of
    /// those lines (LAMMPS's "next values"); any unread tokens are discarded first.
    pub fn line_tokens(&mut self, n: usize) -> Result<Vec<(String, usize)>, PotentialFileError> {
        self.pending.clear();
        let mut out = Vec::new();
        while out.len() < n {
            self.fill()?;
            out.extend(self.pending.drain(..));
        }
        Ok(out)
    }

    /// The next token, reading further lines as needed.
    pub fn token(&mut self) -> Result<(String, usize), PotentialFileError> {
        while self.pending.is_empty() {
            self.fill()?;
        }
        Ok(self.pending.pop_front().expect("filled above"))
    }

    /// The next `n` numbers, across lines.
    pub fn floats(&mut self, n: usize, what: &str) -> Result<Vec<f64>, PotentialFileError> {
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            let (tok, line) = self.token().map_err(|e| PotentialFileError {
                message: format!("{} (reading value {} of {n} of {what})", e.message, k + 1),
                ..e
            })?;
            out.push(parse_f64(&self.path, &tok, line, what)?);
        }
        Ok(out)
    }

    fn fill(&mut self) -> Result<(), PotentialFileError> {
        let Some(text) = self.lines.get(self.next_line) else {
            return Err(self.error(self.next_line + 1, "unexpected end of file"));
        };
        self.next_line += 1;
        let text = text.split('#').next().unwrap_or("");
        let line = self.next_line;
        self.pending
            .extend(text.split_whitespace().map(|t| (t.to_owned(), line)));
        Ok(())
    }
}

/// Parses a floating-point token (Fortran `D` exponents accepted) or names the line.
pub fn parse_f64(
    path: &Path,
    tok: &str,
    line: usize,
    what: &str,
) -> Result<f64, PotentialFileError> {
    tok.parse::<f64>()
        .or_else(|_| tok.replace(['D', 'd'], "e").parse::<f64>())
        .map_err(|_| {
            PotentialFileError::at(
                path,
                line,
                format!("expected a number for {what}, found `{tok}`"),
            )
        })
}

/// Parses a non-negative integer token or names the line.
pub fn parse_usize(
    path: &Path,
    tok: &str,
    line: usize,
    what: &str,
) -> Result<usize, PotentialFileError> {
    tok.parse::<usize>().map_err(|_| {
        PotentialFileError::at(
            path,
            line,
            format!("expected a non-negative integer for {what}, found `{tok}`"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_line_numbers_and_skip_comments() {
        let text = "header\n1 2 # three\n\n4.5\nx\n";
        let mut r = TokenReader::from_text(Path::new("f.txt"), text);
        assert_eq!(r.raw_line().unwrap(), ("header".to_owned(), 1));
        assert_eq!(r.floats(3, "v").unwrap(), vec![1.0, 2.0, 4.5]);
        let e = r.floats(1, "w").unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(
            e.to_string()
                .starts_with("f.txt:5: expected a number for w"),
            "{e}"
        );
        let e = r.token().unwrap_err();
        assert_eq!(e.line, Some(6));
    }

    #[test]
    fn missing_file_lists_the_places_searched() {
        let e = find_potential_file("surely-not-here.eam").unwrap_err();
        assert!(
            e.to_string().contains("potentials/surely-not-here.eam"),
            "{e}"
        );
    }
}
