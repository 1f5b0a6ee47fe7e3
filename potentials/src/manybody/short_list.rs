//! Per-atom short neighbor lists shared by the three-body kernels.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::GhostAtoms;

/// One neighbor `j` of a central atom `i` within the potential's cutoff.
#[derive(Debug, Clone, Copy)]
pub struct Neighbor {
    /// Extended index of `j`.
    pub j: usize,
    /// Type of `j`.
    pub t: usize,
    /// `x_j - x_i`.
    pub d: Vector3<f64>,
    /// `|x_j - x_i|^2`.
    pub rsq: f64,
}

/// Collects the neighbors of `i` from `entries` that are closer than `cutsq(type_j)`,
/// in list order, into `out` (cleared first).
#[inline]
pub fn collect_neighbors(
    i: usize,
    entries: &[u32],
    positions: &[Vector3<f64>],
    types: &[u32],
    cutsq: impl Fn(usize) -> f64,
    out: &mut Vec<Neighbor>,
) {
    out.clear();
    let xi = positions[i];
    for &j in entries {
        let j = j as usize;
        let d = positions[j] - xi;
        let rsq = d.norm_squared();
        let t = types[j] as usize;
        if rsq < cutsq(t) {
            out.push(Neighbor { j, t, d, rsq });
        }
    }
}

/// Whether local atom `i` owns the pair with extended atom `j` in a full list, so that
/// each pair (including a pair of an atom with its own periodic image) is counted once:
/// the lower owner index takes it; for an atom and its own image, the image with the
/// lexicographically positive image vector does.
#[inline]
pub fn owns_pair(atoms: &GhostAtoms, i: usize, j: usize) -> bool {
    let o = atoms.owner(j);
    match i.cmp(&o) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => atoms.image(j) > [0, 0, 0],
    }
}
