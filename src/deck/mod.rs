//! TOML input decks: parse, validate and turn into a ready-to-run [`Simulation`].
//!
//! Parsing ([`schema`]) is kept apart from assembling physics objects
//! (`build.rs`). Every error names the deck file, line, column and key.
//! See `inputs/lj-melt.toml` for a complete, commented deck.

mod backend;
mod build;
mod dump_structure;
pub mod error;
pub mod observables;
mod pair_styles;
pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ferromd_core::{
    IntegrationParameters, Integrator, Potential, RunError, Simulation, System, UnitSystem,
};
use ferromd_potentials::{CommitteeRecord, DeviationScale};

pub use backend::{Backend, DeviceIntegrator, DevicePotential};
pub use error::DeckError;

/// A validated deck: everything needed to start a run.
pub struct Deck {
    /// The file the deck came from.
    pub path: PathBuf,
    /// Unit system.
    pub units: UnitSystem,
    /// Initial atoms and cell (velocities already assigned).
    pub system: System,
    /// The potential.
    pub potential: Box<dyn Potential>,
    /// The integrator.
    pub integrator: Box<dyn Integrator>,
    /// Timestep and neighbor policy.
    pub params: IntegrationParameters,
    /// Steps to run.
    pub steps: u64,
    /// Thermo interval (0: first and last step only).
    pub thermo_every: u64,
    /// Files written during the run (`[output]`).
    pub output: OutputPlan,
    /// Observables written during the run (`[[observables]]`).
    pub observables: Vec<observables::ObservablePlan>,
    /// Where the deck asks to run (`backend`).
    pub backend: Backend,
    /// The potential in a form the GPU path can convert.
    pub device_potential: DevicePotential,
    /// The integrator in a form the GPU path can convert.
    pub device_integrator: DeviceIntegrator,
    /// The record of a `committee` potential's latest evaluation (force deviations and
    /// every member's results), read by the driver after each step.
    pub committee: Option<Arc<CommitteeRecord>>,
}

/// Format of a thermo file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThermoFormat {
    /// LAMMPS's `thermo_style one` table, as on the screen.
    #[default]
    Lammps,
    /// Comma-separated values with a header row, numbers with all their digits.
    Csv,
    /// One JSON object per line, numbers with all their digits (non-finite: `null`).
    Jsonl,
}

/// Files a deck writes during its run (the `[output]` table).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputPlan {
    /// Extended XYZ trajectory (relative to the working directory).
    pub trajectory: Option<PathBuf>,
    /// Trajectory interval in steps (0: first and last step only).
    pub every: u64,
    /// Format of the thermo file.
    pub thermo_format: ThermoFormat,
    /// Thermo file (relative to the working directory).
    pub thermo_file: Option<PathBuf>,
    /// Frames of a committee run whose force deviation crosses a threshold.
    pub uncertain: Option<UncertainFrames>,
    /// A committee run's `model_devi.out` (`[output]` `model_deviation`).
    pub model_deviation: Option<ModelDeviationFile>,
}

/// Where and how often a committee run writes DeePMD-kit's `model_devi.out`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelDeviationFile {
    /// The file (relative to the working directory).
    pub path: PathBuf,
    /// A line every this many steps (0: the first and last step only).
    pub every: u64,
    /// Relative deviations (`model_deviation_relative`, `model_deviation_relative_v`), as
    /// the script keywords `relative` and `relative_v`.
    pub scale: DeviationScale,
    /// Every atom's force deviation appended to each line (`model_deviation_atomic`).
    pub atomic: bool,
}

/// Where a committee run writes its uncertain frames (`[output]` `uncertain_frames`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UncertainFrames {
    /// Extended XYZ file (relative to the working directory).
    pub path: PathBuf,
    /// A frame is written when its largest atomic force deviation exceeds this.
    pub threshold: f64,
}

impl std::fmt::Debug for Deck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deck")
            .field("path", &self.path)
            .field("units", &self.units)
            .field("atoms", &self.system.len())
            .field("potential", &self.potential.name())
            .field("integrator", &self.integrator.name())
            .field("params", &self.params)
            .field("steps", &self.steps)
            .field("thermo_every", &self.thermo_every)
            .finish()
    }
}

impl Deck {
    /// Reads and validates the deck at `path`.
    pub fn load(path: &Path) -> Result<Deck, DeckError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DeckError::general(path, format!("cannot read deck: {e}")))?;
        Self::parse(&text, path)
    }

    /// Validates deck `text`; `path` names it in errors and anchors relative file paths.
    pub fn parse(text: &str, path: &Path) -> Result<Deck, DeckError> {
        let spec: schema::DeckSpec = toml::from_str(text).map_err(|e| {
            let hint = hint_for(e.message());
            let err = DeckError::at(path, text, e.span(), e.message().trim());
            match hint {
                Some(h) => err.with_hint(h),
                None => err,
            }
        })?;
        build::assemble(spec, text, path)
    }

    /// Builds the simulation (neighbor lists and forces at step 0).
    pub fn into_simulation(self) -> Result<(Simulation, RunPlan), RunError> {
        let plan = RunPlan {
            steps: self.steps,
            thermo_every: self.thermo_every,
        };
        let sim = Simulation::new(
            self.system,
            self.units,
            self.params,
            self.potential,
            self.integrator,
        )?;
        Ok((sim, plan))
    }
}

/// Run length and output cadence from a deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunPlan {
    /// Steps to run.
    pub steps: u64,
    /// Thermo interval.
    pub thermo_every: u64,
}

fn hint_for(message: &str) -> Option<&'static str> {
    if message.contains("unknown field") {
        Some("remove the key or fix its spelling; the keys this table accepts are listed above")
    } else if message.contains("missing field") {
        Some("add the missing key; inputs/lj-melt.toml shows a complete deck")
    } else if message.contains("invalid type") {
        Some("check the value's type: numbers unquoted, names in quotes, lists in [ ]")
    } else {
        None
    }
}
