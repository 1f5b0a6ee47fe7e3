//! NequIP's legacy LAMMPS convention (`pair_style nequip`): models deployed by nequip
//! 0.5/0.6's `nequip-deploy build`.
//!
//! The deployed module takes one dictionary, `pos` (n×3), `edge_index` (2×E, i64),
//! `edge_cell_shift` (E×3, the receiver's periodic image in cell vectors), `cell` (3×3,
//! one lattice vector per row) and `atom_types` (n×1, i64), casts its floating inputs to
//! its `model_dtype`, computes the edge vectors itself and returns `total_energy`,
//! `atomic_energy`, `forces` and (models built with `StressForceOutput`, nequip 0.6's
//! default) `virial`, all from its own autograd. Its metadata are the archive's extra
//! files `nequip_version`, `r_max`, `n_species`, `type_names`, `default_dtype` and
//! `model_dtype`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{ForceInput, ForceOutput, Potential, PotentialError};
use tch::{CModule, Device, Kind};

use super::archive::TorchArchive;
use super::device::{load_module, parse_device};
use super::evaluation::{
    TimedScratch, add_node_results, cell_rows, lock_scratch, requested_per_atom_energy,
    timed_evaluation,
};
use super::heads::choose_head;
use super::periodic_graph::PeriodicGraph;
use super::system_inputs::SystemInputs;
use super::tensors::{self, InputDict, OutputDict};
use super::{MlipError, MlipOptions, MlipTimings};

/// The extra file whose presence marks a model deployed by `nequip-deploy`.
pub(crate) const NEQUIP_VERSION_KEY: &str = "nequip_version";
/// The extra file that nequip 0.5 wrote even where its version entries were empty.
pub(crate) const JIT_BAILOUT_KEY: &str = "_jit_bailout_depth";

/// What a `nequip-deploy` archive says about its model.
#[derive(Debug, Clone, PartialEq)]
pub struct NequipMetadata {
    /// The file it was read from.
    pub path: PathBuf,
    /// Interaction cutoff in Å (`extra/r_max`).
    pub r_max: f64,
    /// The model's type names in type-index order (`extra/type_names`); `pair_coeff`
    /// names one of them for each atom type.
    pub type_names: Vec<String>,
    /// Whether the floating inputs are float64 (`extra/default_dtype`, the dtype nequip's
    /// own ASE calculator feeds; the model casts them to `model_dtype`).
    pub default_double: bool,
    /// Whether the model computes in float64 (`extra/model_dtype`).
    pub model_double: bool,
    /// `extra/nequip_version`, when not empty.
    pub nequip_version: Option<String>,
    /// Every extra file, by name.
    pub extra: BTreeMap<String, String>,
}

impl NequipMetadata {
    /// Reads the metadata of the `nequip-deploy` archive at `path`.
    pub fn read(path: &Path) -> Result<Self, MlipError> {
        let extra = TorchArchive::open(path)?.extra_files()?;
        Self::from_extra(path, extra)
    }

    /// Whether the extra files of an archive mark a `nequip-deploy` model.
    pub(crate) fn is_nequip(extra: &BTreeMap<String, String>) -> bool {
        extra
            .get(NEQUIP_VERSION_KEY)
            .is_some_and(|v| !v.trim().is_empty())
            || extra.contains_key(JIT_BAILOUT_KEY)
    }

    /// Interprets the extra files of a `nequip-deploy` archive.
    fn from_extra(path: &Path, extra: BTreeMap<String, String>) -> Result<Self, MlipError> {
        let unknown = |reason: String| MlipError::UnknownConvention {
            path: path.to_path_buf(),
            reason,
        };
        let bad = |key: &str, value: &str, reason: &str| MlipError::BadMetadata {
            path: path.to_path_buf(),
            key: key.into(),
            value: value.into(),
            reason: reason.into(),
        };
        if !Self::is_nequip(&extra) {
            return Err(unknown(format!(
                "no extra/{NEQUIP_VERSION_KEY} entry: not deployed by nequip-deploy"
            )));
        }
        let nequip_version = extra
            .get(NEQUIP_VERSION_KEY)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        if let Some(v) = &nequip_version {
            check_legacy_version(v).map_err(|reason| bad(NEQUIP_VERSION_KEY, v, &reason))?;
        }
        let missing = |key: &str| unknown(format!("no extra/{key} entry"));
        let r_max_text = extra.get("r_max").ok_or_else(|| missing("r_max"))?;
        let r_max: f64 = r_max_text
            .trim()
            .parse()
            .map_err(|_| bad("r_max", r_max_text, "not a number"))?;
        if !(r_max.is_finite() && r_max > 0.0) {
            return Err(bad("r_max", r_max_text, "the cutoff must be positive"));
        }
        let names_text = extra
            .get("type_names")
            .ok_or_else(|| missing("type_names"))?;
        let type_names: Vec<String> = names_text.split_whitespace().map(str::to_owned).collect();
        if type_names.is_empty() {
            return Err(bad("type_names", names_text, "it lists no type"));
        }
        if let Some(n) = extra.get("n_species")
            && n.trim().parse::<usize>().ok() != Some(type_names.len())
        {
            return Err(bad(
                "n_species",
                n,
                &format!("type_names lists {} types", type_names.len()),
            ));
        }
        let dtype = |key: &str| -> Result<Option<bool>, MlipError> {
            match extra.get(key).map(|s| s.trim()) {
                None | Some("") => Ok(None),
                Some("float32") => Ok(Some(false)),
                Some("float64") => Ok(Some(true)),
                Some(other) => Err(bad(key, other, "expected `float32` or `float64`")),
            }
        };
        // nequip < 0.6 wrote neither; its loader then assumes float32 for both
        let default_double = dtype("default_dtype")?.unwrap_or(false);
        let model_double = dtype("model_dtype")?.unwrap_or(false);
        Ok(NequipMetadata {
            path: path.to_path_buf(),
            r_max,
            type_names,
            default_double,
            model_double,
            nequip_version,
            extra,
        })
    }

    /// The type index of each name of `names` (one per atom type).
    pub fn species_indices(&self, names: &[&str]) -> Result<Vec<i64>, MlipError> {
        super::species_indices(&self.path, &self.type_names, names)
    }
}

/// Accepts the nequip versions whose deployed models follow the legacy convention (0.x up
/// to 0.6); nequip 0.7 and later compile models for `pair_nequip_allegro`, whose inputs
/// and per-edge-type cutoffs differ.
fn check_legacy_version(version: &str) -> Result<(), String> {
    let mut parts = version.split(['.', '+', '-']);
    let major = parts.next().and_then(|p| p.parse::<u64>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u64>().ok());
    match (major, minor) {
        (Some(0), Some(m)) if m <= 6 => Ok(()),
        (Some(_), Some(_)) => Err(
            "models of nequip 0.7 and later (nequip-compile, LAMMPS pair_nequip_allegro) \
             follow another convention; ferromd runs nequip-deploy models of nequip 0.5 and 0.6"
                .into(),
        ),
        _ => Err("not a version number".into()),
    }
}

/// Buffers kept between evaluations (never shrunk, so a steady run does not reallocate).
#[derive(Debug, Default)]
struct Scratch {
    /// Nodes, edges and image shifts.
    graph: PeriodicGraph,
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

/// A NequIP model deployed by `nequip-deploy build` (LAMMPS `pair_style nequip`).
///
/// Each evaluation builds the graph of the local atoms as `pair_nequip` does: node `i` is
/// local atom `i` with its type index; every neighbor `j` (local or ghost) of the full list
/// closer than `r_max` gives an edge `(i, owner(j))` whose `edge_cell_shift` is the periodic
/// image of `j`. The model returns the energy, per-atom energies, forces on the nodes and
/// the virial.
pub struct Nequip {
    model: CModule,
    meta: NequipMetadata,
    /// Type index of each atom type.
    type_map: Vec<i64>,
    /// Total charge and spin passed to a model that reads them.
    system_inputs: SystemInputs,
    device: Device,
    scratch: Mutex<Scratch>,
}

impl std::fmt::Debug for Nequip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nequip")
            .field("path", &self.meta.path)
            .field("r_max", &self.meta.r_max)
            .field("type_map", &self.type_map)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

fn torch_error(e: tch::TchError) -> PotentialError {
    tensors::torch_error("nequip", e)
}

impl Nequip {
    /// Loads the model at `path` and maps atom type `t` (0-based) to the model type named
    /// `names[t]` (an element symbol for models made from `chemical_symbols`).
    pub fn load(
        path: impl AsRef<Path>,
        names: &[&str],
        options: &MlipOptions,
    ) -> Result<Self, MlipError> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let meta = NequipMetadata::read(&path)?;
        let type_map = meta.species_indices(names)?;
        choose_head(
            &path,
            &[],
            options.head.as_deref(),
            None,
            "nequip-deploy models (nequip 0.5/0.6) have a single head",
        )?;
        let system_inputs = SystemInputs::for_model(&mut TorchArchive::open(&path)?, options)?;
        let device = parse_device(&options.device)?;
        let model = load_module(&path, device)?;
        Ok(Nequip {
            model,
            meta,
            type_map,
            system_inputs,
            device,
            scratch: Mutex::new(Scratch::default()),
        })
    }

    /// The metadata read from the archive.
    pub fn metadata(&self) -> &NequipMetadata {
        &self.meta
    }

    /// The model type index of each atom type.
    pub fn type_map(&self) -> &[i64] {
        &self.type_map
    }

    /// Time spent in evaluations so far.
    pub fn timings(&self) -> MlipTimings {
        lock_scratch(&self.scratch).timings
    }

    /// The total charge and spin multiplicity given to the model (`None` where it does not
    /// read them).
    pub fn system_inputs(&self) -> SystemInputs {
        self.system_inputs
    }

    /// The device the model runs on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Runs the model on the graph in `s`: returns the energy and, when asked, the virial
    /// (`[xx, yy, zz, xy, xz, yz]`); leaves the forces in `s.forces` and, when asked, the
    /// per-atom energies in `per_atom`.
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
        // the dtype nequip's ASE calculator feeds; the model casts to its model_dtype
        let kind = if self.meta.default_double {
            Kind::Double
        } else {
            Kind::Float
        };
        let mut dict = InputDict::new("nequip", kind, self.device);
        dict.float("pos", &g.positions, &[n, 3])?;
        dict.long("edge_index", &g.edge_index, &[2, e])?;
        dict.float("edge_cell_shift", &g.unit_shifts, &[e, 3])?;
        dict.float("cell", cell, &[3, 3])?;
        // n×1, as nequip's AtomicData stores it (the model squeezes the last axis)
        dict.long("atom_types", &g.species, &[n, 1])?;
        dict.system_inputs(&self.system_inputs)?;
        let start = Instant::now();
        let output = self
            .model
            .forward_is(&[dict.into_ivalue()])
            .map_err(torch_error)?;
        let output = OutputDict::new("nequip", output)?;
        let energy = output.sum("total_energy")?;
        s.forces.resize(3 * n as usize, 0.0);
        output.copy_into("forces", &mut s.forces)?;
        if let Some(per_atom) = per_atom {
            output.copy_into("atomic_energy", per_atom)?;
        }
        let w = if virial {
            if output.get("virial").is_none() {
                return Err(PotentialError::Other(format!(
                    "nequip: {} returns no `virial` (it was deployed without \
                     StressForceOutput), so ferromd cannot give the pressure; redeploy it with \
                     StressForceOutput in model_builders (nequip 0.6's default)",
                    self.meta.path.display()
                )));
            }
            Some(output.virial("virial")?)
        } else {
            None
        };
        s.timings.model += start.elapsed().as_secs_f64();
        Ok((energy, w))
    }
}

impl Potential for Nequip {
    fn cutoff(&self) -> f64 {
        self.meta.r_max
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Full
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        timed_evaluation("nequip", self.meta.r_max, input, &self.scratch, |s| {
            s.graph
                .build("nequip", input, &self.type_map, self.meta.r_max)?;
            let per_atom = requested_per_atom_energy(input, out);
            let (energy, virial) =
                self.run_model(s, &cell_rows(input), input.request.virial, per_atom)?;
            add_node_results(out, energy, &s.forces, virial);
            Ok(())
        })
    }

    fn name(&self) -> &str {
        "nequip"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlip::archive::extra_files_from;

    #[test]
    fn reads_deploy_metadata() {
        let m = NequipMetadata::from_extra(
            Path::new("m.pth"),
            extra_files_from(&[
                ("nequip_version", "0.6.2"),
                ("r_max", "4.0"),
                ("n_species", "2"),
                ("type_names", "O Si"),
                ("default_dtype", "float64"),
                ("model_dtype", "float32"),
            ]),
        )
        .unwrap();
        assert_eq!(m.r_max, 4.0);
        assert_eq!(m.type_names, ["O", "Si"]);
        assert!(m.default_double && !m.model_double);
        assert_eq!(m.species_indices(&["Si", "O", "Si"]).unwrap(), [1, 0, 1]);
        let e = m.species_indices(&["Si", "C"]).unwrap_err();
        assert!(e.to_string().contains("`C` is not covered"), "{e}");
        assert!(e.to_string().contains("O Si"), "{e}");
        // nequip 0.5 (empty version, no dtypes): float32, as nequip's loader assumes
        let old = NequipMetadata::from_extra(
            Path::new("m.pth"),
            extra_files_from(&[
                ("nequip_version", ""),
                ("_jit_bailout_depth", "2"),
                ("r_max", "5"),
                ("type_names", "H C"),
            ]),
        )
        .unwrap();
        assert!(!old.default_double && !old.model_double);
        assert_eq!(old.nequip_version, None);
    }

    #[test]
    fn rejects_missing_or_bad_entries() {
        let p = Path::new("m.pth");
        let base = [
            ("nequip_version", "0.6.2"),
            ("r_max", "4.0"),
            ("type_names", "O Si"),
        ];
        let with = |k: &str, v: &str| {
            let mut e = extra_files_from(&base);
            e.insert(k.into(), v.into());
            NequipMetadata::from_extra(p, e).unwrap_err()
        };
        let e = NequipMetadata::from_extra(p, extra_files_from(&[("r_max", "4.0")])).unwrap_err();
        assert!(matches!(e, MlipError::UnknownConvention { .. }), "{e}");
        let e = with("r_max", "-1");
        assert!(e.to_string().contains("r_max"), "{e}");
        let e = with("n_species", "3");
        assert!(e.to_string().contains("n_species"), "{e}");
        let e = with("model_dtype", "bfloat16");
        assert!(e.to_string().contains("model_dtype"), "{e}");
        let e = with("nequip_version", "0.7.1");
        assert!(e.to_string().contains("pair_nequip_allegro"), "{e}");
        let e = with("type_names", " ");
        assert!(e.to_string().contains("type_names"), "{e}");
        let mut no_r = extra_files_from(&base);
        no_r.remove("r_max");
        let e = NequipMetadata::from_extra(p, no_r).unwrap_err();
        assert!(e.to_string().contains("extra/r_max"), "{e}");
    }
}
