//! What `ferromd check` (and `ferromd hessian`) work on: atoms, a potential and units,
//! from a TOML deck or from a model file plus a structure file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ferromd_core::io::lammps_data::parse_lammps_data;
use ferromd_core::io::xyz::parse_xyz;
use ferromd_core::nalgebra::Vector3;
use ferromd_core::{Potential, Species, System, UnitSystem};
use ferromd_potentials::mlip::{self, MlipError, MlipOptions};

use super::elements::atomic_mass;
use crate::deck::{Deck, DeckError};

/// Why a check target could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The deck is invalid.
    #[error(transparent)]
    Deck(#[from] DeckError),
    /// The model could not be loaded.
    #[error(transparent)]
    Model(#[from] MlipError),
    /// The structure file could not be read or understood.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Structure {
        /// The structure file.
        file: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The command line does not give what is needed.
    #[error("{0}")]
    Usage(String),
}

/// Atoms, potential and units to check.
pub struct Target {
    /// The deck or model file, for the report.
    pub label: String,
    /// The structure.
    pub system: System,
    /// The potential.
    pub potential: Arc<dyn Potential>,
    /// The unit system.
    pub units: UnitSystem,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("label", &self.label)
            .field("atoms", &self.system.len())
            .field("potential", &self.potential.name())
            .field("units", &self.units)
            .finish()
    }
}

impl Target {
    /// Loads `path`: a TOML deck (its atoms and potential), or a TorchScript model that
    /// needs `structure` (extended XYZ, or a LAMMPS data file with `elements`).
    pub fn load(
        path: &Path,
        structure: Option<&Path>,
        elements: &[String],
        device: &str,
    ) -> Result<Target, TargetError> {
        if path.extension().is_some_and(|e| e == "toml") {
            if structure.is_some() || !elements.is_empty() {
                return Err(TargetError::Usage(format!(
                    "{} is a deck: its atoms and elements come from the deck; --structure and \
                     --elements are for model files",
                    path.display()
                )));
            }
            let deck = Deck::load(path)?;
            return Ok(Target {
                label: path.display().to_string(),
                potential: Arc::from(deck.potential),
                system: deck.system,
                units: deck.units,
            });
        }
        let Some(structure) = structure else {
            return Err(TargetError::Usage(format!(
                "{} is not a deck (.toml): a model file needs --structure FILE (extended XYZ \
                 or LAMMPS data)",
                path.display()
            )));
        };
        let system = read_structure(structure, elements)?;
        let names: Vec<&str> = system.species.iter().map(|s| s.name.as_str()).collect();
        let potential = mlip::load_model(
            path,
            &names,
            &MlipOptions {
                device: device.to_owned(),
                ..MlipOptions::default()
            },
        )?;
        Ok(Target {
            label: path.display().to_string(),
            potential: Arc::from(potential),
            system,
            units: UnitSystem::Metal,
        })
    }
}

/// Reads an extended XYZ (`.xyz`, `.extxyz`) or LAMMPS data file (anything else) into a
/// system whose species are elements with their standard masses (LAMMPS data: the
/// file's `Masses` where given).
///
/// For XYZ files the species are the symbols in order of first appearance, or
/// `elements` in the given order (which must then cover every symbol); data files need
/// `elements`, one per atom type.
pub fn read_structure(file: &Path, elements: &[String]) -> Result<System, TargetError> {
    let fail = |line: Option<usize>, message: String| TargetError::Structure {
        file: file.to_path_buf(),
        line,
        message,
    };
    let text =
        std::fs::read_to_string(file).map_err(|e| fail(None, format!("cannot read: {e}")))?;
    let is_xyz = file
        .extension()
        .is_some_and(|e| e == "xyz" || e == "extxyz");
    if is_xyz {
        let frame = parse_xyz(&text).map_err(|e| fail(Some(e.line), e.message))?;
        let Some(h) = frame.lattice else {
            return Err(fail(
                Some(2),
                "no Lattice=\"...\" on the comment line: ferromd needs a cell (add a box \
                 larger than twice the cutoff with pbc=\"F F F\" for a molecule)"
                    .into(),
            ));
        };
        let mut names: Vec<String> = elements.to_vec();
        if names.is_empty() {
            for s in &frame.symbols {
                if !names.contains(s) {
                    names.push(s.clone());
                }
            }
        }
        let species = species_of(&names, &[], &fail)?;
        let cell = ferromd_core::Cell::new(h, Vector3::zeros(), frame.pbc.unwrap_or([true; 3]))
            .map_err(|e| fail(Some(2), e.to_string()))?;
        let mut system = System::new(cell, species);
        for (k, (sym, x)) in frame.symbols.iter().zip(&frame.positions).enumerate() {
            let Some(t) = names.iter().position(|n| n == sym) else {
                return Err(fail(
                    Some(k + 3),
                    format!(
                        "atom {} is `{sym}`, which --elements ({}) does not list",
                        k + 1,
                        names.join(" ")
                    ),
                ));
            };
            system.push_atom(t as u32, *x);
        }
        Ok(system)
    } else {
        let data = parse_lammps_data(&text).map_err(|e| fail(Some(e.line), e.message))?;
        if elements.len() != data.n_types {
            return Err(fail(
                None,
                format!(
                    "the data file has {} atom types: give one element per type with \
                     --elements (got {})",
                    data.n_types,
                    elements.len()
                ),
            ));
        }
        let mut system = data.to_system().map_err(|e| fail(None, e.to_string()))?;
        system.species = species_of(elements, &data.masses, &fail)?;
        for (m, &t) in system.masses.iter_mut().zip(&system.types) {
            *m = system.species[t as usize].mass;
        }
        Ok(system)
    }
}

fn species_of(
    names: &[String],
    masses: &[Option<f64>],
    fail: &dyn Fn(Option<usize>, String) -> TargetError,
) -> Result<Vec<Species>, TargetError> {
    names
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let mass = masses
                .get(t)
                .copied()
                .flatten()
                .or_else(|| atomic_mass(name))
                .ok_or_else(|| {
                    fail(
                        None,
                        format!("`{name}` is not an element symbol, so its mass is unknown"),
                    )
                })?;
            Ok(Species::new(name.clone(), mass))
        })
        .collect()
}
