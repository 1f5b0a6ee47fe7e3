//! Machine-learned interatomic potentials exported as TorchScript (cargo feature `torch`).
//!
//! The supported convention is SevenNet's LAMMPS `pair_e3gnn` (`E3gnn`, with the `torch` feature):
//! a frozen TorchScript module that maps a graph (species indices, a full edge list and
//! edge vectors) to a total energy, with its cutoff and element list stored as extra
//! files of the `.pt` archive.
//!
//! The entry point [`load_model`] exists with and without the feature: without it, it
//! returns [`MlipError::FeatureDisabled`], whose message says how to build ferromd with
//! libtorch. Decks and LAMMPS scripts therefore give a clear error on a plain build.

#[cfg(feature = "torch")]
mod e3gnn;
#[cfg(feature = "torch")]
mod metadata;

#[cfg(feature = "torch")]
pub use e3gnn::{E3gnn, MlipTimings};
#[cfg(feature = "torch")]
pub use metadata::ModelMetadata;

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
        "{} has no metadata of a supported convention ({reason}); ferromd reads SevenNet \
         `pair_e3gnn` models (export one with `sevenn_get_model` or `sevenn_deploy`)",
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
}

/// Options of a TorchScript potential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlipOptions {
    /// Where the model runs: `cpu`, `cuda` or `cuda:N`.
    pub device: String,
}

impl Default for MlipOptions {
    fn default() -> Self {
        MlipOptions {
            device: "cpu".into(),
        }
    }
}

/// Whether this build can run TorchScript models (the `torch` feature is on).
pub fn torch_enabled() -> bool {
    cfg!(feature = "torch")
}

/// Loads the TorchScript model at `path`, mapping atom type `t` (0-based) to element
/// `elements[t]`, as `pair_coeff * * model.pt El1 El2 ...` does.
///
/// The convention is read from the archive's metadata; today that is SevenNet's
/// `pair_e3gnn` ([`MlipError::UnknownConvention`] otherwise). Without the `torch`
/// feature this returns [`MlipError::FeatureDisabled`].
pub fn load_model(
    path: impl AsRef<Path>,
    elements: &[&str],
    options: &MlipOptions,
) -> Result<Box<dyn Potential>, MlipError> {
    #[cfg(feature = "torch")]
    {
        Ok(Box::new(E3gnn::load(path, elements, options)?))
    }
    #[cfg(not(feature = "torch"))]
    {
        let _ = (path.as_ref(), elements, options);
        Err(MlipError::FeatureDisabled)
    }
}

/// The pair-style names that select a TorchScript model in decks and LAMMPS scripts.
pub const STYLE_NAMES: [&str; 2] = ["e3gnn", "sevennet"];
