//! LAMMPS-style input scripts: run users' `in.*` files unchanged.
//!
//! The interpreter reads a script line by line as LAMMPS does (comments, `&`
//! continuation, quotes, `$x`/`${name}`/`$(expr)` substitution), keeps the session
//! state (units, lattice, regions, box, pair style, fixes, thermo settings), and turns
//! `run N` into a [`ferromd_core::Simulation`]. Commands or keywords ferromd does not
//! implement stop the script with `ERROR: <command> <keyword> is not supported by
//! ferromd (file:line)`; nothing is ignored silently.

mod accelerator;
mod ave_combine;
mod ave_time;
mod cformat;
mod coefficient_styles;
mod committee_files;
mod computes;
mod data_file;
mod dump;
mod error;
mod expression;
mod fix_nh;
mod formula;
mod geometry;
mod input;
mod interpreter;
mod manybody_styles;
mod modifiers;
mod observables;
mod output;
mod pair_committee;
mod pair_coulomb;
mod pair_hybrid;
mod pair_styles;
mod pair_table;
mod pair_zbl;
mod press_crescale;
mod pressure_keywords;
mod read_dump;
mod retain_atoms;
mod set_command;
mod star_coeff;
mod step_values;
mod thermo;
mod thermo_table;
mod variables;
mod velocity;
mod words;

pub(crate) use coefficient_styles::{PairModifiers, build_coefficient_style};
pub use error::ScriptError;
pub use interpreter::{Echo, Interpreter};
pub use output::Output;
pub use thermo_table::{TableFormat, ThermoTable};

use std::path::Path;

/// Command-line options of a script run (`-var`, `-log`, `-screen`, `-echo`,
/// `--thermo-table`).
#[derive(Debug, Clone, Default)]
pub struct ScriptOptions {
    /// `-var NAME VALUE...` definitions, applied before the script.
    pub variables: Vec<(String, Vec<String>)>,
    /// Log file (`None`: no log).
    pub log: Option<std::path::PathBuf>,
    /// Write to the screen.
    pub screen: bool,
    /// Echo commands.
    pub echo: Echo,
    /// Also write thermo lines to this `.csv` or `.jsonl` file (ferromd extension).
    pub thermo_table: Option<std::path::PathBuf>,
    /// `-sf STYLE`: the accelerator suffix (`gpu` selects the GPU path).
    pub suffix: Option<String>,
    /// `-pk STYLE ARGS...`: `package` commands applied before the script.
    pub packages: Vec<Vec<String>>,
    /// When set (by a SIGINT/SIGTERM handler), a run finishes its current step, writes
    /// `SCRIPT.restart` and the script stops with an interrupted [`ScriptError`].
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// Runs the script at `path` with `options`.
pub fn run_script(path: &Path, options: &ScriptOptions) -> Result<(), ScriptError> {
    let mut out = Output::new(options.screen, options.log.as_deref())
        .map_err(|e| ScriptError::new(format!("cannot open log file: {e}")))?;
    if let Some(path) = &options.thermo_table {
        out.set_thermo_table(ThermoTable::create(path).map_err(ScriptError::new)?);
    }
    let mut interp = Interpreter::new(out, options.echo, &options.variables);
    if let Some(flag) = &options.stop {
        interp.stop_on(flag.clone());
    }
    interp
        .command_line_switches(options.suffix.as_deref(), &options.packages)
        .map_err(|e| ScriptError::new(format!("{} (command line)", e.message)))?;
    interp.run_file(path)
}
