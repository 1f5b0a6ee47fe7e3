//! Crystal lattices (sc, bcc, fcc, diamond, custom basis) and filling a box with them.

use nalgebra::{Matrix3, Vector3};

use crate::cell::{Cell, CellError};
use crate::system::{Species, System};

/// A lattice: a conventional unit cell (columns in lattice-constant units), a basis and a scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Lattice {
    /// Unit-cell vectors as columns, in units of the lattice constant.
    pub vectors: Matrix3<f64>,
    /// Basis atoms: fractional coordinates in the unit cell and 0-based type index.
    pub basis: Vec<(Vector3<f64>, u32)>,
    /// Lattice constant (length of the unit-cell edge for cubic lattices).
    pub constant: f64,
}

/// Named cubic lattices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CubicKind {
    /// Simple cubic, 1 atom per cell.
    Sc,
    /// Body-centred cubic, 2 atoms per cell.
    Bcc,
    /// Face-centred cubic, 4 atoms per cell.
    Fcc,
    /// Diamond, 8 atoms per cell.
    Diamond,
}

impl CubicKind {
    /// Parses `sc`, `bcc`, `fcc` or `diamond`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sc" => Some(CubicKind::Sc),
            "bcc" => Some(CubicKind::Bcc),
            "fcc" => Some(CubicKind::Fcc),
            "diamond" => Some(CubicKind::Diamond),
            _ => None,
        }
    }

    /// Fractional basis positions, in LAMMPS's order.
    pub fn basis(self) -> Vec<Vector3<f64>> {
        let v = |x, y, z| Vector3::new(x, y, z);
        match self {
            CubicKind::Sc => vec![v(0.0, 0.0, 0.0)],
            CubicKind::Bcc => vec![v(0.0, 0.0, 0.0), v(0.5, 0.5, 0.5)],
            CubicKind::Fcc => vec![
                v(0.0, 0.0, 0.0),
                v(0.5, 0.5, 0.0),
                v(0.5, 0.0, 0.5),
                v(0.0, 0.5, 0.5),
            ],
            CubicKind::Diamond => vec![
                v(0.0, 0.0, 0.0),
                v(0.0, 0.5, 0.5),
                v(0.5, 0.0, 0.5),
                v(0.5, 0.5, 0.0),
                v(0.25, 0.25, 0.25),
                v(0.25, 0.75, 0.75),
                v(0.75, 0.25, 0.75),
                v(0.75, 0.75, 0.25),
            ],
        }
    }
}

impl Lattice {
    /// A cubic lattice with all basis atoms of type 0 and lattice constant `a`.
    pub fn cubic(kind: CubicKind, a: f64) -> Self {
        Lattice {
            vectors: Matrix3::identity(),
            basis: kind.basis().into_iter().map(|b| (b, 0)).collect(),
            constant: a,
        }
    }

    /// A cubic lattice whose constant gives `density` atoms per unit volume
    /// (LAMMPS's reduced-density form in `lj` units).
    pub fn cubic_with_density(kind: CubicKind, density: f64) -> Self {
        let n = kind.basis().len() as f64;
        // pow(x, 1/3) rather than cbrt, as LAMMPS computes it, so positions agree to the bit
        Self::cubic(kind, (n / density).powf(1.0 / 3.0))
    }

    /// Number density of the lattice.
    pub fn density(&self) -> f64 {
        self.basis.len() as f64 / (self.vectors.determinant() * self.constant.powi(3))
    }

    /// Fills a fully periodic cell of `repeat` unit cells with atoms, ordered as LAMMPS's
    /// `create_atoms` orders them on one process (z slowest, then y, x, basis).
    pub fn build(&self, repeat: [usize; 3], species: Vec<Species>) -> Result<System, CellError> {
        let a = self.vectors * self.constant;
        let mut h = a;
        for (k, &r) in repeat.iter().enumerate() {
            h.set_column(k, &(a.column(k) * r as f64));
        }
        let cell = Cell::new(h, Vector3::zeros(), [true; 3])?;
        let mut system = System::new(cell, species);
        let n = repeat.iter().product::<usize>() * self.basis.len();
        system.positions.reserve(n);
        let mut id = 0;
        for k in 0..repeat[2] {
            for j in 0..repeat[1] {
                for i in 0..repeat[0] {
                    for (b, t) in &self.basis {
                        let s = Vector3::new(i as f64 + b.x, j as f64 + b.y, k as f64 + b.z);
                        id += 1;
                        let mass = system.species[*t as usize].mass;
                        system.positions.push(a * s);
                        system.velocities.push(Vector3::zeros());
                        system.forces.push(Vector3::zeros());
                        system.masses.push(mass);
                        system.types.push(*t);
                        system.ids.push(id);
                        system.images.push([0; 3]);
                    }
                }
            }
        }
        Ok(system)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcc_density_and_count() {
        let lat = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442);
        assert!((lat.density() - 0.8442).abs() < 1e-12);
        let s = lat.build([3, 4, 5], vec![Species::new("A", 1.0)]).unwrap();
        assert_eq!(s.len(), 4 * 60);
        assert!((s.cell.volume() * 0.8442 - 240.0).abs() < 1e-9);
        assert_eq!(s.ids[239], 240);
    }

    #[test]
    fn diamond_nearest_neighbour_distance() {
        let s = Lattice::cubic(CubicKind::Diamond, 5.43)
            .build([1, 1, 1], vec![Species::new("Si", 28.0855)])
            .unwrap();
        let d = (s.positions[4] - s.positions[0]).norm();
        assert!((d - 5.43 * 3f64.sqrt() / 4.0).abs() < 1e-12);
    }
}
