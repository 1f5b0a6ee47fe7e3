//! Cell-list binning of the extended (local + ghost) atoms.

use nalgebra::Vector3;
use rayon::prelude::*;

/// Atoms sorted into a regular grid of bins covering their bounding box.
#[derive(Debug, Clone, Default)]
pub struct Bins {
    lo: Vector3<f64>,
    inv_size: Vector3<f64>,
    size: Vector3<f64>,
    dims: [usize; 3],
    bin_of: Vec<u32>,
    starts: Vec<u32>,
    atoms: Vec<u32>,
}

impl Bins {
    /// Creates an empty grid.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bins `positions` with bins at least `min_size` wide.
    ///
    /// The number of bins is capped near the number of atoms so that a sparse
    /// system does not allocate a huge, empty grid.
    pub fn build(&mut self, positions: &[Vector3<f64>], min_size: f64) {
        let (lo, hi) = bounding_box(positions);
        let extent = hi - lo;
        let mut size = min_size.max(f64::MIN_POSITIVE);
        let cap = (positions.len() * 2).max(64) as f64;
        loop {
            let n: f64 = (0..3).map(|k| (extent[k] / size).floor().max(1.0)).product();
            if n <= cap {
                break;
            }
            size *= 1.26;
        }
        for k in 0..3 {
            let n = (extent[k] / size).floor().max(1.0);
            self.dims[k] = n as usize;
            // widen the grid slightly so that atoms on the upper face fall inside
            self.size[k] = (extent[k] / n).max(size) * (1.0 + 1e-12) + f64::MIN_POSITIVE;
            self.inv_size[k] = 1.0 / self.size[k];
        }
        self.lo = lo;
        let n_bins = self.dims.iter().product::<usize>();
        let mut bin_of = std::mem::take(&mut self.bin_of);
        bin_of.clear();
        bin_of.resize(positions.len(), 0);
        let this = &*self;
        bin_of
            .par_iter_mut()
            .with_min_len(4096)
            .zip(positions.par_iter())
            .for_each(|(b, x)| *b = this.bin_index(this.coords(x)) as u32);
        self.bin_of = bin_of;
        self.starts.clear();
        self.starts.resize(n_bins + 1, 0);
        for &b in &self.bin_of {
            self.starts[b as usize + 1] += 1;
        }
        for b in 0..n_bins {
            self.starts[b + 1] += self.starts[b];
        }
        self.atoms.clear();
        self.atoms.resize(positions.len(), 0);
        let mut fill = self.starts[..n_bins].to_vec();
        for (i, &b) in self.bin_of.iter().enumerate() {
            let slot = &mut fill[b as usize];
            self.atoms[*slot as usize] = i as u32;
            *slot += 1;
        }
    }

    /// Integer bin coordinates of a point (clamped into the grid).
    #[inline]
    pub fn coords(&self, x: &Vector3<f64>) -> [usize; 3] {
        let mut c = [0usize; 3];
        for k in 0..3 {
            let f = ((x[k] - self.lo[k]) * self.inv_size[k]).floor();
            c[k] = (f.max(0.0) as usize).min(self.dims[k] - 1);
        }
        c
    }

    /// Flat bin index of integer bin coordinates.
    #[inline]
    pub fn bin_index(&self, c: [usize; 3]) -> usize {
        (c[2] * self.dims[1] + c[1]) * self.dims[0] + c[0]
    }

    /// Bin coordinates of atom `i` as binned.
    #[inline]
    pub fn atom_coords(&self, i: usize) -> [usize; 3] {
        let b = self.bin_of[i] as usize;
        let nx = self.dims[0];
        let ny = self.dims[1];
        [b % nx, (b / nx) % ny, b / (nx * ny)]
    }

    /// Atoms in bin `b`.
    #[inline]
    pub fn atoms_in(&self, b: usize) -> &[u32] {
        &self.atoms[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    /// Grid dimensions.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Offsets of all bins that may hold atoms within `cutoff` of an atom in the centre bin.
    pub fn stencil(&self, cutoff: f64) -> Vec<[isize; 3]> {
        let reach: Vec<isize> = (0..3)
            .map(|k| ((cutoff / self.size[k]).ceil() as isize).min(self.dims[k] as isize))
            .collect();
        let mut out = Vec::new();
        for dz in -reach[2]..=reach[2] {
            for dy in -reach[1]..=reach[1] {
                for dx in -reach[0]..=reach[0] {
                    let gap = |d: isize, k: usize| (d.abs() - 1).max(0) as f64 * self.size[k];
                    let g2 = gap(dx, 0).powi(2) + gap(dy, 1).powi(2) + gap(dz, 2).powi(2);
                    if g2 < cutoff * cutoff {
                        out.push([dx, dy, dz]);
                    }
                }
            }
        }
        out
    }
}

fn bounding_box(positions: &[Vector3<f64>]) -> (Vector3<f64>, Vector3<f64>) {
    if positions.is_empty() {
        return (Vector3::zeros(), Vector3::repeat(1.0));
    }
    let mut lo = positions[0];
    let mut hi = positions[0];
    for x in positions {
        lo = lo.inf(x);
        hi = hi.sup(x);
    }
    (lo, hi)
}
