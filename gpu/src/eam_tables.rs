//! EAM spline tables for the GPU, as plain arrays (the GPU crate does not depend on
//! ferromd-potentials; the facade converts its `EamTables` into this).

use crate::error::GpuError;

/// One cubic spline table: knot `m` holds LAMMPS's seven coefficients
/// (`[0..3)` derivative cubic, `[3..7)` value cubic, local coordinate `p ∈ [0, 1]`).
/// Index 0 is padding, as in the CPU tables (knots count from 1).
pub type SplineKnots = Vec<[f64; 7]>;

/// Every table of an EAM potential on one grid, and the type-to-table maps.
#[derive(Debug, Clone, PartialEq)]
pub struct EamGpuTables {
    /// Number of atom types covered.
    pub n_types: usize,
    /// Knots of the embedding tables.
    pub nrho: usize,
    /// `1 / drho`.
    pub rdrho: f64,
    /// Largest tabulated density; `F` continues linearly beyond it.
    pub rhomax: f64,
    /// Knots of the distance tables.
    pub nr: usize,
    /// `1 / dr`.
    pub rdr: f64,
    /// Interaction cutoff.
    pub cutoff: f64,
    /// Embedding functions `F(rho)`.
    pub frho: Vec<SplineKnots>,
    /// Density functions `rho(r)`.
    pub rhor: Vec<SplineKnots>,
    /// Pair functions `r·phi(r)`.
    pub z2r: Vec<SplineKnots>,
    /// Embedding table of each type.
    pub type2frho: Vec<usize>,
    /// `type2rhor[a * n_types + b]`: density an atom of type `a` gives at type `b`.
    pub type2rhor: Vec<usize>,
    /// `type2z2r[a * n_types + b]`: pair table of types `a`, `b`.
    pub type2z2r: Vec<usize>,
}

/// The packed form: knots as pairs of `vec4` and the table offsets per type (pair).
pub(crate) struct PackedEam {
    pub(crate) knots: Vec<[f32; 8]>,
    pub(crate) map: Vec<u32>,
}

impl EamGpuTables {
    /// Checks sizes and maps, and packs the tables in the layout of `eam_density.wgsl`.
    pub(crate) fn pack(&self) -> Result<PackedEam, GpuError> {
        let n = self.n_types;
        let bad = |what: &str| Err(GpuError::Unsupported(format!("EAM tables: {what}")));
        if n == 0
            || self.type2frho.len() != n
            || self.type2rhor.len() != n * n
            || self.type2z2r.len() != n * n
        {
            return bad("type maps do not match the number of types");
        }
        if self.nr < 2 || self.nrho < 2 {
            return bad("fewer than 2 knots");
        }
        let mut knots: Vec<[f32; 8]> = Vec::new();
        let mut add = |tables: &[SplineKnots], len: usize| -> Result<Vec<u32>, GpuError> {
            tables
                .iter()
                .map(|t| {
                    if t.len() != len + 1 {
                        return Err(GpuError::Unsupported(format!(
                            "EAM tables: a table has {} knots, expected {len}",
                            t.len().saturating_sub(1)
                        )));
                    }
                    let base = (2 * knots.len()) as u32;
                    knots.extend(t.iter().map(|c| {
                        let mut k = [0f32; 8];
                        for (d, s) in k.iter_mut().zip(c) {
                            *d = *s as f32;
                        }
                        k
                    }));
                    Ok(base)
                })
                .collect()
        };
        let frho = add(&self.frho, self.nrho)?;
        let rhor = add(&self.rhor, self.nr)?;
        let z2r = add(&self.z2r, self.nr)?;
        let lookup = |bases: &[u32], idx: &[usize]| -> Result<Vec<u32>, GpuError> {
            idx.iter()
                .map(|&k| {
                    bases.get(k).copied().ok_or_else(|| {
                        GpuError::Unsupported(format!("EAM tables: table index {k} out of range"))
                    })
                })
                .collect()
        };
        let mut map = lookup(&frho, &self.type2frho)?;
        map.extend(lookup(&rhor, &self.type2rhor)?);
        map.extend(lookup(&z2r, &self.type2z2r)?);
        Ok(PackedEam { knots, map })
    }
}
