//! `pair_style table STYLE N` with `pair_coeff I J FILE KEYWORD [CUTOFF]` lines.

use ferromd_core::Potential;
use ferromd_core::units::UnitSystem;
use ferromd_potentials::{
    TablePotential, TableSection, TableStyle, Tabulated, find_potential_file,
};

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, integer, type_range, word};

/// Parses `pair_style table` arguments `STYLE N`: the interpolation style and the number of
/// interpolation points.
pub fn table_args(args: &[String]) -> ScriptResult<(TableStyle, usize)> {
    let name = word(args, 0, "table style (lookup, linear or spline)")?;
    let style = match TableStyle::from_name(name) {
        Some(s) => s,
        None if name == "bitmap" => {
            return Err(ScriptError::unsupported("pair_style table", "bitmap"));
        }
        None => {
            return fail(format!(
                "pair_style table: unknown table style `{name}` (expected lookup, linear or spline)"
            ));
        }
    };
    let n = integer(args, 1, "number of table points N")?;
    if n < 2 {
        return fail(format!(
            "pair_style table: N = {n} table points, needs at least 2"
        ));
    }
    if let Some(extra) = args.get(2) {
        // ewald, pppm, msm, dispersion, tip4p: long-range solvers ferromd does not have
        return Err(ScriptError::unsupported("pair_style table", extra));
    }
    Ok((style, n as usize))
}

/// kcal/mol per eV, the factor LAMMPS converts potential files between metal and real
/// units with.
const KCAL_MOL_PER_EV: f64 = 23.060549;

/// The factor that turns energies of a file in units `file_units` into `units`, when LAMMPS
/// converts them: between metal (eV) and real (kcal/mol), whose lengths are both Å.
fn energy_conversion(file_units: &str, units: UnitSystem) -> Option<f64> {
    match (file_units, units) {
        ("metal", UnitSystem::Real) => Some(KCAL_MOL_PER_EV),
        ("real", UnitSystem::Metal) => Some(1.0 / KCAL_MOL_PER_EV),
        _ => None,
    }
}

/// Reads the table of one `pair_coeff I J FILE KEYWORD [CUTOFF]` line, converts its
/// energies and forces to the script's units where its `UNITS:` tag names metal or real
/// and the script uses the other (as LAMMPS does), and resamples it.
fn table_of_line(
    c: &[String],
    style: TableStyle,
    n: usize,
    units: UnitSystem,
) -> ScriptResult<(Tabulated, f64, String)> {
    if c.len() != 4 && c.len() != 5 {
        return fail(format!(
            "pair_coeff {}: table needs I J FILE KEYWORD and optionally a cutoff",
            c.join(" ")
        ));
    }
    let cutoff = if c.len() == 5 {
        Some(float(c, 4, "table cutoff")?)
    } else {
        None
    };
    let file_err =
        |e: ferromd_potentials::PotentialFileError| ScriptError::new(format!("pair_coeff: {e}"));
    let path = find_potential_file(&c[2]).map_err(file_err)?;
    let mut section = TableSection::read(&path, &c[3]).map_err(file_err)?;
    if let Some(file_units) = section.units.clone()
        && file_units != units.name()
    {
        let Some(factor) = energy_conversion(&file_units, units) else {
            return fail(format!(
                "pair_coeff: table file {} is in units {file_units} (UNITS: tag on its first \
                 line), the script uses units {}; only metal and real convert into each other",
                path.display(),
                units.name()
            ));
        };
        section.scale_energies(factor);
    }
    let table = Tabulated::new(&section, style, n, cutoff).map_err(|e| {
        ScriptError::new(format!(
            "pair_coeff {}: table {} {}: {e}",
            c.join(" "),
            path.display(),
            c[3]
        ))
    })?;
    let cut = cutoff.unwrap_or(section.range().1);
    Ok((table, cut, format!("{} {}", path.display(), c[3])))
}

/// Checks one `pair_coeff` line of `pair_style table` by reading its table, so errors in
/// the file are reported at the line.
pub fn check_table_coeff(args: &[String], c: &[String], units: UnitSystem) -> ScriptResult<()> {
    let (style, n) = table_args(args)?;
    table_of_line(c, style, n, units).map(|_| ())
}

/// Builds `pair_style table` from its arguments and `pair_coeff` lines. With `partial` (a
/// hybrid sub-style acting on some type pairs only) pairs no line names get no interaction
/// instead of being an error.
pub fn build_table(
    args: &[String],
    coeffs: &[Vec<String>],
    n_types: usize,
    units: UnitSystem,
    partial: bool,
) -> ScriptResult<Box<dyn Potential>> {
    let (style, n) = table_args(args)?;
    let mut entries: Vec<Option<(Tabulated, f64, String)>> = vec![None; n_types * n_types];
    for c in coeffs {
        let entry = table_of_line(c, style, n, units)?;
        let (ri, rj) = (type_range(&c[0], n_types)?, type_range(&c[1], n_types)?);
        let mut count = 0;
        for i in ri {
            for j in rj.clone().filter(|&j| j >= i) {
                entries[(i - 1) * n_types + (j - 1)] = Some(entry.clone());
                entries[(j - 1) * n_types + (i - 1)] = Some(entry.clone());
                count += 1;
            }
        }
        if count == 0 {
            return fail(format!(
                "pair_coeff {}: no type pair with I <= J",
                c.join(" ")
            ));
        }
    }
    let filler = entries.iter().flatten().next().cloned();
    let mut full = Vec::with_capacity(entries.len());
    for (k, e) in entries.into_iter().enumerate() {
        match (e, &filler) {
            (Some(e), _) => full.push(e),
            // a pair the hybrid never hands to this sub-style: no interaction
            (None, Some((t, _, s))) if partial => full.push((t.clone(), 0.0, s.clone())),
            _ => {
                return fail(format!(
                    "all pair coeffs are not set: pair_style table has no table for type pair {} {}",
                    k / n_types + 1,
                    k % n_types + 1
                ));
            }
        }
    }
    Ok(Box::new(TablePotential::new(n_types, full)))
}
