//! Velocity autocorrelation from one time origin, as LAMMPS's `compute vacf`.

use nalgebra::Vector3;

use super::saved::SavedState;
use super::{ObservableError, check_same_atoms};
use crate::system::System;

/// `v(0)·v(t)` component by component, averaged over atoms:
/// `[<vx0 vx>, <vy0 vy>, <vz0 vz>, <v0·v>]`.
pub fn mean_product(origin: &[Vector3<f64>], now: &[Vector3<f64>]) -> [f64; 4] {
    let mut m = [0.0; 4];
    for (a, b) in origin.iter().zip(now) {
        m[0] += a.x * b.x;
        m[1] += a.y * b.y;
        m[2] += a.z * b.z;
    }
    let n = origin.len().max(1) as f64;
    for v in &mut m[..3] {
        *v /= n;
    }
    m[3] = m[0] + m[1] + m[2];
    m
}

/// Velocity autocorrelation against the velocities it was created with.
#[derive(Debug, Clone, PartialEq)]
pub struct Vacf {
    ids: Vec<u64>,
    origin: Vec<Vector3<f64>>,
}

impl Vacf {
    /// Takes the current velocities of `system` as the time origin.
    pub fn new(system: &System) -> Self {
        Vacf {
            ids: system.ids.clone(),
            origin: system.velocities.clone(),
        }
    }

    /// The time origin: atom ids and velocities.
    pub fn save_state(&self) -> SavedState {
        let mut s = SavedState::default();
        s.integers.push(self.ids.len() as u64);
        s.integers.extend(&self.ids);
        s.push_vectors(&self.origin);
        s
    }

    /// Takes the time origin of a [`Vacf::save_state`].
    pub fn restore_state(&mut self, state: &SavedState) -> Result<(), ObservableError> {
        let mut r = state.reader();
        let n = r.integer("the atom count")? as usize;
        let ids = r.integers(n, "the atom ids")?;
        let origin = r.vectors(n, "the origin velocities")?;
        r.finish()?;
        self.ids = ids;
        self.origin = origin;
        Ok(())
    }

    /// `[<vx0 vx>, <vy0 vy>, <vz0 vz>, <v0·v>]` now; an error if the atoms changed.
    pub fn compute(&self, system: &System) -> Result<[f64; 4], ObservableError> {
        check_same_atoms(&self.ids, system)?;
        Ok(mean_product(&self.origin, &system.velocities))
    }
}
