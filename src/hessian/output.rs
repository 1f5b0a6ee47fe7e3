//! Text and JSON output of `ferromd hessian`: the matrix file and the mode table.

use std::fmt::Write;

use ferromd_core::{System, UnitSystem};

use super::{Hessian, NormalModes};

/// Name of the energy / length² unit of a Hessian in `units`.
pub fn hessian_unit(units: UnitSystem) -> &'static str {
    match units {
        UnitSystem::Lj => "epsilon/sigma^2",
        UnitSystem::Metal => "eV/A^2",
        UnitSystem::Real => "(kcal/mol)/A^2",
    }
}

fn units_name(units: UnitSystem) -> &'static str {
    match units {
        UnitSystem::Lj => "lj",
        UnitSystem::Metal => "metal",
        UnitSystem::Real => "real",
    }
}

/// The `3N × 3N` matrix as text: `#` header lines (units, method, asymmetry, and the atom
/// order: row `3i + a` is atom `i`'s direction `a`), then one row per line.
pub fn matrix_text(label: &str, system: &System, units: UnitSystem, hessian: &Hessian) -> String {
    let n = 3 * system.len();
    let mut s = String::new();
    let _ = writeln!(s, "# ferromd hessian of {label}");
    let _ = writeln!(
        s,
        "# units {} : H_ij = d2E/dx_i dx_j in {} ; {n} x {n} ; {} ; max |H - H^T| before symmetrising = {:.3e}",
        units_name(units),
        hessian_unit(units),
        hessian.method.describe(),
        hessian.asymmetry
    );
    let _ = writeln!(
        s,
        "# rows/columns 3*(k-1)+1..3*k are x y z of atom k, in this order (k id species mass x y z):"
    );
    for (k, x) in system.positions.iter().enumerate() {
        let species = &system.species[system.types[k] as usize].name;
        let _ = writeln!(
            s,
            "# atom {} {} {species} {} {:.10} {:.10} {:.10}",
            k + 1,
            system.ids[k],
            system.masses[k],
            x.x,
            x.y,
            x.z
        );
    }
    for i in 0..n {
        let row: Vec<String> = (0..n)
            .map(|j| format!("{:.10e}", hessian.matrix[(i, j)]))
            .collect();
        let _ = writeln!(s, "{}", row.join(" "));
    }
    s
}

/// Header of the frequency column(s) of `units`.
fn frequency_header(units: UnitSystem) -> &'static str {
    match units {
        UnitSystem::Lj => "omega (1/tau)",
        UnitSystem::Metal | UnitSystem::Real => "      THz        cm^-1",
    }
}

/// The mode table: one line per mode, lowest first, imaginary frequencies negative.
pub fn mode_table(
    label: &str,
    units: UnitSystem,
    hessian: &Hessian,
    modes: &NormalModes,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# normal modes of {label} ({} units, {} modes; {}, max |H - H^T| = {:.3e} {})",
        units_name(units),
        modes.modes.len(),
        hessian.method.describe(),
        hessian.asymmetry,
        hessian_unit(units)
    );
    let _ = writeln!(
        s,
        "# rigid-body modes: {} translations, {} rotations; negative frequency = imaginary",
        modes.translations, modes.rotations
    );
    let _ = writeln!(
        s,
        "# mode  kind         eigenvalue     {}  rigid-overlap",
        frequency_header(units)
    );
    for (k, m) in modes.modes.iter().enumerate() {
        let freq = match (m.thz, m.wavenumber) {
            (Some(f), Some(w)) => format!("{f:>12.5} {w:>12.4}"),
            _ => format!("{:>13.6}", m.omega),
        };
        let _ = writeln!(
            s,
            "{:>6}  {:<11} {:>14.6e} {freq} {:>14.6}",
            k + 1,
            m.kind.as_str(),
            m.eigenvalue,
            m.rigid_overlap
        );
    }
    s
}

/// Everything as one JSON document (matrix rows, atom order, modes without vectors).
pub fn json(
    label: &str,
    system: &System,
    units: UnitSystem,
    hessian: &Hessian,
    modes: &NormalModes,
) -> serde_json::Value {
    let n = 3 * system.len();
    let atoms: Vec<serde_json::Value> = (0..system.len())
        .map(|k| {
            serde_json::json!({
                "id": system.ids[k],
                "species": system.species[system.types[k] as usize].name,
                "mass": system.masses[k],
                "position": [system.positions[k].x, system.positions[k].y, system.positions[k].z],
            })
        })
        .collect();
    let matrix: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| hessian.matrix[(i, j)]).collect())
        .collect();
    let mode_list: Vec<serde_json::Value> = modes
        .modes
        .iter()
        .map(|m| {
            serde_json::json!({
                "kind": m.kind.as_str(),
                "eigenvalue": m.eigenvalue,
                "omega": m.omega,
                "thz": m.thz,
                "cm-1": m.wavenumber,
                "rigid_overlap": m.rigid_overlap,
            })
        })
        .collect();
    serde_json::json!({
        "target": label,
        "units": units_name(units),
        "hessian_unit": hessian_unit(units),
        "method": hessian.method.keyword(),
        "method_description": hessian.method.describe(),
        "step": hessian.method.step(),
        "asymmetry": hessian.asymmetry,
        "translations": modes.translations,
        "rotations": modes.rotations,
        "atoms": atoms,
        "hessian": matrix,
        "modes": mode_list,
    })
}
