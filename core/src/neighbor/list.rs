//! Verlet neighbor lists in compressed-row form, built from a cell list.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use nalgebra::Vector3;
use rayon::prelude::*;

use super::bins::{Bins, StencilRow};
use super::ghosts::GhostAtoms;

/// Which pairs a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// Each interacting pair once (Newton's third law applied by the potential).
    Half,
    /// Each pair from both sides: `j` in the list of `i` and `i` in the list of `j`.
    Full,
}

/// Atoms per parallel work item during a build.
const CHUNK: usize = 512;

/// Fewest rows [`NeighborList::thread_ranges`] gives a thread.
const MIN_ROWS_PER_THREAD: usize = 256;

/// Source of [`NeighborList::build_id`] values: unique over the whole process.
static NEXT_BUILD_ID: AtomicU64 = AtomicU64::new(1);

/// Neighbors of every local atom within `cutoff` (force cutoff plus skin).
///
/// Entries are indices into the extended (local + ghost) arrays of
/// [`GhostAtoms`]. A half list stores each pair once: two local atoms in the same
/// bin by index order, atoms in different bins only from the lower bin (see
/// [`Bins`]); since the bin grid is exactly periodic, a pair and its periodic
/// mirror are never both kept.
#[derive(Debug, Clone)]
pub struct NeighborList {
    kind: ListKind,
    cutoff: f64,
    n_extended: usize,
    offsets: Vec<usize>,
    neighbors: Vec<u32>,
    chunks: Vec<(Vec<u32>, Vec<u32>)>,
    build_id: u64,
}

impl NeighborList {
    /// An empty list of the given kind.
    pub fn new(kind: ListKind) -> Self {
        NeighborList {
            kind,
            cutoff: 0.0,
            n_extended: 0,
            offsets: vec![0],
            neighbors: Vec::new(),
            chunks: Vec::new(),
            build_id: 0,
        }
    }

    /// An identifier of the list's current contents, unique in the process: it changes
    /// at every build (or derivation), so a potential may cache data derived from the
    /// list and reuse it until the id changes. An empty, never built list has id 0.
    pub fn build_id(&self) -> u64 {
        self.build_id
    }

    /// A new list of `kind` holding the entries `(i, j)` of this one for which
    /// `keep(i, j)` is true (`i` local, `j` extended), in the same order.
    ///
    /// Used to give a sub-potential only the pairs it handles (a skip list) or a half
    /// list taken from a full one; the caller is responsible for `kind` describing the
    /// kept entries.
    pub fn derive(&self, kind: ListKind, keep: impl Fn(usize, usize) -> bool + Sync) -> Self {
        let n = self.n_atoms();
        let rows: Vec<(Vec<u32>, Vec<usize>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut kept = Vec::new();
                let mut counts = Vec::new();
                for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    let before = kept.len();
                    kept.extend(
                        self.neighbors(i)
                            .iter()
                            .copied()
                            .filter(|&j| keep(i, j as usize)),
                    );
                    counts.push(kept.len() - before);
                }
                (kept, counts)
            })
            .collect();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut neighbors = Vec::new();
        for (kept, counts) in rows {
            for c in counts {
                offsets.push(offsets[offsets.len() - 1] + c);
            }
            neighbors.extend_from_slice(&kept);
        }
        NeighborList {
            kind,
            cutoff: self.cutoff,
            n_extended: self.n_extended,
            offsets,
            neighbors,
            chunks: Vec::new(),
            build_id: NEXT_BUILD_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The kind of list.
    pub fn kind(&self) -> ListKind {
        self.kind
    }

    /// The list cutoff (force cutoff plus skin) used at the last build.
    pub fn cutoff(&self) -> f64 {
        self.cutoff
    }

    /// Number of extended (local + ghost) atoms the list was built for; every entry is below it.
    pub fn n_extended(&self) -> usize {
        self.n_extended
    }

    /// Number of local atoms the list covers.
    pub fn n_atoms(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Total number of stored pairs (entries).
    pub fn n_entries(&self) -> usize {
        self.neighbors.len()
    }

    /// The neighbors of local atom `i` (extended indices).
    #[inline]
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.neighbors[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Splits the rows into one contiguous range per rayon thread (at most one per 256
    /// rows, at least one) with similar entry counts: the work split of every
    /// thread-parallel pass over the list, so that passes over the same list agree.
    pub fn thread_ranges(&self) -> Vec<Range<usize>> {
        let parts = rayon::current_num_threads()
            .min(self.n_atoms().div_ceil(MIN_ROWS_PER_THREAD))
            .max(1);
        balanced_ranges(&self.offsets, parts)
    }

    /// Row offsets: the neighbors of `i` are `entries()[offsets()[i]..offsets()[i+1]]`.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// All entries, row after row.
    pub fn entries(&self) -> &[u32] {
        &self.neighbors
    }

    /// Rebuilds the list of `kind` from binned extended atoms.
    pub fn build(&mut self, kind: ListKind, ghosts: &GhostAtoms, bins: &Bins, cutoff: f64) {
        self.kind = kind;
        self.cutoff = cutoff;
        self.n_extended = ghosts.n_total();
        self.build_id = NEXT_BUILD_ID.fetch_add(1, Ordering::Relaxed);
        let n_local = ghosts.n_local();
        let x = ghosts.positions();
        let stencil = bins.stencil_rows(cutoff, kind == ListKind::Half);
        let cut2 = cutoff * cutoff;
        let n_chunks = n_local.div_ceil(CHUNK);
        self.chunks.resize_with(n_chunks, Default::default);
        self.chunks
            .par_iter_mut()
            .enumerate()
            .for_each(|(c, (list, counts))| {
                list.clear();
                counts.clear();
                let start = c * CHUNK;
                for i in start..(start + CHUNK).min(n_local) {
                    let before = list.len();
                    collect_neighbors(i, kind, bins, &stencil, x, cut2, list);
                    counts.push((list.len() - before) as u32);
                }
            });
        self.offsets.clear();
        self.offsets.push(0);
        self.neighbors.clear();
        for (list, counts) in &self.chunks {
            for &c in counts {
                let last = *self.offsets.last().unwrap_or(&0);
                self.offsets.push(last + c as usize);
            }
            self.neighbors.extend_from_slice(list);
        }
    }
}

/// Splits rows `0..n` of a CSR list into `parts` contiguous ranges with similar entry counts.
fn balanced_ranges(offsets: &[usize], parts: usize) -> Vec<Range<usize>> {
    let n = offsets.len() - 1;
    let total = offsets[n];
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..=parts {
        let end = if p == parts {
            n
        } else {
            let target = total * p / parts;
            offsets.partition_point(|&o| o < target).clamp(start, n)
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Appends the neighbors of local atom `i` to `out`.
///
/// A ghost never shares a bin with a local atom (its bin is shifted by whole
/// cells), so within the centre bin all candidates are local and a half list
/// keeps `j > i`.
#[inline]
fn collect_neighbors(
    i: usize,
    kind: ListKind,
    bins: &Bins,
    stencil: &[StencilRow],
    x: &[Vector3<f64>],
    cut2: f64,
    out: &mut Vec<u32>,
) {
    let xi = x[i];
    let c = bins.atom_coords(i);
    let (atoms, xs) = bins.atoms_and_positions_at(c);
    for (&j, xj) in atoms.iter().zip(xs) {
        let ju = j as usize;
        if (ju > i || (kind == ListKind::Full && ju != i)) && (xj - xi).norm_squared() < cut2 {
            out.push(j);
        }
    }
    for row in stencil {
        let (atoms, xs) = bins.row_at(c, row);
        for (&j, xj) in atoms.iter().zip(xs) {
            if (xj - xi).norm_squared() < cut2 {
                out.push(j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_ranges_cover_all_rows() {
        let offsets = [0, 10, 10, 30, 31, 60, 61];
        for parts in 1..5 {
            let r = balanced_ranges(&offsets, parts);
            assert_eq!(r.len(), parts);
            assert_eq!(r[0].start, 0);
            assert_eq!(r.last().unwrap().end, 6);
            for w in r.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
        }
    }
}
