//! `pair_style tersoff|sw` with `pair_coeff * * FILE ELEMENT...`.

use ferromd_core::Potential;
use ferromd_potentials::manybody;

use super::error::{ScriptError, ScriptResult};
use super::star_coeff::{file_and_elements, refuse_null_outside_hybrid};

/// Many-body styles read from element-triplet files.
pub const MANYBODY_STYLES: &[&str] = manybody::STYLES;

/// Checks the `pair_style` arguments (these styles take none).
pub fn check_manybody_args(style: &str, args: &[String]) -> ScriptResult<()> {
    if !args.is_empty() {
        return Err(ScriptError::unsupported(
            &format!("pair_style {style}"),
            &args[0],
        ));
    }
    Ok(())
}

/// Builds the potential from the last `pair_coeff * * FILE ELEMENT...` line (LAMMPS keeps
/// only the last one for these styles). A type mapped to `NULL` takes part in no term; that
/// is an error unless `in_hybrid` (another sub-style then handles the type).
pub fn build_manybody(
    style: &str,
    coeffs: &[Vec<String>],
    n_types: usize,
    in_hybrid: bool,
) -> ScriptResult<Box<dyn Potential>> {
    let (file, elements) = file_and_elements(style, coeffs, n_types, ("FILE", "potential file"))?;
    if !in_hybrid {
        refuse_null_outside_hybrid(style, &elements)?;
    }
    manybody::from_style(style, file, &elements)
        .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))
}
