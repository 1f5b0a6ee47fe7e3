//! Periodic ghost atoms: the images of local atoms within the neighbor cutoff of the cell.
//!
//! Potentials see one extended array: the `n_local` atoms of the system
//! followed by ghost copies. A ghost knows its owner (a local index) and the
//! integer image that translates the owner onto it, so its position can be
//! refreshed every step (`x_owner + h * image`) without rebuilding, even when
//! the cell changes shape. A cutoff longer than half the box simply yields
//! several images per atom along that axis.

use nalgebra::Vector3;
use rayon::prelude::*;

use super::NeighborError;
use crate::cell::Cell;

/// Most cell lengths a cutoff may span before the ghost shell is refused.
const MAX_IMAGES_PER_AXIS: f64 = 8.0;

/// Local atoms plus their periodic ghost images, as one extended array.
#[derive(Debug, Clone, Default)]
pub struct GhostAtoms {
    n_local: usize,
    owners: Vec<u32>,
    images: Vec<[i32; 3]>,
    positions: Vec<Vector3<f64>>,
    types: Vec<u32>,
}

impl GhostAtoms {
    /// Creates an empty ghost set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Regenerates the ghosts of `positions` (which must be wrapped along periodic axes)
    /// for interactions up to `cutoff`, and fills the extended position and type arrays.
    pub fn build(
        &mut self,
        cell: &Cell,
        positions: &[Vector3<f64>],
        types: &[u32],
        cutoff: f64,
    ) -> Result<(), NeighborError> {
        let periodic = cell.periodic();
        let planes = cell.plane_distances();
        let mut reach = [0.0; 3];
        for k in 0..3 {
            if periodic[k] {
                reach[k] = cutoff / planes[k];
                if reach[k] > MAX_IMAGES_PER_AXIS {
                    return Err(NeighborError::CutoffTooLong {
                        cutoff,
                        axis: k,
                        width: planes[k],
                    });
                }
            }
        }
        self.n_local = positions.len();
        self.owners.clear();
        self.images.clear();
        for (i, x) in positions.iter().enumerate() {
            let s = cell.to_fractional(x);
            let mut lo = [0i32; 3];
            let mut hi = [0i32; 3];
            for k in 0..3 {
                if periodic[k] {
                    lo[k] = (-reach[k] - s[k]).ceil() as i32;
                    hi[k] = (1.0 + reach[k] - s[k]).floor() as i32;
                    // rounding can push a wrapped atom just outside [0, 1)
                    lo[k] = lo[k].min(0);
                    hi[k] = hi[k].max(0);
                }
            }
            for nz in lo[2]..=hi[2] {
                for ny in lo[1]..=hi[1] {
                    for nx in lo[0]..=hi[0] {
                        if nx != 0 || ny != 0 || nz != 0 {
                            self.owners.push(i as u32);
                            self.images.push([nx, ny, nz]);
                        }
                    }
                }
            }
        }
        self.types.clear();
        self.types.extend_from_slice(types);
        let owners = &self.owners;
        self.types.extend(owners.iter().map(|&o| types[o as usize]));
        self.refresh(cell, positions);
        Ok(())
    }

    /// Copies the local positions and moves every ghost onto its owner's current image.
    pub fn refresh(&mut self, cell: &Cell, positions: &[Vector3<f64>]) {
        let n = self.n_local;
        debug_assert_eq!(positions.len(), n);
        self.positions
            .resize(n + self.owners.len(), Vector3::zeros());
        let (local, ghost) = self.positions.split_at_mut(n);
        local.copy_from_slice(positions);
        let h = cell.matrix();
        ghost
            .par_iter_mut()
            .with_min_len(4096)
            .zip(self.owners.par_iter().zip(self.images.par_iter()))
            .for_each(|(g, (&o, n))| {
                let shift = h * Vector3::new(n[0] as f64, n[1] as f64, n[2] as f64);
                *g = positions[o as usize] + shift;
            });
    }

    /// Number of local atoms.
    pub fn n_local(&self) -> usize {
        self.n_local
    }

    /// Number of ghost atoms.
    pub fn n_ghost(&self) -> usize {
        self.owners.len()
    }

    /// Local plus ghost atoms.
    pub fn n_total(&self) -> usize {
        self.n_local + self.owners.len()
    }

    /// Extended positions: locals first, then ghosts.
    pub fn positions(&self) -> &[Vector3<f64>] {
        &self.positions
    }

    /// Extended type indices: locals first, then ghosts.
    pub fn types(&self) -> &[u32] {
        &self.types
    }

    /// The local atom that extended atom `j` is (an image of).
    #[inline]
    pub fn owner(&self, j: usize) -> usize {
        if j < self.n_local {
            j
        } else {
            self.owners[j - self.n_local] as usize
        }
    }

    /// The periodic image of extended atom `j` relative to its owner.
    #[inline]
    pub fn image(&self, j: usize) -> [i32; 3] {
        if j < self.n_local {
            [0; 3]
        } else {
            self.images[j - self.n_local]
        }
    }

    /// Owners of the ghosts, in ghost order.
    pub fn ghost_owners(&self) -> &[u32] {
        &self.owners
    }

    /// Images of the ghosts relative to their owners, in ghost order.
    pub fn ghost_images(&self) -> &[[i32; 3]] {
        &self.images
    }

    /// Adds each ghost's entry of `values` (length `n_total`) onto its owner.
    ///
    /// Used after a force evaluation so that forces (or per-atom energies) on
    /// ghost images end up on the atoms they belong to.
    pub fn fold_ghosts_into_owners<T>(&self, values: &mut [T])
    where
        T: Copy + std::ops::AddAssign,
    {
        let (local, ghost) = values.split_at_mut(self.n_local);
        for (g, &o) in ghost.iter().zip(&self.owners) {
            local[o as usize] += *g;
        }
    }
}
