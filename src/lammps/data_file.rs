//! `read_data` and `write_data` for LAMMPS data files (atom styles `atomic` and `charge`).

use std::path::Path;

use ferromd_core::System;
use ferromd_core::io::lammps_data::{AtomStyle, parse_lammps_data_as, write_lammps_data_file};

use super::error::{ScriptError, ScriptResult, fail};

/// Reads a data file whose atoms are in `style` into a system with `periodic` axes; also
/// returns which types the file gave masses for.
pub fn read_data(
    path: &Path,
    periodic: [bool; 3],
    dimension: usize,
    style: AtomStyle,
) -> ScriptResult<(System, Vec<bool>)> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScriptError::new(format!("cannot open data file {name}: {e}")))?;
    let data = parse_lammps_data_as(&text, Some(style)).map_err(|e| {
        ScriptError::new(format!("data file {name} line {}: {}", e.line, e.message))
    })?;
    let mut seen = std::collections::HashSet::new();
    if let Some(a) = data.atoms.iter().find(|a| !seen.insert(a.id)) {
        return fail(format!("data file {name}: atom id {} appears twice", a.id));
    }
    let mut system = data
        .to_system()
        .map_err(|e| ScriptError::new(format!("data file {name}: {e}")))?;
    system.cell = system.cell.clone().with_periodicity(periodic);
    system.dimension = dimension;
    if dimension == 2 && system.positions.iter().any(|x| x.z != 0.0) {
        return fail(format!(
            "data file {name}: 2-d simulation needs z = 0 for every atom"
        ));
    }
    let masses_set = data.masses.iter().map(Option::is_some).collect();
    Ok((system, masses_set))
}

/// Writes `system` as a data file (style `charge` if it has charges) with masses, atoms (wrapped, with image flags)
/// and velocities, sorted by atom id (core's
/// [`write_lammps_data_file`](ferromd_core::io::lammps_data::write_lammps_data_file):
/// a temporary file renamed over `path`).
pub fn write_data(path: &Path, system: &System, step: u64) -> ScriptResult<()> {
    write_lammps_data_file(path, system, step)
        .map_err(|e| ScriptError::new(format!("cannot write data file {}: {e}", path.display())))
}
