//! The uniform parameter block of the kernels (`struct Params` in common.wgsl).

use bytemuck::{Pod, Zeroable};
use ferromd_core::Cell;

/// Mirror of `Params` in common.wgsl: only `vec4` members, so the layout is plain.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct Params {
    pub counts: [u32; 4],
    pub nbins: [u32; 4],
    pub sched: [u32; 4],
    pub sizes: [u32; 4],
    pub h: [[f32; 4]; 3],
    pub h_inv: [[f32; 4]; 3],
    pub origin: [f32; 4],
    pub lens: [f32; 4],
    pub eam: [f32; 4],
}

impl Params {
    /// Sets the cell rows (positions on the device are relative to the origin, so the
    /// origin in the parameters stays zero) and the bin grid for list cutoff `rlist`.
    pub(crate) fn set_cell(&mut self, cell: &Cell, rlist: f64) {
        let h = cell.matrix();
        let hi = cell.inverse();
        for r in 0..3 {
            self.h[r] = [h[(r, 0)] as f32, h[(r, 1)] as f32, h[(r, 2)] as f32, 0.0];
            self.h_inv[r] = [hi[(r, 0)] as f32, hi[(r, 1)] as f32, hi[(r, 2)] as f32, 0.0];
        }
        self.origin = [0.0; 4];
        let planes = cell.plane_distances();
        let nb: [u32; 3] = std::array::from_fn(|k| ((planes[k] / rlist).floor() as u32).max(1));
        self.nbins = [nb[0], nb[1], nb[2], nb[0] * nb[1] * nb[2]];
    }

    pub(crate) fn n_atoms(&self) -> u32 {
        self.counts[0]
    }

    pub(crate) fn n_bins(&self) -> u32 {
        self.nbins[3]
    }

    pub(crate) fn bin_capacity(&self) -> u32 {
        self.counts[2]
    }

    pub(crate) fn neighbor_capacity(&self) -> u32 {
        self.counts[3]
    }
}

impl Params {
    /// Parameters for `n_atoms` atoms of `n_types` types, everything else zero.
    pub(crate) fn zeroed_with(n_atoms: u32, n_types: u32) -> Self {
        let mut p = Params::zeroed();
        p.counts[0] = n_atoms;
        p.counts[1] = n_types;
        p
    }
}
