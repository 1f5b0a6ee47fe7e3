//! `pair_style zbl inner outer` with `pair_coeff I J Zi Zj` lines.

use ferromd_core::Potential;
use ferromd_core::units::UnitSystem;
use ferromd_potentials::zbl_potential;

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, type_range};

/// Builds `pair_style zbl` from its two cutoffs and `pair_coeff I J Zi Zj` lines. With
/// `partial` (a `hybrid/overlay` sub-style), pairs of types without a `Z` get no
/// interaction instead of being an error.
pub fn build_zbl(
    args: &[String],
    coeffs: &[Vec<String>],
    n_types: usize,
    units: UnitSystem,
    partial: bool,
) -> ScriptResult<Box<dyn Potential>> {
    if args.len() != 2 {
        return fail(format!(
            "pair_style zbl takes 2 arguments (inner and outer cutoff), got {}",
            args.len()
        ));
    }
    let inner = float(args, 0, "zbl inner cutoff")?;
    let outer = float(args, 1, "zbl outer cutoff")?;
    let mut pairs = Vec::new();
    for c in coeffs {
        if c.len() != 4 {
            return fail(format!("pair_coeff {}: zbl needs I J Zi Zj", c.join(" ")));
        }
        let zi = float(c, 2, "zbl Zi")?;
        let zj = float(c, 3, "zbl Zj")?;
        let (ri, rj) = (type_range(&c[0], n_types)?, type_range(&c[1], n_types)?);
        let before = pairs.len();
        for i in ri {
            for j in rj.clone() {
                if j >= i {
                    pairs.push((i, j, zi, zj));
                }
            }
        }
        if pairs.len() == before {
            return fail(format!(
                "pair_coeff {}: no type pair with I <= J",
                c.join(" ")
            ));
        }
    }
    let qqr2e = units.constants().qqr2e;
    let p = zbl_potential(n_types, inner, outer, qqr2e, &pairs, partial).map_err(|e| {
        let missing = matches!(e, ferromd_potentials::PairError::MissingPair { .. });
        if missing {
            ScriptError::new(format!("all pair coeffs are not set: {e}"))
        } else {
            ScriptError::new(format!("pair zbl: {e}"))
        }
    })?;
    Ok(Box::new(p))
}
