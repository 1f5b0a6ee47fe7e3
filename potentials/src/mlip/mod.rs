//! Machine-learned interatomic potentials exported as TorchScript (cargo feature `torch`).
//!
//! Three conventions are supported (types `E3gnn`, `LammpsMace` and `Nequip`, with the
//! `torch` feature):
//! - SevenNet's LAMMPS `pair_e3gnn`: a frozen TorchScript module that maps a graph
//!   (species indices, a full edge list and edge vectors) to a total energy, with its
//!   cutoff and element list stored as extra files of the `.pt` archive;
//! - MACE's LAMMPS `pair_mace`: the `LAMMPS_MACE` wrapper made by
//!   `mace_create_lammps_model`, which takes positions, cell, edges with image shifts
//!   and one-hot species and returns energy, forces and virial itself; its cutoff and
//!   atomic numbers are module buffers;
//! - NequIP's legacy LAMMPS `pair_nequip`: a model deployed by nequip 0.5/0.6's
//!   `nequip-deploy`, which takes positions, cell, edges with image shifts in cell vectors
//!   and type indices and returns energy, per-atom energies, forces and virial; its cutoff
//!   and type names are extra files of the archive.
//!
//! [`Convention`] names them; [`load_model`] reads the convention from the file unless
//! the options fix it (deck `style = "mace"` or `"nequip"`, LAMMPS `pair_style mace` or
//! `pair_style nequip`).
//!
//! The entry point [`load_model`] exists with and without the feature: without it, it
//! returns [`MlipError::FeatureDisabled`], whose message says how to build ferromd with
//! libtorch. Decks and LAMMPS scripts therefore give a clear error on a plain build.

#[cfg(feature = "torch")]
mod archive;
#[cfg(feature = "torch")]
mod device;
#[cfg(feature = "torch")]
mod e3gnn;
#[cfg(feature = "torch")]
mod e3gnn_hessian;
#[cfg(feature = "torch")]
mod elements;
#[cfg(feature = "torch")]
mod evaluation;
#[cfg(feature = "torch")]
mod full_list;
#[cfg(feature = "torch")]
mod heads;
#[cfg(feature = "torch")]
mod mace;
#[cfg(feature = "torch")]
mod metadata;
#[cfg(feature = "torch")]
mod nequip;
#[cfg(feature = "torch")]
mod periodic_graph;
#[cfg(feature = "torch")]
mod pickle;
#[cfg(feature = "torch")]
mod system_inputs;
#[cfg(feature = "torch")]
mod tensors;

#[cfg(feature = "torch")]
pub use e3gnn::{E3gnn, MlipTimings};
#[cfg(feature = "torch")]
pub use mace::{LammpsMace, MaceMetadata};
#[cfg(feature = "torch")]
pub use metadata::ModelMetadata;
#[cfg(feature = "torch")]
pub use nequip::{Nequip, NequipMetadata};
#[cfg(feature = "torch")]
pub use system_inputs::SystemInputs;

use std::path::{Path, PathBuf};

use ferromd_core::Potential;

/// Error raised while loading or configuring a TorchScript model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MlipError {
    /// ferromd was built without the `torch` feature.
    #[error(
        "TorchScript models need ferromd built with libtorch: run scripts/setup-mlip.sh, apply \
         the environment it prints, then build with `cargo build --release --features torch`"
    )]
    FeatureDisabled,
    /// The model file does not exist.
    #[error("model file {} not found", path.display())]
    FileMissing {
        /// The path asked for.
        path: PathBuf,
    },
    /// The file is not a TorchScript archive (or torch could not load it).
    #[error("{} is not a TorchScript model: {reason}", path.display())]
    NotTorchScript {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The archive lacks the metadata of every supported convention.
    #[error(
        "{} is not a model of a supported convention ({reason}); ferromd reads SevenNet \
         `pair_e3gnn` models (export one with `sevenn_get_model` or `sevenn_deploy`), \
         MACE `pair_mace` models (make one with `mace_create_lammps_model`) and NequIP \
         `pair_nequip` models (deploy one with nequip-deploy of nequip 0.5 or 0.6)",
        path.display()
    )]
    UnknownConvention {
        /// The file.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// A metadata entry could not be understood.
    #[error("{}: metadata `{key}` = `{value}`: {reason}", path.display())]
    BadMetadata {
        /// The file.
        path: PathBuf,
        /// The extra-file name.
        key: String,
        /// Its content.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An element asked for is not covered by the model.
    #[error(
        "element `{element}` is not covered by {} (it covers {})",
        path.display(),
        available.join(" ")
    )]
    UnknownElement {
        /// The element asked for.
        element: String,
        /// The model file.
        path: PathBuf,
        /// The elements the model covers.
        available: Vec<String>,
    },
    /// No atom types were mapped.
    #[error("a TorchScript model needs at least one element (one per atom type)")]
    NoTypes,
    /// The device string is not understood, or the device is not usable.
    #[error("device `{device}`: {reason}")]
    Device {
        /// The device asked for.
        device: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The model has several heads (fidelities) and none was chosen.
    #[error(
        "{} has several heads: {}; choose one with head = \"NAME\" (deck) or `head NAME` \
         (pair_style)",
        path.display(),
        available.join(", ")
    )]
    HeadRequired {
        /// The model file.
        path: PathBuf,
        /// Its heads.
        available: Vec<String>,
    },
    /// The head asked for is not one of the model's.
    #[error(
        "{} has no head `{head}`; its heads are: {}",
        path.display(),
        available.join(", ")
    )]
    UnknownHead {
        /// The model file.
        path: PathBuf,
        /// The head asked for.
        head: String,
        /// The model's heads.
        available: Vec<String>,
    },
    /// A head was asked of a model whose file offers no choice.
    #[error("{}: head `{head}` asked for, but {reason}", path.display())]
    NoHeads {
        /// The model file.
        path: PathBuf,
        /// The head asked for.
        head: String,
        /// Why there is nothing to choose.
        reason: String,
    },
    /// A system input (total charge, spin multiplicity) was given to a model that does
    /// not read it, or has a value the model cannot take.
    #[error("{}: {input}: {reason}", path.display())]
    BadSystemInput {
        /// The model file.
        path: PathBuf,
        /// `charge` or `spin_multiplicity`.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

/// The interface a TorchScript model file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// SevenNet's LAMMPS `pair_e3gnn`.
    E3gnn,
    /// MACE's LAMMPS `pair_mace` (`LAMMPS_MACE` wrapper).
    Mace,
    /// NequIP's legacy LAMMPS `pair_nequip` (`nequip-deploy` of nequip 0.5/0.6).
    Nequip,
}

impl Convention {
    /// The convention a deck or LAMMPS pair style asks for: `Some(Some(c))` for a style
    /// that fixes it (`e3gnn`, `sevennet`, `mace`, `nequip`), `Some(None)` for
    /// `torchscript` (read it from the file), `None` for a style that is not a TorchScript
    /// model.
    pub fn from_style(style: &str) -> Option<Option<Convention>> {
        match style {
            "e3gnn" | "sevennet" => Some(Some(Convention::E3gnn)),
            "mace" => Some(Some(Convention::Mace)),
            "nequip" => Some(Some(Convention::Nequip)),
            "torchscript" => Some(None),
            _ => None,
        }
    }
}

/// Options of a TorchScript potential.
#[derive(Debug, Clone, PartialEq)]
pub struct MlipOptions {
    /// Where the model runs: `cpu`, `cuda` or `cuda:N`.
    pub device: String,
    /// The convention the file must follow; `None` reads it from the file.
    pub convention: Option<Convention>,
    /// The head (fidelity, SevenNet's `modal`) of a multi-head model; `None` takes the
    /// model's default where it has one (MACE: the head compiled into the file).
    pub head: Option<String>,
    /// Total charge of the system (elementary charges), for models that read it.
    pub charge: Option<f64>,
    /// Spin multiplicity `2S + 1` of the system, for models that read it.
    pub spin_multiplicity: Option<f64>,
}

impl Default for MlipOptions {
    fn default() -> Self {
        MlipOptions {
            device: "cpu".into(),
            convention: None,
            head: None,
            charge: None,
            spin_multiplicity: None,
        }
    }
}

/// Whether this build can run TorchScript models (the `torch` feature is on).
pub fn torch_enabled() -> bool {
    cfg!(feature = "torch")
}

/// Loads the TorchScript model at `path`, mapping atom type `t` (0-based) to element
/// `elements[t]`, as `pair_coeff * * model.pt El1 El2 ...` does (for NequIP models, the
/// names are the model's type names). A model that predicts forces directly (not as an
/// energy gradient) is loaded with a warning on stderr.
///
/// The convention is `options.convention`, or else read from the archive: the compiled
/// code of mace's `LAMMPS_MACE` marks a MACE model, the `chemical_symbols_to_index` extra
/// file a SevenNet one, a `nequip_version` extra file a NequIP one
/// ([`MlipError::UnknownConvention`] otherwise). Without the `torch`
/// feature this returns [`MlipError::FeatureDisabled`].
pub fn load_model(
    path: impl AsRef<Path>,
    elements: &[&str],
    options: &MlipOptions,
) -> Result<Box<dyn Potential>, MlipError> {
    #[cfg(feature = "torch")]
    {
        let path = path.as_ref();
        let convention = match options.convention {
            Some(c) => c,
            None => detect_convention(path)?,
        };
        let model: Box<dyn Potential> = match convention {
            Convention::E3gnn => Box::new(E3gnn::load(path, elements, options)?),
            Convention::Mace => Box::new(LammpsMace::load(path, elements, options)?),
            Convention::Nequip => Box::new(Nequip::load(path, elements, options)?),
        };
        if !model.conservative() {
            eprintln!("warning: {}", non_conservative_warning(path));
        }
        Ok(model)
    }
    #[cfg(not(feature = "torch"))]
    {
        let _ = (path.as_ref(), elements, options);
        Err(MlipError::FeatureDisabled)
    }
}

/// What ferromd prints when it loads a model whose forces are not an energy gradient.
pub fn non_conservative_warning(path: &Path) -> String {
    format!(
        "{} predicts forces directly (extra/force_output = direct): they are not the \
         gradient of its energy, so NVE runs need not conserve energy; `ferromd check` \
         measures the heat-up",
        path.display()
    )
}

/// Reads which convention the TorchScript archive at `path` follows.
#[cfg(feature = "torch")]
pub fn detect_convention(path: &Path) -> Result<Convention, MlipError> {
    let mut archive = archive::TorchArchive::open(path)?;
    if archive.has_code_for(mace::LAMMPS_MACE_MODULE) {
        return Ok(Convention::Mace);
    }
    let extra = archive.extra_files()?;
    if extra.contains_key("chemical_symbols_to_index") {
        return Ok(Convention::E3gnn);
    }
    if NequipMetadata::is_nequip(&extra) {
        return Ok(Convention::Nequip);
    }
    Err(MlipError::UnknownConvention {
        path: path.to_path_buf(),
        reason: "neither a LAMMPS_MACE module, SevenNet's extra/chemical_symbols_to_index \
                 nor NequIP's extra/nequip_version"
            .into(),
    })
}

/// The index in `available` (a model's elements) of each element of `wanted` (one per
/// atom type), or the error naming the first one the model at `path` does not cover.
#[cfg_attr(not(feature = "torch"), allow(dead_code))]
fn species_indices(
    path: &Path,
    available: &[String],
    wanted: &[&str],
) -> Result<Vec<i64>, MlipError> {
    if wanted.is_empty() {
        return Err(MlipError::NoTypes);
    }
    wanted
        .iter()
        .map(|el| {
            available
                .iter()
                .position(|e| e == el)
                .map(|k| k as i64)
                .ok_or_else(|| MlipError::UnknownElement {
                    element: (*el).to_owned(),
                    path: path.to_path_buf(),
                    available: available.to_vec(),
                })
        })
        .collect()
}

/// The pair-style names that select a TorchScript model in decks and LAMMPS scripts
/// (see [`Convention::from_style`]).
pub const STYLE_NAMES: [&str; 5] = ["e3gnn", "sevennet", "mace", "nequip", "torchscript"];
