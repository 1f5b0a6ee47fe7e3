//! O(N²) reference neighbor search over explicit periodic images, for testing.

use nalgebra::Vector3;

use crate::cell::Cell;

/// One neighbor pair of a brute-force search: atoms `i`, `j` (local indices) and the
/// image `n` such that `x_j + h n - x_i` is the separation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImagePair {
    /// First atom.
    pub i: usize,
    /// Second atom.
    pub j: usize,
    /// Image of `j` relative to the cell of `i`.
    pub image: [i32; 3],
}

/// Every ordered pair (`i`, image of `j`) with separation below `cutoff`, by checking all
/// images within range. Slow; meant as the oracle in tests.
pub fn all_pairs_within(cell: &Cell, positions: &[Vector3<f64>], cutoff: f64) -> Vec<ImagePair> {
    let planes = cell.plane_distances();
    let per = cell.periodic();
    let mut reach = [0i32; 3];
    for k in 0..3 {
        if per[k] {
            reach[k] = (cutoff / planes[k]).ceil() as i32 + 1;
        }
    }
    let mut out = Vec::new();
    for (i, xi) in positions.iter().enumerate() {
        for (j, xj) in positions.iter().enumerate() {
            for nz in -reach[2]..=reach[2] {
                for ny in -reach[1]..=reach[1] {
                    for nx in -reach[0]..=reach[0] {
                        let n = [nx, ny, nz];
                        if i == j && n == [0, 0, 0] {
                            continue;
                        }
                        let d = xj + cell.image_shift(n) - xi;
                        if d.norm_squared() < cutoff * cutoff {
                            out.push(ImagePair { i, j, image: n });
                        }
                    }
                }
            }
        }
    }
    out
}
