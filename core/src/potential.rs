//! The [`Potential`] trait and the buffers a force evaluation reads and writes.

use std::ops::Range;

use nalgebra::{DMatrix, Vector3};
use rayon::prelude::*;

use crate::cell::Cell;
use crate::neighbor::{GhostAtoms, ListKind, NeighborList};

/// What a force evaluation must produce besides forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ForceRequest {
    /// Total potential energy.
    pub energy: bool,
    /// Virial tensor.
    pub virial: bool,
    /// Per-atom potential energies.
    pub per_atom_energy: bool,
}

impl ForceRequest {
    /// Forces only (the common MD step).
    pub const FORCES: ForceRequest = ForceRequest {
        energy: false,
        virial: false,
        per_atom_energy: false,
    };
    /// Forces, energy and virial (a thermo step).
    pub const ALL: ForceRequest = ForceRequest {
        energy: true,
        virial: true,
        per_atom_energy: false,
    };
}

/// Everything a potential may read: the extended atoms, the neighbor list, the cell.
#[derive(Debug, Clone, Copy)]
pub struct ForceInput<'a> {
    /// The simulation cell.
    pub cell: &'a Cell,
    /// Local atoms followed by ghost images (positions, types, owners).
    pub atoms: &'a GhostAtoms,
    /// Verlet list of the kind the potential asked for.
    pub list: &'a NeighborList,
    /// Charges of the local atoms, if the system has charges (a ghost has its owner's).
    pub charges: Option<&'a [f64]>,
    /// What to compute.
    pub request: ForceRequest,
}

impl ForceInput<'_> {
    /// Number of local (owned) atoms.
    pub fn n_local(&self) -> usize {
        self.atoms.n_local()
    }

    /// Number of local plus ghost atoms.
    pub fn n_total(&self) -> usize {
        self.atoms.n_total()
    }

    /// Extended positions.
    pub fn positions(&self) -> &[Vector3<f64>] {
        self.atoms.positions()
    }

    /// Extended type indices.
    pub fn types(&self) -> &[u32] {
        self.atoms.types()
    }

    /// The charge of extended atom `j` (its owner's), or `None` for an uncharged system.
    #[inline]
    pub fn charge(&self, j: usize) -> Option<f64> {
        self.charges.map(|q| q[self.atoms.owner(j)])
    }
}

/// A virial tensor `sum r_ij (x) f_ij` as `[xx, yy, zz, xy, xz, yz]` in energy units.
pub type Virial = [f64; 6];

/// Results of a force evaluation, reused between steps.
///
/// Arrays are over extended atoms (locals, then ghosts): a potential may put
/// force or energy on a ghost; the engine folds ghosts back onto their owners.
#[derive(Debug, Clone, Default)]
pub struct ForceOutput {
    /// Forces on extended atoms.
    pub forces: Vec<Vector3<f64>>,
    /// Total potential energy (when requested).
    pub energy: f64,
    /// Virial tensor (when requested).
    pub virial: Virial,
    /// Per-atom energies on extended atoms (when requested; empty otherwise).
    pub per_atom_energy: Vec<f64>,
    scratch: Vec<ThreadScratch>,
}

#[derive(Debug, Clone, Default)]
struct ThreadScratch {
    forces: Vec<Vector3<f64>>,
    per_atom_energy: Vec<f64>,
}

/// Where one thread of [`ForceOutput::accumulate_parallel`] adds its share.
enum ThreadTarget<'a> {
    /// The outputs themselves (forces, per-atom energies).
    Output(&'a mut [Vector3<f64>], &'a mut [f64]),
    /// A private buffer, summed into the outputs afterwards.
    Buffer(&'a mut ThreadScratch),
}

/// Adds every buffer of `buffers` (each as long as `dest`) into `dest`, elementwise, in
/// parallel over blocks of `dest`; each element receives the buffers in order.
///
/// # Panics
/// If a buffer is shorter than `dest`.
pub fn add_buffers<T>(dest: &mut [T], buffers: &[&[T]])
where
    T: Copy + std::ops::AddAssign + Send + Sync,
{
    const BLOCK: usize = 4096;
    if buffers.is_empty() {
        return;
    }
    dest.par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(b, chunk)| {
            let base = b * BLOCK;
            for buf in buffers {
                let part = &buf[base..base + chunk.len()];
                for (d, &v) in chunk.iter_mut().zip(part) {
                    *d += v;
                }
            }
        });
}

/// A thread's private view of the outputs during a half-list evaluation.
#[derive(Debug)]
pub struct Accumulator<'a> {
    /// Forces on extended atoms (this thread's share).
    pub forces: &'a mut [Vector3<f64>],
    /// Per-atom energies on extended atoms, empty if not requested.
    pub per_atom_energy: &'a mut [f64],
    /// Energy summed by this thread.
    pub energy: f64,
}

impl ForceOutput {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sizes and zeroes the outputs for `n_total` extended atoms.
    pub fn reset(&mut self, n_total: usize, request: ForceRequest) {
        self.forces.clear();
        self.forces.resize(n_total, Vector3::zeros());
        self.energy = 0.0;
        self.virial = [0.0; 6];
        self.per_atom_energy.clear();
        if request.per_atom_energy {
            self.per_atom_energy.resize(n_total, 0.0);
        }
    }

    /// Runs `kernel` over all local atoms in parallel, each thread writing into
    /// private buffers (so a half list may update both atoms of a pair), then sums
    /// the buffers into [`ForceOutput::forces`], `per_atom_energy` and `energy`.
    ///
    /// The local atoms are split by [`NeighborList::thread_ranges`]. The first range
    /// adds straight into the outputs, the others into buffers kept for the next call.
    pub fn accumulate_parallel<F>(&mut self, list: &NeighborList, kernel: F)
    where
        F: Fn(Range<usize>, &mut Accumulator<'_>) + Sync,
    {
        let n_total = self.forces.len();
        let ranges = list.thread_ranges();
        let per_atom = !self.per_atom_energy.is_empty();
        self.scratch.resize_with(ranges.len() - 1, Default::default);
        let direct = ThreadTarget::Output(&mut self.forces, &mut self.per_atom_energy);
        let targets =
            std::iter::once(direct).chain(self.scratch.iter_mut().map(ThreadTarget::Buffer));
        let energies: Vec<f64> = targets
            .collect::<Vec<_>>()
            .into_par_iter()
            .zip(ranges)
            .map(|(target, r)| {
                let mut acc = match target {
                    ThreadTarget::Output(forces, per_atom_energy) => Accumulator {
                        forces,
                        per_atom_energy,
                        energy: 0.0,
                    },
                    ThreadTarget::Buffer(s) => {
                        s.forces.clear();
                        s.forces.resize(n_total, Vector3::zeros());
                        s.per_atom_energy.clear();
                        if per_atom {
                            s.per_atom_energy.resize(n_total, 0.0);
                        }
                        Accumulator {
                            forces: &mut s.forces,
                            per_atom_energy: &mut s.per_atom_energy,
                            energy: 0.0,
                        }
                    }
                };
                kernel(r, &mut acc);
                acc.energy
            })
            .collect();
        self.energy += energies.iter().sum::<f64>();
        let forces: Vec<&[Vector3<f64>]> = self.scratch.iter().map(|s| &s.forces[..]).collect();
        add_buffers(&mut self.forces, &forces);
        if per_atom {
            let energies: Vec<&[f64]> = self
                .scratch
                .iter()
                .map(|s| &s.per_atom_energy[..])
                .collect();
            add_buffers(&mut self.per_atom_energy, &energies);
        }
    }

    /// Sets [`ForceOutput::virial`] to `sum_k x_k (x) f_k` over extended atoms.
    ///
    /// Valid for any potential that put the forces of every interaction on the
    /// extended atoms involved (ghost images included), before ghosts are folded.
    pub fn set_virial_from_positions(&mut self, positions: &[Vector3<f64>]) {
        self.virial = positions
            .par_iter()
            .zip(self.forces.par_iter())
            .with_min_len(4096)
            .fold(
                || [0.0; 6],
                |mut v, (x, f)| {
                    v[0] += x.x * f.x;
                    v[1] += x.y * f.y;
                    v[2] += x.z * f.z;
                    v[3] += x.x * f.y;
                    v[4] += x.x * f.z;
                    v[5] += x.y * f.z;
                    v
                },
            )
            .reduce(|| [0.0; 6], add6);
    }
}

fn add6(a: [f64; 6], b: [f64; 6]) -> [f64; 6] {
    std::array::from_fn(|k| a[k] + b[k])
}

/// Error raised by a potential during a force evaluation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PotentialError {
    /// Two atoms are so close that the potential is singular.
    #[error("atoms {i} and {j} overlap (distance {distance:e})")]
    Overlap {
        /// Index of one atom (extended index).
        i: usize,
        /// Index of the other atom (extended index).
        j: usize,
        /// Their distance.
        distance: f64,
    },
    /// Any other failure, described in words.
    #[error("{0}")]
    Other(String),
}

/// An interatomic potential: energy, forces and virial from positions.
///
/// Implementations must be `Send + Sync` and may use rayon inside
/// [`Potential::compute`]. They read the extended (local + ghost) atoms and
/// a neighbor list of the kind they asked for, and *add* into `out`, whose
/// arrays the engine has sized and zeroed. Forces on ghosts are allowed and
/// are folded onto their owners afterwards.
pub trait Potential: Send + Sync {
    /// Interaction cutoff: pairs farther apart than this do not interact.
    fn cutoff(&self) -> f64;

    /// The kind of neighbor list the potential iterates over.
    fn list_kind(&self) -> ListKind;

    /// Adds forces (and, on request, energy, virial, per-atom energies) into `out`.
    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError>;

    /// A short name for logs, e.g. `"lj/cut"`.
    fn name(&self) -> &str;

    /// The potential's own second derivatives of the energy, when it can compute them
    /// (e.g. by automatic differentiation); `None` (the default) means callers fall back
    /// to finite differences of [`Potential::compute`]'s forces.
    fn analytic_hessian(&self) -> Option<&dyn AnalyticHessian> {
        None
    }

    /// Whether the forces are the negative gradient of the energy (every analytic
    /// potential). Machine-learned models that predict forces directly return `false`:
    /// their forces can have a curl, and NVE runs with them need not conserve energy.
    fn conservative(&self) -> bool {
        true
    }
}

/// A potential that computes the Hessian of its energy itself.
///
/// The Hessian is taken with respect to the positions of the *local* atoms, every ghost
/// moving rigidly with its owner (so in a periodic cell it is the Γ-point force-constant
/// matrix, as finite differences of the folded forces give).
pub trait AnalyticHessian: Send + Sync {
    /// How the derivatives are computed, in words, for reports (e.g. `"autograd"`).
    fn hessian_method(&self) -> &str;

    /// The `3n × 3n` matrix `∂²E/∂x_ia ∂x_jb` (row `3i + a`, column `3j + b`, energy /
    /// length²) over the `n` local atoms of `input` (its full or half list as
    /// [`Potential::list_kind`] asks). Not symmetrised.
    fn hessian(&self, input: &ForceInput<'_>) -> Result<DMatrix<f64>, PotentialError>;
}
