//! SevenNet's `pair_e3gnn` convention: a graph of the local atoms in, a total energy out;
//! forces and virial from one autograd call on the edge vectors.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{
    AnalyticHessian, ForceInput, ForceOutput, Potential, PotentialError,
};
use tch::{CModule, Device, IValue, Kind, Tensor};

use super::archive::TorchArchive;
use super::device::{load_module, parse_device};
use super::evaluation::{
    TimedScratch, add_force_rows, add_virial, lock_scratch, requested_per_atom_energy,
    timed_evaluation,
};
use super::heads::choose_head;
use super::metadata::ModelMetadata;
use super::system_inputs::SystemInputs;
use super::{MlipError, MlipOptions};

/// Buffers kept between evaluations (never shrunk, so a steady run does not reallocate).
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// Model species index of every local atom.
    pub(super) species: Vec<i64>,
    /// Edge sources then edge destinations (the rows of the 2×E `edge_index`).
    pub(super) edge_index: Vec<i64>,
    /// Edge destinations while selecting edges.
    dst: Vec<i64>,
    /// Edge vectors `x_j − x_i` in double precision.
    pub(super) vectors: Vec<Vector3<f64>>,
    /// Edge vectors as the model reads them (E×3, f32 models).
    vec32: Vec<f32>,
    /// Edge vectors as the model reads them (E×3, f64 models).
    vec64: Vec<f64>,
    /// dE/d(edge vector), f32 models.
    grad32: Vec<f32>,
    /// dE/d(edge vector), f64 models.
    grad64: Vec<f64>,
    /// Forces on the local atoms (N×3) of a direct-force model.
    direct: Vec<f64>,
    /// Time accounting.
    pub(super) timings: MlipTimings,
}

impl TimedScratch for Scratch {
    fn timings_mut(&mut self) -> &mut MlipTimings {
        &mut self.timings
    }
}

/// Where the time of the evaluations so far went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MlipTimings {
    /// Number of evaluations.
    pub calls: u64,
    /// Seconds in the model's forward and backward passes (from handing the input
    /// dictionary to torch until the edge gradients are back in host memory).
    pub model: f64,
    /// Seconds in [`Potential::compute`] altogether (edge selection, tensors, model, scatter).
    pub compute: f64,
}

/// A SevenNet model deployed for LAMMPS's `pair_e3gnn` (`sevenn_get_model`, `sevenn_deploy`).
///
/// Each evaluation builds a graph over the *local* atoms: node `i` is local atom `i` with
/// its model species index, and every neighbor `j` (local or ghost) of the full neighbor
/// list closer than the model cutoff gives an edge `(i, owner(j))` with vector `x_j − x_i`,
/// so periodic images are encoded in the edge vectors and `num_atoms = nlocal = n_local`.
/// The model returns the total energy; one autograd call gives `g = dE/d r_ij` per edge,
/// and `F_i += g`, `F_owner(j) −= g`, virial `−Σ r_ij ⊗ g`. Forces land on local atoms only.
///
/// A *direct-force* model (archive metadata `extra/force_output` = `direct`) also returns
/// `inferred_force`, one row per local atom, and those are the forces: no autograd call
/// is made for them, so they need not be the gradient of the energy
/// ([`Potential::conservative`] is `false`). Its virial, when asked for, is still the
/// energy's (`−Σ r_ij ⊗ dE/d r_ij`), so the pressure is that of the energy surface.
pub struct E3gnn {
    model: CModule,
    meta: ModelMetadata,
    /// Model species index of each atom type.
    type_map: Vec<i64>,
    /// The `modal_type` input of a multi-fidelity model (index of the chosen head).
    modal: Option<i64>,
    /// Total charge and spin, for models that read them.
    system_inputs: SystemInputs,
    device: Device,
    scratch: Mutex<Scratch>,
}

impl std::fmt::Debug for E3gnn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E3gnn")
            .field("path", &self.meta.path)
            .field("cutoff", &self.meta.cutoff)
            .field("type_map", &self.type_map)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

pub(super) fn torch_error(e: tch::TchError) -> PotentialError {
    PotentialError::Other(format!("e3gnn: torch: {e}"))
}

/// A model output as a contiguous double-precision tensor in host memory.
fn host_f64(t: &Tensor) -> Result<Tensor, PotentialError> {
    t.detach()
        .f_to_device(Device::Cpu)
        .and_then(|t| t.f_to_kind(Kind::Double))
        .and_then(|t| t.f_contiguous())
        .map_err(torch_error)
}

impl E3gnn {
    /// Loads the model at `path` and maps atom type `t` (0-based) to `elements[t]`.
    pub fn load(
        path: impl AsRef<Path>,
        elements: &[&str],
        options: &MlipOptions,
    ) -> Result<Self, MlipError> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let meta = ModelMetadata::read(&path)?;
        let type_map = meta.species_indices(elements)?;
        let heads: Vec<String> = meta.modal_map.iter().map(|(n, _)| n.clone()).collect();
        let modal = choose_head(
            &path,
            &heads,
            options.head.as_deref(),
            None,
            "it has no extra/modal_map: a single-fidelity SevenNet model, or a \
             multi-fidelity one deployed with its modal fixed (sevenn_get_model --modal); \
             export it with scripts/export-sevennet-heads.py to choose the modal at run time",
        )?
        .map(|k| meta.modal_map[k].1);
        let system_inputs = SystemInputs::for_model(&mut TorchArchive::open(&path)?, options)?;
        let device = parse_device(&options.device)?;
        let model = load_module(&path, device)?;
        Ok(E3gnn {
            model,
            meta,
            type_map,
            modal,
            system_inputs,
            device,
            scratch: Mutex::new(Scratch::default()),
        })
    }

    /// The metadata read from the archive.
    pub fn metadata(&self) -> &ModelMetadata {
        &self.meta
    }

    /// The `modal_type` index fed to a multi-fidelity model (its chosen head), if any.
    pub fn modal(&self) -> Option<i64> {
        self.modal
    }

    /// The total charge and spin multiplicity fed to the model (`None`: not read by it).
    pub fn system_inputs(&self) -> SystemInputs {
        self.system_inputs
    }

    /// The model species index of each atom type.
    pub fn type_map(&self) -> &[i64] {
        &self.type_map
    }

    /// Time spent in evaluations so far.
    pub fn timings(&self) -> MlipTimings {
        self.scratch().timings
    }

    /// The device the model runs on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Selects the edges within the model cutoff from the full list into `s`.
    pub(super) fn select_edges(
        &self,
        input: &ForceInput<'_>,
        s: &mut Scratch,
    ) -> Result<(), PotentialError> {
        let n_local = input.n_local();
        let x = input.positions();
        let types = input.types();
        let list = input.list;
        let cut2 = self.meta.cutoff * self.meta.cutoff;
        s.species.clear();
        s.edge_index.clear();
        s.dst.clear();
        s.vectors.clear();
        for i in 0..n_local {
            let t = types[i] as usize;
            let Some(&species) = self.type_map.get(t) else {
                return Err(PotentialError::Other(format!(
                    "e3gnn: atom type {} has no element (the model was given {} elements)",
                    t + 1,
                    self.type_map.len()
                )));
            };
            s.species.push(species);
            let xi = x[i];
            for &j in list.neighbors(i) {
                let j = j as usize;
                let d = x[j] - xi;
                if d.norm_squared() < cut2 {
                    s.edge_index.push(i as i64);
                    s.dst.push(input.atoms.owner(j) as i64);
                    s.vectors.push(d);
                }
            }
        }
        s.edge_index.extend_from_slice(&s.dst);
        Ok(())
    }

    /// Runs the model's forward pass on the graph in `s`: returns the edge-vector tensor
    /// (a leaf that requires grad when `edge_gradient` is set, so derivatives can be taken
    /// with respect to it) and the output dictionary.
    ///
    /// The input tensors are views of `s`'s buffers, which must not change while the
    /// returned tensors (or anything computed from them) are alive.
    pub(super) fn forward(
        &self,
        s: &mut Scratch,
        edge_gradient: bool,
    ) -> Result<(Tensor, ModelOutput), PotentialError> {
        let n = s.species.len() as i64;
        let e = s.vectors.len();
        let kind = if self.meta.double {
            Kind::Double
        } else {
            Kind::Float
        };
        let ptr: *const u8 = if self.meta.double {
            s.vec64.clear();
            s.vec64
                .extend(s.vectors.iter().flat_map(|v| [v.x, v.y, v.z]));
            s.vec64.as_ptr().cast()
        } else {
            s.vec32.clear();
            s.vec32.extend(
                s.vectors
                    .iter()
                    .flat_map(|v| [v.x as f32, v.y as f32, v.z as f32]),
            );
            s.vec32.as_ptr().cast()
        };
        // SAFETY: the blobs point into buffers of `s` that hold exactly n, 2e and 3e
        // initialized elements of the stated kinds; the caller keeps them unchanged while
        // the tensors made here (and the outputs computed from them) are alive.
        let (x, edge_index, edge_vec) = unsafe {
            (
                Tensor::f_from_blob(
                    s.species.as_ptr().cast(),
                    &[n],
                    &[],
                    Kind::Int64,
                    Device::Cpu,
                ),
                Tensor::f_from_blob(
                    s.edge_index.as_ptr().cast(),
                    &[2, e as i64],
                    &[],
                    Kind::Int64,
                    Device::Cpu,
                ),
                Tensor::f_from_blob(ptr, &[e as i64, 3], &[], kind, Device::Cpu),
            )
        };
        let (x, edge_index, edge_vec) = (
            x.map_err(torch_error)?,
            edge_index.map_err(torch_error)?,
            edge_vec.map_err(torch_error)?,
        );
        let edge_vec = edge_vec
            .f_to_device(self.device)
            .map_err(torch_error)?
            .detach()
            .set_requires_grad(edge_gradient);
        let num_atoms = Tensor::from_slice(&[n]);
        let mut dict = vec![
            (
                IValue::String("x".into()),
                IValue::Tensor(x.f_to_device(self.device).map_err(torch_error)?),
            ),
            (
                IValue::String("edge_index".into()),
                IValue::Tensor(edge_index.f_to_device(self.device).map_err(torch_error)?),
            ),
            (
                IValue::String("edge_vec".into()),
                IValue::Tensor(edge_vec.shallow_clone()),
            ),
            (
                IValue::String("num_atoms".into()),
                IValue::Tensor(num_atoms.f_to_device(self.device).map_err(torch_error)?),
            ),
            (
                IValue::String("nlocal".into()),
                IValue::Tensor(num_atoms.shallow_clone()),
            ),
        ];
        if let Some(modal) = self.modal {
            let modal = Tensor::from(modal)
                .f_to_device(self.device)
                .map_err(torch_error)?;
            dict.push((IValue::String("modal_type".into()), IValue::Tensor(modal)));
        }
        dict.extend(
            self.system_inputs
                .entries(kind, self.device)
                .map_err(torch_error)?,
        );
        let output = self
            .model
            .forward_is(&[IValue::GenericDict(dict)])
            .map_err(torch_error)?;
        let IValue::GenericDict(entries) = output else {
            return Err(PotentialError::Other(
                "e3gnn: the model did not return a dictionary".into(),
            ));
        };
        Ok((edge_vec, ModelOutput(entries)))
    }

    /// Runs the model on the graph in `s`; returns the energy and, on request, per-atom
    /// energies (into `per_atom`), leaves the forces of a direct-force model in `s.direct`
    /// and, if `edge_gradient`, dE/d(edge vector) in `s.grad32` or `s.grad64`.
    fn run_model(
        &self,
        s: &mut Scratch,
        per_atom: Option<&mut [f64]>,
        edge_gradient: bool,
    ) -> Result<f64, PotentialError> {
        let n = s.species.len();
        let e = s.vectors.len();
        let start = Instant::now();
        let (edge_vec, output) = self.forward(s, edge_gradient)?;
        let energy = output.get("inferred_total_energy")?;
        let value = energy
            .detach()
            .f_to_kind(Kind::Double)
            .and_then(|t| t.f_sum(Kind::Double))
            .and_then(|t| t.f_double_value(&[]))
            .map_err(torch_error)?;
        if let Some(per_atom) = per_atom {
            let atomic = host_f64(output.get("atomic_energy")?)?;
            atomic.f_copy_data(per_atom, n).map_err(torch_error)?;
        }
        if self.meta.direct_forces {
            let forces = host_f64(output.get("inferred_force")?)?;
            if forces.size() != [n as i64, 3] {
                return Err(PotentialError::Other(format!(
                    "e3gnn: `inferred_force` has shape {:?}, expected [{n}, 3]",
                    forces.size()
                )));
            }
            s.direct.resize(3 * n, 0.0);
            forces
                .f_copy_data(&mut s.direct, 3 * n)
                .map_err(torch_error)?;
        }
        if e > 0 && edge_gradient {
            let grads = Tensor::f_run_backward(&[energy], &[&edge_vec], false, false)
                .map_err(torch_error)?;
            let grad = grads[0]
                .f_to_device(Device::Cpu)
                .and_then(|t| t.f_contiguous())
                .map_err(torch_error)?;
            if self.meta.double {
                s.grad64.resize(3 * e, 0.0);
                grad.f_copy_data(&mut s.grad64, 3 * e)
            } else {
                s.grad32.resize(3 * e, 0.0);
                grad.f_copy_data(&mut s.grad32, 3 * e)
            }
            .map_err(torch_error)?;
        }
        s.timings.model += start.elapsed().as_secs_f64();
        Ok(value)
    }

    /// Locks the buffers (a poisoned lock is recovered: the buffers are refilled on use).
    pub(super) fn scratch(&self) -> std::sync::MutexGuard<'_, Scratch> {
        lock_scratch(&self.scratch)
    }
}

/// The output dictionary of a `pair_e3gnn` model.
pub(super) struct ModelOutput(Vec<(IValue, IValue)>);

impl ModelOutput {
    /// The tensor under `key`, or an error naming it.
    pub(super) fn get(&self, key: &str) -> Result<&Tensor, PotentialError> {
        self.0
            .iter()
            .find_map(|(k, v)| match (k, v) {
                (IValue::String(name), IValue::Tensor(t)) if name == key => Some(t),
                _ => None,
            })
            .ok_or_else(|| PotentialError::Other(format!("e3gnn: the model output has no `{key}`")))
    }
}

impl Potential for E3gnn {
    fn cutoff(&self) -> f64 {
        self.meta.cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Full
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        timed_evaluation("e3gnn", self.meta.cutoff, input, &self.scratch, |s| {
            self.select_edges(input, s)?;
            let req = input.request;
            let per_atom = requested_per_atom_energy(input, out);
            let direct = self.meta.direct_forces;
            // a direct-force model needs the energy's edge gradient for the virial only
            let edge_gradient = !direct || req.virial;
            let energy = self.run_model(s, per_atom, edge_gradient)?;
            out.energy += energy;
            let forces = &mut out.forces;
            if direct {
                add_force_rows(&mut forces[..input.n_local()], &s.direct);
            }
            let e = if edge_gradient { s.vectors.len() } else { 0 };
            let (src, dst) = s.edge_index.split_at(s.vectors.len());
            let mut virial = [0.0; 6];
            for k in 0..e {
                let g = if self.meta.double {
                    Vector3::new(s.grad64[3 * k], s.grad64[3 * k + 1], s.grad64[3 * k + 2])
                } else {
                    Vector3::new(
                        s.grad32[3 * k] as f64,
                        s.grad32[3 * k + 1] as f64,
                        s.grad32[3 * k + 2] as f64,
                    )
                };
                if !direct {
                    forces[src[k] as usize] += g;
                    forces[dst[k] as usize] -= g;
                }
                if req.virial {
                    let r = s.vectors[k];
                    virial[0] -= r.x * g.x;
                    virial[1] -= r.y * g.y;
                    virial[2] -= r.z * g.z;
                    virial[3] -= r.x * g.y;
                    virial[4] -= r.x * g.z;
                    virial[5] -= r.y * g.z;
                }
            }
            if req.virial {
                add_virial(&mut out.virial, virial);
            }
            Ok(())
        })
    }

    fn name(&self) -> &str {
        "e3gnn"
    }

    fn conservative(&self) -> bool {
        !self.meta.direct_forces
    }

    /// The energy's autograd Hessian, for models whose forces are its gradient; a
    /// direct-force model's forces are not, so its Hessian is left to finite differences
    /// of those forces.
    fn analytic_hessian(&self) -> Option<&dyn AnalyticHessian> {
        if self.meta.direct_forces {
            None
        } else {
            Some(self)
        }
    }
}
