//! Cell-list binning of the extended (local + ghost) atoms in fractional coordinates.
//!
//! Each periodic axis of the cell is cut into a whole number of bins, so the
//! grid is exactly periodic: a ghost's bin is its owner's bin shifted by
//! `image * bins_per_cell`, computed in integers. Because of that, a pair and
//! its periodic mirror always sit at opposite bin offsets, and a half list can
//! visit only the "upper" half of the stencil without ever missing or doubling
//! a pair. Bins are parallelepipeds, so triclinic cells need nothing special.

use nalgebra::Vector3;
use rayon::prelude::*;

use super::ghosts::GhostAtoms;
use crate::cell::Cell;

/// Extended atoms sorted into a regular grid of bins over the cell and its ghost shell.
#[derive(Debug, Clone, Default)]
pub struct Bins {
    /// Bins per cell length along each axis.
    per_cell: [i64; 3],
    /// Ghost bins on each side of the cell.
    pad: [i64; 3],
    /// Grid dimensions including the padding.
    dims: [usize; 3],
    /// Perpendicular width of one bin along each axis.
    width: Vector3<f64>,
    orthorhombic: bool,
    coords: Vec<[i32; 3]>,
    starts: Vec<u32>,
    atoms: Vec<u32>,
    /// Positions in bin order, so candidate scans read contiguous memory.
    sorted_positions: Vec<Vector3<f64>>,
}

/// A run of stencil bins at offsets `(dx.0..=dx.1, dy, dz)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StencilRow {
    /// Offset along y.
    pub dy: i32,
    /// Offset along z.
    pub dz: i32,
    /// Inclusive range of offsets along x.
    pub dx: (i32, i32),
}

/// Relative slack on stencil distances so rounding never drops a bin.
const SLACK: f64 = 1e-9;

impl Bins {
    /// Creates an empty grid.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bins the extended atoms of `ghosts` (built for `cutoff`) with bins about `cutoff / 2` wide.
    pub fn build(&mut self, ghosts: &GhostAtoms, cell: &Cell, cutoff: f64) {
        let planes = cell.plane_distances();
        let periodic = cell.periodic();
        let n_local = ghosts.n_local();
        let target = (0.5 * cutoff).max(f64::MIN_POSITIVE);
        let cap = (n_local as f64 * 2.0).max(64.0);
        let mut size = target;
        loop {
            let n: f64 = (0..3)
                .map(|k| (planes[k] / size).floor().max(1.0))
                .product();
            if n <= cap {
                break;
            }
            size *= 1.26;
        }
        for k in 0..3 {
            let nb = (planes[k] / size).floor().max(1.0) as i64;
            self.per_cell[k] = nb;
            self.width[k] = planes[k] / nb as f64;
            self.pad[k] = if periodic[k] {
                ((cutoff / planes[k]) * nb as f64).ceil() as i64 + 1
            } else {
                0
            };
            self.dims[k] = (nb + 2 * self.pad[k]) as usize;
        }
        self.orthorhombic = cell.is_orthorhombic();

        // local atoms: from fractional coordinates; ghosts: owner's bin + image * per_cell
        let positions = ghosts.positions();
        let (per_cell, pad) = (self.per_cell, self.pad);
        self.coords.resize(ghosts.n_total(), [0; 3]);
        let (local, ghost) = self.coords.split_at_mut(n_local);
        local
            .par_iter_mut()
            .with_min_len(4096)
            .zip(positions[..n_local].par_iter())
            .for_each(|(c, x)| {
                let s = cell.to_fractional(x);
                for k in 0..3 {
                    let b = (s[k] * per_cell[k] as f64).floor() as i64;
                    c[k] = (b.clamp(0, per_cell[k] - 1) + pad[k]) as i32;
                }
            });
        let local = &*local;
        ghost
            .par_iter_mut()
            .with_min_len(4096)
            .zip(
                ghosts
                    .ghost_owners()
                    .par_iter()
                    .zip(ghosts.ghost_images().par_iter()),
            )
            .for_each(|(c, (&o, n))| {
                let oc = local[o as usize];
                for k in 0..3 {
                    c[k] = oc[k] + n[k] * per_cell[k] as i32;
                }
            });

        // counting sort of atoms by bin
        let n_bins = self.dims.iter().product::<usize>();
        self.starts.clear();
        self.starts.resize(n_bins + 1, 0);
        let dims = self.dims;
        let flat =
            |c: [i32; 3]| (c[2] as usize * dims[1] + c[1] as usize) * dims[0] + c[0] as usize;
        for c in &self.coords {
            self.starts[flat(*c) + 1] += 1;
        }
        for b in 0..n_bins {
            self.starts[b + 1] += self.starts[b];
        }
        self.atoms.clear();
        self.atoms.resize(self.coords.len(), 0);
        let mut fill = self.starts[..n_bins].to_vec();
        for (i, c) in self.coords.iter().enumerate() {
            let slot = &mut fill[flat(*c)];
            self.atoms[*slot as usize] = i as u32;
            *slot += 1;
        }
        self.sorted_positions.clear();
        self.sorted_positions
            .extend(self.atoms.iter().map(|&i| positions[i as usize]));
    }

    #[inline]
    fn flat(&self, c: [i32; 3]) -> usize {
        (c[2] as usize * self.dims[1] + c[1] as usize) * self.dims[0] + c[0] as usize
    }

    /// Bin coordinates of extended atom `i`.
    #[inline]
    pub fn atom_coords(&self, i: usize) -> [i32; 3] {
        self.coords[i]
    }

    /// Atoms in the bin at `c`, or an empty slice outside the grid.
    #[inline]
    pub fn atoms_at(&self, c: [i32; 3]) -> &[u32] {
        &self.atoms[self.slots_at(c)]
    }

    /// Atoms and their positions in the bin at `c` (empty outside the grid).
    #[inline]
    pub fn atoms_and_positions_at(&self, c: [i32; 3]) -> (&[u32], &[Vector3<f64>]) {
        let r = self.slots_at(c);
        (&self.atoms[r.clone()], &self.sorted_positions[r])
    }

    #[inline]
    fn slots_at(&self, c: [i32; 3]) -> std::ops::Range<usize> {
        if c.iter()
            .zip(&self.dims)
            .any(|(&ck, &d)| ck < 0 || ck as usize >= d)
        {
            return 0..0;
        }
        let b = self.flat(c);
        self.starts[b] as usize..self.starts[b + 1] as usize
    }

    /// Atoms and positions of the bins `c + (dx, dy, dz)` for `dx` in `row.dx`, clipped to
    /// the grid. Bins along x are adjacent in memory, so a whole row is one slice.
    #[inline]
    pub fn row_at(&self, c: [i32; 3], row: &StencilRow) -> (&[u32], &[Vector3<f64>]) {
        let (y, z) = (c[1] + row.dy, c[2] + row.dz);
        let x_lo = (c[0] + row.dx.0).max(0);
        let x_hi = (c[0] + row.dx.1).min(self.dims[0] as i32 - 1);
        if y < 0 || z < 0 || y as usize >= self.dims[1] || z as usize >= self.dims[2] || x_lo > x_hi
        {
            return (&[], &[]);
        }
        let start = self.starts[self.flat([x_lo, y, z])] as usize;
        let end = self.starts[self.flat([x_hi, y, z]) + 1] as usize;
        (&self.atoms[start..end], &self.sorted_positions[start..end])
    }

    /// The stencil of [`Bins::stencil`] grouped into rows of bins adjacent along x.
    pub fn stencil_rows(&self, cutoff: f64, upper_half: bool) -> Vec<StencilRow> {
        let mut rows: Vec<StencilRow> = Vec::new();
        for d in self.stencil(cutoff, upper_half) {
            // the centre bin is not part of the stencil: its row splits into two halves
            let same_row = |r: &StencilRow| {
                r.dy == d[1]
                    && r.dz == d[2]
                    && (d[1] != 0 || d[2] != 0 || (r.dx.0 > 0) == (d[0] > 0))
            };
            match rows.iter_mut().find(|r| same_row(r)) {
                Some(r) => r.dx = (r.dx.0.min(d[0]), r.dx.1.max(d[0])),
                None => rows.push(StencilRow {
                    dy: d[1],
                    dz: d[2],
                    dx: (d[0], d[0]),
                }),
            }
        }
        rows
    }

    /// Grid dimensions, ghost padding included.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Offsets of all bins that may hold an atom within `cutoff` of an atom in the centre bin,
    /// the centre bin excluded. With `upper_half`, only offsets lexicographically above
    /// zero in (z, y, x) order, so that each offset or its negative is listed, never both.
    pub fn stencil(&self, cutoff: f64, upper_half: bool) -> Vec<[i32; 3]> {
        let cut = cutoff * (1.0 + SLACK);
        let reach: Vec<i32> = (0..3)
            .map(|k| ((cut / self.width[k]).ceil() as i32).min(self.dims[k] as i32))
            .collect();
        let mut out = Vec::new();
        for dz in -reach[2]..=reach[2] {
            for dy in -reach[1]..=reach[1] {
                for dx in -reach[0]..=reach[0] {
                    let d = [dx, dy, dz];
                    if d == [0, 0, 0] || (upper_half && [dz, dy, dx] < [0, 0, 0]) {
                        continue;
                    }
                    let gap = |k: usize| (d[k].abs() - 1).max(0) as f64 * self.width[k];
                    let near = if self.orthorhombic {
                        gap(0).powi(2) + gap(1).powi(2) + gap(2).powi(2) < cut * cut
                    } else {
                        gap(0).max(gap(1)).max(gap(2)) < cut
                    };
                    if near {
                        out.push(d);
                    }
                }
            }
        }
        out
    }
}
