//! `read_data` and `write_data` for atomic-style LAMMPS data files.

use std::io::Write;
use std::path::Path;

use ferromd_core::System;
use ferromd_core::io::lammps_data::parse_lammps_data;

use super::cformat::cformat;
use super::error::{ScriptError, ScriptResult, fail};

/// Reads an atomic data file into a system with `periodic` axes; also returns which types
/// the file gave masses for.
pub fn read_data(
    path: &Path,
    periodic: [bool; 3],
    dimension: usize,
) -> ScriptResult<(System, Vec<bool>)> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScriptError::new(format!("cannot open data file {name}: {e}")))?;
    let data = parse_lammps_data(&text).map_err(|e| {
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

/// Writes `system` as an atomic data file with masses, atoms (wrapped, with image flags)
/// and velocities, sorted by atom id.
pub fn write_data(path: &Path, system: &System, step: u64) -> ScriptResult<()> {
    let write = || -> std::io::Result<()> {
        let tmp = path.with_extension("ferromd-tmp");
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let (lo, hi, tilt) = system.cell.lammps_bounds().ok_or_else(|| {
            std::io::Error::other("the cell is not in LAMMPS's restricted triclinic form")
        })?;
        let e = |v: f64| cformat("%.16e", v).unwrap_or_else(|| v.to_string());
        writeln!(
            f,
            "LAMMPS data file via write_data, ferromd {}, timestep = {step}\n",
            env!("CARGO_PKG_VERSION")
        )?;
        writeln!(
            f,
            "{} atoms\n{} atom types\n",
            system.len(),
            system.n_types()
        )?;
        for (a, n) in ["x", "y", "z"].iter().enumerate() {
            writeln!(f, "{} {} {n}lo {n}hi", e(lo[a]), e(hi[a]))?;
        }
        if tilt != [0.0; 3] {
            writeln!(f, "{} {} {} xy xz yz", e(tilt[0]), e(tilt[1]), e(tilt[2]))?;
        }
        writeln!(f, "\nMasses\n")?;
        for (t, s) in system.species.iter().enumerate() {
            writeln!(
                f,
                "{} {}",
                t + 1,
                ferromd_core::thermo::format_g(s.mass, 15)
            )?;
        }
        let mut order: Vec<usize> = (0..system.len()).collect();
        order.sort_by_key(|&i| system.ids[i]);
        writeln!(f, "\nAtoms # atomic\n")?;
        for &i in &order {
            let mut img = system.images[i];
            let x = system.cell.wrap(&system.positions[i], &mut img);
            writeln!(
                f,
                "{} {} {} {} {} {} {} {}",
                system.ids[i],
                system.types[i] + 1,
                e(x.x),
                e(x.y),
                e(x.z),
                img[0],
                img[1],
                img[2]
            )?;
        }
        writeln!(f, "\nVelocities\n")?;
        for &i in &order {
            let v = system.velocities[i];
            writeln!(f, "{} {} {} {}", system.ids[i], e(v.x), e(v.y), e(v.z))?;
        }
        f.flush()?;
        drop(f);
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| ScriptError::new(format!("cannot write data file {}: {e}", path.display())))
}
