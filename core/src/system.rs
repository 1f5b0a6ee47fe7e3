//! The atoms of a simulation, stored as structure-of-arrays, and their cell.

use nalgebra::Vector3;

use crate::cell::Cell;
use crate::units::UnitConstants;

/// One atom type: a name (element symbol or label) and its mass.
#[derive(Debug, Clone, PartialEq)]
pub struct Species {
    /// Element symbol or free label, e.g. `"Cu"` or `"1"`.
    pub name: String,
    /// Mass in the unit system's mass units.
    pub mass: f64,
}

impl Species {
    /// A species with a name and mass.
    pub fn new(name: impl Into<String>, mass: f64) -> Self {
        Species {
            name: name.into(),
            mass,
        }
    }
}

/// Error raised when the arrays of a [`System`] are inconsistent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SystemError {
    /// An atom refers to a type index that has no species.
    #[error("atom {id} has type {type_index} but only {n_types} types are defined")]
    UnknownType {
        /// Atom id.
        id: u64,
        /// Its 0-based type index.
        type_index: u32,
        /// Number of defined species.
        n_types: usize,
    },
    /// A per-atom array has the wrong length.
    #[error("per-atom array `{name}` has {len} entries for {n_atoms} atoms")]
    LengthMismatch {
        /// Array name.
        name: &'static str,
        /// Its length.
        len: usize,
        /// Number of atoms.
        n_atoms: usize,
    },
    /// A species has a non-positive or non-finite mass.
    #[error("species `{name}` has invalid mass {mass}: masses must be positive")]
    BadMass {
        /// Species name.
        name: String,
        /// The offending mass.
        mass: f64,
    },
    /// A position or velocity is NaN or infinite.
    #[error("atom {id} has a non-finite {what}")]
    NonFinite {
        /// Atom id.
        id: u64,
        /// `"position"` or `"velocity"`.
        what: &'static str,
    },
}

/// All atoms of a simulation plus the cell they live in.
///
/// Every per-atom array has one entry per atom, in the same order. Types are
/// 0-based indices into [`System::species`]; ids are 1-based tags that survive
/// reordering (as LAMMPS atom IDs do). `images` counts how many cell vectors
/// have been subtracted by wrapping, so the unwrapped position of atom `i` is
/// `positions[i] + cell.image_shift(images[i])`.
#[derive(Debug, Clone)]
pub struct System {
    /// Simulation box.
    pub cell: Cell,
    /// Spatial dimension, 2 or 3 (2-d runs keep z = 0 and zero z velocity).
    pub dimension: usize,
    /// Atom types, named and with masses.
    pub species: Vec<Species>,
    /// Positions, wrapped into the cell along periodic axes at neighbor rebuilds.
    pub positions: Vec<Vector3<f64>>,
    /// Velocities.
    pub velocities: Vec<Vector3<f64>>,
    /// Forces from the last force evaluation.
    pub forces: Vec<Vector3<f64>>,
    /// Per-atom masses (copied from the species).
    pub masses: Vec<f64>,
    /// Per-atom type index.
    pub types: Vec<u32>,
    /// Per-atom id, 1-based.
    pub ids: Vec<u64>,
    /// Per-atom periodic image counters.
    pub images: Vec<[i32; 3]>,
    /// Per-atom charges (LAMMPS `atom_style charge`), `None` for uncharged systems.
    pub charges: Option<Vec<f64>>,
}

impl System {
    /// An empty 3-d system in `cell` with the given species.
    pub fn new(cell: Cell, species: Vec<Species>) -> Self {
        System {
            cell,
            dimension: 3,
            species,
            positions: Vec::new(),
            velocities: Vec::new(),
            forces: Vec::new(),
            masses: Vec::new(),
            types: Vec::new(),
            ids: Vec::new(),
            images: Vec::new(),
            charges: None,
        }
    }

    /// Gives every atom a charge (zero) if the system has none yet, and returns the charges.
    pub fn enable_charges(&mut self) -> &mut Vec<f64> {
        let n = self.len();
        self.charges.get_or_insert_with(|| vec![0.0; n])
    }

    /// Appends an atom at rest and returns its index. Its id is the next free one
    /// (one more than the largest, found by a scan: use [`System::push_atom_with_id`]
    /// when adding many atoms).
    ///
    /// # Panics
    /// If `type_index` has no species (use [`System::validate`] for user input).
    pub fn push_atom(&mut self, type_index: u32, position: Vector3<f64>) -> usize {
        let mass = self.species[type_index as usize].mass;
        let id = self.ids.iter().max().copied().unwrap_or(0) + 1;
        self.positions.push(position);
        self.velocities.push(Vector3::zeros());
        self.forces.push(Vector3::zeros());
        self.masses.push(mass);
        self.types.push(type_index);
        self.ids.push(id);
        self.images.push([0; 3]);
        if let Some(q) = &mut self.charges {
            q.push(0.0);
        }
        self.positions.len() - 1
    }

    /// Appends an atom at rest with a given id and returns its index. Ids are not checked
    /// for uniqueness here (readers check their input).
    ///
    /// # Panics
    /// If `type_index` has no species.
    pub fn push_atom_with_id(&mut self, type_index: u32, position: Vector3<f64>, id: u64) -> usize {
        let mass = self.species[type_index as usize].mass;
        self.positions.push(position);
        self.velocities.push(Vector3::zeros());
        self.forces.push(Vector3::zeros());
        self.masses.push(mass);
        self.types.push(type_index);
        self.ids.push(id);
        self.images.push([0; 3]);
        if let Some(q) = &mut self.charges {
            q.push(0.0);
        }
        self.positions.len() - 1
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True if there are no atoms.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Number of atom types.
    pub fn n_types(&self) -> usize {
        self.species.len()
    }

    /// Re-copies species masses into the per-atom mass array.
    pub fn refresh_masses(&mut self) {
        for (m, &t) in self.masses.iter_mut().zip(&self.types) {
            *m = self.species[t as usize].mass;
        }
    }

    /// Checks array lengths, types, masses and finiteness.
    pub fn validate(&self) -> Result<(), SystemError> {
        let n = self.len();
        let lens = [
            ("velocities", self.velocities.len()),
            ("forces", self.forces.len()),
            ("masses", self.masses.len()),
            ("types", self.types.len()),
            ("ids", self.ids.len()),
            ("images", self.images.len()),
            ("charges", self.charges.as_ref().map_or(n, Vec::len)),
        ];
        for (name, len) in lens {
            if len != n {
                return Err(SystemError::LengthMismatch {
                    name,
                    len,
                    n_atoms: n,
                });
            }
        }
        for s in &self.species {
            if !(s.mass.is_finite() && s.mass > 0.0) {
                return Err(SystemError::BadMass {
                    name: s.name.clone(),
                    mass: s.mass,
                });
            }
        }
        for i in 0..n {
            let id = self.ids[i];
            if self.types[i] as usize >= self.species.len() {
                return Err(SystemError::UnknownType {
                    id,
                    type_index: self.types[i],
                    n_types: self.species.len(),
                });
            }
            if self.positions[i].iter().any(|v| !v.is_finite()) {
                return Err(SystemError::NonFinite {
                    id,
                    what: "position",
                });
            }
            if self.velocities[i].iter().any(|v| !v.is_finite()) {
                return Err(SystemError::NonFinite {
                    id,
                    what: "velocity",
                });
            }
        }
        Ok(())
    }

    /// Unwrapped position of atom `i`.
    pub fn unwrapped_position(&self, i: usize) -> Vector3<f64> {
        self.positions[i] + self.cell.image_shift(self.images[i])
    }

    /// Total momentum `sum m v`.
    pub fn total_momentum(&self) -> Vector3<f64> {
        self.velocities
            .iter()
            .zip(&self.masses)
            .fold(Vector3::zeros(), |p, (v, &m)| p + v * m)
    }

    /// Total mass.
    pub fn total_mass(&self) -> f64 {
        self.masses.iter().sum()
    }

    /// Kinetic energy `1/2 sum m v^2` in energy units.
    pub fn kinetic_energy(&self, units: &UnitConstants) -> f64 {
        0.5 * units.mvv2e
            * self
                .velocities
                .iter()
                .zip(&self.masses)
                .map(|(v, &m)| m * v.norm_squared())
                .sum::<f64>()
    }

    /// Kinetic part of the stress, `sum m v_a v_b` in energy units, as `[xx, yy, zz, xy, xz, yz]`.
    pub fn kinetic_tensor(&self, units: &UnitConstants) -> [f64; 6] {
        let mut t = [0.0; 6];
        for (v, &m) in self.velocities.iter().zip(&self.masses) {
            let m = m * units.mvv2e;
            t[0] += m * v.x * v.x;
            t[1] += m * v.y * v.y;
            t[2] += m * v.z * v.z;
            t[3] += m * v.x * v.y;
            t[4] += m * v.x * v.z;
            t[5] += m * v.y * v.z;
        }
        t
    }

    /// Degrees of freedom used for the temperature: `dim * N - dim` (centre-of-mass removed), as LAMMPS.
    pub fn degrees_of_freedom(&self) -> f64 {
        let d = self.dimension as f64;
        let n = self.len() as f64;
        (d * n - d).max(0.0)
    }

    /// Volume (3-d) or area (2-d) of the cell.
    pub fn volume(&self) -> f64 {
        if self.dimension == 2 {
            let h = self.cell.matrix();
            (h[(0, 0)] * h[(1, 1)] - h[(0, 1)] * h[(1, 0)]).abs()
        } else {
            self.cell.volume()
        }
    }

    /// Subtracts the centre-of-mass velocity so the total momentum is zero.
    pub fn zero_momentum(&mut self) {
        let m = self.total_mass();
        if m <= 0.0 {
            return;
        }
        let vcm = self.total_momentum() / m;
        for v in &mut self.velocities {
            *v -= vcm;
        }
    }
}
