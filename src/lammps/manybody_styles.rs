//! `pair_style tersoff|sw` with `pair_coeff * * FILE ELEMENT...`.

use ferromd_core::Potential;
use ferromd_potentials::manybody;

use super::error::{ScriptError, ScriptResult, fail};
use super::words::word;

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
/// only the last one for these styles).
pub fn build_manybody(
    style: &str,
    coeffs: &[Vec<String>],
    n_types: usize,
) -> ScriptResult<Box<dyn Potential>> {
    let Some(c) = coeffs.last() else {
        return fail(format!(
            "all pair coeffs are not set: pair_style {style} needs pair_coeff * * FILE ELEMENTS"
        ));
    };
    if c.len() < 2 || c[0] != "*" || c[1] != "*" {
        return fail(format!(
            "pair_coeff for {style} must be `* * FILE ELEMENT...`"
        ));
    }
    let file = word(c, 2, "potential file")?;
    let elements: Vec<&str> = c[3..].iter().map(String::as_str).collect();
    if elements.len() != n_types {
        return fail(format!(
            "pair_coeff {file}: {} element names for {n_types} atom types",
            elements.len()
        ));
    }
    if elements.contains(&"NULL") {
        return Err(ScriptError::unsupported("pair_coeff", "NULL"));
    }
    manybody::from_style(style, file, &elements)
        .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))
}
