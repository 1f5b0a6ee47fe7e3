//! Pieces shared by the barostats: coupling styles, the instantaneous pressure from the
//! kinetic energy and a virial, and the dilation of the cell with the atoms in it.

use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::potential::Virial;
use ferromd_core::system::System;
use ferromd_core::units::UnitConstants;
use rayon::prelude::*;

use crate::common::{MIN_CHUNK, ordered_sum};

/// How the cell responds to the pressure (LAMMPS `iso` / `aniso` keywords).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coupling {
    /// One scale factor for all periodic directions, driven by the scalar pressure
    /// (LAMMPS `iso`: x, y, z coupled; x and y in 2-d).
    Iso,
    /// An independent scale factor per direction, each driven by its diagonal component
    /// of the pressure tensor (LAMMPS `aniso`). The Berendsen barostat scales
    /// off-diagonal cell components with the Cartesian axis they lie along; the MTK
    /// barostat scales tilt factors with their second dimension, as LAMMPS `fix npt`.
    Aniso,
    /// All six cell degrees of freedom (LAMMPS `tri`): the diagonal as [`Coupling::Aniso`]
    /// and the tilt factors `xy`, `xz`, `yz` driven by the shear components of the
    /// pressure tensor towards zero. Only the MTK barostat supports it.
    Tri,
}

/// Error raised for invalid barostat parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct BarostatError(pub String);

impl std::error::Error for BarostatError {}

impl std::fmt::Display for BarostatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that `value` (named `what`, a target pressure) is finite.
pub(crate) fn finite(what: &str, value: f64) -> Result<f64, BarostatError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(BarostatError(format!("{what} must be finite, got {value}")))
    }
}

/// Checks that `value` (named `what`) is finite and positive.
pub(crate) fn positive(what: &str, value: f64) -> Result<f64, BarostatError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(BarostatError(format!("{what} must be > 0, got {value}")))
    }
}

/// Diagonal of `sum m v_a v_a` (energy units), summed in a thread-count-independent order.
pub(crate) fn kinetic_diagonal(system: &System, units: &UnitConstants) -> [f64; 3] {
    let v = &system.velocities;
    let m = &system.masses;
    let d: Vector3<f64> = ordered_sum(v.len(), |i| v[i].component_mul(&v[i]) * m[i]);
    [d.x * units.mvv2e, d.y * units.mvv2e, d.z * units.mvv2e]
}

/// The instantaneous pressure seen by a barostat, in pressure units, as LAMMPS's
/// `compute pressure`: for [`Coupling::Iso`] all coupled entries hold the scalar
/// pressure `(2 KE + tr W) / (d V)`, for [`Coupling::Aniso`] entry `a` is
/// `(sum m v_a^2 + W_aa) / V`. Entries beyond the dimension are zero.
pub(crate) fn current_pressure(
    system: &System,
    units: &UnitConstants,
    virial: &Virial,
    coupling: Coupling,
) -> [f64; 3] {
    let dims = system.dimension;
    let mvv = kinetic_diagonal(system, units);
    let vol = system.volume();
    let mut p = [0.0; 3];
    match coupling {
        Coupling::Iso => {
            let trace: f64 = (0..dims).map(|a| mvv[a] + virial[a]).sum();
            let scalar = trace / (dims as f64 * vol) * units.nktv2p;
            p[..dims].fill(scalar);
        }
        Coupling::Aniso | Coupling::Tri => {
            for a in 0..dims {
                p[a] = (mvv[a] + virial[a]) / vol * units.nktv2p;
            }
        }
    }
    p
}

/// Scales the cell and the atoms about the centre of the cell by `factors` along the
/// Cartesian axes: `h <- D h`, `x <- c + D (x - c)` with `D = diag(factors)`, so that
/// fractional coordinates and image counters stay valid.
///
/// If a factor is not finite the cell is left alone and the positions become non-finite,
/// so that the next neighbor update stops the run with an error naming the atoms.
pub(crate) fn dilate(system: &mut System, factors: [f64; 3]) {
    deform(system, &Matrix3::from_diagonal(&Vector3::from(factors)));
}

/// Deforms the cell and the atoms about the centre of the cell by the matrix `d`:
/// `h <- d h`, `x <- c + d (x - c)`, so that fractional coordinates and image counters
/// stay valid. Non-finite or degenerate results are handled as in [`dilate`].
pub(crate) fn deform(system: &mut System, d: &Matrix3<f64>) {
    let d = *d;
    let h = *system.cell.matrix();
    let centre = system.cell.origin() + h * Vector3::repeat(0.5);
    system
        .positions
        .par_iter_mut()
        .with_min_len(MIN_CHUNK)
        .for_each(|x| *x = centre + d * (*x - centre));
    let h_new = d * h;
    if system.cell.set_matrix(h_new).is_ok() {
        let origin = centre - h_new * Vector3::repeat(0.5);
        system.cell.set_origin(origin);
    } else if d.iter().all(|f| f.is_finite()) {
        // a finite but degenerate cell: poison the positions so the run stops cleanly
        system
            .positions
            .iter_mut()
            .for_each(|x| *x = Vector3::repeat(f64::NAN));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferromd_core::cell::Cell;
    use ferromd_core::system::Species;

    #[test]
    fn dilation_keeps_fractional_coordinates_and_the_centre() {
        let cell =
            Cell::orthorhombic(Vector3::new(-1.0, 0.0, 2.0), Vector3::new(3.0, 5.0, 4.0)).unwrap();
        let mut system = System::new(cell, vec![Species::new("A", 1.0)]);
        system.push_atom(0, Vector3::new(0.5, 1.0, 3.5));
        let s0 = system.cell.to_fractional(&system.positions[0]);
        let c0 = system.cell.origin() + system.cell.matrix() * Vector3::repeat(0.5);
        dilate(&mut system, [1.1, 0.9, 1.02]);
        let s1 = system.cell.to_fractional(&system.positions[0]);
        let c1 = system.cell.origin() + system.cell.matrix() * Vector3::repeat(0.5);
        assert!((s1 - s0).norm() < 1e-14);
        assert!((c1 - c0).norm() < 1e-14);
        assert!((system.volume() - 4.0 * 5.0 * 2.0 * 1.1 * 0.9 * 1.02).abs() < 1e-12);
    }
}
