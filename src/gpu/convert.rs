//! Conversions from ferromd-potentials' objects to the GPU crate's tables (the GPU crate
//! depends only on ferromd-core, so the facade bridges the two).

use ferromd_gpu::{EamGpuTables, GpuError, GpuThermostat, LjPair, MorsePair, PairTable};
use ferromd_integrators::suzuki_yoshida_weights;
use ferromd_potentials::eam::tables::EamTables;
use ferromd_potentials::pair::lj::LjCutBuilder;

use crate::deck::DeviceIntegrator;

/// The GPU table of an `lj/cut` potential described by `builder` (after mixing).
pub fn lj_table(builder: &LjCutBuilder, shift: bool) -> Result<PairTable, GpuError> {
    let resolved = builder
        .resolved()
        .map_err(|e| GpuError::Unsupported(e.to_string()))?;
    let n = (resolved.len() as f64).sqrt().round() as usize;
    let pairs: Vec<LjPair> = resolved
        .iter()
        .map(|c| LjPair {
            epsilon: c.epsilon,
            sigma: c.sigma,
            cutoff: c.cutoff,
        })
        .collect();
    PairTable::lennard_jones(n, &pairs, shift)
}

/// The GPU table of a `morse` potential: `[D0, alpha, r0, cutoff]` per ordered type pair.
pub fn morse_table(n_types: usize, pairs: &[[f64; 4]], shift: bool) -> Result<PairTable, GpuError> {
    let pairs: Vec<MorsePair> = pairs
        .iter()
        .map(|&[d0, alpha, r0, cutoff]| MorsePair {
            d0,
            alpha,
            r0,
            cutoff,
        })
        .collect();
    PairTable::morse(n_types, &pairs, shift)
}

/// The GPU tables of an EAM potential (same splines as the CPU path, knot for knot).
pub fn eam_tables(t: &EamTables) -> EamGpuTables {
    let knots = |v: &[ferromd_potentials::eam::spline::SplineTable]| {
        v.iter().map(|s| s.knots().to_vec()).collect()
    };
    EamGpuTables {
        n_types: t.n_types,
        nrho: t.nrho,
        rdrho: t.rdrho,
        rhomax: t.rhomax,
        nr: t.nr,
        rdr: t.rdr,
        cutoff: t.cutoff,
        frho: knots(&t.frho),
        rhor: knots(&t.rhor),
        z2r: knots(&t.z2r),
        type2frho: t.type2frho.clone(),
        type2rhor: t.type2rhor.clone(),
        type2z2r: t.type2z2r.clone(),
    }
}

/// The GPU thermostat of an integrator, or why there is none.
pub fn device_thermostat(d: &DeviceIntegrator) -> Result<GpuThermostat, GpuError> {
    match *d {
        DeviceIntegrator::Nve => Ok(GpuThermostat::None),
        DeviceIntegrator::Langevin {
            temperature,
            temperature_stop,
            damping,
            seed,
            zero_momentum,
        } => Ok(GpuThermostat::Langevin {
            temperature,
            temperature_stop,
            damping,
            seed,
            zero_momentum,
        }),
        DeviceIntegrator::NoseHoover {
            temperature,
            temperature_stop,
            damping,
            chain,
            loops,
            suzuki_yoshida,
        } => Ok(GpuThermostat::NoseHoover {
            temperature,
            temperature_stop,
            damping,
            chain,
            loops,
            weights: suzuki_yoshida_weights(suzuki_yoshida).ok_or_else(|| {
                GpuError::Unsupported(format!(
                    "nvt: Suzuki-Yoshida order {suzuki_yoshida} (1, 3, 5 or 7)"
                ))
            })?,
            drag: 0.0,
        }),
        DeviceIntegrator::Unsupported(ref why) => Err(GpuError::Unsupported(format!(
            "{why} (GPU integrators: nve, langevin, nvt)"
        ))),
    }
}
