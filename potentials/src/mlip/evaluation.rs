//! The frame of one [`Potential::compute`](ferromd_core::Potential::compute) that every
//! TorchScript model shares: the checks before the model call, the time accounting
//! around it, and the hand-over of its results to ferromd's [`ForceOutput`].

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::potential::{ForceInput, ForceOutput, PotentialError, Virial};

use super::MlipTimings;
use super::full_list::{check_full_list, follow_rayon_threads};

/// A model's buffers kept between evaluations, which hold its time accounting.
pub(crate) trait TimedScratch {
    /// The time accounting of the model's evaluations so far.
    fn timings_mut(&mut self) -> &mut MlipTimings;
}

/// Locks a model's buffers (a poisoned lock is recovered: the buffers are refilled on use).
pub(crate) fn lock_scratch<S>(scratch: &Mutex<S>) -> MutexGuard<'_, S> {
    scratch.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `evaluate` on the locked buffers of the model `style` (cutoff `cutoff`) as one
/// timed evaluation: checks that `input` carries a full list reaching the cutoff, has
/// torch follow rayon's thread count, and counts the call and its time in the buffers'
/// timings once `evaluate` succeeds. Without local atoms nothing is evaluated.
pub(crate) fn timed_evaluation<S: TimedScratch>(
    style: &str,
    cutoff: f64,
    input: &ForceInput<'_>,
    scratch: &Mutex<S>,
    evaluate: impl FnOnce(&mut S) -> Result<(), PotentialError>,
) -> Result<(), PotentialError> {
    if !check_full_list(style, input, cutoff)? {
        return Ok(());
    }
    follow_rayon_threads();
    let start = Instant::now();
    let mut guard = lock_scratch(scratch);
    let s = &mut *guard;
    evaluate(s)?;
    let timings = s.timings_mut();
    timings.calls += 1;
    timings.compute += start.elapsed().as_secs_f64();
    Ok(())
}

/// The per-atom energies of the local atoms in `out`, when `input` asks for them.
pub(crate) fn requested_per_atom_energy<'a>(
    input: &ForceInput<'_>,
    out: &'a mut ForceOutput,
) -> Option<&'a mut [f64]> {
    if input.request.per_atom_energy {
        Some(&mut out.per_atom_energy[..input.n_local()])
    } else {
        None
    }
}

/// The cell of `input` with one lattice vector per row, row-major, as MACE and NequIP
/// take it (ferromd's matrix has them as columns).
pub(crate) fn cell_rows(input: &ForceInput<'_>) -> [f64; 9] {
    let h = input.cell.matrix();
    std::array::from_fn(|k| h[(k % 3, k / 3)])
}

/// Adds forces given as rows of three components (n×3, row-major) to the first n atoms
/// of `forces` (a longer `forces` keeps the rest unchanged).
pub(crate) fn add_force_rows(forces: &mut [Vector3<f64>], rows: &[f64]) {
    for (f, g) in forces.iter_mut().zip(rows.chunks_exact(3)) {
        *f += Vector3::new(g[0], g[1], g[2]);
    }
}

/// Adds `w` to the virial `virial` component by component.
pub(crate) fn add_virial(virial: &mut Virial, w: Virial) {
    for (v, x) in virial.iter_mut().zip(w) {
        *v += x;
    }
}

/// Adds the results of a model that returns the forces on its nodes to `out`: the energy,
/// the forces on the local atoms (rows of three components, one per node) and the virial
/// (`[xx, yy, zz, xy, xz, yz]`) when it was computed.
pub(crate) fn add_node_results(
    out: &mut ForceOutput,
    energy: f64,
    force_rows: &[f64],
    virial: Option<Virial>,
) {
    out.energy += energy;
    add_force_rows(&mut out.forces, force_rows);
    if let Some(w) = virial {
        add_virial(&mut out.virial, w);
    }
}
