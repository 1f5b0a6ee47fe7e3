//! `pair_coeff * * FILE ELEMENT...`: the one-line form of the styles that read a file
//! (Tersoff, SW, TorchScript models) and map each atom type to an element.

use ferromd_potentials::NULL_ELEMENT;

use super::error::{ScriptResult, fail};
use super::words::word;

/// The file and the element of each atom type from the last `pair_coeff` line of
/// `style` (LAMMPS keeps only the last one for these styles). `placeholder` stands for
/// the file in the syntax shown by messages (`FILE`, `MODEL`), `what` names it ("potential
/// file", "model file").
pub fn file_and_elements<'a>(
    style: &str,
    coeffs: &'a [Vec<String>],
    n_types: usize,
    (placeholder, what): (&str, &str),
) -> ScriptResult<(&'a str, Vec<&'a str>)> {
    let Some(c) = coeffs.last() else {
        return fail(format!(
            "all pair coeffs are not set: pair_style {style} needs pair_coeff * * {placeholder} ELEMENTS"
        ));
    };
    if c.len() < 2 || c[0] != "*" || c[1] != "*" {
        return fail(format!(
            "pair_coeff for {style} must be `* * {placeholder} ELEMENT...`"
        ));
    }
    let file = word(c, 2, what)?;
    let elements: Vec<&str> = c[3..].iter().map(String::as_str).collect();
    if elements.len() != n_types {
        return fail(format!(
            "pair_coeff {file}: {} element names for {n_types} atom types",
            elements.len()
        ));
    }
    Ok((file, elements))
}

/// Fails if an atom type is mapped to `NULL` in `style`'s element map outside `pair_style
/// hybrid`: only a hybrid can hand that type's pairs to another sub-style, so the pairs
/// would be left without coefficients (LAMMPS stops with "All pair coeffs are not set").
pub fn refuse_null_outside_hybrid(style: &str, elements: &[&str]) -> ScriptResult<()> {
    match elements.iter().position(|&el| el == NULL_ELEMENT) {
        Some(t) => fail(format!(
            "all pair coeffs are not set: pair_style {style} maps atom type {} to NULL, which \
             only a sub-style of pair_style hybrid or hybrid/overlay may do (another sub-style \
             then covers that type)",
            t + 1
        )),
        None => Ok(()),
    }
}
