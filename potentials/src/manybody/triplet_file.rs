//! Reading the element-triplet parameter files of LAMMPS's Tersoff and Stillinger-Weber
//! styles, and mapping atom types onto their entries.
//!
//! Both formats are a list of entries, each three element names followed by a fixed
//! count of numbers. `#` starts a comment; an entry may continue over several lines (the
//! reader joins lines until it has enough words, as LAMMPS's `next_line(n)` does). Only
//! entries whose three elements are all mapped to atom types are used; every triplet of
//! mapped elements must have exactly one entry.
//!
//! A type mapped to [`NULL_ELEMENT`] is left out of the potential (LAMMPS's `NULL` in
//! `pair_coeff * * file El1 NULL ...`, for types another `hybrid` sub-style handles): every
//! triplet involving it gets parameters of zero range ([`TripletParams::without_range`]),
//! so the kernels, which compare every distance with a triplet's cutoff, never evaluate it.

use std::path::{Path, PathBuf};

pub use crate::files::NULL_ELEMENT;
use crate::files::{PotentialFileError, find_potential_file, parse_f64};

/// Error raised while setting up a Tersoff or Stillinger-Weber potential.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManybodyError {
    /// The file could not be found, read or parsed, or an entry is invalid.
    #[error(transparent)]
    File(#[from] PotentialFileError),
    /// An element of the type map has no entry in the file.
    #[error("element `{element}` is not in {} (it has {})", path.display(), available.join(", "))]
    UnknownElement {
        /// The element asked for.
        element: String,
        /// The file.
        path: PathBuf,
        /// The elements the file's entries name.
        available: Vec<String>,
    },
    /// No atom types were mapped (none given, or all `NULL`).
    #[error("a many-body potential needs at least one atom type mapped to an element")]
    NoTypes,
    /// The style name is not a many-body style ferromd implements.
    #[error("unknown many-body style `{0}` (supported: tersoff, tersoff/mod, sw)")]
    UnknownStyle(String),
}

/// Parameters of one element triplet, as a three-body kernel uses them.
pub trait TripletParams: Clone {
    /// A copy that acts at no distance (squared cutoff zero): the entry of every triplet
    /// involving a type mapped to [`NULL_ELEMENT`].
    fn without_range(&self) -> Self;
}

/// One entry of a triplet file: three element names, their numbers, and the first line.
#[derive(Debug, Clone, PartialEq)]
pub struct TripletEntry {
    /// The element names `i j k`.
    pub elements: [String; 3],
    /// The numbers following the element names.
    pub values: Vec<f64>,
    /// 1-based line where the entry starts.
    pub line: usize,
}

/// Reads every entry of `text` (the contents of `path`) that has `n_values` numbers after
/// its three element names. Numbers are parsed only for entries whose elements are all
/// in `wanted` (LAMMPS skips the others without reading them).
pub fn parse_triplet_entries(
    path: &Path,
    text: &str,
    n_values: usize,
    wanted: &[&str],
) -> Result<Vec<TripletEntry>, PotentialFileError> {
    let words_per_entry = 3 + n_values;
    let mut entries = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((k, line)) = lines.next() {
        let mut words: Vec<(&str, usize)> = strip_comment(line)
            .split_whitespace()
            .map(|w| (w, k + 1))
            .collect();
        if words.is_empty() {
            continue;
        }
        let start = k + 1;
        while words.len() < words_per_entry {
            let Some((k, more)) = lines.next() else {
                return Err(PotentialFileError::at(
                    path,
                    start,
                    format!(
                        "entry has {} words, expected {words_per_entry} (3 elements and \
                         {n_values} numbers) before the end of the file",
                        words.len()
                    ),
                ));
            };
            words.extend(strip_comment(more).split_whitespace().map(|w| (w, k + 1)));
        }
        if words.len() > words_per_entry {
            let (extra, line) = words[words_per_entry];
            return Err(PotentialFileError::at(
                path,
                line,
                format!(
                    "unexpected word `{extra}`: an entry is 3 elements and {n_values} numbers \
                     (entry starting at line {start})"
                ),
            ));
        }
        let elements = [0, 1, 2].map(|m| words[m].0.to_owned());
        if !elements.iter().all(|e| wanted.contains(&e.as_str())) {
            entries.push(TripletEntry {
                elements,
                values: Vec::new(),
                line: start,
            });
            continue;
        }
        let values = words[3..]
            .iter()
            .enumerate()
            .map(|(m, &(w, l))| parse_f64(path, w, l, &format!("parameter {}", m + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        entries.push(TripletEntry {
            elements,
            values,
            line: start,
        });
    }
    Ok(entries)
}

fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("")
}

/// Parameters of every ordered type triplet `(i, j, k)`, looked up by atom types.
#[derive(Debug, Clone)]
pub struct TripletTable<P> {
    n_types: usize,
    params: Vec<P>,
    elements: Vec<String>,
}

impl<P: TripletParams> TripletTable<P> {
    /// Reads `file` (resolved by [`find_potential_file`]) with `n_values` numbers per entry,
    /// maps atom type `t` (0-based) to element `element_map[t]` as `pair_coeff * * file
    /// El1 El2 ...` does (a [`NULL_ELEMENT`] type is left out), and converts each used entry
    /// with `convert` (which returns a message naming the offending parameter, reported at
    /// the entry's line).
    pub fn read(
        file: impl AsRef<Path>,
        n_values: usize,
        element_map: &[&str],
        convert: impl Fn(&[f64]) -> Result<P, String>,
    ) -> Result<Self, ManybodyError> {
        if element_map.iter().all(|&el| el == NULL_ELEMENT) {
            return Err(ManybodyError::NoTypes);
        }
        let path = find_potential_file(file)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PotentialFileError::file(&path, format!("cannot read: {e}")))?;
        let entries = parse_triplet_entries(&path, &text, n_values, element_map)?;
        Self::from_entries(&path, &entries, element_map, convert)
    }

    /// Builds the table from parsed entries (see [`TripletTable::read`]).
    pub fn from_entries(
        path: &Path,
        entries: &[TripletEntry],
        element_map: &[&str],
        convert: impl Fn(&[f64]) -> Result<P, String>,
    ) -> Result<Self, ManybodyError> {
        let mut available: Vec<String> = Vec::new();
        for e in entries {
            if !available.contains(&e.elements[0]) {
                available.push(e.elements[0].clone());
            }
        }
        if let Some(el) = element_map
            .iter()
            .find(|&&el| el != NULL_ELEMENT && !available.iter().any(|a| a == el))
        {
            return Err(ManybodyError::UnknownElement {
                element: (*el).to_owned(),
                path: path.to_path_buf(),
                available,
            });
        }
        // the distinct elements, in order of first mention (LAMMPS's element list)
        let mut elements: Vec<String> = Vec::new();
        for &el in element_map {
            if el != NULL_ELEMENT && !elements.iter().any(|e| e == el) {
                elements.push(el.to_owned());
            }
        }
        if elements.is_empty() {
            return Err(ManybodyError::NoTypes);
        }
        let n_el = elements.len();
        let index = |name: &str| elements.iter().position(|e| e == name);
        let mut by_element: Vec<Option<(P, usize)>> = vec![None; n_el * n_el * n_el];
        for e in entries {
            let (Some(a), Some(b), Some(c)) = (
                index(&e.elements[0]),
                index(&e.elements[1]),
                index(&e.elements[2]),
            ) else {
                continue;
            };
            let slot = &mut by_element[(a * n_el + b) * n_el + c];
            if let Some((_, first)) = slot {
                return Err(PotentialFileError::at(
                    path,
                    e.line,
                    format!(
                        "duplicate entry for {} {} {} (first at line {first})",
                        e.elements[0], e.elements[1], e.elements[2]
                    ),
                )
                .into());
            }
            let p = convert(&e.values).map_err(|msg| PotentialFileError::at(path, e.line, msg))?;
            *slot = Some((p, e.line));
        }
        let n_types = element_map.len();
        let type_element: Vec<Option<usize>> = element_map.iter().map(|el| index(el)).collect();
        let mut params = Vec::with_capacity(n_types * n_types * n_types);
        for &a in &type_element {
            for &b in &type_element {
                for &c in &type_element {
                    let (Some(a), Some(b), Some(c)) = (a, b, c) else {
                        // filled below, once some entry is known
                        params.push(None);
                        continue;
                    };
                    match &by_element[(a * n_el + b) * n_el + c] {
                        Some((p, _)) => params.push(Some(p.clone())),
                        None => {
                            return Err(PotentialFileError::file(
                                path,
                                format!(
                                    "no entry for the triplet {} {} {} (every ordered triplet \
                                     of the mapped elements needs one)",
                                    elements[a], elements[b], elements[c]
                                ),
                            )
                            .into());
                        }
                    }
                }
            }
        }
        let inert = params
            .iter()
            .flatten()
            .next()
            .expect("some type is mapped")
            .without_range();
        let params = params
            .into_iter()
            .map(|p| p.unwrap_or_else(|| inert.clone()))
            .collect();
        Ok(TripletTable {
            n_types,
            params,
            elements,
        })
    }
}

impl<P> TripletTable<P> {
    /// Number of atom types.
    pub fn n_types(&self) -> usize {
        self.n_types
    }

    /// The distinct elements the types map to, in order of first mention.
    pub fn elements(&self) -> &[String] {
        &self.elements
    }

    /// Parameters of the ordered type triplet `(i, j, k)`.
    #[inline]
    pub fn get(&self, i: usize, j: usize, k: usize) -> &P {
        &self.params[(i * self.n_types + j) * self.n_types + k]
    }

    /// All triplets' parameters.
    pub fn all(&self) -> &[P] {
        &self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl TripletParams for f64 {
        fn without_range(&self) -> f64 {
            -1.0
        }
    }

    const TEXT: &str = "# comment\nA A A 1 2 # trailing\n\nA A B 3\n 4\nB B B 5 6\n";

    #[test]
    fn entries_span_lines_and_skip_comments() {
        let e = parse_triplet_entries(Path::new("t"), TEXT, 2, &["A", "B"]).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[1].values, vec![3.0, 4.0]);
        assert_eq!((e[0].line, e[1].line, e[2].line), (2, 4, 6));
    }

    #[test]
    fn bad_entries_name_file_and_line() {
        let err =
            parse_triplet_entries(Path::new("f.tersoff"), "A A A 1 x\n", 2, &["A"]).unwrap_err();
        assert!(err.to_string().starts_with("f.tersoff:1:"), "{err}");
        assert!(err.to_string().contains("`x`"), "{err}");
        let err = parse_triplet_entries(Path::new("f"), "A A A 1 2 3\n", 2, &["A"]).unwrap_err();
        assert!(err.to_string().contains("unexpected word `3`"), "{err}");
        let err = parse_triplet_entries(Path::new("f"), "A A A 1\n", 2, &["A"]).unwrap_err();
        assert!(err.to_string().contains("end of the file"), "{err}");
    }

    #[test]
    fn types_map_to_entries_and_gaps_are_errors() {
        let path = Path::new("t");
        let entries = parse_triplet_entries(path, TEXT, 2, &["A", "B"]).unwrap();
        let first = |v: &[f64]| Ok(v[0]);
        let t = TripletTable::from_entries(path, &entries, &["A", "A"], first).unwrap();
        assert_eq!(*t.get(1, 0, 1), 1.0);
        let err = TripletTable::from_entries(path, &entries, &["A", "B"], first).unwrap_err();
        assert!(
            err.to_string().contains("no entry for the triplet A B A"),
            "{err}"
        );
        let err = TripletTable::from_entries(path, &entries, &["C"], first).unwrap_err();
        assert!(err.to_string().contains("`C`"), "{err}");
        let dup = parse_triplet_entries(path, "A A A 1 2\nA A A 3 4\n", 2, &["A"]).unwrap();
        let err = TripletTable::from_entries(path, &dup, &["A"], first).unwrap_err();
        assert!(err.to_string().contains("t:2: duplicate entry"), "{err}");
    }

    #[test]
    fn null_types_get_the_zero_range_entry() {
        let path = Path::new("t");
        let entries = parse_triplet_entries(path, TEXT, 2, &["B", "NULL"]).unwrap();
        let first = |v: &[f64]| Ok(v[0]);
        let t = TripletTable::from_entries(path, &entries, &["NULL", "B", "NULL"], first).unwrap();
        assert_eq!(t.elements(), ["B"]);
        assert_eq!(*t.get(1, 1, 1), 5.0);
        for (i, j, k) in [(0, 1, 1), (1, 2, 1), (1, 1, 0), (2, 2, 2)] {
            assert_eq!(*t.get(i, j, k), -1.0, "{i} {j} {k}");
        }
        let err = TripletTable::from_entries(path, &entries, &["NULL"], first).unwrap_err();
        assert!(matches!(err, ManybodyError::NoTypes), "{err}");
    }
}
