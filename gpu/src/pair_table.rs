//! Per-type-pair coefficients of the GPU pair styles, converted to the f32 layout the
//! pair kernel reads (two `vec4` per ordered type pair).

use crate::error::GpuError;
use crate::kernels::PairStyle;

/// Lennard-Jones coefficients of one type pair (LAMMPS `pair_coeff i j eps sigma rc`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LjPair {
    /// Well depth.
    pub epsilon: f64,
    /// Zero-crossing distance.
    pub sigma: f64,
    /// Cutoff.
    pub cutoff: f64,
}

/// Morse coefficients of one type pair (LAMMPS `pair_coeff i j D0 alpha r0 rc`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorsePair {
    /// Well depth.
    pub d0: f64,
    /// Width parameter.
    pub alpha: f64,
    /// Equilibrium distance.
    pub r0: f64,
    /// Cutoff.
    pub cutoff: f64,
}

/// A pair potential for the GPU: a style plus coefficients for every ordered type pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairTable {
    pub(crate) style: PairStyle,
    pub(crate) n_types: usize,
    /// `[c0 (4), cutoff², energy shift, 0, 0]` per ordered pair, row-major.
    pub(crate) coeffs: Vec<[f32; 8]>,
    pub(crate) cutoff: f64,
}

impl PairTable {
    /// Lennard-Jones 12-6 for `n_types` types; `pairs` is row-major over 0-based types
    /// (`n_types²` entries, symmetric). With `shift` energies are zero at each cutoff.
    pub fn lennard_jones(n_types: usize, pairs: &[LjPair], shift: bool) -> Result<Self, GpuError> {
        check_len(n_types, pairs.len())?;
        let coeffs = pairs
            .iter()
            .map(|p| {
                let s6 = p.sigma.powi(6);
                let s12 = s6 * s6;
                let (lj3, lj4) = (4.0 * p.epsilon * s12, 4.0 * p.epsilon * s6);
                let offset = if shift {
                    let r6inv = p.cutoff.powi(-6);
                    r6inv * (lj3 * r6inv - lj4)
                } else {
                    0.0
                };
                let c0 = [48.0 * p.epsilon * s12, 24.0 * p.epsilon * s6, lj3, lj4];
                pack(c0, p.cutoff, offset)
            })
            .collect();
        let cutoff = pairs.iter().map(|p| p.cutoff).fold(0.0, f64::max);
        Ok(PairTable {
            style: PairStyle::LennardJones,
            n_types,
            coeffs,
            cutoff,
        })
    }

    /// Morse for `n_types` types; `pairs` is row-major over 0-based types.
    /// With `shift` energies are zero at each cutoff.
    pub fn morse(n_types: usize, pairs: &[MorsePair], shift: bool) -> Result<Self, GpuError> {
        check_len(n_types, pairs.len())?;
        let coeffs = pairs
            .iter()
            .map(|p| {
                let offset = if shift {
                    let dexp = (-p.alpha * (p.cutoff - p.r0)).exp();
                    p.d0 * (dexp * dexp - 2.0 * dexp)
                } else {
                    0.0
                };
                let c0 = [p.d0, p.alpha, p.r0, 2.0 * p.d0 * p.alpha];
                pack(c0, p.cutoff, offset)
            })
            .collect();
        let cutoff = pairs.iter().map(|p| p.cutoff).fold(0.0, f64::max);
        Ok(PairTable {
            style: PairStyle::Morse,
            n_types,
            coeffs,
            cutoff,
        })
    }

    /// The largest cutoff of any pair.
    pub fn cutoff(&self) -> f64 {
        self.cutoff
    }

    /// Number of types covered.
    pub fn n_types(&self) -> usize {
        self.n_types
    }

    /// The style.
    pub fn style(&self) -> PairStyle {
        self.style
    }
}

fn check_len(n_types: usize, len: usize) -> Result<(), GpuError> {
    if n_types == 0 || len != n_types * n_types {
        return Err(GpuError::Unsupported(format!(
            "pair table has {len} entries for {n_types} types (needs {})",
            n_types * n_types
        )));
    }
    Ok(())
}

fn pack(c0: [f64; 4], cutoff: f64, offset: f64) -> [f32; 8] {
    [
        c0[0] as f32,
        c0[1] as f32,
        c0[2] as f32,
        c0[3] as f32,
        (cutoff * cutoff) as f32,
        offset as f32,
        0.0,
        0.0,
    ]
}
