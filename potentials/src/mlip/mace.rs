//! MACE's LAMMPS convention (`pair_style mace`): the `LAMMPS_MACE` wrapper that
//! mace-torch's `mace_create_lammps_model` compiles to TorchScript.
//!
//! The wrapper takes a graph dictionary (`positions`, `cell`, `edge_index`, `shifts`,
//! `unit_shifts`, one-hot `node_attrs`, `batch`, `ptr`), a per-node `local_or_ghost` mask
//! and a `compute_virials` flag, runs autograd itself and returns `total_energy_local`,
//! `node_energy`, `forces` and `virials`. Its cutoff and elements are module buffers
//! (`r_max`, `atomic_numbers`), read here from the archive's pickled attributes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{ForceInput, ForceOutput, Potential, PotentialError};
use tch::{CModule, Device, IValue, Kind};

use super::archive::TorchArchive;
use super::device::{load_module, parse_device};
use super::evaluation::{
    TimedScratch, add_node_results, cell_rows, lock_scratch, requested_per_atom_energy,
    timed_evaluation,
};
use super::heads::choose_head;
use super::periodic_graph::PeriodicGraph;
use super::pickle::Value;
use super::system_inputs::SystemInputs;
use super::tensors::{self, InputDict, OutputDict};
use super::{MlipError, MlipOptions, MlipTimings, elements};

/// The Python module whose compiled code marks a `LAMMPS_MACE` archive.
pub(crate) const LAMMPS_MACE_MODULE: &str = "mace.calculators.lammps_mace";

/// What a `LAMMPS_MACE` archive says about its model.
#[derive(Debug, Clone, PartialEq)]
pub struct MaceMetadata {
    /// The file it was read from.
    pub path: PathBuf,
    /// Interaction cutoff in Å (buffer `r_max`).
    pub r_max: f64,
    /// Atomic numbers in the order of the one-hot `node_attrs` columns (buffer `atomic_numbers`).
    pub atomic_numbers: Vec<i64>,
    /// Element symbols of `atomic_numbers`.
    pub elements: Vec<String>,
    /// Whether the model computes in double precision (the dtype of `r_max`).
    pub double: bool,
    /// Number of message-passing layers (buffer `num_interactions`), when present.
    pub num_interactions: Option<i64>,
    /// Head names of a multi-head model (attribute `heads` of the inner model); empty
    /// for single-head models (mace stores `[None]` or one name).
    pub heads: Vec<String>,
    /// Index into `heads` of the head compiled into the file (buffer `head`, chosen by
    /// `mace_create_lammps_model --head`), when the model has several.
    pub compiled_head: Option<usize>,
}

impl MaceMetadata {
    /// Reads the buffers of the `LAMMPS_MACE` module in the archive at `path`.
    pub fn read(path: &Path) -> Result<Self, MlipError> {
        let mut archive = TorchArchive::open(path)?;
        Self::from_archive(&mut archive)
    }

    /// Reads the buffers of the `LAMMPS_MACE` module in an open archive.
    pub fn from_archive(archive: &mut TorchArchive) -> Result<Self, MlipError> {
        let path = archive.path().to_path_buf();
        let unknown = |reason: String| MlipError::UnknownConvention {
            path: path.clone(),
            reason,
        };
        if !archive.has_code_for(LAMMPS_MACE_MODULE) {
            return Err(unknown(
                "it holds no LAMMPS_MACE module (mace.calculators.lammps_mace); make one \
                 with mace_create_lammps_model"
                    .into(),
            ));
        }
        let root = archive.root_module()?;
        let bad = |key: &str, value: String, reason: &str| MlipError::BadMetadata {
            path: path.clone(),
            key: key.into(),
            value,
            reason: reason.into(),
        };
        let tensor = |key: &str| match root.attr(key) {
            Some(Value::Tensor(t)) => Ok(t.clone()),
            Some(other) => Err(bad(key, format!("{other:?}"), "not a tensor")),
            None => Err(unknown(format!(
                "the LAMMPS_MACE module has no `{key}` buffer"
            ))),
        };
        let r_max_ref = tensor("r_max")?;
        let r_max_values = archive.tensor_f64(&r_max_ref)?;
        let r_max = match r_max_values.as_slice() {
            [r] if r.is_finite() && *r > 0.0 => *r,
            other => {
                return Err(bad(
                    "r_max",
                    format!("{other:?}"),
                    "expected one positive number",
                ));
            }
        };
        let double = match r_max_ref.storage.as_str() {
            "DoubleStorage" => true,
            "FloatStorage" => false,
            other => {
                return Err(bad(
                    "r_max",
                    other.to_owned(),
                    "expected a float64 or float32 buffer",
                ));
            }
        };
        let z_ref = tensor("atomic_numbers")?;
        let atomic_numbers: Vec<i64> = archive
            .tensor_f64(&z_ref)?
            .into_iter()
            .map(|z| z as i64)
            .collect();
        let elements = atomic_numbers
            .iter()
            .map(|&z| {
                elements::symbol(z).map(str::to_owned).ok_or_else(|| {
                    bad(
                        "atomic_numbers",
                        format!("{atomic_numbers:?}"),
                        "not atomic numbers 1..118",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if elements.is_empty() {
            return Err(bad(
                "atomic_numbers",
                "[]".into(),
                "the model covers no element",
            ));
        }
        let num_interactions = match root.attr("num_interactions") {
            Some(Value::Tensor(t)) => archive.tensor_f64(t)?.first().map(|&k| k as i64),
            _ => None,
        };
        let heads: Vec<String> = match root.attr("model").and_then(|m| m.attr("heads")) {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|h| match h {
                    Value::Str(name) => Some(name.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let heads = if heads.len() > 1 { heads } else { Vec::new() };
        let compiled_head = match (heads.is_empty(), root.attr("head")) {
            (false, Some(Value::Tensor(t))) => {
                let index = archive.tensor_f64(t)?.first().map(|&k| k as usize);
                match index {
                    Some(k) if k < heads.len() => Some(k),
                    other => {
                        return Err(bad(
                            "head",
                            format!("{other:?}"),
                            &format!("not an index into the heads {heads:?}"),
                        ));
                    }
                }
            }
            _ => None,
        };
        Ok(MaceMetadata {
            path,
            r_max,
            atomic_numbers,
            elements,
            double,
            num_interactions,
            heads,
            compiled_head,
        })
    }

    /// The one-hot column of each element of `elements` (one per atom type).
    pub fn species_indices(&self, elements: &[&str]) -> Result<Vec<i64>, MlipError> {
        super::species_indices(&self.path, &self.elements, elements)
    }

    /// Checks a requested head against the model's: the `LAMMPS_MACE` wrapper feeds the
    /// inner model the head compiled into it (its `head` buffer), so only that one can run;
    /// another of the model's heads is an error saying how to recompile, an unknown name
    /// one listing the valid names.
    pub fn check_head(&self, requested: Option<&str>) -> Result<(), MlipError> {
        let chosen = choose_head(
            &self.path,
            &self.heads,
            requested,
            self.compiled_head,
            "it is a single-head MACE model",
        )?;
        match (chosen, self.compiled_head) {
            (Some(k), Some(compiled)) if k != compiled => Err(MlipError::NoHeads {
                path: self.path.clone(),
                head: self.heads[k].clone(),
                reason: format!(
                    "the file was compiled for head `{}` (the LAMMPS_MACE wrapper fixes it); \
                     make one for `{}` with mace_create_lammps_model MODEL --head {}",
                    self.heads[compiled], self.heads[k], self.heads[k]
                ),
            }),
            _ => Ok(()),
        }
    }

    /// The name of the head the file runs, for multi-head models.
    pub fn head(&self) -> Option<&str> {
        self.compiled_head.map(|k| self.heads[k].as_str())
    }
}

/// Buffers kept between evaluations (never shrunk, so a steady run does not reallocate).
#[derive(Debug, Default)]
struct Scratch {
    /// Nodes, edges and image shifts.
    graph: PeriodicGraph,
    /// One-hot species, n×S.
    node_attrs: Vec<f64>,
    /// Graph index of each node (all zero), n.
    batch: Vec<i64>,
    /// 1 for each node (every node is a local atom), n.
    local: Vec<f64>,
    /// Forces returned by the model, n×3.
    forces: Vec<f64>,
    /// Time accounting.
    timings: MlipTimings,
}

impl TimedScratch for Scratch {
    fn timings_mut(&mut self) -> &mut MlipTimings {
        &mut self.timings
    }
}

/// A MACE model compiled by `mace_create_lammps_model` (LAMMPS `pair_style mace`).
///
/// Each evaluation builds the graph of the local atoms as LAMMPS's
/// `pair_style mace no_domain_decomposition` does: node `i` is local atom `i`; every
/// neighbor `j` (local or ghost) of the full list closer than `r_max` gives an edge
/// `(i, owner(j))` with the periodic image of `j` as `shifts` (Cartesian) and
/// `unit_shifts` (cell vectors). The wrapper returns forces on the nodes and, on request,
/// the virial from its symmetric cell displacement.
pub struct LammpsMace {
    model: CModule,
    meta: MaceMetadata,
    /// One-hot column of each atom type.
    type_map: Vec<i64>,
    /// Total charge and spin, for models that read them.
    system_inputs: SystemInputs,
    device: Device,
    scratch: Mutex<Scratch>,
}

impl std::fmt::Debug for LammpsMace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LammpsMace")
            .field("path", &self.meta.path)
            .field("r_max", &self.meta.r_max)
            .field("type_map", &self.type_map)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

fn torch_error(e: tch::TchError) -> PotentialError {
    tensors::torch_error("mace", e)
}

impl LammpsMace {
    /// Loads the model at `path` and maps atom type `t` (0-based) to `elements[t]`.
    pub fn load(
        path: impl AsRef<Path>,
        elements: &[&str],
        options: &MlipOptions,
    ) -> Result<Self, MlipError> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let mut archive = TorchArchive::open(&path)?;
        let meta = MaceMetadata::from_archive(&mut archive)?;
        let type_map = meta.species_indices(elements)?;
        meta.check_head(options.head.as_deref())?;
        let system_inputs = SystemInputs::for_model(&mut archive, options)?;
        let device = parse_device(&options.device)?;
        let model = load_module(&path, device)?;
        Ok(LammpsMace {
            model,
            meta,
            type_map,
            system_inputs,
            device,
            scratch: Mutex::new(Scratch::default()),
        })
    }

    /// The metadata read from the archive.
    pub fn metadata(&self) -> &MaceMetadata {
        &self.meta
    }

    /// The total charge and spin multiplicity fed to the model (`None`: not read by it).
    pub fn system_inputs(&self) -> SystemInputs {
        self.system_inputs
    }

    /// The one-hot column of each atom type.
    pub fn type_map(&self) -> &[i64] {
        &self.type_map
    }

    /// Time spent in evaluations so far.
    pub fn timings(&self) -> MlipTimings {
        lock_scratch(&self.scratch).timings
    }

    /// The device the model runs on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Fills the graph and the node arrays of `s` from the atoms and the full list.
    fn build_graph(&self, input: &ForceInput<'_>, s: &mut Scratch) -> Result<(), PotentialError> {
        s.graph
            .build("mace", input, &self.type_map, self.meta.r_max)?;
        let n = s.graph.n_nodes();
        let n_species = self.meta.elements.len();
        s.node_attrs.clear();
        s.node_attrs.resize(n * n_species, 0.0);
        for (row, &column) in s
            .node_attrs
            .chunks_exact_mut(n_species)
            .zip(&s.graph.species)
        {
            row[column as usize] = 1.0;
        }
        s.batch.clear();
        s.batch.resize(n, 0);
        s.local.clear();
        s.local.resize(n, 1.0);
        Ok(())
    }

    /// Runs the wrapper on the graph in `s`: returns the energy and the virial
    /// (`[xx, yy, zz, xy, xz, yz]`, when asked), leaves the forces in `s.forces` and, when
    /// asked, the node energies in `per_atom`.
    fn run_model(
        &self,
        s: &mut Scratch,
        cell: &[f64; 9],
        virial: bool,
        per_atom: Option<&mut [f64]>,
    ) -> Result<(f64, Option<[f64; 6]>), PotentialError> {
        let g = &s.graph;
        let n = g.n_nodes() as i64;
        let e = g.n_edges() as i64;
        let n_species = self.meta.elements.len() as i64;
        let kind = if self.meta.double {
            Kind::Double
        } else {
            Kind::Float
        };
        let ptr = [0i64, n];
        let mut dict = InputDict::new("mace", kind, self.device);
        dict.float("positions", &g.positions, &[n, 3])?;
        dict.float("cell", cell, &[3, 3])?;
        dict.long("edge_index", &g.edge_index, &[2, e])?;
        dict.float("shifts", &g.shifts, &[e, 3])?;
        dict.float("unit_shifts", &g.unit_shifts, &[e, 3])?;
        dict.float("node_attrs", &s.node_attrs, &[n, n_species])?;
        dict.long("batch", &s.batch, &[n])?;
        dict.long("ptr", &ptr, &[2])?;
        dict.system_inputs(&self.system_inputs)?;
        let local_or_ghost = dict.float_tensor(&s.local, &[n])?;
        let start = Instant::now();
        let output = self
            .model
            .forward_is(&[
                dict.into_ivalue(),
                IValue::Tensor(local_or_ghost),
                IValue::Bool(virial),
            ])
            .map_err(torch_error)?;
        let output = OutputDict::new("mace", output)?;
        let energy = output.sum("total_energy_local")?;
        s.forces.resize(3 * n as usize, 0.0);
        output.copy_into("forces", &mut s.forces)?;
        if let Some(per_atom) = per_atom {
            output.copy_into("node_energy", per_atom)?;
        }
        let w = if virial {
            Some(output.virial("virials")?)
        } else {
            None
        };
        s.timings.model += start.elapsed().as_secs_f64();
        Ok((energy, w))
    }
}

impl Potential for LammpsMace {
    fn cutoff(&self) -> f64 {
        self.meta.r_max
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Full
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        timed_evaluation("mace", self.meta.r_max, input, &self.scratch, |s| {
            self.build_graph(input, s)?;
            let per_atom = requested_per_atom_energy(input, out);
            let (energy, virial) =
                self.run_model(s, &cell_rows(input), input.request.virial, per_atom)?;
            add_node_results(out, energy, &s.forces, virial);
            Ok(())
        })
    }

    fn name(&self) -> &str {
        "mace"
    }
}
