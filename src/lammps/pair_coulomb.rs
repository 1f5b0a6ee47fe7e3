//! `pair_style coul/cut` and `lj/cut/coul/cut` (charges from `atom_style charge`).

use ferromd_core::Potential;
use ferromd_core::units::UnitSystem;
use ferromd_potentials::{CoefficientTable, CoulombCut, Mixing, Overlay};

use super::error::{ScriptError, ScriptResult, fail};
use super::pair_styles::build_pair;
use super::words::{float, type_range};

/// The Coulomb pair styles.
pub const COULOMB_STYLES: &[&str] = &["coul/cut", "lj/cut/coul/cut"];

/// Smallest and largest number of `pair_style` arguments.
pub fn coulomb_global_args(style: &str) -> (usize, usize) {
    if style == "coul/cut" { (1, 1) } else { (1, 2) }
}

/// Checks the number and form of the values on one `pair_coeff` line of a Coulomb style.
pub fn check_coulomb_coeff(style: &str, c: &[String]) -> ScriptResult<()> {
    let lj = style == "lj/cut/coul/cut";
    let n = c.len().saturating_sub(2);
    let ok = c.len() >= 2 && if lj { (2..=4).contains(&n) } else { n <= 1 };
    if !ok {
        let what = if lj {
            "I J EPSILON SIGMA [CUT_LJ [CUT_COUL]]"
        } else {
            "I J [CUT]"
        };
        return fail(format!("pair_coeff {}: {style} needs {what}", c.join(" ")));
    }
    for k in 2..c.len() {
        float(c, k, "pair coefficient")?;
    }
    Ok(())
}

/// Builds `coul/cut` (`pair_style coul/cut RC`, `pair_coeff I J [RC]`) or
/// `lj/cut/coul/cut` (`pair_style lj/cut/coul/cut RC_LJ [RC_COUL]`,
/// `pair_coeff I J EPS SIGMA [RC_LJ [RC_COUL]]`); unset unlike pairs take mixed cutoffs.
pub fn build_coulomb(
    style: &str,
    args: &[String],
    coeffs: &[Vec<String>],
    shift: bool,
    mixing: Mixing,
    n_types: usize,
    units: UnitSystem,
) -> ScriptResult<Box<dyn Potential>> {
    let (lo, hi) = coulomb_global_args(style);
    if args.len() < lo || args.len() > hi {
        return fail(format!(
            "pair_style {style} takes {lo} to {hi} argument(s), got {}",
            args.len()
        ));
    }
    let rc_first = float(args, 0, "global cutoff")?;
    let rc_coul = if args.len() == 2 {
        float(args, 1, "global Coulomb cutoff")?
    } else {
        rc_first
    };
    for rc in [rc_first, rc_coul] {
        if !(rc > 0.0 && rc.is_finite()) {
            return fail(format!("pair_style {style}: cutoff {rc} must be positive"));
        }
    }
    let lj = style == "lj/cut/coul/cut";
    let n_lj = if lj { 2 } else { 0 };
    for c in coeffs {
        check_coulomb_coeff(style, c)?;
    }
    let mut table: CoefficientTable<()> = CoefficientTable::new(n_types, rc_coul);
    table.mixing = mixing;
    let mut lj_lines = Vec::new();
    for c in coeffs {
        let n = c.len() - 2;
        // lj/cut/coul/cut: one cutoff sets both, a second one the Coulomb cutoff alone
        let cut = if n > n_lj {
            Some(float(c, c.len() - 1, "Coulomb cutoff")?)
        } else {
            None
        };
        for i in type_range(&c[0], n_types)? {
            for j in type_range(&c[1], n_types)? {
                if i <= j {
                    table
                        .set(i, j, (), cut)
                        .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))?;
                }
            }
        }
        if lj {
            lj_lines.push(c[..c.len().min(5)].to_vec());
        }
    }
    let cutoffs: Vec<f64> = table
        .resolve(|_, _, _| Some(()))
        .map_err(|e| ScriptError::new(format!("all pair coeffs are not set: {e}")))?
        .into_iter()
        .map(|(_, rc)| rc)
        .collect();
    let coulomb = CoulombCut::new(n_types, &cutoffs, units.constants().qqr2e);
    if !lj {
        return Ok(Box::new(coulomb));
    }
    let lj_cut = build_pair(
        "lj/cut",
        &[args[0].clone()],
        &lj_lines,
        shift,
        false,
        mixing,
        n_types,
    )?;
    let mut sum = Overlay::new(style);
    sum.push(lj_cut, None).push(Box::new(coulomb), None);
    Ok(Box::new(sum))
}
