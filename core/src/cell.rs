//! Simulation cell: orthorhombic or triclinic, periodic per axis.
//!
//! The cell is stored as a matrix `h` whose columns are the edge vectors
//! `a`, `b`, `c`, plus the position of its lower corner (`origin`). A point
//! with fractional coordinates `s` sits at `origin + h * s`. LAMMPS's restricted
//! triclinic form (`a = (lx,0,0)`, `b = (xy,ly,0)`, `c = (xz,yz,lz)`) is one
//! special case; any right-handed, non-degenerate `h` is accepted.

use nalgebra::{Matrix3, Vector3};

/// Error raised when a cell cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CellError {
    /// The edge vectors are degenerate or left-handed.
    #[error("cell volume {0} is not positive: edge vectors must be right-handed and independent")]
    NonPositiveVolume(f64),
    /// An entry of the cell matrix or origin is NaN or infinite.
    #[error("cell has a non-finite entry")]
    NonFinite,
}

/// A parallelepiped simulation box with per-axis periodicity.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    h: Matrix3<f64>,
    h_inv: Matrix3<f64>,
    origin: Vector3<f64>,
    periodic: [bool; 3],
}

impl Cell {
    /// Builds a cell from its edge-vector matrix (columns `a`, `b`, `c`), origin and periodicity.
    pub fn new(
        h: Matrix3<f64>,
        origin: Vector3<f64>,
        periodic: [bool; 3],
    ) -> Result<Self, CellError> {
        if h.iter().chain(origin.iter()).any(|v| !v.is_finite()) {
            return Err(CellError::NonFinite);
        }
        let det = h.determinant();
        if det.is_nan() || det <= 0.0 {
            return Err(CellError::NonPositiveVolume(det));
        }
        let h_inv = h.try_inverse().ok_or(CellError::NonPositiveVolume(det))?;
        Ok(Cell {
            h,
            h_inv,
            origin,
            periodic,
        })
    }

    /// An orthorhombic box spanning `lo..hi`, periodic in all three directions.
    pub fn orthorhombic(lo: Vector3<f64>, hi: Vector3<f64>) -> Result<Self, CellError> {
        Self::triclinic_lammps(lo, hi, [0.0; 3])
    }

    /// A cube of edge `length` with its corner at the origin, fully periodic.
    pub fn cubic(length: f64) -> Result<Self, CellError> {
        Self::orthorhombic(Vector3::zeros(), Vector3::repeat(length))
    }

    /// A LAMMPS restricted-triclinic box: bounds `lo..hi` and tilt factors `[xy, xz, yz]`.
    pub fn triclinic_lammps(
        lo: Vector3<f64>,
        hi: Vector3<f64>,
        tilt: [f64; 3],
    ) -> Result<Self, CellError> {
        let l = hi - lo;
        let [xy, xz, yz] = tilt;
        #[rustfmt::skip]
        let h = Matrix3::new(
            l.x, xy,  xz,
            0.0, l.y, yz,
            0.0, 0.0, l.z,
        );
        Self::new(h, lo, [true; 3])
    }

    /// Returns the same cell with the given periodicity per axis.
    pub fn with_periodicity(mut self, periodic: [bool; 3]) -> Self {
        self.periodic = periodic;
        self
    }

    /// The edge-vector matrix (columns `a`, `b`, `c`).
    pub fn matrix(&self) -> &Matrix3<f64> {
        &self.h
    }

    /// The inverse of the edge-vector matrix.
    pub fn inverse(&self) -> &Matrix3<f64> {
        &self.h_inv
    }

    /// The lower corner of the box.
    pub fn origin(&self) -> Vector3<f64> {
        self.origin
    }

    /// Periodicity flags for the three cell directions.
    pub fn periodic(&self) -> [bool; 3] {
        self.periodic
    }

    /// Edge vector `k` (0 = a, 1 = b, 2 = c).
    pub fn edge(&self, k: usize) -> Vector3<f64> {
        self.h.column(k).into_owned()
    }

    /// Replaces the edge vectors, keeping origin and periodicity (used by barostats).
    pub fn set_matrix(&mut self, h: Matrix3<f64>) -> Result<(), CellError> {
        *self = Cell::new(h, self.origin, self.periodic)?;
        Ok(())
    }

    /// Moves the lower corner of the box.
    pub fn set_origin(&mut self, origin: Vector3<f64>) {
        self.origin = origin;
    }

    /// The box volume (in 2-d runs, multiply out the z extent yourself).
    pub fn volume(&self) -> f64 {
        self.h.determinant()
    }

    /// True when all tilt components are exactly zero.
    pub fn is_orthorhombic(&self) -> bool {
        let h = &self.h;
        h[(1, 0)] == 0.0
            && h[(2, 0)] == 0.0
            && h[(0, 1)] == 0.0
            && h[(2, 1)] == 0.0
            && h[(0, 2)] == 0.0
            && h[(1, 2)] == 0.0
    }

    /// Distances between opposite faces, one per cell direction.
    ///
    /// A sphere of radius `r` fits inside the cell iff `r <= min(d)/2`.
    pub fn plane_distances(&self) -> Vector3<f64> {
        let (a, b, c) = (self.edge(0), self.edge(1), self.edge(2));
        let v = self.volume();
        Vector3::new(
            v / b.cross(&c).norm(),
            v / c.cross(&a).norm(),
            v / a.cross(&b).norm(),
        )
    }

    /// Cartesian -> fractional coordinates.
    #[inline]
    pub fn to_fractional(&self, r: &Vector3<f64>) -> Vector3<f64> {
        self.h_inv * (r - self.origin)
    }

    /// Fractional -> Cartesian coordinates.
    #[inline]
    pub fn to_cartesian(&self, s: &Vector3<f64>) -> Vector3<f64> {
        self.origin + self.h * s
    }

    /// The Cartesian translation of the periodic image `n` (in cell vectors).
    #[inline]
    pub fn image_shift(&self, n: [i32; 3]) -> Vector3<f64> {
        self.h * Vector3::new(n[0] as f64, n[1] as f64, n[2] as f64)
    }

    /// Maps `r` back into the box along periodic directions, updating the image counter.
    ///
    /// Returns the wrapped position; `image` is incremented by the number of box
    /// lengths the atom was moved *down* so that `unwrapped = wrapped + h * image`.
    pub fn wrap(&self, r: &Vector3<f64>, image: &mut [i32; 3]) -> Vector3<f64> {
        let mut x = *r;
        // subtract whole cell vectors (never recompute from fractional coordinates, so
        // untouched components keep their exact bits, e.g. z = 0 in 2-d runs)
        for _ in 0..2 {
            let s = self.to_fractional(&x);
            let mut n = [0i32; 3];
            for k in 0..3 {
                if self.periodic[k] && !(0.0..1.0).contains(&s[k]) {
                    n[k] = s[k].floor() as i32;
                    if n[k] == 0 {
                        // s rounded to exactly 1.0
                        n[k] = 1;
                    }
                }
            }
            if n == [0; 3] {
                break;
            }
            x -= self.image_shift(n);
            for k in 0..3 {
                image[k] += n[k];
            }
        }
        x
    }

    /// Minimum-image convention for a separation vector along periodic directions.
    ///
    /// Exact when `|d|` is below half the smallest face distance; for strongly
    /// tilted cells and longer vectors it returns the image nearest in
    /// fractional coordinates.
    pub fn minimum_image(&self, d: &Vector3<f64>) -> Vector3<f64> {
        let mut s = self.h_inv * d;
        for k in 0..3 {
            if self.periodic[k] {
                s[k] -= s[k].round();
            }
        }
        self.h * s
    }

    /// LAMMPS box description `(lo, hi, [xy, xz, yz])`, or `None` if the
    /// matrix is not in restricted-triclinic (lower-triangular in LAMMPS sense) form.
    pub fn lammps_bounds(&self) -> Option<(Vector3<f64>, Vector3<f64>, [f64; 3])> {
        let h = &self.h;
        if h[(1, 0)] != 0.0 || h[(2, 0)] != 0.0 || h[(2, 1)] != 0.0 {
            return None;
        }
        let l = Vector3::new(h[(0, 0)], h[(1, 1)], h[(2, 2)]);
        Some((
            self.origin,
            self.origin + l,
            [h[(0, 1)], h[(0, 2)], h[(1, 2)]],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn tri() -> Cell {
        Cell::triclinic_lammps(
            Vector3::new(-1.0, 0.5, 2.0),
            Vector3::new(4.0, 6.5, 9.0),
            [1.2, -0.7, 0.9],
        )
        .unwrap()
    }

    #[test]
    fn fractional_round_trip() {
        let c = tri();
        let r = Vector3::new(0.3, 7.1, -4.2);
        assert_relative_eq!(c.to_cartesian(&c.to_fractional(&r)), r, epsilon = 1e-12);
    }

    #[test]
    fn wrap_keeps_unwrapped_position() {
        let c = tri();
        let r = Vector3::new(17.3, -9.1, 23.2);
        let mut img = [0; 3];
        let w = c.wrap(&r, &mut img);
        let s = c.to_fractional(&w);
        assert!(s.iter().all(|v| (0.0..1.0).contains(v)), "{s:?}");
        assert_relative_eq!(w + c.image_shift(img), r, epsilon = 1e-10);
    }

    #[test]
    fn wrap_respects_nonperiodic_axes() {
        let c = Cell::cubic(2.0)
            .unwrap()
            .with_periodicity([true, false, true]);
        let mut img = [0; 3];
        let w = c.wrap(&Vector3::new(2.5, 2.5, -0.5), &mut img);
        assert_relative_eq!(w, Vector3::new(0.5, 2.5, 1.5), epsilon = 1e-12);
        assert_eq!(img, [1, 0, -1]);
    }

    #[test]
    fn plane_distances_and_volume() {
        let c = tri();
        let d = c.plane_distances();
        assert_relative_eq!(d.z, 7.0, epsilon = 1e-12);
        assert_relative_eq!(c.volume(), 5.0 * 6.0 * 7.0, epsilon = 1e-12);
        assert!(d.x < 5.0 && d.y < 6.0);
    }

    #[test]
    fn degenerate_cell_is_rejected() {
        let h = Matrix3::new(1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0);
        assert!(Cell::new(h, Vector3::zeros(), [true; 3]).is_err());
    }

    #[test]
    fn minimum_image_orthorhombic() {
        let c = Cell::cubic(10.0).unwrap();
        let d = c.minimum_image(&Vector3::new(6.0, -7.0, 4.0));
        assert_relative_eq!(d, Vector3::new(-4.0, 3.0, 4.0), epsilon = 1e-12);
    }
}
