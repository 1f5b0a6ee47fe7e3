//! Mean-squared displacement from a reference configuration, as LAMMPS's `compute msd`.
//!
//! Displacements use unwrapped positions (`x + h · image`), so atoms that crossed the
//! periodic boundaries count with their true path. With `com`, the drift of the centre of
//! mass since the reference is removed from every displacement.

use nalgebra::Vector3;

use super::saved::SavedState;
use super::{ObservableError, check_same_atoms};
use crate::system::System;

/// Mass-weighted centre of the unwrapped positions.
pub fn center_of_mass(system: &System) -> Vector3<f64> {
    let mut sum = Vector3::zeros();
    let mut mass = 0.0;
    for i in 0..system.len() {
        sum += system.unwrapped_position(i) * system.masses[i];
        mass += system.masses[i];
    }
    if mass > 0.0 { sum / mass } else { sum }
}

/// Unwrapped positions, shifted by minus the centre of mass when `com` is set.
pub fn unwrapped_positions(system: &System, com: bool) -> Vec<Vector3<f64>> {
    let shift = if com {
        center_of_mass(system)
    } else {
        Vector3::zeros()
    };
    (0..system.len())
        .map(|i| system.unwrapped_position(i) - shift)
        .collect()
}

/// Squared displacements of `now` from `reference`, averaged over atoms:
/// `[<dx²>, <dy²>, <dz²>, <|d|²>]`.
pub fn mean_squared(reference: &[Vector3<f64>], now: &[Vector3<f64>]) -> [f64; 4] {
    let mut m = [0.0; 4];
    for (a, b) in reference.iter().zip(now) {
        let d = b - a;
        m[0] += d.x * d.x;
        m[1] += d.y * d.y;
        m[2] += d.z * d.z;
    }
    let n = reference.len().max(1) as f64;
    for v in &mut m[..3] {
        *v /= n;
    }
    m[3] = m[0] + m[1] + m[2];
    m
}

/// Mean-squared displacement from the configuration it was created with.
#[derive(Debug, Clone, PartialEq)]
pub struct Msd {
    com: bool,
    ids: Vec<u64>,
    reference: Vec<Vector3<f64>>,
}

impl Msd {
    /// Takes the current (unwrapped) positions of `system` as the reference.
    pub fn new(system: &System, com: bool) -> Self {
        Msd {
            com,
            ids: system.ids.clone(),
            reference: unwrapped_positions(system, com),
        }
    }

    /// Whether the centre-of-mass drift is removed.
    pub fn removes_com(&self) -> bool {
        self.com
    }

    /// The reference: atom ids and positions.
    pub fn save_state(&self) -> SavedState {
        let mut s = SavedState::default();
        s.integers.push(self.com as u64);
        s.integers.push(self.ids.len() as u64);
        s.integers.extend(&self.ids);
        s.push_vectors(&self.reference);
        s
    }

    /// Takes the reference of a [`Msd::save_state`] (with the same `com` setting), as
    /// LAMMPS's `compute msd` finds its stored positions after `read_restart`.
    pub fn restore_state(&mut self, state: &SavedState) -> Result<(), ObservableError> {
        let mut r = state.reader();
        r.expect(self.com as u64, "com flag")?;
        let n = r.integer("the atom count")? as usize;
        let ids = r.integers(n, "the atom ids")?;
        let reference = r.vectors(n, "the reference positions")?;
        r.finish()?;
        self.ids = ids;
        self.reference = reference;
        Ok(())
    }

    /// `[<dx²>, <dy²>, <dz²>, <|d|²>]` now; an error if the atoms changed.
    pub fn compute(&self, system: &System) -> Result<[f64; 4], ObservableError> {
        check_same_atoms(&self.ids, system)?;
        Ok(mean_squared(
            &self.reference,
            &unwrapped_positions(system, self.com),
        ))
    }
}
