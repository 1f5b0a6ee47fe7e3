//! The pair styles built from `pair_style` arguments and `pair_coeff` numbers (or a table
//! file) per type pair: the analytic styles, Coulomb, ZBL and tables. Shared by the script
//! interpreter and by TOML decks, which spell the same coefficients by name.

use ferromd_core::Potential;
use ferromd_core::units::UnitSystem;
use ferromd_potentials::Mixing;

use super::error::{ScriptError, ScriptResult};
use super::pair_coulomb::{COULOMB_STYLES, build_coulomb};
use super::pair_styles::{PAIR_STYLES, build_pair};
use super::pair_table::build_table;
use super::pair_zbl::build_zbl;

/// The `pair_modify` settings these styles read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairModifiers {
    /// `shift yes`: energies shifted to zero at each pair's cutoff.
    pub shift: bool,
    /// `tail yes`: long-range tail correction (`lj/cut` only).
    pub tail: bool,
    /// `mix`: the rule for unlike pairs without coefficients.
    pub mixing: Mixing,
}

/// True if `style` is built by [`build_coefficient_style`].
pub fn is_coefficient_style(style: &str) -> bool {
    PAIR_STYLES.contains(&style)
        || COULOMB_STYLES.contains(&style)
        || matches!(style, "zbl" | "table")
}

/// Builds one of the styles of [`is_coefficient_style`] from its `pair_style` arguments
/// and `pair_coeff` lines (`I J VALUES...`). With `partial` (a hybrid sub-style acting on
/// some type pairs only) `zbl` and `table` leave pairs without coefficients out.
pub fn build_coefficient_style(
    style: &str,
    args: &[String],
    coeffs: &[Vec<String>],
    modifiers: PairModifiers,
    n_types: usize,
    units: UnitSystem,
    partial: bool,
) -> ScriptResult<Box<dyn Potential>> {
    let PairModifiers {
        shift,
        tail,
        mixing,
    } = modifiers;
    if tail && style != "lj/cut" && !PAIR_STYLES.contains(&style) {
        return Err(ScriptError::unsupported("pair_modify tail yes with", style));
    }
    match style {
        s if PAIR_STYLES.contains(&s) => build_pair(s, args, coeffs, shift, tail, mixing, n_types),
        s if COULOMB_STYLES.contains(&s) => {
            build_coulomb(s, args, coeffs, shift, mixing, n_types, units)
        }
        "zbl" => build_zbl(args, coeffs, n_types, units, partial),
        "table" => build_table(args, coeffs, n_types, units, partial),
        other => Err(ScriptError::unsupported("pair_style", other)),
    }
}
