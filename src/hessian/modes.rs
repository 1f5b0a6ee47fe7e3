//! Mass-weighted normal modes of a Hessian and their rigid-body zero modes.

use ferromd_core::nalgebra::{DMatrix, DVector, SymmetricEigen, Vector3};
use ferromd_core::{System, UnitSystem};

/// What a mode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeKind {
    /// A vibration.
    Vibration,
    /// A rigid translation of the whole system (zero frequency in exact arithmetic).
    Translation,
    /// A rigid rotation of an isolated molecule (zero frequency in exact arithmetic).
    Rotation,
}

impl ModeKind {
    /// A lower-case word for tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ModeKind::Vibration => "vibration",
            ModeKind::Translation => "translation",
            ModeKind::Rotation => "rotation",
        }
    }
}

/// One normal mode.
#[derive(Debug, Clone)]
pub struct Mode {
    /// Eigenvalue of `M^-1/2 H M^-1/2` (energy / (length² mass) in the run's units).
    pub eigenvalue: f64,
    /// Angular frequency `sign(λ) √|λ|` in the unit system's inverse time scale before
    /// conversion (negative: imaginary mode).
    pub omega: f64,
    /// Ordinary frequency in THz (metal and real units; negative: imaginary).
    pub thz: Option<f64>,
    /// Wavenumber in cm⁻¹ (metal and real units; negative: imaginary).
    pub wavenumber: Option<f64>,
    /// Translation, rotation or vibration.
    pub kind: ModeKind,
    /// Weight of the mass-weighted eigenvector in the rigid-body subspace (0 to 1).
    pub rigid_overlap: f64,
    /// The mass-weighted eigenvector (unit norm, `3N` entries).
    pub vector: DVector<f64>,
}

/// All normal modes, lowest eigenvalue first.
#[derive(Debug, Clone)]
pub struct NormalModes {
    /// The modes.
    pub modes: Vec<Mode>,
    /// Number of translations of the system as a whole (3).
    pub translations: usize,
    /// Number of rigid rotations (0 in a periodic cell, 2 for a linear molecule, else 3).
    pub rotations: usize,
}

/// Speed of light in cm/s.
const LIGHT_CM_PER_S: f64 = 2.997_924_58e10;
/// Atomic mass unit (g/mol) in kg.
const AMU_KG: f64 = 1.660_539_066_60e-27;
/// Electronvolt in J.
const EV_J: f64 = 1.602_176_634e-19;
/// kcal/mol in J per molecule.
const KCAL_MOL_J: f64 = 4184.0 / 6.022_140_76e23;
/// Ångström in m.
const ANGSTROM_M: f64 = 1e-10;

/// `√(energy / (length² mass))` of `units` in rad/s, `None` in reduced units.
pub fn angular_frequency_si(units: UnitSystem) -> Option<f64> {
    let energy = match units {
        UnitSystem::Lj => return None,
        UnitSystem::Metal => EV_J,
        UnitSystem::Real => KCAL_MOL_J,
    };
    Some((energy / (ANGSTROM_M * ANGSTROM_M * AMU_KG)).sqrt())
}

/// Normal modes of `hessian` (as from
/// [`finite_difference_hessian`](super::finite_difference_hessian)) for `system`'s masses
/// and geometry.
///
/// The rigid-body subspace is spanned by the mass-weighted translations and, when no
/// direction of the cell is periodic, the rotations about the centre of mass. The
/// `translations + rotations` modes with the largest weight in that subspace are labelled
/// rigid (a translation if their weight in the translation subspace is the larger part).
pub fn normal_modes(hessian: &DMatrix<f64>, system: &System, units: UnitSystem) -> NormalModes {
    let n = 3 * system.len();
    assert_eq!(hessian.nrows(), n, "Hessian size does not match the system");
    let inv_sqrt_m: Vec<f64> = (0..n)
        .map(|k| system.masses[k / 3].sqrt().recip())
        .collect();
    let weighted = DMatrix::from_fn(n, n, |i, j| hessian[(i, j)] * inv_sqrt_m[i] * inv_sqrt_m[j]);
    let eigen = SymmetricEigen::new(weighted);

    let (translation_basis, rotation_basis) = rigid_bases(system);
    let weight = |basis: &[DVector<f64>], v: &DVector<f64>| -> f64 {
        basis.iter().map(|b| b.dot(v).powi(2)).sum()
    };
    let to_si = angular_frequency_si(units);
    let mut modes: Vec<Mode> = (0..n)
        .map(|k| {
            let eigenvalue = eigen.eigenvalues[k];
            let vector = eigen.eigenvectors.column(k).into_owned();
            let omega = eigenvalue.signum() * eigenvalue.abs().sqrt();
            let thz = to_si.map(|s| omega * s / (2.0 * std::f64::consts::PI) / 1e12);
            let wavenumber = thz.map(|f| f * 1e12 / LIGHT_CM_PER_S);
            let rigid_overlap =
                weight(&translation_basis, &vector) + weight(&rotation_basis, &vector);
            Mode {
                eigenvalue,
                omega,
                thz,
                wavenumber,
                kind: ModeKind::Vibration,
                rigid_overlap,
                vector,
            }
        })
        .collect();
    modes.sort_by(|a, b| a.eigenvalue.total_cmp(&b.eigenvalue));

    let rigid = translation_basis.len() + rotation_basis.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| modes[b].rigid_overlap.total_cmp(&modes[a].rigid_overlap));
    for &k in order.iter().take(rigid) {
        let t = weight(&translation_basis, &modes[k].vector);
        let r = weight(&rotation_basis, &modes[k].vector);
        modes[k].kind = if t >= r {
            ModeKind::Translation
        } else {
            ModeKind::Rotation
        };
    }
    NormalModes {
        modes,
        translations: translation_basis.len(),
        rotations: rotation_basis.len(),
    }
}

/// Orthonormal mass-weighted translations and (non-periodic cells only) rotations.
fn rigid_bases(system: &System) -> (Vec<DVector<f64>>, Vec<DVector<f64>>) {
    let n = 3 * system.len();
    let sqrt_m: Vec<f64> = system.masses.iter().map(|m| m.sqrt()).collect();
    let mut translations = Vec::new();
    for a in 0..3 {
        let v = DVector::from_fn(n, |k, _| if k % 3 == a { sqrt_m[k / 3] } else { 0.0 });
        push_orthonormal(&mut translations, &[], v);
    }
    let mut rotations = Vec::new();
    if system.cell.periodic().iter().all(|p| !p) && system.len() > 1 {
        let positions: Vec<Vector3<f64>> = (0..system.len())
            .map(|i| system.unwrapped_position(i))
            .collect();
        let total: f64 = system.masses.iter().sum();
        let com = positions
            .iter()
            .zip(&system.masses)
            .map(|(r, m)| r * *m)
            .sum::<Vector3<f64>>()
            / total;
        for a in 0..3 {
            let axis = Vector3::ith(a, 1.0);
            let v = DVector::from_fn(n, |k, _| {
                let i = k / 3;
                axis.cross(&(positions[i] - com))[k % 3] * sqrt_m[i]
            });
            push_orthonormal(&mut rotations, &translations, v);
        }
    }
    (translations, rotations)
}

/// Gram–Schmidt: adds `v` to `basis` after removing its parts along `basis` and `fixed`,
/// unless (almost) nothing is left, as for the third rotation of a linear molecule.
fn push_orthonormal(basis: &mut Vec<DVector<f64>>, fixed: &[DVector<f64>], mut v: DVector<f64>) {
    let scale = v.norm();
    if scale == 0.0 {
        return;
    }
    for b in fixed.iter().chain(basis.iter()) {
        let c = b.dot(&v);
        v -= b * c;
    }
    let left = v.norm();
    if left > 1e-6 * scale {
        basis.push(v / left);
    }
}
